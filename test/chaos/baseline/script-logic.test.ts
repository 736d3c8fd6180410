import t from 'tap';
import { BUDGETS, SCRIPT_EDIT_LOG_PORT, addSelfStatements, awkField, batchText, cnExit, grepWord, leaderOf, podIndexOf, probePasses, probeVerdict, scriptConfValue, scriptPort, shellExitCode } from './script-logic.ts';

const fe = (host: string) => `${host}.sr-fe-search.e2e.svc.cluster.local`;
// SHOW FRONTENDS as `mysql --batch --skip-column-names` prints it: 3.3 (Name, IP, ...) and 3.5 (Id first).
const row33 = (host: string, role: string, alive = 'true') => [`${host}_9010_1700000000000`, host, '9010', '8030', '9030', '9020', role, '12345', 'true', alive, '1', '1', 'x', 'true', '', 'x', '3.3.0'];
const row35 = (host: string, role: string) => ['1', ...row33(host, role)];

t.test('W5: the leader is field 2 of the row with the word LEADER, which is the IP column only before the Id column came', async (t) => {
  const v33 = batchText([row33(fe('sr-fe-0'), 'FOLLOWER'), row33(fe('sr-fe-1'), 'LEADER')]);
  t.equal(leaderOf(v33), fe('sr-fe-1'), '3.3: the leader host');
  const v35 = batchText([row35(fe('sr-fe-1'), 'LEADER')]);
  t.equal(leaderOf(v35), `${fe('sr-fe-1')}_9010_1700000000000`, '3.5: the Name column (host_port_timestamp), not a host');
  t.equal(leaderOf(batchText([row33(fe('sr-fe-0'), 'FOLLOWER')])), '', 'no LEADER row: no leader');
  t.equal(leaderOf(''), '');
});

t.test('W3: Alive and Join are not looked at; a stale dead LEADER row is trusted', async (t) => {
  t.equal(leaderOf(batchText([row33(fe('sr-fe-2'), 'LEADER', 'false')])), fe('sr-fe-2'));
  t.equal(leaderOf(batchText([row33(fe('sr-fe-2'), 'LEADER', 'false'), row33(fe('sr-fe-0'), 'LEADER')])), `${fe('sr-fe-2')}\n${fe('sr-fe-0')}`, 'two LEADER rows give two lines, as the pipe does');
});

t.test('grep -w: a word match where "." matches anything; any row counts, decommissioned or dead (W4)', async (t) => {
  const backends = batchText([['10001', 'sr-be-0.sr-be-search.e2e.svc.cluster.local', '9050', 'false']]);
  t.ok(grepWord(backends, 'sr-be-0.sr-be-search.e2e.svc.cluster.local'));
  t.notOk(grepWord(backends, 'sr-be-1.sr-be-search.e2e.svc.cluster.local'));
  t.ok(grepWord('sr-be-0xsr-be-search', 'sr-be-0.sr-be-search'), '"." is a wildcard');
  t.notOk(grepWord('sr-be-10.x', 'sr-be-1'), 'sr-be-1 is not a word of sr-be-10');
  t.ok(grepWord('a sr-be-1.x', 'sr-be-1'), '"-" and "." end a word');
  t.notOk(grepWord('anything', ''), 'an empty pattern is never looked for');
});

t.test('conf values as grep/sed read them (W7): no expansion, no quote stripping, duplicates stacked', async (t) => {
  const conf = '# meta_dir = /commented\nmeta_dir = ${STARROCKS_HOME}/meta\nquery_port = "9031"\nhttp_port=8031\nhttp_port = 8032\n';
  t.equal(scriptConfValue(conf, 'meta_dir'), '${STARROCKS_HOME}/meta');
  t.equal(scriptConfValue(conf, 'query_port'), '"9031"');
  t.equal(scriptConfValue(conf, 'http_port'), '8031\n8032');
  t.equal(scriptConfValue(conf, 'edit_log_port'), '');
  t.equal(scriptPort('', 9030), 9030);
  t.equal(scriptPort('9031', 9030), 9031);
  t.ok(Number.isNaN(scriptPort('"9031"', 9030)), 'a quoted port breaks the command that uses it');
  t.equal(SCRIPT_EDIT_LOG_PORT, 9010, 'W6: the edit log port is always 9010');
});

