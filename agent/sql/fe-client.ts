/**
 * The agent's SQL access to one FE: SHOW statements give typed rows, ALTER statements give ok or
 * a classified failure. Nothing throws for an FE-side or network problem: callers (pure plans)
 * decide on the outcome.
 *
 * The mysql2 implementation logs in as its SqlLogin's user (root with `password` by default),
 * trying the login's passwords in order when the server denies one (a Secret being rotated), and
 * never logs a password nor puts one in argv; with `multipleStatements` off, a connect timeout, and a per-statement deadline that
 * really aborts: on expiry the connection is destroyed, so a hung FE (SHOW FRONTENDS hangs while
 * there is no leader) never holds the agent. The connection is kept between statements and
 * re-opened after any failure.
 *
 * @example
 * ```ts
 * const fe = createFeClient({ host: '127.0.0.1', port: 9030, password, timeoutMs: 10_000 });
 * const frontends = await fe.showFrontends();
 * if (frontends.ok) findLeader(frontends.value);
 * await fe.close();
 * ```
 */
import type { Connection, FieldPacket } from 'mysql2';
import type * as Mysql2 from 'mysql2';
import { describeError, isAgentError } from '../contract/errors.ts';
import { parseFrontends } from '../membership/frontends.ts';
import type { FrontendRow } from '../membership/frontends.ts';
import { parseBackends, parseComputeNodes } from '../membership/nodes.ts';
import type { NodeRow } from '../membership/nodes.ts';
import type { ResultSet } from '../membership/result-set.ts';
import { parseTabletHealth } from '../membership/tablet-health.ts';
import type { TabletHealth } from '../membership/tablet-health.ts';
import type { SqlLogin } from './credentials.ts';
import { sqlFailure } from './sql-error.ts';
import type { SqlErrorKind, SqlFailure } from './sql-error.ts';
import { showBackends, showComputeNodes, showFrontends, showStatistic } from './statements.ts';
import type { AlterStatement, ShowStatement, StatementKind } from './statements.ts';

/** Ok with a value, or a classified failure. */
type SqlOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: SqlFailure };

/** One finished statement, for metrics and logs (no SQL text, no secret). */
export interface StatementRecord {
  readonly kind: StatementKind;
  readonly target: string;
  readonly outcome: 'ok' | SqlErrorKind;
  readonly durationMs: number;
}

/** SQL access to one FE. */
export interface FeClient {
  /** `host:port` of the FE, for logs. */
  readonly target: string;
  query(statement: ShowStatement): Promise<SqlOutcome<ResultSet>>;
  showFrontends(): Promise<SqlOutcome<FrontendRow[]>>;
  showBackends(): Promise<SqlOutcome<NodeRow[]>>;
  showComputeNodes(): Promise<SqlOutcome<NodeRow[]>>;
  /** The cluster's tablet health (`SHOW PROC '/statistic'`). */
  showTabletHealth(): Promise<SqlOutcome<TabletHealth>>;
  exec(statement: AlterStatement): Promise<SqlOutcome<void>>;
  close(): Promise<void>;
}

/** Options of createFeClient. */
export interface FeClientOptions {
  host: string;
  port: number;
  /** Secret: root's password, passed to the MySQL handshake only. Ignored when `login` is given. */
  password?: string;
  /** Who to log in as and the passwords to try; root with `password` when absent. */
  login?: SqlLogin;
  /** Deadline of every statement, connect included. */
  timeoutMs: number;
  /** Connect timeout (default: timeoutMs). */
  connectTimeoutMs?: number;
  /** Called after every statement (metrics). Must not throw. */
  onStatement?: (record: StatementRecord) => void;
}

// mysql2 is loaded at the first connection, not with this module: `init` asks DNS before any SQL,
// and its start-up budget (issue 13) has no room for evaluating mysql2 first.
let mysql2: Promise<typeof Mysql2> | undefined;
const loadMysql2 = (): Promise<typeof Mysql2> => (mysql2 ??= import('mysql2'));

