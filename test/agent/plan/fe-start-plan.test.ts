import t from 'tap';
import type { Test } from 'tap';
import fc from 'fast-check';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeader } from '../../../agent/membership/queries.ts';
import { readFeMeta } from '../../../agent/meta/fe-meta.ts';
import type { FeMeta } from '../../../agent/meta/fe-meta.ts';
import { loadNodeConf } from '../../../agent/meta/node-conf.ts';
import { judgeAddOutcome } from '../../../agent/plan/add-outcome.ts';
import { clusterRecordState, planFeStart } from '../../../agent/plan/fe-start-plan.ts';
import type { ClusterRecordState, FeStartInput, FeStartPlan, FenceState } from '../../../agent/plan/fe-start-plan.ts';
import type { PeerObservation } from '../../../agent/plan/observations.ts';
import { hostPort, sameHost } from '../../../agent/sql/host-port.ts';
import type { SqlErrorKind } from '../../../agent/sql/sql-error.ts';
import type { FeSpec } from '../fixtures/membership.ts';
import { CLUSTER, answered, failed, fe, metaOf, runningCluster, unresolved } from '../fixtures/plan.ts';

function input(ordinal: number, overrides: Partial<FeStartInput> = {}): FeStartInput {
  return {
    ordinal,
    self: hostPort(fe(ordinal), 9010),
    hostType: 'FQDN',
    voters: 3,
    selfResolves: true,
    meta: { kind: 'empty' },
    fence: { kind: 'absent' },
    record: { kind: 'absent' },
    peers: [],
    ...overrides,
  };
}

function expectKind(t: Test, plan: FeStartPlan, kind: FeStartPlan['kind'], why?: RegExp): void {
  t.equal(plan.kind, kind, `${plan.kind}: ${'reason' in plan ? plan.reason : ''}`);
  if (why !== undefined && 'reason' in plan) t.match(plan.reason, why);
}


t.test('fresh cluster: ordinal 0 bootstraps when no peer can hold a cluster, others wait, then join', async (t) => {
  expectKind(t, planFeStart(input(0, { peers: [failed(fe(1), 'connection_refused'), failed(fe(2), 'connection_refused')] })), 'bootstrap');
  expectKind(t, planFeStart(input(0, { peers: [unresolved(fe(1)), unresolved(fe(2))] })), 'bootstrap', /unresolved/);
  expectKind(t, planFeStart(input(0)), 'bootstrap', /none/);
  expectKind(t, planFeStart(input(1, { peers: [failed(fe(0), 'connection_refused'), unresolved(fe(2))] })), 'wait', /only FE ordinal 0/);

  const leaderOnly = [answered(fe(0), [{ host: fe(0), role: 'LEADER' }])];
  const plan = planFeStart(input(1, { peers: leaderOnly }));
  t.same(plan, {
    kind: 'join',
    role: 'FOLLOWER',
    helper: { host: fe(0), port: 9010 },
    needsAdd: true,
    leader: { host: fe(0), queryPort: 9030 },
    clusterId: CLUSTER,
    reason: plan.reason,
  });
});

t.test('the plan ignores its own pod among the peers', async (t) => {
  expectKind(t, planFeStart(input(0, { peers: [failed(fe(0), 'timeout')] })), 'bootstrap');
});

t.test('W1: an FE that lost its meta but is still a member joins without ADD', async (t) => {
  // emptyDir meta re-created, or a re-run after a crash between ADD and start.
  const plan = planFeStart(input(2, { peers: runningCluster(3), fence: { kind: 'present', clusterId: CLUSTER } }));
  expectKind(t, plan, 'join', /no ADD/);
  t.ok(plan.kind === 'join' && !plan.needsAdd && plan.role === 'FOLLOWER');
  const observer = planFeStart(
    input(1, {
      peers: [answered(fe(0), [{ host: fe(0), role: 'LEADER' }, { host: fe(1), role: 'OBSERVER', alive: false }])],
    }),
  );
  t.ok(observer.kind === 'join' && !observer.needsAdd && observer.role === 'OBSERVER', 'keeps the role it is registered with');
});

