// Conformance of one simulated FE against reference/starrocks-fe-protocol.md, statement by
// statement and error by error, for both version profiles, through mysql2 and through Debian's
// `mariadb` command-line client (an independent MySQL implementation).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { Test } from 'tap';
import mysql from 'mysql2/promise';
import { PROFILES } from './profile.ts';
import type { ProfileName } from './profile.ts';
import { SimWorld } from './world/sim-world.ts';

const run = promisify(execFile);

async function mariadb(host: string, sql: string, password = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('mariadb', ['-h', host, '-P', '9030', '-u', 'root', '--batch', '--connect-timeout=10', '-e', sql], {
      env: { ...process.env, MYSQL_PWD: password },
      timeout: 20_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

// mariadb echoes the failing statement before the ERROR line.
function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** Read the raw initial handshake packet: protocol version, server version, auth plugin. */
function readHandshake(host: string, port: number): Promise<{ protocol: number; version: string; plugin: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('data', (data: Buffer) => {
      socket.destroy();
      const body = data.subarray(4);
      const versionEnd = body.indexOf(0, 1);
      const version = body.subarray(1, versionEnd).toString();
      const pluginStart = body.length - 1 - 'mysql_native_password'.length;
      resolve({ protocol: body[0] as number, version, plugin: body.subarray(pluginStart, body.length - 1).toString() });
    });
    socket.once('error', reject);
  });
}

/** The MySQL error a promise rejects with, as plain fields (undefined when it resolves). */
async function failure(promise: Promise<unknown>): Promise<{ errno: unknown; sqlState: unknown; sqlMessage: unknown } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    const e = error as { errno?: unknown; sqlState?: unknown; sqlMessage?: unknown };
    return { errno: e.errno, sqlState: e.sqlState, sqlMessage: e.sqlMessage };
  }
}

async function expectSqlError(t: Test, conn: mysql.Connection, sql: string, message: string): Promise<void> {
  t.same(await failure(conn.query(sql)), { errno: 1064, sqlState: 'HY000', sqlMessage: message }, sql);
}