/** An FeClient over mysql2. */
export function createFeClient(options: FeClientOptions): FeClient {
  const target = options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  let connection: Connection | undefined;
  let closed = false;
  const login: SqlLogin = options.login ?? {
    user: 'root',
    passwords: () => Promise.resolve([options.password ?? '']),
    accepted: () => undefined,
  };

  const open = (driver: typeof Mysql2, password: string): Connection => {
    const created = driver.createConnection({
      host: options.host,
      port: options.port,
      user: login.user,
      password,
      connectTimeout: Math.max(1, Math.min(options.connectTimeoutMs ?? options.timeoutMs, options.timeoutMs)),
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
    // A fatal error with no statement pending would otherwise crash the process.
    created.on('error', () => {
      if (connection === created) connection = undefined;
    });
    connection = created;
    return created;
  };

  const drop = (conn: Connection): void => {
    if (connection === conn) connection = undefined;
    conn.destroy();
  };

  // One statement at a time (mysql2 queues them on a connection anyway), so two callers never open
  // two connections while the login's passwords are read.
  let queue: Promise<unknown> = Promise.resolve();
  const run = (kind: StatementKind, sql: string): Promise<SqlOutcome<ResultSet | undefined>> => {
    const next = queue.then(() => runNow(kind, sql));
    queue = next;
    return next;
  };

  const runNow = async (kind: StatementKind, sql: string): Promise<SqlOutcome<ResultSet | undefined>> => {
    const started = performance.now();
    const finish = <T>(outcome: SqlOutcome<T>): SqlOutcome<T> => {
      options.onStatement?.({
        kind,
        target,
        outcome: outcome.ok ? 'ok' : outcome.failure.kind,
        durationMs: performance.now() - started,
      });
      return outcome;
    };
    if (closed) return finish({ ok: false, failure: { kind: 'other', message: 'client closed', errno: undefined } });
    if (connection !== undefined) return finish(await runOn(connection, kind, sql));
    let passwords: readonly string[];
    let driver: typeof Mysql2;
    try {
      driver = await loadMysql2();
      passwords = await login.passwords();
    } catch (error) {
      return finish({ ok: false, failure: { kind: 'other', message: describeError(error), errno: undefined } });
    }
    if (closed) return finish({ ok: false, failure: { kind: 'other', message: 'client closed', errno: undefined } });
    if (passwords.length === 0) passwords = [''];
    // A new connection: on access denied, the next password the login knows (rotation), at most
    // one handshake per password.
    let outcome: SqlOutcome<ResultSet | undefined> | undefined;
    for (const [i, password] of passwords.entries()) {
      const conn = open(driver, password);
      outcome = await runOn(conn, kind, sql);
      const denied = !outcome.ok && outcome.failure.kind === 'auth';
      if (!denied) {
        // The handshake passed unless the failure came from the transport.
        if (outcome.ok || outcome.failure.errno !== undefined) login.accepted(password);
        break;
      }
      if (i < passwords.length - 1) drop(conn);
    }
    return finish(outcome as SqlOutcome<ResultSet | undefined>);
  };

  const runOn = (conn: Connection, kind: StatementKind, sql: string): Promise<SqlOutcome<ResultSet | undefined>> => {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: SqlOutcome<ResultSet | undefined>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        drop(conn);
        settle({
          ok: false,
          failure: { kind: 'timeout', message: `${kind} on ${target} took longer than ${options.timeoutMs} ms`, errno: undefined },
        });
      }, options.timeoutMs);
      conn.query({ sql, rowsAsArray: true }, (error: unknown, rows: unknown, fields: unknown) => {
        if (error !== null && error !== undefined) {
          const raw = error as { code?: unknown; errno?: unknown; message?: unknown; fatal?: unknown };
          if (raw.fatal === true) drop(conn);
          settle({
            ok: false,
            failure: sqlFailure({
              code: typeof raw.code === 'string' ? raw.code : undefined,
              errno: typeof raw.errno === 'number' ? raw.errno : undefined,
              message: typeof raw.message === 'string' && raw.message !== '' ? raw.message : String(raw.code ?? 'unknown error'),
            }),
          });
          return;
        }
        settle({ ok: true, value: Array.isArray(rows) ? toResultSet(rows, fields) : undefined });
      });
    });
  };

  const query = async (statement: ShowStatement): Promise<SqlOutcome<ResultSet>> => {
    const outcome = await run(statement.kind, statement.sql);
    if (!outcome.ok) return outcome;
    if (outcome.value === undefined) {
      return { ok: false, failure: { kind: 'bad_result', message: `${statement.kind} returned no result set`, errno: undefined } };
    }
    return { ok: true, value: outcome.value };
  };

  const typed = async <T>(statement: ShowStatement, parse: (rs: ResultSet) => T): Promise<SqlOutcome<T>> => {
    const outcome = await query(statement);
    if (!outcome.ok) return outcome;
    try {
      return { ok: true, value: parse(outcome.value) };
    } catch (error) {
      if (!isAgentError(error, 'ERR_SQL_RESULT')) throw error;
      return { ok: false, failure: { kind: 'bad_result', message: error.message, errno: undefined } };
    }
  };

  return {
    target,
    query,
    showFrontends: () => typed(showFrontends(), parseFrontends),
    showBackends: () => typed(showBackends(), parseBackends),
    showComputeNodes: () => typed(showComputeNodes(), parseComputeNodes),
    showTabletHealth: () => typed(showStatistic(), parseTabletHealth),
    exec: async (statement) => {
      const outcome = await run(statement.kind, statement.sql);
      return outcome.ok ? { ok: true, value: undefined } : outcome;
    },
    close: async () => {
      closed = true;
      const conn = connection;
      connection = undefined;
      if (conn === undefined) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          conn.destroy();
          resolve();
        }, Math.min(options.timeoutMs, 1000));
        conn.end(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

// Rows arrive as arrays (rowsAsArray); values are text for StarRocks' VARCHAR columns, but a
// typed column would come back as a number, a Buffer or a Date string: normalise to text.
function toResultSet(rows: readonly unknown[], fields: unknown): ResultSet {
  const columns = Array.isArray(fields) ? (fields as FieldPacket[]).map((f) => String(f.name)) : [];
  return {
    columns,
    rows: rows.map((row) =>
      (Array.isArray(row) ? row : []).map((value: unknown) => {
        if (value === null || value === undefined) return null;
        if (Buffer.isBuffer(value)) return value.toString('utf8');
        return String(value);
      }),
    ),
  };
}