t.test('W2: ordinal 0 never bootstraps while a cluster may exist, however slow DNS is', async (t) => {
  const fence: FenceState = { kind: 'present', clusterId: CLUSTER };
  expectKind(t, planFeStart(input(0, { fence, peers: [unresolved(fe(1)), unresolved(fe(2))] })), 'wait', /fence/);
  expectKind(t, planFeStart(input(0, { fence, peers: [] })), 'wait', /never bootstraps/);
  expectKind(t, planFeStart(input(0, { fence: { kind: 'unknown', reason: 'API server unreachable' } })), 'wait', /never bootstraps on doubt/);
  // SHOW FRONTENDS hangs while there is no leader: a timeout is not "nobody there".
  expectKind(t, planFeStart(input(0, { peers: [failed(fe(1), 'timeout'), failed(fe(2), 'connection_refused')] })), 'wait', /timeout/);
  expectKind(t, planFeStart(input(0, { peers: [failed(fe(1), 'connection_lost')] })), 'wait');
  expectKind(t, planFeStart(input(0, { peers: [failed(fe(1), 'other')] })), 'wait');
  // Mid-election: rows, no LEADER.
  expectKind(
    t,
    planFeStart(input(0, { peers: [answered(fe(1), [{ host: fe(1) }, { host: fe(2) }]), failed(fe(2), 'connection_refused')] })),
    'wait',
    /has not answered/,
  );
  // A peer leads a cluster: ordinal 0 with wiped meta joins it.
  const plan = planFeStart(input(0, { peers: [answered(fe(1), [{ host: fe(1), role: 'LEADER' }, { host: fe(2) }]), failed(fe(2), 'timeout')] }));
  t.ok(plan.kind === 'join' && plan.needsAdd && plan.helper.host === fe(1), 'joins the existing cluster');
});

t.test('W3: the leader is trusted only from its own answer, and two leaders are a refusal', async (t) => {
  // fe-1 says fe-0 leads, but fe-0 itself did not answer: wait, do not ADD through a follower.
  const followerSays = answered(fe(1), [{ host: fe(0), role: 'LEADER' }, { host: fe(1) }]);
  expectKind(t, planFeStart(input(2, { peers: [followerSays, failed(fe(0), 'connection_refused')] })), 'wait', /leader has not answered/);
  const plan = planFeStart(input(2, { peers: [followerSays, answered(fe(0), [{ host: fe(0), role: 'LEADER' }, { host: fe(1) }])] }));
  t.ok(plan.kind === 'join' && plan.leader.host === fe(0), 'ADD goes to the leader itself');
  const split = planFeStart(
    input(2, {
      peers: [answered(fe(0), [{ host: fe(0), role: 'LEADER' }]), answered(fe(1), [{ host: fe(1), role: 'LEADER' }])],
    }),
  );
  expectKind(t, split, 'refuse', /several FEs answer that they lead/);
});

t.test('W4: "already exists" is not success until the leader view lists the host', async (t) => {
  const verdict = judgeAddOutcome({ ok: false, failure: { kind: 'already_exists', message: `FE with the same host: ${fe(1)} already exists`, errno: 1064 } });
  t.equal(verdict.kind, 'reobserve');
  // The view still lacks fe-1 (a stale row elsewhere made the FE say so): the plan still ADDs.
  const still = planFeStart(input(1, { peers: [answered(fe(0), [{ host: fe(0), role: 'LEADER' }, { host: `x${fe(1)}` }])] }));
  t.ok(still.kind === 'join' && still.needsAdd, 'a row for another host is not this host (no grep -w)');
  const confirmed = planFeStart(input(1, { peers: [answered(fe(0), [{ host: fe(0), role: 'LEADER' }, { host: fe(1), alive: false }])] }));
  t.ok(confirmed.kind === 'join' && !confirmed.needsAdd);
  t.equal(judgeAddOutcome({ ok: true }).kind, 'reobserve', 'even an OK is confirmed from the view');
  for (const kind of ['timeout', 'unknown_host', 'retry', 'connection_refused', 'other'] as SqlErrorKind[]) {
    t.equal(judgeAddOutcome({ ok: false, failure: { kind, message: kind, errno: undefined } }).kind, 'reobserve', kind);
  }
  t.equal(judgeAddOutcome({ ok: false, failure: { kind: 'auth', message: 'Access denied', errno: 1045 } }).kind, 'refuse');
});

t.test('W5: the 3.5 column set (Id first) gives the same plan', async (t) => {
  for (const profile of ['3.3', '3.5'] as const) {
    const plan = planFeStart(input(2, { peers: [answered(fe(0), [{ host: fe(0), role: 'LEADER' }, { host: fe(1) }], profile)] }));
    t.ok(plan.kind === 'join' && plan.helper.host === fe(0) && plan.needsAdd, profile);
  }
});