for (const profileName of ['3.3', '3.5'] as ProfileName[]) {
  t.test(`profile ${profileName}`, async (t) => {
    const profile = PROFILES[profileName];
    // 3.3's handleDdlStmt prefixes DdlException texts; analysis errors come through as they are.
    const ddl = (message: string): string => (profileName === '3.3' ? `Unexpected exception: ${message}` : message);
    const world = await SimWorld.start({ profile: profileName, heartbeatIntervalMs: 200, rootPassword: '' });
    t.teardown(() => world.stop());
    const fe = world.spawn({ component: 'fe' });
    await world.waitOpen(fe.ip);
    const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root' });
    t.teardown(() => conn.end());

    t.test('handshake', async (t) => {
      const hs = await readHandshake(fe.ip, 9030);
      t.equal(hs.protocol, 10);
      t.equal(hs.version, profile.mysqlServerVersion);
      t.equal(hs.plugin, 'mysql_native_password');
    });

    t.test('ROLE and VERSION are written as Java properties', async (t) => {
      const image = join(fe.root, 'fe', 'meta', 'image');
      const role = readFileSync(join(image, 'ROLE'), 'utf8');
      const version = readFileSync(join(image, 'VERSION'), 'utf8');
      const clusterId = world.clusterIdsCreated()[0];
      t.match(role, /^#\w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}\nrole=FOLLOWER\nhostType=IP\nname=127\.\d+\.\d+\.\d+_9010_\d{13}\n$/);
      // Properties.store on JDK 11/17 writes the keys in its hash-bin order.
      t.match(version, new RegExp(`^#.*\\nclusterId=${clusterId}\\nrunMode=shared_nothing\\ntoken=[0-9a-f-]{36}\\n$`));
      t.same(world.clusterIdsCreated().length, 1);
    });

    t.test('simple statements', async (t) => {
      t.same((await conn.query('SELECT 1'))[0], [{ 1: '1' }]);
      t.same((await conn.query('select @@version_comment limit 1'))[0], [{ '@@version_comment': `StarRocks version ${profile.release}` }]);
      t.same((await conn.query('SELECT current_version()'))[0], [{ 'current_version()': `${profile.release} ${profile.commit}` }]);
      await t.resolves(conn.query('SET NAMES utf8'));
      await expectSqlError(t, conn, 'SELECT * FROM t', "Getting syntax error at line 1, column 7. Detail message: Unexpected input '*'.");
      await expectSqlError(t, conn, 'DROP TABLE t', "Getting syntax error at line 1, column 0. Detail message: Unexpected input 'DROP'.");
    });

    t.test('SHOW FRONTENDS and its PROC form', async (t) => {
      const [rows, fields] = await conn.query({ sql: 'SHOW FRONTENDS', rowsAsArray: false });
      t.same((fields as { name: string }[]).map((f) => f.name), profile.frontendColumns);
      const row = (rows as Record<string, string>[])[0] as Record<string, string>;
      t.equal(row.IP, fe.ip);
      t.equal(row.Role, 'LEADER');
      t.equal(row.Join, 'true');
      t.equal(row.Alive, 'true');
      t.equal(row.IsHelper, 'true');
      t.equal(row.ErrMsg, '');
      t.equal(row.HttpPort, '8030');
      t.equal(row.QueryPort, '9030');
      t.equal(row.RpcPort, '9020');
      t.equal(row.EditLogPort, '9010');
      t.equal(row.ClusterId, String(world.clusterIdsCreated()[0]));
      t.equal(row.Version, `${profile.release}-${profile.commit}`);
      t.match(row.LastHeartbeat, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      if (profileName === '3.5') t.equal(row.Id, '1');
      const [, procFields] = await conn.query("SHOW PROC '/frontends'");
      t.same((procFields as { name: string }[]).map((f) => f.name), profile.frontendColumns);
    });

    t.test('ALTER SYSTEM: backends and compute nodes', async (t) => {
      await conn.query('ALTER SYSTEM ADD BACKEND "127.0.0.9:9050"');
      const [rows, fields] = await conn.query('SHOW BACKENDS');
      t.same((fields as { name: string }[]).map((f) => f.name), profile.backendColumns);
      const be = (rows as Record<string, string>[])[0] as Record<string, string>;
      t.match(be, { BackendId: '10001', IP: '127.0.0.9', HeartbeatPort: '9050', BePort: '-1', HttpPort: '-1', BrpcPort: '-1', LastStartTime: 'NULL', LastHeartbeat: 'NULL', Alive: 'false', SystemDecommissioned: 'false', TabletNum: '0' });
      const [, procFields] = await conn.query("SHOW PROC '/backends'");
      t.same((procFields as { name: string }[]).map((f) => f.name), profile.backendColumns);
      await expectSqlError(t, conn, 'ALTER SYSTEM ADD BACKEND "127.0.0.9:9050"', ddl('Backend already exists with same host 127.0.0.9 and port 9050'));
      await expectSqlError(t, conn, 'ALTER SYSTEM ADD COMPUTE NODE "127.0.0.9:9050"', ddl('Backend already exists with same host 127.0.0.9 and port 9050'));
      await conn.query('ALTER SYSTEM ADD COMPUTE NODE "127.0.0.8:9050" INTO WAREHOUSE default_warehouse');
      const [cnRows, cnFields] = await conn.query('SHOW COMPUTE NODES');
      t.same((cnFields as { name: string }[]).map((f) => f.name), profile.computeNodeColumns);
      t.match((cnRows as Record<string, string>[])[0], { ComputeNodeId: '10002', IP: '127.0.0.8', HeartbeatPort: '9050', Alive: 'false' });
      await expectSqlError(t, conn, 'ALTER SYSTEM ADD BACKEND "127.0.0.8:9050"', ddl('Compute node already exists with same host 127.0.0.8 and port 9050'));
      await expectSqlError(t, conn, 'ALTER SYSTEM DROP BACKEND "127.0.0.7:9050"', ddl('backend does not exists[127.0.0.7:9050]'));
      await expectSqlError(t, conn, 'ALTER SYSTEM DROP COMPUTE NODE "127.0.0.7:9050"', ddl('compute node does not exists[127.0.0.7:9050]'));
      await expectSqlError(t, conn, 'ALTER SYSTEM DECOMMISSION BACKEND "127.0.0.7:9050"', ddl('Backend does not exist[127.0.0.7:9050]'));
      await expectSqlError(t, conn, 'CANCEL DECOMMISSION BACKEND "127.0.0.7:9050"', ddl('Backend does not exists[127.0.0.7]'));
      await conn.query('ALTER SYSTEM DROP COMPUTE NODE "127.0.0.8:9050" FROM WAREHOUSE default_warehouse');
      await conn.query("ALTER SYSTEM DROP BACKEND '127.0.0.9:9050' FORCE");
      t.same((await conn.query('SHOW BACKENDS'))[0], []);
      t.same((await conn.query('SHOW COMPUTE NODES'))[0], []);
    });

    t.test('ALTER SYSTEM: analysis errors', async (t) => {
      await expectSqlError(t, conn, 'ALTER SYSTEM ADD BACKEND ""', 'Getting analyzing error. Detail message: Invalid host port: .');
      await expectSqlError(t, conn, 'ALTER SYSTEM ADD BACKEND ":9050"', 'Getting analyzing error. Detail message: Host is null.');
      await expectSqlError(t, conn, 'ALTER SYSTEM ADD BACKEND "127.0.0.9:70000"',
        'Getting analyzing error. Detail message: Encounter unknown exception: Getting analyzing error. Detail message: Port is out of range: 70000..',
      );
      await expectSqlError(t, conn, 'ALTER SYSTEM ADD FOLLOWER "nosuch.invalid:9010"', 'Getting analyzing error. Detail message: Unknown host: nosuch.invalid: Name or service not known.');
    });

    t.test('ALTER SYSTEM: frontends', async (t) => {
      await expectSqlError(t, conn, `ALTER SYSTEM ADD FOLLOWER "${fe.ip}:9011"`, ddl(`FE with the same host: ${fe.ip} already exists`));
      await expectSqlError(t, conn, `ALTER SYSTEM DROP FOLLOWER "${fe.ip}:9010"`, ddl('can not drop current master node.'));
      // NodeMgr.dropFrontend refuses the leader's own host:port before it looks at the role.
      await expectSqlError(t, conn, `ALTER SYSTEM DROP OBSERVER "${fe.ip}:9010"`, ddl('can not drop current master node.'));
      await expectSqlError(t, conn, 'ALTER SYSTEM DROP FOLLOWER "127.0.0.5:9010"', ddl('frontend does not exist[127.0.0.5:9010]'));
      await conn.query('ALTER SYSTEM ADD OBSERVER "127.0.0.5:9010"');
      const [rows] = await conn.query('SHOW FRONTENDS');
      const observer = (rows as Record<string, string>[]).find((r) => r.IP === '127.0.0.5') as Record<string, string>;
      t.match(observer, { Role: 'OBSERVER', Join: 'false', Alive: 'false', QueryPort: '0', RpcPort: '0', ReplayedJournalId: '0', LastHeartbeat: 'NULL', IsHelper: 'false', StartTime: 'NULL', Version: 'NULL' });
      await world.waitFor(() => world.cluster()?.members().find((m) => m.host === '127.0.0.5')?.hb.errMsg !== '', { what: 'a heartbeat error for the absent observer' });
      const [again] = await conn.query('SHOW FRONTENDS');
      t.match((again as Record<string, string>[]).find((r) => r.IP === '127.0.0.5')?.ErrMsg, /Connection refused/);
      await expectSqlError(t, conn, 'ALTER SYSTEM DROP FOLLOWER "127.0.0.5:9010"', ddl('FOLLOWER does not exist[127.0.0.5:9010]'));
      await conn.query('ALTER SYSTEM DROP OBSERVER "127.0.0.5:9010"');
    });

    t.test('ADMIN SET FRONTEND CONFIG', async (t) => {
      await conn.query('ADMIN SET FRONTEND CONFIG ("drop_backend_after_decommission" = "false")');
      t.equal(world.cluster()?.dropBackendAfterDecommission, false);
      await conn.query('ADMIN SET FRONTEND CONFIG ("drop_backend_after_decommission" = "true")');
      t.equal(world.cluster()?.dropBackendAfterDecommission, true);
      await expectSqlError(t, conn, 'ADMIN SET FRONTEND CONFIG ("no_such_key" = "1")', ddl("Config 'no_such_key' does not exist or is not mutable"));
    });

    t.test('HTTP endpoints', async (t) => {
      const health = await fetch(`http://${fe.ip}:8030/api/health`);
      t.equal(health.status, 200);
      t.equal(health.headers.get('content-type'), 'application/json');
      t.equal(await health.text(), '{"online_backend_num":0,"total_backend_num":0,"status":"OK"}');
      const plain = await (await fetch(`http://${fe.ip}:8030/api/bootstrap`)).text();
      t.equal(plain, '{"replayedJournalId":0,"queryPort":0,"rpcPort":0,"feStartTime":0,"status":"OK","msg":"Success"}');
      const cluster = world.cluster();
      if (cluster === undefined) throw new Error('no cluster');
      const good = (await (await fetch(`http://${fe.ip}:8030/api/bootstrap?cluster_id=${cluster.clusterId}&token=${cluster.token}`)).json()) as Record<string, unknown>;
      t.match(good, { queryPort: 9030, rpcPort: 9020, feVersion: `${profile.release}-${profile.commit}`, status: 'OK', msg: 'Success' });
      t.same(Object.keys(good), ['replayedJournalId', 'queryPort', 'rpcPort', 'feStartTime', 'feVersion', 'status', 'msg']);
      t.equal(
        await (await fetch(`http://${fe.ip}:8030/api/bootstrap?cluster_id=1&token=${cluster.token}`)).text(),
        `{"status":"FAILED","msg":"invalid cluster id: ${cluster.clusterId}"}`,
      );
      t.equal(
        await (await fetch(`http://${fe.ip}:8030/api/bootstrap?cluster_id=${cluster.clusterId}&token=bad`)).text(),
        '{"status":"FAILED","msg":"invalid token: bad"}',
      );
      t.equal(await (await fetch(`http://${fe.ip}:8030/api/bootstrap?cluster_id=x1&token=bad`)).text(), '{"status":"FAILED","msg":"invalid cluster id format: x1"}');
      const metrics = await fetch(`http://${fe.ip}:8030/metrics`);
      t.equal(metrics.status, 200);
      t.match(metrics.headers.get('content-type'), /^text\/plain/);
      t.match(await metrics.text(), /^starrocks_fe_query_total \d+$/m);
    });

    t.test('the mariadb command-line client', async (t) => {
      const show = await mariadb(fe.ip, 'SHOW FRONTENDS');
      t.equal(show.code, 0, show.stderr);
      const [header, row] = show.stdout.trimEnd().split('\n');
      t.same(header?.split('\t'), profile.frontendColumns);
      t.match(row, new RegExp(`\\t${fe.ip.replaceAll('.', '\\.')}\\t9010\\t8030\\t9030\\t9020\\tLEADER\\t`));
      const version = await mariadb(fe.ip, 'SELECT current_version()');
      t.equal(version.stdout, `current_version()\n${profile.release} ${profile.commit}\n`);
      const dup = await mariadb(fe.ip, 'ALTER SYSTEM DROP BACKEND "127.0.0.7:9050"');
      t.equal(dup.code, 1);
      t.equal(lastLine(dup.stderr), `ERROR 1064 (HY000) at line 1: ${ddl('backend does not exists[127.0.0.7:9050]')}`);
      const syntax = await mariadb(fe.ip, 'FLUSH TABLES');
      t.match(lastLine(syntax.stderr), /^ERROR 1064 \(HY000\) at line 1: Getting syntax error/);
    });

    t.test('the statement log records the client address', async (t) => {
      const log = world.statements().filter((s) => s.sql === 'ALTER SYSTEM DROP BACKEND "127.0.0.7:9050"');
      t.ok(log.length >= 2);
      for (const s of log) {
        t.equal(s.fe, fe.ip);
        t.match(s.client, /^127\.\d+\.\d+\.\d+:\d+$/);
        t.equal(s.error, ddl('backend does not exists[127.0.0.7:9050]'));
      }
    });
  });
}

t.test('authentication', async (t) => {
  const world = await SimWorld.start({ heartbeatIntervalMs: 200, rootPassword: 's3cret-pw' });
  t.teardown(() => world.stop());
  const fe = world.spawn({ component: 'fe' });
  await world.waitOpen(fe.ip);
  const good = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root', password: 's3cret-pw' });
  t.same((await good.query('SELECT 1'))[0], [{ 1: '1' }]);
  await good.end();
  t.same(await failure(mysql.createConnection({ host: fe.ip, port: 9030, user: 'root', password: 'wrong' })), {
    errno: 1045,
    sqlState: '28000',
    sqlMessage: "Access denied for user 'root' (using password: YES)",
  });
  t.same(await failure(mysql.createConnection({ host: fe.ip, port: 9030, user: 'root' })), {
    errno: 1045,
    sqlState: '28000',
    sqlMessage: "Access denied for user 'root' (using password: NO)",
  });
  const viaMariadb = await mariadb(fe.ip, 'SELECT 1', 'wrong');
  t.equal(lastLine(viaMariadb.stderr), "ERROR 1045 (28000): Access denied for user 'root' (using password: YES)");
  const okMariadb = await mariadb(fe.ip, 'SELECT 1', 's3cret-pw');
  t.equal(okMariadb.stdout, '1\n1\n');
});
