// The statement parser and host:port validation: every accepted form and the refusals.
import t from 'tap';
import { parseStatement } from './statement.ts';
import { analysisError, validateHostPort } from './host-port.ts';

t.test('accepted statements', async (t) => {
  const cases: [string, unknown][] = [
    ['SELECT 1', { kind: 'select-literal', column: '1', value: '1' }],
    ['select 1;', { kind: 'select-literal', column: '1', value: '1' }],
    ['select @@version_comment limit 1', { kind: 'version-comment', column: '@@version_comment' }],
    ['SELECT current_version()', { kind: 'current-version', column: 'current_version()' }],
    ['set names utf8mb4', { kind: 'set' }],
    ['show frontends', { kind: 'show', target: 'frontends' }],
    ['SHOW BACKENDS;', { kind: 'show', target: 'backends' }],
    ['SHOW COMPUTE NODES', { kind: 'show', target: 'compute_nodes' }],
    ["SHOW PROC '/compute_nodes'", { kind: 'show', target: 'compute_nodes' }],
    ['SHOW PROC "/frontends"', { kind: 'show', target: 'frontends' }],
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
  for (const sql of ['', 'SELECT', 'SHOW TABLES', 'ALTER SYSTEM ADD FOLLOWER a:9010', 'ALTER SYSTEM DECOMMISSION COMPUTE NODE "a:1"', 'ALTER SYSTEM ADD BACKEND "a:1" FORCE', 'SELECT 1 2', 'SHOW "unterminated']) {
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
  t.same(validateHostPort('a:0'), { ok: false, detail: 'Port is out of range: 0' });
  t.same(validateHostPort('a:65536'), { ok: false, detail: 'Port is out of range: 65536' });
  t.equal(analysisError('Host is null'), 'Getting analyzing error. Detail message: Host is null.');
});