t.test("W6: the helper is the leader's EditLogPort, the ADD uses this FE's edit_log_port", async (t) => {
  const peers = [answered(fe(0), [{ host: fe(0), role: 'LEADER', editLogPort: 19010 }])];
  const plan = planFeStart(input(1, { self: hostPort(fe(1), 29010), peers }));
  t.ok(plan.kind === 'join' && plan.helper.port === 19010 && plan.needsAdd);
  const registeredElsewhere = planFeStart(
    input(1, { self: hostPort(fe(1), 29010), peers: [answered(fe(0), [{ host: fe(0), role: 'LEADER' }, { host: fe(1), editLogPort: 9010 }])] }),
  );
  expectKind(t, registeredElsewhere, 'refuse', /EditLogPort 9010/);
  expectKind(t, planFeStart(input(1, { self: hostPort(fe(1), 9011), meta: metaOf(1) })), 'refuse', /edit_log_port 9010/);
});

t.test('W7: meta_dir with ${STARROCKS_HOME} finds the meta, so a member restarts instead of re-joining', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'fe-plan-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'fe', 'conf'), { recursive: true });
  await mkdir(join(root, 'fe', 'meta-x', 'image'), { recursive: true });
  await writeFile(join(root, 'fe', 'conf', 'fe.conf'), 'meta_dir = "${STARROCKS_HOME}/meta-x"  # custom\nedit_log_port = 9010\n');
  await writeFile(join(root, 'fe', 'meta-x', 'image', 'ROLE'), `#c\nrole=FOLLOWER\nhostType=FQDN\nname=${fe(1)}_9010_1760641496296\n`);
  await writeFile(join(root, 'fe', 'meta-x', 'image', 'VERSION'), `#c\nclusterId=${CLUSTER}\ntoken=t\nrunMode=shared_nothing\n`);
  const conf = await loadNodeConf({ component: 'fe', starrocksRoot: root, configMapMountPath: undefined, env: {} });
  t.equal(conf.component, 'fe');
  if (conf.component !== 'fe') return;
  const meta = await readFeMeta(conf.metaDir);
  const plan = planFeStart(input(1, { self: hostPort(fe(1), conf.ports.editLog), meta, peers: runningCluster(3) }));
  expectKind(t, plan, 'restart-from-meta');
});

t.test('W9/W10: no budgets, no timeouts: DNS not ready is a wait in every state', async (t) => {
  for (const meta of [{ kind: 'empty' }, metaOf(0)] as FeMeta[]) {
    expectKind(t, planFeStart(input(0, { selfResolves: false, meta })), 'wait', /does not resolve/);
  }
});

t.test('W11: ordinals at or above the voters join as observers', async (t) => {
  const peers = runningCluster(3);
  const roles = [3, 4, 5].map((i) => planFeStart(input(i, { peers, voters: 3 })));
  t.ok(roles.every((p) => p.kind === 'join' && p.role === 'OBSERVER' && p.needsAdd));
  const follower = planFeStart(input(4, { peers, voters: 5 }));
  t.ok(follower.kind === 'join' && follower.role === 'FOLLOWER');
});

t.test('W12 and other meta mismatches refuse with the fix', async (t) => {
  const peers = runningCluster(3, { except: [2] });
  const dropped = planFeStart(input(2, { meta: metaOf(2), peers }));
  expectKind(t, dropped, 'refuse', /dropped from the group/);
  t.ok(dropped.kind === 'refuse' && /move the meta directory aside/.test(dropped.fix));

  expectKind(t, planFeStart(input(1, { meta: metaOf(2) })), 'refuse', /written by FE/);
  const movedIp = planFeStart(input(1, { self: hostPort('10.0.0.12', 9010), hostType: 'IP', meta: metaOf(1, { host: '10.0.0.11', hostType: 'IP' }) }));
  t.ok(movedIp.kind === 'refuse' && /pod IP changed/.test(movedIp.fix), 'IP mode: the fix names the changed pod IP');
  expectKind(t, planFeStart(input(1, { meta: metaOf(1, { hostType: 'IP' }) })), 'refuse', /host type IP/);
  expectKind(t, planFeStart(input(1, { meta: metaOf(1), fence: { kind: 'present', clusterId: 7 } })), 'refuse', /fence records cluster 7/);
  expectKind(t, planFeStart(input(1, { meta: metaOf(1), peers: runningCluster(3, { clusterId: 7 }) })), 'refuse', /leads cluster 7/);
  expectKind(t, planFeStart(input(1, { meta: metaOf(1, { role: 'OBSERVER' }), peers: runningCluster(3) })), 'refuse', /role OBSERVER/);
  expectKind(t, planFeStart(input(1, { meta: { kind: 'partial', present: 'ROLE' } })), 'refuse', /image\/ROLE but not image\/VERSION/);
  expectKind(t, planFeStart(input(1, { meta: { kind: 'unreadable', reason: 'EACCES' } })), 'refuse', /EACCES/);
});