t.test('pod index from the FQDN, awk fields', async (t) => {
  t.equal(podIndexOf(fe('sr-fe-0')), '0');
  t.equal(podIndexOf(fe('kube-starrocks-fe-12')), '12');
  t.equal(awkField('  a\tb  c ', 2), 'b');
  t.equal(awkField('a', 3), '');
});

t.test('W2, W9: pod 0 bootstraps after 30 s of seeing no member; otherwise 120 s then abort', async (t) => {
  t.equal(probeVerdict({ pod0: true, elapsedMs: 29_999, hasMember: false }), 'retry');
  t.equal(probeVerdict({ pod0: true, elapsedMs: BUDGETS.pod0NoMemberMs, hasMember: false }), 'bootstrap', 'a new cluster after 30 s');
  t.equal(probeVerdict({ pod0: true, elapsedMs: 60_000, hasMember: true }), 'retry', 'members seen: up to 120 s');
  t.equal(probeVerdict({ pod0: true, elapsedMs: 120_000, hasMember: true }), 'abort');
  t.equal(probeVerdict({ pod0: false, elapsedMs: 119_999, hasMember: false }), 'retry');
  t.equal(probeVerdict({ pod0: false, elapsedMs: 120_000, hasMember: false }), 'abort', 'other pods never bootstrap');
});

t.test('mysql --batch output: tabs between values, NULL, escapes', async (t) => {
  t.equal(batchText([['a', null, 'b\tc'], ['d\ne', 'f\\g', '']]), 'a\tNULL\tb\\tc\nd\\ne\tf\\\\g\t');
  t.equal(batchText([]), '');
});

t.test('add_self statements on every start: BE, CN, CN into a warehouse', async (t) => {
  t.same(addSelfStatements({ kind: 'be', self: 'b', heartbeatPort: 9050 }), ['ALTER SYSTEM ADD BACKEND "b:9050";']);
  t.same(addSelfStatements({ kind: 'cn', self: 'c', heartbeatPort: 9050 }), ['ALTER SYSTEM ADD COMPUTE NODE "c:9050";']);
  t.same(addSelfStatements({ kind: 'cn', self: 'c', heartbeatPort: 9051, warehouse: 'wh_1' }), ['CREATE WAREHOUSE IF NOT EXISTS wh_1;', 'ALTER SYSTEM ADD COMPUTE NODE "c:9051" INTO WAREHOUSE wh_1;']);
});

t.test('cn_entrypoint.sh end: trap after the child, sleep 5 on 0 and 137', async (t) => {
  t.same(cnExit({ code: 0, sigterm: false }), { sleepMs: 5_000, code: 0 });
  t.same(cnExit({ code: 137, sigterm: false }), { sleepMs: 5_000, code: 137 });
  t.same(cnExit({ code: 1, sigterm: false }), { sleepMs: 0, code: 1 });
  t.same(cnExit({ code: 0, sigterm: true }), { sleepMs: 0, code: 143 });
});

t.test('probe verdicts and shell exit codes', async (t) => {
  t.ok(probePasses(200));
  t.ok(probePasses(302));
  t.notOk(probePasses(500), 'FE graceful exit answers 500');
  t.notOk(probePasses(undefined));
  t.equal(shellExitCode(3, null, { SIGKILL: 9 }), 3);
  t.equal(shellExitCode(null, 'SIGKILL', { SIGKILL: 9 }), 137);
  t.equal(shellExitCode(null, 'SIGFOO', {}), 1);
});
