// What a person or a connector meets on the query port, held to StarRocks: the version strings of
// every profile, the 4.1 profile's columns, /api/health during a graceful exit, the statements
// MySQL clients send on their own (through mysql2 and Debian's `mariadb` binary), and users,
// roles and privileges (reference §1-3, §9, §13; AuthorizationMgr, AccessDeniedException).
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import t from 'tap';
import type { Test } from 'tap';
import mysql from 'mysql2/promise';
import { PROFILE_NAMES, PROFILES } from './profile.ts';
import { SimWorld } from './world/sim-world.ts';

const run = promisify(execFile);

/** The mariadb client in batch mode; the password goes through MYSQL_PWD. */
async function mariadb(host: string, args: string[], options: { user?: string; password?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('mariadb', ['-h', host, '-P', '9030', '-u', options.user ?? 'root', '--batch', '--connect-timeout=10', ...args], {
      env: { ...process.env, MYSQL_PWD: options.password ?? '' },
      timeout: 20_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The server version string of the initial handshake packet. */
function handshakeVersion(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: 9030 });
    socket.once('data', (data: Buffer) => {
      socket.destroy();
      resolve(data.subarray(5, data.indexOf(0, 5)).toString());
    });
    socket.once('error', reject);
  });
}

async function failure(promise: Promise<unknown>): Promise<{ errno: unknown; sqlState: unknown; sqlMessage: unknown } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    const e = error as { errno?: unknown; sqlState?: unknown; sqlMessage?: unknown };
    return { errno: e.errno, sqlState: e.sqlState, sqlMessage: e.sqlMessage };
  }
}

/** ErrorCode.ERR_ACCESS_DENIED with its hint, as AccessDeniedException.reportAccessDenied fills it. */
function accessDenied(privilege: string, current: string, inactive: string): { errno: number; sqlState: string; sqlMessage: string } {
  return {
    errno: 5203,
    sqlState: '42000',
    sqlMessage:
      `Access denied; you need (at least one of) the ${privilege} privilege(s) on SYSTEM for this operation. ` +
      'Please ask the admin to grant permission(s) or try activating existing roles using <set [default] role>. ' +
      `Current role(s): ${current}. Inactivated role(s): ${inactive}.`,
  };
}

function analysis(detail: string): { errno: number; sqlState: string; sqlMessage: string } {
  return { errno: 1064, sqlState: 'HY000', sqlMessage: `Getting analyzing error. Detail message: ${detail}.` };
}

t.test('versions: 5.1.0 for 3.3, 8.0.33 from 3.4 on; 4.1 is a profile with its release', async (t) => {
  t.same(PROFILE_NAMES, ['3.3', '3.5', '4.1']);
  t.same(
    PROFILE_NAMES.map((p) => PROFILES[p].mysqlServerVersion),
    ['5.1.0', '8.0.33', '8.0.33'],
    'Config.mysql_server_version, changed by StarRocks PR #52512 (3.4)',
  );
  t.equal(PROFILES['4.1'].release, '4.1.1');
  t.equal(PROFILES['4.1'].commit, '14b7e3f');
});

t.test('the 4.1 profile on the wire', async (t) => {
  const world = await SimWorld.start({ profile: '4.1', heartbeatIntervalMs: 200 });
  t.teardown(() => world.stop());
  const fe = world.spawn({ component: 'fe' });
  await world.waitOpen(fe.ip);
  const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root' });
  t.teardown(() => conn.end());

  t.equal(await handshakeVersion(fe.ip), '8.0.33');
  t.same((await conn.query('SELECT @@version_comment, current_version()'))[0], [{ '@@version_comment': 'StarRocks version 4.1.1', 'current_version()': '4.1.1 14b7e3f' }]);
  await conn.query(`ALTER SYSTEM ADD BACKEND "${world.addresses.next()}:9050"`);
  await conn.query(`ALTER SYSTEM ADD COMPUTE NODE "${world.addresses.next()}:9050"`);
  const names = async (sql: string): Promise<string[]> => ((await conn.query(sql))[1] as { name: string }[]).map((f) => f.name);
  const frontends = await names('SHOW FRONTENDS');
  t.same(frontends.slice(0, 3), ['Id', 'Name', 'IP'], 'Id first');
  t.equal(frontends.length, 17);
  const backends = await names('SHOW BACKENDS');
  t.equal(backends.at(-1), 'StatusCode');
  t.equal(backends.length, 30);
  const computeNodes = await names('SHOW COMPUTE NODES');
  t.same(computeNodes.slice(-2), ['HasStoragePath', 'StatusCode']);
  const [rows] = await conn.query('SHOW FRONTENDS');
  t.match((rows as Record<string, string>[])[0], { Id: '1', Version: '4.1.1-14b7e3f', Role: 'LEADER' });
});