t.test('restart from meta never needs a leader and never passes a helper', async (t) => {
  const down = [failed(fe(0), 'connection_refused'), failed(fe(2), 'timeout')];
  const plan = planFeStart(input(1, { meta: metaOf(1), peers: down }));
  t.same(plan, { kind: 'restart-from-meta', clusterId: CLUSTER, createFence: true, reason: plan.reason });
  const fenced = planFeStart(input(1, { meta: metaOf(1), peers: runningCluster(3), fence: { kind: 'present', clusterId: CLUSTER } }));
  t.ok(fenced.kind === 'restart-from-meta' && !fenced.createFence);
  const unknownFence = planFeStart(input(0, { meta: metaOf(0), fence: { kind: 'unknown', reason: 'x' } }));
  t.ok(unknownFence.kind === 'restart-from-meta' && !unknownFence.createFence, 'a member restarts even when the fence cannot be read');
  const noHostType = planFeStart(input(1, { meta: metaOf(1, { hostType: undefined }) }));
  t.equal(noHostType.kind, 'restart-from-meta');
});

t.test('wrong password, split clusters and duplicate entries refuse', async (t) => {
  expectKind(t, planFeStart(input(0, { peers: [failed(fe(1), 'auth')] })), 'refuse', /MYSQL_PWD/);
  const two = [answered(fe(0), [{ host: fe(0), role: 'LEADER', clusterId: 1 }]), answered(fe(1), [{ host: fe(1), role: 'LEADER', clusterId: 2 }])];
  expectKind(t, planFeStart(input(2, { peers: two })), 'refuse', /different clusters/);
  expectKind(
    t,
    planFeStart(input(2, { fence: { kind: 'present', clusterId: 9 }, peers: runningCluster(2) })),
    'refuse',
    /fence records cluster 9/,
  );
  const dup = planFeStart(
    input(2, { peers: [answered(fe(0), [{ host: fe(0), role: 'LEADER' }, { host: fe(2), editLogPort: 9010 }, { host: fe(2), editLogPort: 9011 }])] }),
  );
  expectKind(t, dup, 'refuse', /2 FEs on host/);
  const selfLeader = planFeStart(input(2, { peers: [answered(fe(0), [{ host: fe(2), role: 'LEADER' }])], }));
  expectKind(t, selfLeader, 'wait');
});

t.test('IP mode: rows hold IPs, peers are dialed by name and matched by their addresses', async (t) => {
  const leader: PeerObservation = {
    host: fe(0),
    addresses: ['127.64.0.10'],
    result: answered('x', [{ host: '127.64.0.10', role: 'LEADER' }, { host: '127.64.0.11' }]).result,
  };
  const plan = planFeStart(input(2, { self: hostPort('127.64.0.12', 9010), hostType: 'IP', peers: [leader] }));
  t.ok(plan.kind === 'join' && plan.needsAdd && plan.helper.host === '127.64.0.10' && plan.leader.host === fe(0));
  const wrongAddress = { ...leader, addresses: ['127.64.0.99'] };
  expectKind(t, planFeStart(input(2, { self: hostPort('127.64.0.12', 9010), hostType: 'IP', peers: [wrongAddress] })), 'wait');
});

// ---- properties over the whole input space ----

