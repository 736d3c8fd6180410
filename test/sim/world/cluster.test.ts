// The cluster core without processes: election and quorum, the heartbeat retry rule, the
// journal views, decommission refusals and the tablet scheduler.
import t from 'tap';
import { PROFILES } from '../profile.ts';
import { parseStatement } from '../sql/statement.ts';
import { Cluster } from './cluster.ts';
import type { ExecContext, FeMember, NodeRow } from './cluster.ts';

const ctx: ExecContext = { profile: PROFILES['3.3'], httpPort: 8030, hostType: 'IP', resolve: async (h) => (h === 'known.example' ? '10.0.0.99' : undefined), now: 1_700_000_000_000 };

async function run(cluster: Cluster, sql: string): Promise<unknown> {
  return cluster.execute(parseStatement(sql), ctx);
}

function threeFollowers(): { cluster: Cluster; members: FeMember[] } {
  const cluster = new Cluster({ clusterId: 42, token: 'tk' });
  const first = cluster.addFirstFrontend('10.0.0.1', 9010, 1);
  cluster.electAmong(() => true);
  return { cluster, members: [first] };
}

t.test('election needs a majority of joined followers', async (t) => {
  const { cluster } = threeFollowers();
  t.equal(cluster.leader()?.host, '10.0.0.1');
  t.equal(cluster.epoch, 1);
  await run(cluster, 'ALTER SYSTEM ADD FOLLOWER "10.0.0.2:9010"');
  await run(cluster, 'ALTER SYSTEM ADD FOLLOWER "10.0.0.3:9010"');
  await run(cluster, 'ALTER SYSTEM ADD OBSERVER "10.0.0.4:9010"');
  t.equal(cluster.voters().length, 1, 'added but never joined: not a voter yet');
  for (const m of cluster.members()) m.joined = true;
  t.equal(cluster.voters().length, 3, 'observers never vote');
  t.equal(cluster.quorum(), 2);
  const live = new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
  const isLive = (m: FeMember): boolean => live.has(m.host);
  t.notOk(cluster.electAmong(isLive), 'a healthy group keeps its leader');
  live.delete('10.0.0.3');
  t.notOk(cluster.electAmong(isLive), 'one follower down: still a majority');
  live.delete('10.0.0.2');
  t.ok(cluster.electAmong(isLive));
  t.equal(cluster.leader(), undefined, 'no majority: no leader, even with the observer up');
  live.add('10.0.0.3');
  live.delete('10.0.0.1');
  t.notOk(cluster.electAmong(isLive), 'one of three is not a majority');
  live.add('10.0.0.2');
  t.ok(cluster.electAmong(isLive));
  t.equal(cluster.leader()?.host, '10.0.0.2', 'the lowest id among equally replayed voters');
  t.equal(cluster.epoch, 2);
});

t.test('the most replayed voter wins', async (t) => {
  const { cluster } = threeFollowers();
  await run(cluster, 'ALTER SYSTEM ADD FOLLOWER "10.0.0.2:9010"');
  await run(cluster, 'ALTER SYSTEM ADD FOLLOWER "10.0.0.3:9010"');
  for (const m of cluster.members()) m.joined = true;
  const [, second, third] = cluster.members() as [FeMember, FeMember, FeMember];
  second.replayedJournalId = 1;
  third.replayedJournalId = cluster.journalId;
  cluster.electAmong((m) => m.host !== '10.0.0.1');
  t.equal(cluster.leader()?.host, '10.0.0.3');
});

t.test('journal views: an FE sees the members it replayed', async (t) => {
  const { cluster } = threeFollowers();
  const at = cluster.journalId;
  await run(cluster, 'ALTER SYSTEM ADD FOLLOWER "10.0.0.2:9010"');
  t.same(cluster.membersAt(at).map((m) => m.host), ['10.0.0.1']);
  t.same(cluster.membersAt(cluster.journalId).map((m) => m.host), ['10.0.0.1', '10.0.0.2']);
  const added = cluster.journalId;
  await run(cluster, 'ALTER SYSTEM DROP FOLLOWER "10.0.0.2:9010"');
  t.same(cluster.membersAt(added).map((m) => m.host), ['10.0.0.1', '10.0.0.2']);
  t.same(cluster.membersAt(cluster.journalId).map((m) => m.host), ['10.0.0.1']);
});