t.test('/api/health during a graceful exit: a bare 500', async (t) => {
  const world = await SimWorld.start({ heartbeatIntervalMs: 200, feGracefulExitMs: 4000 });
  t.teardown(() => world.stop());
  const fe = world.spawn({ component: 'fe' });
  await world.waitOpen(fe.ip);
  t.equal((await fetch(`http://${fe.ip}:8030/api/health`)).status, 200);
  const stop = world.stopScript(fe, ['-g']);
  const health = await world.waitFor(
    async () => {
      const res = await fetch(`http://${fe.ip}:8030/api/health`);
      return res.status === 500 ? res : undefined;
    },
    { what: 'health 500' },
  );
  t.equal(await health.text(), '', 'no JSON body');
  t.equal((await stop).code, 0);
});

t.test('what MySQL clients send, answered as StarRocks answers it', async (t) => {
  const world = await SimWorld.start({ profile: '3.3', heartbeatIntervalMs: 200 });
  t.teardown(() => world.stop());
  const fe = world.spawn({ component: 'fe' });
  await world.waitOpen(fe.ip);
  const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root' });
  t.teardown(() => conn.end());
  const clientIp = (conn as unknown as { connection: { stream: { localAddress: string } } }).connection.stream.localAddress;

  t.test('mysql2', async (t) => {
    t.same((await conn.query('SELECT DATABASE(), USER()'))[0], [{ 'database()': null, 'user()': `'root'@'${clientIp}'` }], 'no database before USE');
    t.same((await conn.query('SELECT CURRENT_USER()'))[0], [{ 'current_user()': "'root'@'%'" }]);
    t.same((await conn.query('SELECT @@version, version(), CONNECTION_ID()'))[0], [{ '@@version': '5.1.0', 'version()': '5.1.0', 'connection_id()': String(conn.threadId) }]);
    t.same((await conn.query('SHOW DATABASES'))[0], [{ Database: '_statistics_' }, { Database: 'information_schema' }, { Database: 'sys' }]);
    await conn.query('CREATE DATABASE shop');
    t.same(await failure(conn.query('CREATE DATABASE shop')), { errno: 1007, sqlState: 'HY000', sqlMessage: "Can't create database 'shop'; database exists" });
    await t.resolves(conn.query('CREATE DATABASE IF NOT EXISTS shop'));
    t.same(((await conn.query('SHOW DATABASES'))[0] as { Database: string }[]).map((r) => r.Database), ['_statistics_', 'information_schema', 'shop', 'sys']);
    await conn.query('USE shop');
    t.same((await conn.query('SELECT DATABASE()'))[0], [{ 'database()': 'shop' }]);
    t.same(await failure(conn.query('USE nowhere')), { errno: 5501, sqlState: '3F000', sqlMessage: "Unknown database 'nowhere'" });
    t.same((await conn.query('SELECT DATABASE()'))[0], [{ 'database()': 'shop' }], 'a failed USE keeps the database');
  });

  t.test('the mariadb binary', async (t) => {
    const status = await mariadb(fe.ip, ['-e', 'status']);
    t.equal(status.code, 0, status.stderr);
    t.equal(status.stderr, '');
    t.match(status.stdout, /Current database:\t\n/);
    t.match(status.stdout, new RegExp(`Current user:\\t\\t'root'@'${clientIp.replaceAll('.', '\\.')}'\\n`));
    t.match(status.stdout, /Server version:\t\t5\.1\.0 StarRocks version 3\.3\.10\n/);
    t.match(status.stdout, /Server characterset:\tutf8\n/);
    const use = await mariadb(fe.ip, ['-e', 'use shop; SELECT DATABASE(); SHOW DATABASES']);
    t.equal(use.stdout, 'database()\nshop\nDatabase\n_statistics_\ninformation_schema\nshop\nsys\n', use.stderr);
    const withDb = await mariadb(fe.ip, ['-D', 'shop', '-e', 'SELECT DATABASE(), @@version']);
    t.equal(withDb.stdout, 'database()\t@@version\nshop\t5.1.0\n', withDb.stderr);
    const badDb = await mariadb(fe.ip, ['-D', 'nowhere', '-e', 'SELECT 1']);
    t.equal(badDb.code, 1);
    t.match(badDb.stderr, /^ERROR 5501 \(3F000\): Unknown database 'nowhere'/);
  });
});