const hosts = [0, 1, 2, 3, 4].map(fe);
const feSpec = fc.record({
  host: fc.constantFrom(...hosts),
  role: fc.constantFrom('LEADER', 'FOLLOWER', 'OBSERVER') as fc.Arbitrary<'LEADER' | 'FOLLOWER' | 'OBSERVER'>,
  editLogPort: fc.constantFrom(9010, 19010),
  clusterId: fc.constantFrom(CLUSTER, 7),
  alive: fc.boolean(),
}) as fc.Arbitrary<FeSpec>;
const failureKind = fc.constantFrom<SqlErrorKind>('connection_refused', 'timeout', 'auth', 'connection_lost', 'other', 'bad_result');
const peer: fc.Arbitrary<PeerObservation> = fc.oneof(
  fc.constantFrom(...hosts).map(unresolved),
  fc.tuple(fc.constantFrom(...hosts), failureKind).map(([h, k]) => failed(h, k)),
  fc.tuple(fc.constantFrom(...hosts), fc.array(feSpec, { maxLength: 5 }), fc.constantFrom('3.3', '3.5') as fc.Arbitrary<'3.3' | '3.5'>).map(
    ([h, specs, profile]) => answered(h, specs, profile),
  ),
);
const meta: fc.Arbitrary<FeMeta> = fc.oneof(
  fc.constant({ kind: 'empty' } as FeMeta),
  fc.constantFrom<FeMeta>({ kind: 'partial', present: 'ROLE' }, { kind: 'partial', present: 'VERSION' }, { kind: 'unreadable', reason: 'x' }),
  fc.tuple(fc.nat(4), fc.constantFrom(CLUSTER, 7), fc.constantFrom('FOLLOWER', 'OBSERVER') as fc.Arbitrary<'FOLLOWER' | 'OBSERVER'>).map(([i, clusterId, role]) =>
    metaOf(i, { clusterId, role }),
  ),
);
const fence: fc.Arbitrary<FenceState> = fc.oneof(
  fc.constant({ kind: 'absent' } as FenceState),
  fc.constantFrom(CLUSTER, 7).map((clusterId) => ({ kind: 'present', clusterId }) as FenceState),
  fc.constant({ kind: 'unknown', reason: 'api down' } as FenceState),
);
const record: fc.Arbitrary<ClusterRecordState> = fc.oneof(
  fc.constant({ kind: 'absent' } as ClusterRecordState),
  fc.constantFrom(String(CLUSTER), '7').map((clusterId) => ({ kind: 'present', clusterId, source: 'the StarRocksCluster status' }) as ClusterRecordState),
  fc.constant({ kind: 'unknown', reason: 'forbidden' } as ClusterRecordState),
);
const anyInput: fc.Arbitrary<FeStartInput> = fc
  .record({
    ordinal: fc.nat(4),
    voters: fc.integer({ min: 1, max: 5 }),
    selfResolves: fc.boolean(),
    meta,
    fence,
    record,
    peers: fc.array(peer, { maxLength: 5 }),
    port: fc.constantFrom(9010, 19010),
  })
  .map(({ ordinal, port, ...rest }) => ({ ...rest, ordinal, hostType: 'FQDN' as const, self: hostPort(fe(ordinal), port) }));

t.test('issue 11 item 2: FE 0 with empty meta and no fence waits while the second record names a cluster or cannot be read', async (t) => {
  const refusing = [failed(fe(1), 'connection_refused'), failed(fe(2), 'connection_refused')];
  expectKind(t, planFeStart(input(0, { peers: refusing })), 'bootstrap');
  expectKind(
    t,
    planFeStart(input(0, { peers: refusing, record: { kind: 'present', clusterId: String(CLUSTER), source: 'the StarRocksCluster status' } })),
    'wait',
    /exists \(recorded in the StarRocksCluster status\) although the bootstrap fence is gone/,
  );
  expectKind(t, planFeStart(input(0, { peers: refusing, record: { kind: 'unknown', reason: 'forbidden' } })), 'wait', /cannot be read \(forbidden\)/);
  t.same(clusterRecordState({ statusClusterId: undefined, pods: [] }), { kind: 'absent' });
  t.same(clusterRecordState({ statusClusterId: '', pods: [] }), { kind: 'absent' });
  t.match(clusterRecordState({ statusClusterId: '1234', pods: [] }), { kind: 'present', clusterId: '1234' });
  t.match(clusterRecordState({ statusClusterId: undefined, pods: [{ pod: 'prod-fe-1', clusterId: '1234' }] }), { kind: 'present', source: /prod-fe-1/ });
  t.match(clusterRecordState({ statusClusterId: 1234, pods: [] }), { kind: 'unknown', reason: /not a string/ });
});

