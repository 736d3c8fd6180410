// The statement parser and host:port validation: every accepted form and the refusals.
import t from 'tap';
import { parseStatement } from './statement.ts';
import { analysisError, validateHostPort } from './host-port.ts';

t.test('accepted statements', async (t) => {
  const cases: [string, unknown][] = [
    ['SELECT 1', { kind: 'select', items: [{ fn: 'literal', value: '1', column: '1' }] }],
    ['select 1;', { kind: 'select', items: [{ fn: 'literal', value: '1', column: '1' }] }],
    ['select @@version_comment limit 1', { kind: 'select', items: [{ fn: 'version-comment', column: '@@version_comment' }] }],
    ['SELECT current_version()', { kind: 'select', items: [{ fn: 'current-version', column: 'current_version()' }] }],
    ['select DATABASE(), USER() limit 1', { kind: 'select', items: [{ fn: 'database', column: 'database()' }, { fn: 'user', column: 'user()' }] }],
    ['SELECT @@version, version(), CONNECTION_ID()', { kind: 'select', items: [{ fn: 'version', column: '@@version' }, { fn: 'version', column: 'version()' }, { fn: 'connection-id', column: 'connection_id()' }] }],
    ['SHOW DATABASES', { kind: 'show-databases' }],
    ['use `db1`', { kind: 'use', database: 'db1' }],
    ['CREATE DATABASE IF NOT EXISTS d', { kind: 'create-database', name: 'd', ifNotExists: true }],
    ["CREATE USER IF NOT EXISTS 'op'@'%' IDENTIFIED BY 'pw'", { kind: 'account', op: 'create-user', user: { user: 'op', host: '%' }, ifNotExists: true, password: { plain: 'pw' }, defaultRoles: [] }],
    ["create user op identified by password '*AB' default role cluster_admin", { kind: 'account', op: 'create-user', user: { user: 'op', host: '%' }, ifNotExists: false, password: { hash: '*AB' }, defaultRoles: ['cluster_admin'] }],
    ["ALTER USER 'op'@'%' IDENTIFIED BY 'x'", { kind: 'account', op: 'alter-user-password', user: { user: 'op', host: '%' }, ifExists: false, password: { plain: 'x' } }],
    ["ALTER USER op DEFAULT ROLE NONE", { kind: 'account', op: 'default-role', user: { user: 'op', host: '%' }, roles: { kind: 'none' } }],
    ["SET PASSWORD = PASSWORD('p')", { kind: 'account', op: 'set-password', user: undefined, password: { plain: 'p' } }],
    ["SET PASSWORD FOR 'op'@'10.%' = '*AB'", { kind: 'account', op: 'set-password', user: { user: 'op', host: '10.%' }, password: { hash: '*AB' } }],
    ["SET DEFAULT ROLE cluster_admin, 'db_admin' TO 'op'@'%'", { kind: 'account', op: 'default-role', user: { user: 'op', host: '%' }, roles: { kind: 'list', roles: ['cluster_admin', 'db_admin'] } }],
    ["GRANT cluster_admin TO USER 'op'@'%'", { kind: 'account', op: 'grant-role', roles: ['cluster_admin'], user: { user: 'op', host: '%' } }],
    ["REVOKE cluster_admin FROM op", { kind: 'account', op: 'revoke-role', roles: ['cluster_admin'], user: { user: 'op', host: '%' } }],
    ["GRANT NODE, CREATE RESOURCE GROUP ON SYSTEM TO ROLE 'r'", { kind: 'account', op: 'grant-privilege', privileges: ['NODE', 'CREATE RESOURCE GROUP'], grantee: { role: 'r' } }],
    ["DROP USER IF EXISTS 'op'@'%'", { kind: 'account', op: 'drop-user', user: { user: 'op', host: '%' }, ifExists: true }],
    ['set names utf8mb4', { kind: 'set' }],
    ['show frontends', { kind: 'show', target: 'frontends' }],
    ['SHOW BACKENDS;', { kind: 'show', target: 'backends' }],
    ['SHOW COMPUTE NODES', { kind: 'show', target: 'compute_nodes' }],
    ["SHOW PROC '/compute_nodes'", { kind: 'show', target: 'compute_nodes', proc: true }],
    ['SHOW PROC "/frontends"', { kind: 'show', target: 'frontends', proc: true }],
    ['ALTER SYSTEM ADD FOLLOWER "a:9010"', { kind: 'frontend', op: 'add', role: 'FOLLOWER', hostPort: 'a:9010' }],
    ["alter system drop observer 'b:9010'", { kind: 'frontend', op: 'drop', role: 'OBSERVER', hostPort: 'b:9010' }],
    ['ALTER SYSTEM ADD BACKEND "a:9050", "b:9050"', { kind: 'node', op: 'add', node: 'backend', hostPorts: ['a:9050', 'b:9050'], force: false, warehouse: undefined }],
    ['ALTER SYSTEM DROP BACKEND "a:9050" FORCE', { kind: 'node', op: 'drop', node: 'backend', hostPorts: ['a:9050'], force: true, warehouse: undefined }],
    ['ALTER SYSTEM DECOMMISSION BACKEND "a:9050"', { kind: 'node', op: 'decommission', node: 'backend', hostPorts: ['a:9050'], force: false, warehouse: undefined }],
    ['CANCEL DECOMMISSION BACKEND "a:9050"', { kind: 'node', op: 'cancel-decommission', node: 'backend', hostPorts: ['a:9050'], force: false, warehouse: undefined }],
    ['ALTER SYSTEM ADD COMPUTE NODE "a:9050" INTO WAREHOUSE default_warehouse', { kind: 'node', op: 'add', node: 'compute_node', hostPorts: ['a:9050'], force: false, warehouse: 'default_warehouse' }],
    ['ALTER SYSTEM DROP COMPUTE NODE "a:9050" FROM WAREHOUSE `wh`', { kind: 'node', op: 'drop', node: 'compute_node', hostPorts: ['a:9050'], force: false, warehouse: 'wh' }],
    ['ADMIN SET FRONTEND CONFIG ("drop_backend_after_decommission" = "false")', { kind: 'admin-set-config', key: 'drop_backend_after_decommission', value: 'false' }],
  ];
  for (const [sql, expected] of cases) t.same(parseStatement(sql), expected, sql);
});