t.test('users, roles and privileges', async (t) => {
  const world = await SimWorld.start({ profile: '3.5', heartbeatIntervalMs: 200, joinPollMs: 150, rootPassword: 'root-pw' });
  t.teardown(() => world.stop());
  const fe = world.spawn({ component: 'fe' });
  await world.waitOpen(fe.ip);
  const conns: mysql.Connection[] = [];
  t.teardown(() => Promise.all(conns.map((c) => c.end().catch(() => undefined))));
  const login = async (user: string, password: string, host = fe.ip): Promise<mysql.Connection> => {
    const c = await mysql.createConnection({ host, port: 9030, user, password });
    conns.push(c);
    return c;
  };
  const loginFails = async (t: Test, user: string, password: string): Promise<void> => {
    t.same(await failure(login(user, password)), {
      errno: 1045,
      sqlState: '28000',
      sqlMessage: `Access denied for user '${user}' (using password: ${password === '' ? 'NO' : 'YES'})`,
    }, `${user} / ${password === '' ? 'no password' : password}`);
  };
  const root = await login('root', 'root-pw');
  const backend = `${world.addresses.next()}:9050`;

  await t.test('CREATE USER and login against its password', async (t) => {
    await loginFails(t, 'op', 'op-pw');
    await root.query("CREATE USER 'op'@'%' IDENTIFIED BY 'op-pw'");
    t.same(await failure(root.query("CREATE USER 'op'@'%' IDENTIFIED BY 'x'")), analysis("user 'op'@'%' already exists!"));
    await t.resolves(root.query("CREATE USER IF NOT EXISTS 'op'@'%' IDENTIFIED BY 'x'"), 'IF NOT EXISTS keeps the first password');
    await loginFails(t, 'op', 'x');
    await loginFails(t, 'op', '');
    const op = await login('op', 'op-pw');
    t.same((await op.query('SELECT CURRENT_USER(), CURRENT_ROLE()'))[0], [{ 'current_user()': "'op'@'%'", 'current_role()': 'NONE' }]);
  });

  await t.test('NODE comes only with cluster_admin, active through a default role at login', async (t) => {
    const before = await login('op', 'op-pw');
    const addBackend = `ALTER SYSTEM ADD BACKEND "${backend}"`;
    t.same(await failure(before.query(addBackend)), accessDenied('NODE', 'NONE', 'NONE'));
    t.same(await failure(before.query('SHOW BACKENDS')), accessDenied('OPERATE', 'NONE', 'NONE'));
    t.same(
      await failure(root.query("GRANT NODE ON SYSTEM TO USER 'op'@'%'")),
      analysis("Operation not permitted, 'NODE' cannot be granted to user or role directly, use built-in role instead"),
    );
    t.same(
      await failure(root.query('GRANT NODE ON SYSTEM TO ROLE cluster_admin')),
      analysis("Operation not permitted, 'NODE' cannot be granted to user or role directly, use built-in role instead"),
    );
    await root.query("GRANT cluster_admin TO USER 'op'@'%'");
    t.same(await failure(before.query(addBackend)), accessDenied('NODE', 'NONE', '[cluster_admin]'), 'roles are fixed at login');
    const granted = await login('op', 'op-pw');
    t.same(await failure(granted.query(addBackend)), accessDenied('NODE', 'NONE', '[cluster_admin]'), 'a granted role is not a default role');
    t.same(await failure(root.query("SET DEFAULT ROLE db_admin TO 'op'@'%'")), analysis("Role db_admin is not granted to 'op'@'%'"));
    await root.query("SET DEFAULT ROLE cluster_admin TO 'op'@'%'");
    const active = await login('op', 'op-pw');
    t.same((await active.query('SELECT CURRENT_ROLE()'))[0], [{ 'current_role()': 'cluster_admin' }]);
    await active.query(addBackend);
    t.equal(((await active.query('SHOW BACKENDS'))[0] as unknown[]).length, 1, 'cluster_admin reads membership');
    t.same(await failure(active.query("CREATE USER 'x'@'%'")), accessDenied('GRANT', '[cluster_admin]', 'NONE'), 'user management needs user_admin');
    // AuthorizerStmtVisitor.visitShowProcStmt: OPERATE, which cluster_admin lacks.
    t.same(await failure(active.query("SHOW PROC '/statistic'")), accessDenied('OPERATE', '[cluster_admin]', 'NONE'), 'SHOW PROC needs OPERATE');
    await root.query("GRANT OPERATE ON SYSTEM TO USER 'op'@'%'");
    t.ok(((await active.query("SHOW PROC '/statistic'"))[0] as unknown[]).length >= 1, 'OPERATE granted to the user reads the tablet statistic');
    await root.query("ALTER USER 'op'@'%' DEFAULT ROLE NONE");
    const none = await login('op', 'op-pw');
    t.same(await failure(none.query(`ALTER SYSTEM DROP BACKEND "${backend}"`)), accessDenied('NODE', 'NONE', '[cluster_admin]'));
  });

  await t.test('passwords change through SQL, root included; every FE sees the users', async (t) => {
    const op = await login('op', 'op-pw');
    await op.query("SET PASSWORD = PASSWORD('op-pw-2')");
    await loginFails(t, 'op', 'op-pw');
    await t.resolves(login('op', 'op-pw-2'));
    await root.query("ALTER USER 'op'@'%' IDENTIFIED BY 'op-pw-3'");
    await loginFails(t, 'op', 'op-pw-2');
    const scrambled = `*${createHash('sha1').update(createHash('sha1').update('op-pw-4').digest()).digest('hex').toUpperCase()}`;
    await root.query(`SET PASSWORD FOR 'op'@'%' = '${scrambled}'`);
    await t.resolves(login('op', 'op-pw-4'), 'a scrambled password hash');
    t.same(await failure(root.query("SET PASSWORD FOR 'op'@'%' = 'plain'")), analysis('Password hash should be a 41-digit hexadecimal number'));
    t.same(await failure(root.query("ALTER USER 'ghost'@'%' IDENTIFIED BY 'x'")), analysis("cannot find user 'ghost'@'%'!"));

    await root.query("SET PASSWORD = PASSWORD('root-pw-2')");
    await loginFails(t, 'root', 'root-pw');
    const root2 = await login('root', 'root-pw-2');

    const ip1 = world.addresses.next();
    await root2.query(`ALTER SYSTEM ADD FOLLOWER "${ip1}:9010"`);
    const fe1 = world.spawn({ component: 'fe', ip: ip1, args: ['--helper', `${fe.ip}:9010`] });
    await world.waitOpen(fe1.ip);
    const onFollower = await login('op', 'op-pw-4', fe1.ip);
    t.same((await onFollower.query('SELECT CURRENT_USER()'))[0], [{ 'current_user()': "'op'@'%'" }]);
    t.same(await failure(login('root', 'root-pw', fe1.ip)), { errno: 1045, sqlState: '28000', sqlMessage: "Access denied for user 'root' (using password: YES)" });
    await t.resolves(login('root', 'root-pw-2', fe1.ip));
  });
});
