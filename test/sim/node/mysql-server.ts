/**
 * The MySQL-protocol front of a simulated FE (reference §9): handshake with
 * `mysql_native_password` against the cluster's users, 1045/28000 on a wrong password or an
 * unknown user, a session per connection (identity, roles activated at login, current
 * database), text result sets whose every column is a VARCHAR string (NULL included), and ERR
 * packets with a real SQLSTATE (mysql2's own writeError has none).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Server as NetServer } from 'node:net';
import mysql from 'mysql2';
import { verifyNativePassword } from './mysql-auth.ts';
import type { LoginRecord, SessionInfo } from '../world/accounts.ts';
import type { SqlResult } from '../world/cluster.ts';

const require = createRequire(import.meta.url);
// mysql2's package exports hide its packet class; the server API needs it to build ERR packets.
const PacketCtor = require(join(dirname(require.resolve('mysql2')), 'lib', 'packets', 'packet.js')) as new (
  id: number,
  buffer: Buffer,
  start: number,
  end: number,
) => MysqlPacket;

interface MysqlPacket {
  offset: number;
  writeInt8(n: number): void;
  writeInt16(n: number): void;
  writeString(s: string, encoding: string): void;
}

/** The untyped server-side connection of mysql2, as far as it is used here. */
interface ServerConnection {
  sequenceId: number;
  stream: { remoteAddress?: string; remotePort?: number; destroy(): void };
  serverHandshake(args: Record<string, unknown>): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  writePacket(packet: MysqlPacket): void;
  writeColumns(columns: Record<string, unknown>[]): void;
  writeTextRow(values: (string | null)[]): void;
  writeEof(): void;
  writeOk(args?: Record<string, unknown>): void;
  writeError: (args: { code: number; message: string }) => void;
  close?(): void;
}

const CHARSET_UTF8_GENERAL_CI = 33;
const MYSQL_TYPE_VAR_STRING = 253;
// LONG_PASSWORD | LONG_FLAG | CONNECT_WITH_DB | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION | PLUGIN_AUTH
const CAPABILITIES = 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000;

/** Options of a query-port server. */
export interface MysqlServerOptions {
  host: string;
  port: number;
  serverVersion: string;
  /** The identity a login from `clientIp` matches, with its password hash; undefined if none. */
  login: (user: string, clientIp: string) => Promise<LoginRecord | undefined>;
  /** Run one statement; `client` is `ip:port` for the statement log. */
  onQuery: (sql: string, client: string, session: SessionInfo) => Promise<SqlResult>;
}

/** A listening query port. */
export interface MysqlServer {
  close(): Promise<void>;
}

function writeErr(conn: ServerConnection, code: number, state: string, message: string): void {
  const text = message === '' ? 'Unknown error' : message;
  const length = 13 + Buffer.byteLength(text, 'utf8');
  const packet = new PacketCtor(0, Buffer.alloc(length), 0, length);
  packet.offset = 4;
  packet.writeInt8(0xff);
  packet.writeInt16(code);
  packet.writeString(`#${state}`, 'utf8');
  packet.writeString(text, 'utf8');
  conn.writePacket(packet);
}

function writeResult(conn: ServerConnection, result: SqlResult, session?: SessionInfo): void {
  if (result.kind === 'ok') {
    if (result.database !== undefined && session !== undefined) session.database = result.database;
    conn.writeOk();
  } else if (result.kind === 'error') {
    writeErr(conn, result.code, result.state, result.message);
  } else {
    conn.writeColumns(
      result.columns.map((name) => ({
        catalog: 'def',
        schema: '',
        table: '',
        orgTable: '',
        name,
        orgName: name,
        characterSet: CHARSET_UTF8_GENERAL_CI,
        columnLength: 90,
        columnType: MYSQL_TYPE_VAR_STRING,
        flags: 0,
        decimals: 0,
      })),
    );
    for (const row of result.rows) conn.writeTextRow(row);
    conn.writeEof();
  }
  conn.sequenceId = 0;
}

let nextConnectionId = 1;

// MysqlCommand names, for ConnectProcessor's answer to a command it does not serve.
const COMMAND_NAMES: Readonly<Record<number, string>> = { 4: 'COM_FIELD_LIST', 8: 'COM_SHUTDOWN', 9: 'COM_STATISTICS', 10: 'COM_PROCESS_INFO', 13: 'COM_DEBUG' };