t.test('heartbeat retry rule and SHUTDOWN', async (t) => {
  const { cluster } = threeFollowers();
  await run(cluster, 'ALTER SYSTEM ADD BACKEND "10.0.1.1:9050"');
  const row = cluster.nodes[0] as NodeRow;
  const ok = { ok: true as const, bePort: 9060, httpPort: 8040, brpcPort: 8060, rebootTime: 5, version: 'v' };
  const fail = { ok: false as const, shutdown: false, message: 'boom' };
  cluster.applyNodeHeartbeat(row, fail, { now: 1, retries: 3 });
  t.match(row, { bePort: -1, statusCode: 'CONNECTING', hb: { alive: false, errMsg: 'boom' } });
  cluster.applyNodeHeartbeat(row, ok, { now: 2, retries: 3 });
  t.match(row, { bePort: 9060, lastStartTime: 5, statusCode: 'OK', hb: { alive: true, errMsg: '', lastHeartbeat: 2 } });
  for (let i = 1; i <= 3; i++) {
    cluster.applyNodeHeartbeat(row, fail, { now: 2 + i, retries: 3 });
    t.equal(row.hb.alive, true, `still alive after ${i} failures`);
  }
  cluster.applyNodeHeartbeat(row, fail, { now: 9, retries: 3 });
  t.match(row, { statusCode: 'DISCONNECTED', hb: { alive: false } });
  cluster.applyNodeHeartbeat(row, ok, { now: 10, retries: 3 });
  cluster.applyNodeHeartbeat(row, { ok: false, shutdown: true, message: 'BE is shutting down' }, { now: 11, retries: 3 });
  t.match(row, { statusCode: 'SHUTDOWN', hb: { alive: false, errMsg: 'BE is shutting down' } });
});

t.test('decommission and the scheduler', async (t) => {
  const { cluster } = threeFollowers();
  await run(cluster, 'ALTER SYSTEM ADD BACKEND "10.0.1.1:9050", "10.0.1.2:9050", "10.0.1.3:9050"');
  for (const row of cluster.nodes) cluster.applyNodeHeartbeat(row, { ok: true, bePort: 9060, httpPort: 8040, brpcPort: 8060, rebootTime: 1, version: 'v' }, { now: 1, retries: 3 });
  t.throws(() => cluster.createTable({ db: 'd', table: 'x', buckets: 1, replicationNum: 4 }));
  cluster.createTable({ db: 'd', table: 'r2', buckets: 10, replicationNum: 2 });
  const leaving = cluster.nodes[2] as NodeRow;
  const held = cluster.tabletCount(leaving.id);
  t.ok(held > 0);
  t.same(await run(cluster, 'ALTER SYSTEM DECOMMISSION BACKEND "10.0.1.3:9050"'), { kind: 'ok' });
  t.same(await run(cluster, 'ALTER SYSTEM DECOMMISSION BACKEND "10.0.1.3:9050"'), { kind: 'ok' }, 'again: ignored');
  t.match(await run(cluster, 'ALTER SYSTEM DECOMMISSION BACKEND "10.0.1.2:9050"'), {
    kind: 'error',
    message: 'It will cause insufficient BE number if these BEs are decommissioned because the table d.r2 requires 2 replicas.',
  });
  let rounds = 0;
  while (cluster.nodes.includes(leaving) && rounds < 100) {
    const before = cluster.tabletCount(leaving.id);
    cluster.scheduleTablets(2);
    rounds++;
    if (cluster.nodes.includes(leaving)) t.ok(cluster.tabletCount(leaving.id) >= before - 2, 'at most the rate per round');
    for (const tablet of cluster.tablets) t.equal(new Set(tablet.replicas).size, tablet.replicas.length, 'never two replicas on one BE');
  }
  t.notOk(cluster.nodes.includes(leaving), `dropped after ${rounds} rounds`);
  t.same(cluster.autoDropped, [{ id: leaving.id, host: '10.0.1.3', heartbeatPort: 9050, tabletsAtDrop: 0 }]);
  t.ok(rounds >= Math.ceil(held / 2) + 1, 'the drop comes one round after the last move');
  t.ok(cluster.tablets.every((x) => cluster.liveReplicas(x) === 2));
});

t.test('the IP mode resolves hostnames at analysis time', async (t) => {
  const { cluster } = threeFollowers();
  t.same(await run(cluster, 'ALTER SYSTEM ADD BACKEND "known.example:9050"'), { kind: 'ok' });
  t.equal(cluster.nodes[0]?.host, '10.0.0.99');
  t.match(await run(cluster, 'ALTER SYSTEM DROP BACKEND "known.example:9050"'), { kind: 'error', message: 'backend does not exists[known.example:9050]' }, 'DROP is never resolved');
});
