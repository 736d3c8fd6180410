import t from 'tap';
import { isAgentError } from '../../../agent/contract/errors.ts';
import { parseFrontends } from '../../../agent/membership/frontends.ts';
import { parseBackends, parseComputeNodes } from '../../../agent/membership/nodes.ts';
import { columnsOf } from '../../../agent/membership/result-set.ts';
import { frontendsResult, nodesResult } from '../fixtures/membership.ts';

const FQDN0 = 'kube-starrocks-fe-0.kube-starrocks-fe-search.default.svc.cluster.local';
const FQDN1 = 'kube-starrocks-fe-1.kube-starrocks-fe-search.default.svc.cluster.local';

t.test('SHOW FRONTENDS parses the same in the 3.3 and 3.5 column sets (W5)', async (t) => {
  for (const profile of ['3.3', '3.5', '4.1'] as const) {
    const rows = parseFrontends(
      frontendsResult(
        [
          { host: FQDN1, role: 'FOLLOWER' },
          { host: FQDN0, role: 'LEADER', editLogPort: 19010 },
          { host: '10.0.0.9', role: 'OBSERVER', alive: false, join: false },
        ],
        profile,
      ),
    );
    t.equal(rows.length, 3, profile);
    const [follower, leader, observer] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    t.equal(leader.host, FQDN0, `${profile}: IP column by name, not field 2`);
    t.equal(leader.role, 'LEADER');
    t.equal(leader.editLogPort, 19010);
    t.same(leader.address, { host: FQDN0, port: 19010 });
    t.equal(leader.name, `${FQDN0}_19010_1710641700001`);
    t.equal(leader.clusterId, 1_234_567_890);
    t.equal(leader.alive, true);
    t.equal(leader.isHelper, true);
    t.equal(follower.role, 'FOLLOWER');
    t.equal(observer.role, 'OBSERVER');
    t.equal(observer.alive, false);
    t.equal(observer.join, false);
    t.equal(observer.queryPort, undefined, 'QueryPort 0 before the first heartbeat is unknown');
    t.equal(observer.lastHeartbeat, undefined, 'the NULL string is no value');
    t.equal(observer.version, undefined);
    t.equal(observer.isHelper, false);
    t.equal(leader.id, profile !== '3.3' ? '2' : undefined);
  }
});

t.test('column titles match without case (ID in main, Id in docs) and SQL NULL is no value', async (t) => {
  const rows = parseFrontends({
    columns: ['Name', 'IP', 'ID', 'editlogport', 'HttpPort', 'QueryPort', 'Role', 'ClusterId', 'Join', 'Alive', 'IsHelper', 'ErrMsg'],
    rows: [['n', 'fe-0', '7', '9010', '8030', null, 'leader', '42', 'TRUE', 'True', 'false', null]],
  });
  t.equal(rows[0]?.id, '7');
  t.equal(rows[0]?.role, 'LEADER');
  t.equal(rows[0]?.queryPort, undefined);
  t.equal(rows[0]?.errMsg, '');
  t.equal(rows[0]?.alive, true);
  t.equal(rows[0]?.replayedJournalId, undefined, 'absent optional column');
});

t.test('a missing required column is a clear error naming it', async (t) => {
  const { columns, rows } = frontendsResult([{ host: 'fe-0', role: 'LEADER' }]);
  const keep = columns.map((c, i) => [c, i] as const).filter(([c]) => c !== 'Role' && c !== 'IP');
  try {
    parseFrontends({ columns: keep.map(([c]) => c), rows: rows.map((r) => keep.map(([, i]) => r[i] ?? null)) });
    t.fail('parsed');
  } catch (error) {
    t.ok(isAgentError(error, 'ERR_SQL_RESULT'));
    t.match((error as Error).message, /SHOW FRONTENDS has no column IP, Role/);
  }
  t.throws(() => parseBackends(nodesResult([{ host: 'b' }], { kind: 'cn' })), { code: 'ERR_SQL_RESULT' }, 'CN columns are not BE columns');
});

t.test('malformed values are rejected, unknown roles become UNKNOWN, odd ports unknown', async (t) => {
  const base = frontendsResult([{ host: 'fe-0', role: 'LEADER' }]);
  const withValue = (column: string, value: string) => ({
    columns: base.columns,
    rows: [base.columns.map((c, i) => (c === column ? value : (base.rows[0]?.[i] ?? null)))],
  });
  t.throws(() => parseFrontends(withValue('Alive', 'yes')), { code: 'ERR_SQL_RESULT' });
  t.throws(() => parseFrontends(withValue('ClusterId', '12a')), { code: 'ERR_SQL_RESULT' });
  t.throws(() => parseFrontends(withValue('EditLogPort', 'x')), { code: 'ERR_SQL_RESULT' });
  t.equal(parseFrontends(withValue('Role', 'MASTER'))[0]?.role, 'UNKNOWN');
  t.equal(parseFrontends(withValue('EditLogPort', '-1'))[0]?.address, undefined);
  t.equal(parseFrontends(withValue('IP', 'bad host'))[0]?.address, undefined, 'an invalid host never becomes an address');
  const c = columnsOf({ columns: ['N'], rows: [] }, { required: ['N'], what: 'x' });
  t.equal(c.port(['70000'], 'N'), undefined);
  t.equal(c.int([''], 'N'), undefined);
});

t.test('SHOW BACKENDS: 3.3 (29 columns) and 3.5 (30, StatusCode)', async (t) => {
  const r33 = nodesResult([{ host: '10.0.0.7' }, { host: '10.0.0.8', alive: false, decommissioned: true, tablets: 12 }]);
  t.equal(r33.columns.length, 29);
  const b33 = parseBackends(r33);
  t.equal(b33[0]?.id, '10001');
  t.same(b33[0]?.address, { host: '10.0.0.7', port: 9050 });
  t.equal(b33[0]?.bePort, 9060);
  t.equal(b33[0]?.tabletNum, 36);
  t.equal(b33[0]?.statusCode, undefined, 'no StatusCode before 3.4');
  t.equal(b33[1]?.alive, false);
  t.equal(b33[1]?.bePort, undefined, 'BePort -1 before the first heartbeat');
  t.equal(b33[1]?.systemDecommissioned, true);
  t.equal(b33[1]?.tabletNum, 12);
  const r35 = nodesResult([{ host: 'be-0.x', statusCode: 'SHUTDOWN', alive: false, tablets: 'NULL' }], { profile: '3.5' });
  t.equal(r35.columns.length, 30);
  const b35 = parseBackends(r35);
  t.equal(b35[0]?.statusCode, 'SHUTDOWN');
  t.equal(b35[0]?.tabletNum, undefined);
});

t.test('SHOW COMPUTE NODES: shared-data 3.3 and newest shared-nothing', async (t) => {
  const shared = parseComputeNodes(nodesResult([{ host: 'cn-0.x', tablets: 0 }], { kind: 'cn' }));
  t.equal(shared[0]?.id, '10001');
  t.equal(shared[0]?.warehouse, 'default_warehouse');
  t.equal(shared[0]?.tabletNum, 0);
  const newest = parseComputeNodes(nodesResult([{ host: 'cn-0.x', heartbeatPort: 19050 }], { kind: 'cn', profile: '3.5' }));
  t.equal(newest[0]?.tabletNum, undefined, 'no TabletNum column in shared-nothing');
  t.equal(newest[0]?.statusCode, 'OK');
  t.same(newest[0]?.address, { host: 'cn-0.x', port: 19050 });
});