type AuthDone = (err: Error | null, mysqlError?: { code: number; message: string }) => void;

interface AuthParams {
  user: string;
  database?: string;
  authPluginData1: Buffer;
  authPluginData2: Buffer;
  authToken: Buffer;
}

/** Start listening; resolves once the port is bound. */
export async function startMysqlServer(options: MysqlServerOptions): Promise<MysqlServer> {
  const server = mysql.createServer(() => undefined) as unknown as { _server: NetServer; on(e: string, l: (c: ServerConnection) => void): void };
  const sockets = new Set<ServerConnection>();
  server.on('connection', (conn) => {
    sockets.add(conn);
    const clientIp = conn.stream.remoteAddress ?? '';
    const client = `${clientIp}:${conn.stream.remotePort ?? 0}`;
    const connectionId = nextConnectionId++;
    let session: SessionInfo | undefined;
    conn.on('error', () => undefined);
    conn.on('end', () => sockets.delete(conn));
    // mysql2 reports a failed login through writeError; the failure's SQLSTATE rides along.
    let loginState = '28000';
    conn.writeError = (args) => writeErr(conn, args.code, loginState, args.message);
    const run = (sql: unknown): void => {
      if (session === undefined) return;
      const current = session;
      options.onQuery(String(sql), client, { ...current }).then(
        (result) => writeResult(conn, result, current),
        (error: unknown) => writeResult(conn, { kind: 'error', code: 1064, state: 'HY000', message: error instanceof Error ? error.message : String(error) }),
      );
    };
    const authenticate = async (params: AuthParams): Promise<{ code: number; message: string } | undefined> => {
      const token = params.authToken ?? Buffer.alloc(0);
      const denied = { code: 1045, message: `Access denied for user '${params.user}' (using password: ${token.length > 0 ? 'YES' : 'NO'})` };
      const account = await options.login(params.user, clientIp);
      const scramble = Buffer.concat([params.authPluginData1, params.authPluginData2]);
      if (account === undefined || !verifyNativePassword({ scramble, token, stage2Hex: account.stage2 })) return denied;
      session = { connectionId, user: account.user, host: account.host, clientIp, roles: account.roles, database: undefined };
      if (params.database !== undefined && params.database !== '') {
        // A database in the handshake is a USE before the first statement.
        const used = await options.onQuery(`USE \`${params.database}\``, client, { ...session });
        if (used.kind === 'error') {
          loginState = used.state;
          return { code: used.code, message: used.message };
        }
        session.database = params.database;
      }
      // mysql2's own later refusals (EXECUTE without a handler) are plain HY000 errors.
      loginState = 'HY000';
      return undefined;
    };
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: options.serverVersion,
      connectionId,
      statusFlags: 2,
      characterSet: CHARSET_UTF8_GENERAL_CI,
      capabilityFlags: CAPABILITIES,
      authCallback: (params: AuthParams, cb: AuthDone) => {
        authenticate(params).then(
          (failure) => {
            cb(null, failure);
            conn.sequenceId = 0;
          },
          (error: unknown) => {
            loginState = 'HY000';
            cb(null, { code: 1064, message: error instanceof Error ? error.message : String(error) });
            conn.sequenceId = 0;
          },
        );
      },
    });
    conn.on('query', run);
    // mysql2 routes statements starting with SET or PREPARE here.
    conn.on('stmt_prepare', run);
    // COM_INIT_DB (the mariadb client's `use db`, `-D db`) is a USE.
    conn.on('init_db', (db: unknown) => run(`USE \`${String(db)}\``));
    conn.on('ping', () => writeResult(conn, { kind: 'ok' }));
    conn.on('quit', () => conn.stream.destroy());
    conn.on('packet', (_packet: unknown, known: unknown, command: unknown) => {
      if (known === true) return;
      const name = COMMAND_NAMES[Number(command)] ?? `COM_${String(command)}`;
      // ConnectProcessor.dispatch refuses any other command with this text and no ErrorCode (1064).
      writeResult(conn, { kind: 'error', code: 1064, state: 'HY000', message: `Unsupported command(${name})` });
    });
  });
  const net = server._server;
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen(options.port, options.host, () => {
      net.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of sockets) c.stream.destroy();
        net.close(() => resolve());
      }),
  };
}
