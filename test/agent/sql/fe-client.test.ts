// Transport behavior of the mysql2 FeClient against a minimal MySQL-protocol server written here
// (mysql2's server API): auth, timeouts that really abort, refused connections, result parsing.
// Conformance to StarRocks' own answers is tested later against the simulator.
import t from 'tap';
import { createHash } from 'node:crypto';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import mysql from 'mysql2';
import { createFeClient } from '../../../agent/sql/fe-client.ts';
import type { StatementRecord } from '../../../agent/sql/fe-client.ts';
import { hostPort } from '../../../agent/sql/host-port.ts';
import { addBackend, decommissionBackend, showFrontends } from '../../../agent/sql/statements.ts';
import { frontendsResult, nodesResult } from '../fixtures/membership.ts';
import type { ResultSet } from '../../../agent/membership/result-set.ts';

const PASSWORD = 's3cret-Pa55';

// mysql2's server connection has no TypeScript types: the few members used here.
interface ServerConnection {
  sequenceId: number;
  serverHandshake(args: Record<string, unknown>): void;
  on(event: 'query', listener: (sql: string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  writeColumns(columns: Record<string, unknown>[]): void;
  writeTextRow(values: (string | null)[]): void;
  writeEof(): void;
  writeOk(): void;
  writeError(args: { message: string; code: number }): void;
  destroy?: () => void;
  stream: Socket;
}

function sha1(...parts: Buffer[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function nativePasswordOk(password: string, scramble1: Buffer, scramble2: Buffer, token: Buffer): boolean {
  if (password === '') return token.length === 0;
  const stage1 = sha1(Buffer.from(password));
  const expected = sha1(scramble1.subarray(0, 8), scramble2.subarray(0, 12), sha1(stage1)).map((b, i) => b ^ (stage1[i] as number));
  return token.length === expected.length && token.equals(expected);
}

interface FakeFe {
  port: number;
  queries: string[];
  connections: number;
  close(): Promise<void>;
}

type Answer = { rs: ResultSet } | { error: string; code?: number } | 'ok' | 'hang';

async function startFakeFe(answer: (sql: string) => Answer): Promise<FakeFe> {
  const state: FakeFe = { port: 0, queries: [], connections: 0, close: async () => undefined };
  const sockets = new Set<Socket>();
  const server = mysql.createServer((c) => onConnection(c as unknown as ServerConnection)) as unknown as {
    listen(port: number, host: string, cb: () => void): void;
    close(cb?: () => void): void;
    _server: TcpServer;
  };
  function onConnection(conn: ServerConnection): void {
    state.connections++;
    sockets.add(conn.stream);
    conn.on('error', () => undefined);
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: '5.1.0',
      connectionId: state.connections,
      statusFlags: 2,
      characterSet: 33,
      capabilityFlags: 0xffffff,
      authCallback: (
        params: { user: string; authPluginData1: Buffer; authPluginData2: Buffer; authToken: Buffer },
        cb: (err: null, mysqlError?: { message: string; code: number }) => void,
      ) => {
        const ok = params.user === 'root' && nativePasswordOk(PASSWORD, params.authPluginData1, params.authPluginData2, params.authToken);
        cb(null, ok ? undefined : { message: `Access denied for user '${params.user}' (using password: YES)`, code: 1045 });
        conn.sequenceId = 0;
      },
    });
    conn.on('query', (sql) => {
      state.queries.push(sql);
      const reply = answer(sql);
      if (reply === 'hang') return;
      if (reply === 'ok') conn.writeOk();
      else if ('error' in reply) conn.writeError({ message: reply.error, code: reply.code ?? 1064 });
      else {
        conn.writeColumns(
          reply.rs.columns.map((name) => ({
            catalog: 'def', schema: '', table: '', orgTable: '', name, orgName: name,
            characterSet: 33, columnLength: 30, columnType: 253, flags: 0, decimals: 0,
          })),
        );
        for (const row of reply.rs.rows) conn.writeTextRow([...row]);
        conn.writeEof();
      }
      conn.sequenceId = 0;
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server._server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

const be = hostPort('10.0.0.7', 9050);

t.test('SHOW statements come back as typed rows, by column name, in both column sets', async (t) => {
  let profile: '3.3' | '3.5' = '3.3';
  const fe = await startFakeFe((sql) => {
    if (sql === 'SHOW FRONTENDS') return { rs: frontendsResult([{ host: 'fe-1', role: 'FOLLOWER' }, { host: 'fe-0', role: 'LEADER' }], profile) };
    if (sql === 'SHOW BACKENDS') return { rs: nodesResult([{ host: '10.0.0.7', tablets: 4 }], { profile }) };
    if (sql === 'SHOW COMPUTE NODES') return { rs: { columns: ['IP'], rows: [['x']] } };
    return { error: 'unexpected' };
  });
  t.teardown(fe.close);
  const records: StatementRecord[] = [];
  const client = createFeClient({ host: '127.0.0.1', port: fe.port, password: PASSWORD, timeoutMs: 5000, onStatement: (r) => records.push(r) });
  t.teardown(client.close);

  for (const p of ['3.3', '3.5'] as const) {
    profile = p;
    const frontends = await client.showFrontends();
    t.ok(frontends.ok, p);
    if (frontends.ok) {
      t.same(frontends.value.map((f) => [f.host, f.role]), [['fe-1', 'FOLLOWER'], ['fe-0', 'LEADER']]);
      t.equal(frontends.value[1]?.id, p === '3.5' ? '2' : undefined);
    }
    const backends = await client.showBackends();
    t.ok(backends.ok && backends.value[0]?.tabletNum === 4, `${p} backends`);
  }
  const raw = await client.query(showFrontends());
  t.ok(raw.ok && raw.value.columns[0] === 'Id' && raw.value.columns[1] === 'Name', 'the raw result set keeps the 3.5 column order');

  const bad = await client.showComputeNodes();
  t.notOk(bad.ok);
  if (!bad.ok) {
    t.equal(bad.failure.kind, 'bad_result');
    t.match(bad.failure.message, /no column ComputeNodeId/);
  }
  t.equal(fe.connections, 1, 'one connection is kept for all statements');
  t.same(
    records.map((r) => [r.kind, r.outcome]),
    [
      ['show_frontends', 'ok'], ['show_backends', 'ok'], ['show_frontends', 'ok'], ['show_backends', 'ok'],
      ['show_frontends', 'ok'], ['show_compute_nodes', 'ok'],
    ],
  );
  t.ok(records.every((r) => r.target === `127.0.0.1:${fe.port}` && r.durationMs >= 0));
});

t.test('ALTER statements: ok, or the FE error classified by its text', async (t) => {
  const fe = await startFakeFe((sql) => {
    if (sql.startsWith('ALTER SYSTEM ADD BACKEND')) return { error: 'Backend already exists with same host 10.0.0.7 and port 9050' };
    return 'ok';
  });
  t.teardown(fe.close);
  const client = createFeClient({ host: '127.0.0.1', port: fe.port, password: PASSWORD, timeoutMs: 5000 });
  t.teardown(client.close);
  t.same(await client.exec(decommissionBackend(be)), { ok: true, value: undefined });
  const add = await client.exec(addBackend(be));
  t.notOk(add.ok);
  if (!add.ok) {
    t.equal(add.failure.kind, 'already_exists');
    t.equal(add.failure.errno, 1064);
  }
  t.same(fe.queries, ['ALTER SYSTEM DECOMMISSION BACKEND "10.0.0.7:9050"', 'ALTER SYSTEM ADD BACKEND "10.0.0.7:9050"']);
  t.same(await client.exec(decommissionBackend(be)), { ok: true, value: undefined }, 'an FE error does not break the connection');
  t.equal(fe.connections, 1);
});

t.test('a wrong password is an auth failure (1045) and the password is in no message', async (t) => {
  const fe = await startFakeFe(() => 'ok');
  t.teardown(fe.close);
  const client = createFeClient({ host: '127.0.0.1', port: fe.port, password: 'wrong-password', timeoutMs: 5000 });
  t.teardown(client.close);
  const outcome = await client.showFrontends();
  t.notOk(outcome.ok);
  if (!outcome.ok) {
    t.equal(outcome.failure.kind, 'auth');
    t.equal(outcome.failure.errno, 1045);
    t.notMatch(outcome.failure.message, /wrong-password/);
  }
  t.same(fe.queries, [], 'nothing ran');
});

t.test('a statement that hangs is aborted at its deadline and the next one reconnects', async (t) => {
  let hang = true;
  const fe = await startFakeFe((sql) => (sql === 'SHOW FRONTENDS' && hang ? 'hang' : { rs: frontendsResult([{ host: 'fe-0', role: 'LEADER' }]) }));
  t.teardown(fe.close);
  const client = createFeClient({ host: '127.0.0.1', port: fe.port, password: PASSWORD, timeoutMs: 300 });
  t.teardown(client.close);
  const started = performance.now();
  const outcome = await client.showFrontends();
  const elapsed = performance.now() - started;
  t.notOk(outcome.ok);
  if (!outcome.ok) t.equal(outcome.failure.kind, 'timeout');
  t.ok(elapsed >= 250 && elapsed < 10_000, `aborted after ${Math.round(elapsed)} ms`);
  hang = false;
  const again = await client.showFrontends();
  t.ok(again.ok, 'the next statement works on a new connection');
  t.equal(fe.connections, 2);
});

t.test('a server that never sends its handshake is a timeout, not a hang', async (t) => {
  const silent = createTcpServer(() => undefined);
  const sockets = new Set<Socket>();
  silent.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    silent.close(() => resolve());
  }));
  const client = createFeClient({ host: '127.0.0.1', port: (silent.address() as AddressInfo).port, password: PASSWORD, timeoutMs: 400, connectTimeoutMs: 200 });
  t.teardown(client.close);
  const started = performance.now();
  const outcome = await client.showFrontends();
  t.notOk(outcome.ok);
  if (!outcome.ok) t.equal(outcome.failure.kind, 'timeout');
  t.ok(performance.now() - started < 10_000);
});

t.test('nothing listening is connection_refused', async (t) => {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const client = createFeClient({ host: '127.0.0.1', port, password: PASSWORD, timeoutMs: 5000 });
  t.teardown(client.close);
  const outcome = await client.showFrontends();
  t.notOk(outcome.ok);
  if (!outcome.ok) t.equal(outcome.failure.kind, 'connection_refused');
  await client.close();
  const after = await client.exec(addBackend(be));
  t.notOk(after.ok, 'a closed client runs nothing');
});