t.test('everything else is a syntax error', async (t) => {
  for (const sql of ['', 'SELECT', 'SELECT 1,', 'SELECT now()', "CREATE USER 'u'@", 'GRANT TO u', "SET PASSWORD = PASSWORD('p'", 'SHOW TABLES', 'ALTER SYSTEM ADD FOLLOWER a:9010', 'ALTER SYSTEM DECOMMISSION COMPUTE NODE "a:1"', 'ALTER SYSTEM ADD BACKEND "a:1" FORCE', 'SELECT 1 2', 'SHOW "unterminated']) {
    t.equal(parseStatement(sql).kind, 'syntax-error', sql);
  }
  t.same(parseStatement('SHOW TABLES'), { kind: 'syntax-error', message: "Getting syntax error at line 1, column 5. Detail message: Unexpected input 'TABLES'." });
});

t.test('host:port validation', async (t) => {
  t.same(validateHostPort(' 10.0.0.1 : 9050 '), { ok: true, host: '10.0.0.1', port: 9050 });
  t.same(validateHostPort('fe-0.svc:9010'), { ok: true, host: 'fe-0.svc', port: 9010 });
  t.same(validateHostPort(''), { ok: false, detail: 'Invalid host port: ' });
  t.same(validateHostPort('nohost'), { ok: false, detail: 'Invalid host port: nohost' });
  t.same(validateHostPort(':9050'), { ok: false, detail: 'Host is null' });
  t.same(validateHostPort('[::1]:9050'), { ok: true, host: '::1', port: 9050 });
  t.same(validateHostPort(' a b '), { ok: false, detail: 'Invalid host port: ab' }, 'the stripped text is quoted');
  t.equal(analysisError('Host is null'), 'Getting analyzing error. Detail message: Host is null.');
});

t.test('port errors are rewrapped by the catch-all of validateHostAndPort', async (t) => {
  t.same(validateHostPort('a:0'), { ok: false, detail: 'Encounter unknown exception: Getting analyzing error. Detail message: Port is out of range: 0.' });
  t.same(validateHostPort('a:65536'), { ok: false, detail: 'Encounter unknown exception: Getting analyzing error. Detail message: Port is out of range: 65536.' });
  t.same(validateHostPort('a:-1'), { ok: false, detail: 'Encounter unknown exception: Getting analyzing error. Detail message: Port is out of range: -1.' });
  t.same(validateHostPort('a:x'), { ok: false, detail: 'Encounter unknown exception: For input string: "x"' });
  t.same(validateHostPort('a:'), { ok: false, detail: 'Encounter unknown exception: For input string: ""' });
  t.same(validateHostPort('a:+9050'), { ok: true, host: 'a', port: 9050 });
});

t.test("SHOW PROC '/statistic'", async (t) => {
  t.same(parseStatement("SHOW PROC '/statistic'"), { kind: 'show', target: 'statistic', proc: true });
  t.equal(parseStatement("SHOW PROC '/statistics'").kind, 'syntax-error');
});