const otherPeers = (i: FeStartInput): PeerObservation[] => i.peers.filter((p) => !sameHost(p.host, i.self.host));

t.test('property: bootstrap only as ordinal 0, empty meta, fence and record absent, and no peer that could hold a cluster', async (t) => {
  fc.assert(
    fc.property(anyInput, (i) => {
      const plan = planFeStart(i);
      if (plan.kind !== 'bootstrap') return true;
      return (
        i.ordinal === 0 &&
        i.selfResolves &&
        i.meta.kind === 'empty' &&
        i.fence.kind === 'absent' &&
        i.record.kind === 'absent' &&
        otherPeers(i).every((p) => p.result.kind === 'unresolved' || (p.result.kind === 'failed' && p.result.failure.kind === 'connection_refused'))
      );
    }),
    { numRuns: 3000 },
  );
  t.pass('holds');
});

t.test('property: never bootstrap when a fence or a record of the cluster id exists or any peer reports a cluster, for any ordinal', async (t) => {
  fc.assert(
    fc.property(anyInput, (i) => {
      const reports = otherPeers(i).some((p) => p.result.kind === 'frontends' && p.result.rows.length > 0);
      const plan = planFeStart(i);
      return !((i.fence.kind !== 'absent' || i.record.kind !== 'absent' || reports || i.ordinal !== 0) && plan.kind === 'bootstrap');
    }),
    { numRuns: 3000 },
  );
  t.pass('holds');
});

t.test('property: join names the leader by the Role column, from the leader itself; ADD iff absent; observers above voters', async (t) => {
  fc.assert(
    fc.property(anyInput, (i) => {
      const plan = planFeStart(i);
      if (plan.kind !== 'join') return true;
      // The same host may be observed more than once; one of its answers must justify the plan.
      const justified = otherPeers(i).some((answeredBy) => {
        if (!sameHost(answeredBy.host, plan.leader.host) || answeredBy.result.kind !== 'frontends') return false;
        const leader = findLeader(answeredBy.result.rows);
        if (leader === undefined || !sameHost(leader.host, answeredBy.host)) return false;
        if (leader.address?.host !== plan.helper.host || leader.address.port !== plan.helper.port) return false;
        const present = answeredBy.result.rows.some((r) => sameHost(r.host, i.self.host));
        if (plan.needsAdd === present) return false;
        return !plan.needsAdd || plan.role === (i.ordinal < i.voters ? 'FOLLOWER' : 'OBSERVER');
      });
      if (!justified) return false;
      return i.meta.kind === 'empty' && i.selfResolves;
    }),
    { numRuns: 3000 },
  );
  t.pass('holds');
});

t.test('property: with meta the plan is restart or refuse (or wait for DNS), never bootstrap or join', async (t) => {
  fc.assert(
    fc.property(anyInput, (i) => {
      const plan = planFeStart(i);
      if (!i.selfResolves) return plan.kind === 'wait';
      if (i.meta.kind === 'empty') return plan.kind !== 'restart-from-meta';
      return plan.kind === 'restart-from-meta' || plan.kind === 'refuse';
    }),
    { numRuns: 3000 },
  );
  t.pass('holds');
});

t.test('property: every refusal names a fix, every plan a reason', async (t) => {
  fc.assert(
    fc.property(anyInput, (i) => {
      const plan = planFeStart(i);
      return plan.reason.length > 0 && (plan.kind !== 'refuse' || plan.fix.length > 0);
    }),
    { numRuns: 1000 },
  );
  t.pass('holds');
});

t.test('W2: a DNS failure listing the peers is doubt, never "nobody there"', async (t) => {
  const dnsDown = 'ERR_DNS: DNS SRV lookup of _query-port._tcp.sr-fe-search.data.svc.cluster.local failed: server failure (SERVFAIL)';
  expectKind(t, planFeStart(input(0, { peersUnknown: dnsDown })), 'wait', /cannot be listed.*SERVFAIL/);
  expectKind(t, planFeStart(input(0, { peersUnknown: dnsDown, fence: { kind: 'absent' }, peers: [] })), 'wait');
  expectKind(t, planFeStart(input(2, { peersUnknown: dnsDown })), 'wait');
  // With meta, the FE restarts from it: no peer is needed for that.
  expectKind(t, planFeStart(input(0, { peersUnknown: dnsDown, meta: metaOf(0) })), 'restart-from-meta');
});
