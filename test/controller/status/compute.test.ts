import t from 'tap';
import { encodeMembership } from '../../../agent/contract/membership-annotation.ts';
import { ANNOTATIONS, LABELS } from '../../../agent/contract/index.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { StarRocksCluster } from '../../../controller/cr/types.ts';
import { recordClusterId } from '../../../controller/status/cluster-id.ts';
import { computeStatus } from '../../../controller/status/compute.ts';
import type { Condition } from '../../../controller/status/conditions.ts';
import { observePod, observeStatefulSet, podCreateFailure, rolloutComplete } from '../../../controller/status/observed.ts';
import type { ObservedStatefulSet } from '../../../controller/status/observed.ts';
import { NO_ROLLOUT } from '../../../controller/upgrade-order.ts';
import { baseCluster } from '../fixtures/manifests.ts';

type Loose = Record<string, unknown>;
const cluster = parseCluster(baseCluster('s')).cluster as StarRocksCluster;
const NOW = '2026-11-22T22:00:00Z';

function sts(component: 'fe' | 'be' | 'cn', ready: number, image = `${component}:1`): ObservedStatefulSet {
  const replicas = component === 'cn' ? 1 : 3;
  return {
    name: `s-${component}`,
    component,
    generation: 1,
    observedGeneration: 1,
    specReplicas: replicas,
    image,
    replicas,
    readyReplicas: Math.min(ready, replicas),
    updatedReplicas: replicas,
    currentRevision: 'a',
    updateRevision: 'a',
  };
}

const base = { cluster, generation: 4, problems: [], pods: [], rollout: NO_ROLLOUT, applyError: undefined, previousConditions: [], now: NOW };
const condition = (status: Loose, type: string): Condition => (status.conditions as Condition[]).find((c) => c.type === type) as Condition;

t.test('all rolled out and Ready: running, Ready=True, counts per component', async (t) => {
  const status = computeStatus({ ...base, statefulSets: { fe: sts('fe', 3), be: sts('be', 3), cn: sts('cn', 1) } });
  t.equal(status.phase, 'running');
  t.equal(status.observedGeneration, 4);
  t.match(status.starRocksFeStatus, { ready: '3/3', readyReplicas: 3, desiredReplicas: 3, updatedReplicas: 3, phase: 'running', serviceName: 's-fe-service' });
  t.match(status.starRocksCnStatus, { replicas: 1, selector: `app.starrocks.ownerreference/name=s-cn,${LABELS.component}=cn,${LABELS.instance}=s` });
  t.match(condition(status, 'Ready'), { status: 'True', reason: 'AllComponentsReady', observedGeneration: 4, lastTransitionTime: NOW });
  t.match(condition(status, 'Progressing'), { status: 'False', reason: 'Stable' });
  t.match(condition(status, 'Degraded'), { status: 'False', reason: 'AsExpected' });
});

t.test('a component not ready: reconciling, Progressing with the counts', async (t) => {
  const status = computeStatus({ ...base, statefulSets: { fe: sts('fe', 3), be: sts('be', 1), cn: sts('cn', 1) } });
  t.equal(status.phase, 'reconciling');
  t.match(condition(status, 'Ready'), { status: 'False', reason: 'ComponentsNotReady', message: 'be 1/3 ready' });
  t.match(condition(status, 'Progressing'), { status: 'True', reason: 'RollingOut' });
});

t.test('a held upgrade is reported as UpgradeInOrder', async (t) => {
  const status = computeStatus({
    ...base,
    statefulSets: { fe: sts('fe', 3, 'fe:0'), be: sts('be', 2), cn: sts('cn', 1) },
    rollout: { ...NO_ROLLOUT, direction: 'upgrade', heldImages: { fe: 'fe:0' }, waitingFor: { fe: 'be' } },
  });
  t.match(condition(status, 'Progressing'), { status: 'True', reason: 'UpgradeInOrder', message: /fe waits for be/ });
  t.match(status.starRocksFeStatus, { rolloutHeld: true, image: 'fe:0', reason: 'waiting for be to finish its rollout' });
});

t.test('invalid spec and apply failures: failed, Degraded with the reason', async (t) => {
  const invalid = computeStatus({ ...base, statefulSets: {}, problems: [{ field: 'spec.starRocksFeSpec.replicas', message: 'must not be 2' }] });
  t.equal(invalid.phase, 'failed');
  t.match(condition(invalid, 'Degraded'), { status: 'True', reason: 'InvalidSpec', message: 'spec.starRocksFeSpec.replicas: must not be 2' });
  t.match(condition(invalid, 'Ready'), { status: 'False', reason: 'InvalidSpec' });
  const failed = computeStatus({ ...base, statefulSets: {}, applyError: 'ERR_KUBERNETES: HTTP 422' });
  t.equal(failed.phase, 'failed');
  t.match(condition(failed, 'Degraded'), { reason: 'ApplyFailed', message: 'ERR_KUBERNETES: HTTP 422' });
  t.equal(failed.reason, 'ERR_KUBERNETES: HTTP 422');
});

t.test('transition times move only when a condition status changes', async (t) => {
  const first = computeStatus({ ...base, statefulSets: { fe: sts('fe', 3), be: sts('be', 1), cn: sts('cn', 1) } });
  const later = '2026-11-22T23:00:00Z';
  const previousConditions = first.conditions as unknown as Condition[];
  const same = computeStatus({ ...base, now: later, previousConditions, statefulSets: { fe: sts('fe', 3), be: sts('be', 2), cn: sts('cn', 1) } });
  t.equal(condition(same, 'Ready').lastTransitionTime, NOW);
  const flipped = computeStatus({ ...base, now: later, previousConditions, statefulSets: { fe: sts('fe', 3), be: sts('be', 3), cn: sts('cn', 1) } });
  t.equal(condition(flipped, 'Ready').lastTransitionTime, later);
  t.equal(condition(flipped, 'Degraded').lastTransitionTime, NOW);
});

t.test('membership comes from the agents\' pod annotations', async (t) => {
  const pod = (name: string, ready: boolean, annotations: Record<string, string>): unknown => ({
    metadata: { name, labels: { [LABELS.component]: 'fe' }, annotations },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const pods = [
    pod('s-fe-1', false, { [ANNOTATIONS.phase]: 'waiting', [ANNOTATIONS.lastError]: 'leader unreachable' }),
    pod('s-fe-0', true, { [ANNOTATIONS.phase]: 'running', [ANNOTATIONS.membership]: encodeMembership({ component: 'fe', registeredAs: { host: 's-fe-0.s-fe-search.default.svc.cluster.local', port: 9010 }, role: 'LEADER', clusterId: 42, at: NOW }) }),
    pod('s-fe-2', false, { [ANNOTATIONS.membership]: 'not json' }),
  ].flatMap((p) => observePod(p) ?? []);
  const status = computeStatus({ ...base, pods, statefulSets: { fe: sts('fe', 1), be: sts('be', 3), cn: sts('cn', 1) } });
  t.same((status.starRocksFeStatus as Loose).members, [
    { pod: 's-fe-0', ready: true, agentPhase: 'running', host: 's-fe-0.s-fe-search.default.svc.cluster.local:9010', role: 'LEADER' },
    { pod: 's-fe-1', ready: false, agentPhase: 'waiting', lastError: 'leader unreachable' },
    { pod: 's-fe-2', ready: false },
  ]);
  t.match(status.starRocksFeStatus, { runningInstances: ['s-fe-0'], failedInstances: ['s-fe-1'], creatingInstances: ['s-fe-2'] });
  t.match(condition(status, 'Degraded'), { status: 'True', reason: 'AgentError', message: 's-fe-1: leader unreachable' });
  t.equal(status.leader, 's-fe-0', 'the Leader column: the Ready FE whose membership record says LEADER');
});

t.test('observeStatefulSet reads the API object', async (t) => {
  const observed = observeStatefulSet({
    metadata: { name: 's-be', generation: 5, labels: { [LABELS.component]: 'be' } },
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'be', image: 'be:9' }, { name: 'side', image: 'x' }] } } },
    status: { observedGeneration: 5, replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentRevision: 'a', updateRevision: 'a' },
  });
  t.same(observed, { name: 's-be', component: 'be', generation: 5, observedGeneration: 5, specReplicas: 3, image: 'be:9', replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentRevision: 'a', updateRevision: 'a' });
  t.ok(observed !== undefined && rolloutComplete(observed));
  t.equal(observeStatefulSet({ metadata: { name: 'x', labels: {} } }), undefined);
});

t.test('a downgrade held in order is reported as DowngradeInOrder, with the direction and order in status', async (t) => {
  const status = computeStatus({
    ...base,
    statefulSets: { fe: sts('fe', 2), be: sts('be', 3, 'be:0'), cn: sts('cn', 1, 'cn:0') },
    rollout: { ...NO_ROLLOUT, direction: 'downgrade', order: ['fe', 'be', 'cn'], heldImages: { be: 'be:0', cn: 'cn:0' }, waitingFor: { be: 'fe', cn: 'fe' } },
  });
  t.match(condition(status, 'Progressing'), { status: 'True', reason: 'DowngradeInOrder', message: /be waits for fe/ });
  t.same(status.imageRollout, { direction: 'downgrade', order: ['fe', 'be', 'cn'] });
  t.notOk('imageRollout' in computeStatus({ ...base, statefulSets: {} }), 'no direction while no image changes');
});

t.test('DataOnEphemeralStorage: False by default (FE meta and BE storage on PVCs), True naming each ephemeral data volume', async (t) => {
  const withVolumes = (fe: unknown[] | undefined, be: unknown[] | undefined): StarRocksCluster => {
    const raw = baseCluster('s');
    const spec = raw.spec as Record<string, Loose>;
    if (fe !== undefined) (spec.starRocksFeSpec as Loose).storageVolumes = fe;
    if (be !== undefined) (spec.starRocksBeSpec as Loose).storageVolumes = be;
    return parseCluster(raw).cluster as StarRocksCluster;
  };
  const of = (c: StarRocksCluster): Condition => condition(computeStatus({ ...base, cluster: c, statefulSets: {} }), 'DataOnEphemeralStorage');
  t.match(of(cluster), { status: 'False', reason: 'PersistentData', observedGeneration: 4 });
  t.match(of(withVolumes(undefined, [{ name: 'be-data', storageClassName: 'emptyDir', mountPath: '/opt/starrocks/be/storage' }])), {
    status: 'True',
    reason: 'EphemeralDataVolume',
    message: "be: /opt/starrocks/be/storage is on the emptyDir be-data; every pod re-creation (rollout, eviction, node drain) loses this BE's tablet replicas",
  });
  t.match(of(withVolumes(undefined, [{ name: 'be-storage-data', storageClassName: 'emptyDir', mountPath: '/opt/starrocks/be/storage' }])), { status: 'True' }, 'found by its mount path');
  t.match(of(withVolumes(undefined, [{ name: 'be-data', storageSize: '0', mountPath: '/opt/starrocks/be/storage' }])), { status: 'True', message: /^be: \/opt\/starrocks\/be\/storage is on no volume/ }, 'a dropped volume leaves the data in the container');
  t.match(of(withVolumes(undefined, [{ name: 'be-data', storageClassName: 'fast', mountPath: '/opt/starrocks/be/storage' }, { name: 'spill', storageClassName: 'emptyDir', mountPath: '/spill' }])), { status: 'False' }, 'other emptyDirs do not count');
  t.match(of(withVolumes(undefined, [{ name: 'be-data', storageClassName: 'hostPath', hostPath: { path: '/mnt/be' }, mountPath: '/opt/starrocks/be/storage' }])), { status: 'False' }, 'a hostPath outlives the pod');
  const both = of(withVolumes([{ name: 'fe-meta', storageClassName: 'emptyDir', mountPath: '/opt/starrocks/fe/meta' }], [{ name: 'be-data', storageClassName: 'emptyDir', mountPath: '/opt/starrocks/be/storage' }]));
  t.match(both, { status: 'True', message: /^fe: .*FE's meta; be: .*tablet replicas$/ });
});

const fePod = (name: string, annotations: Record<string, string>, component = 'fe'): unknown => ({
  metadata: { name, labels: { [LABELS.component]: component }, annotations },
  status: { conditions: [{ type: 'Ready', status: 'False' }] },
});

t.test('observePod reads the cluster id (FE), the FE role and the tablet-health wait (BE); unreadable values read as absent', async (t) => {
  const fe = observePod(fePod('s-fe-0', { [ANNOTATIONS.clusterId]: '123456', [ANNOTATIONS.feRole]: 'LEADER' }));
  t.match(fe, { clusterId: '123456', role: 'LEADER', tabletHealth: undefined });
  t.equal(observePod(fePod('s-fe-1', { [ANNOTATIONS.clusterId]: 'abc' }))?.clusterId, undefined, 'not a cluster id');
  t.equal(observePod(fePod('s-fe-1', { [ANNOTATIONS.clusterId]: '0' }))?.clusterId, undefined, 'StarRocks ids are positive');
  t.equal(observePod(fePod('s-be-0', { [ANNOTATIONS.clusterId]: '1' }, 'be'))?.clusterId, undefined, 'only FE pods record the id');
  const be = observePod(fePod('s-be-0', { [ANNOTATIONS.tabletHealth]: JSON.stringify({ unhealthy: 12, since: '2026-11-22T21:00:00.000Z' }) }, 'be'));
  t.same(be?.tabletHealth, { unhealthy: 12, since: '2026-11-22T21:00:00.000Z' });
  t.equal(observePod(fePod('s-be-0', { [ANNOTATIONS.tabletHealth]: '{"unhealthy":"many"}' }, 'be'))?.tabletHealth, undefined);
  t.equal(observePod(fePod('s-be-0', { [ANNOTATIONS.tabletHealth]: 'not json' }, 'be'))?.tabletHealth, undefined);
  const membership = JSON.stringify({ component: 'fe', registeredAs: 's-fe-2.s-fe-search.default.svc.cluster.local:9010', role: 'FOLLOWER', at: NOW });
  t.match(observePod(fePod('s-fe-2', { [ANNOTATIONS.membership]: membership })), { host: 's-fe-2.s-fe-search.default.svc.cluster.local:9010', role: 'FOLLOWER' }, 'the agent membership record');
  const beOf = (annotation: string): unknown => observePod(fePod('s-be-1', { [ANNOTATIONS.membership]: annotation }, 'be'));
  const registered = encodeMembership({ component: 'be', registeredAs: { host: 's-be-1.s-be-search.default.svc.cluster.local', port: 9050 }, role: undefined, clusterId: undefined, at: NOW });
  t.match(beOf(registered), { host: 's-be-1.s-be-search.default.svc.cluster.local:9050', role: undefined }, 'a BE: the host:port it is registered as, written by the agent\'s encoder');
  t.match(beOf(` {"component":"BE","registeredAs":"10.0.0.7:9050","at":"yesterday","note":"hand edit"} `), { host: '10.0.0.7:9050' }, 'a hand edit that still names the host reads');
  t.match(observePod(fePod('s-fe-2', { [ANNOTATIONS.membership]: registered })), { host: undefined }, 'a record of another component says nothing about this pod');
});

t.test('recordClusterId: set from the FE pods once, then kept; another id is a split brain naming both', async (t) => {
  const pod = (name: string, clusterId: string | undefined): { name: string; component: 'fe' | 'be'; clusterId: string | undefined } => ({ name, component: 'fe', clusterId });
  t.same(recordClusterId(undefined, []), { clusterId: undefined, mismatch: undefined });
  t.same(recordClusterId(undefined, [pod('c-fe-0', '42'), pod('c-fe-1', undefined), pod('c-fe-2', '42')]), { clusterId: '42', mismatch: undefined });
  t.same(recordClusterId('42', []), { clusterId: '42', mismatch: undefined }, 'never cleared by itself (no FE pod running)');
  t.same(recordClusterId('42', [pod('c-fe-0', '77'), pod('c-fe-1', '42'), pod('c-fe-2', '77')]), {
    clusterId: '42',
    mismatch: 'status.clusterId is 42, but FE pods report cluster 77 (c-fe-0, c-fe-2): a second FE group (split brain); status keeps 42',
  });
  t.same(recordClusterId(undefined, [pod('c-fe-0', '42'), pod('c-fe-1', '77')]), {
    clusterId: undefined,
    mismatch: 'FE pods report different cluster ids: 42 (c-fe-0), 77 (c-fe-1): two FE groups (split brain); status.clusterId stays unset',
  });
  t.same(recordClusterId(undefined, [{ name: 'c-be-0', component: 'be', clusterId: '9' }]), { clusterId: undefined, mismatch: undefined }, 'only FE pods count');
});

t.test('status.clusterId and the ClusterIdMismatch condition', async (t) => {
  const sets = { fe: sts('fe', 3), be: sts('be', 3), cn: sts('cn', 1) };
  const pods = (ids: string[]): ReturnType<typeof observePod>[] => ids.map((id, i) => observePod(fePod(`s-fe-${i}`, { [ANNOTATIONS.clusterId]: id })));
  const none = computeStatus({ ...base, statefulSets: sets });
  t.notOk('clusterId' in none);
  t.match(condition(none, 'ClusterIdMismatch'), { status: 'False', reason: 'NotReportedYet' });
  const recorded = computeStatus({ ...base, statefulSets: sets, pods: pods(['42', '42']).flatMap((p) => p ?? []) });
  t.equal(recorded.clusterId, '42');
  t.match(condition(recorded, 'ClusterIdMismatch'), { status: 'False', reason: 'ClusterIdRecorded' });
  t.equal(computeStatus({ ...base, statefulSets: sets, storedClusterId: '42' }).clusterId, '42', 'kept with no FE pod');
  const split = computeStatus({ ...base, statefulSets: sets, storedClusterId: '42', pods: pods(['77']).flatMap((p) => p ?? []) });
  t.equal(split.clusterId, '42', 'status keeps its id');
  t.match(condition(split, 'ClusterIdMismatch'), { status: 'True', reason: 'SplitBrain', message: /status\.clusterId is 42, but FE pods report cluster 77 \(s-fe-0\)/ });
  t.match(condition(split, 'Degraded'), { status: 'True', reason: 'ClusterIdMismatch' });
});

t.test('a BE waiting for tablet health: Progressing WaitingForTabletHealth with the count and the pod', async (t) => {
  const waiting = observePod(fePod('s-be-1', { [ANNOTATIONS.tabletHealth]: JSON.stringify({ unhealthy: 7, since: '2026-11-22T21:59:00Z' }) }, 'be'));
  const status = computeStatus({ ...base, pods: waiting === undefined ? [] : [waiting], statefulSets: { fe: sts('fe', 3), be: sts('be', 2), cn: sts('cn', 1) } });
  t.match(condition(status, 'Progressing'), {
    status: 'True',
    reason: 'WaitingForTabletHealth',
    message: 's-be-1 waits for 7 unhealthy tablets to heal before it is Ready (since 2026-11-22T21:59:00Z); be 2/3 ready',
  });
  t.match((status.starRocksBeStatus as Loose).members, [{ pod: 's-be-1', waitingForTablets: { unhealthy: 7, since: '2026-11-22T21:59:00Z' } }]);
  const without = computeStatus({ ...base, statefulSets: { fe: sts('fe', 3), be: sts('be', 2), cn: sts('cn', 1) } });
  t.match(condition(without, 'Progressing'), { reason: 'RollingOut' });
});

const PSA_REFUSAL =
  'create Pod s-be-0 in StatefulSet s-be failed error: pods "s-be-0" is forbidden: violates PodSecurity "restricted:latest": privileged (container "debug" must not set securityContext.privileged=true)';

t.test("a StatefulSet's FailedCreate events: the newest within the window, nothing else", async (t) => {
  const event = (reason: string, lastTimestamp: string, message: string): Loose => ({ reason, lastTimestamp, message, involvedObject: { kind: 'StatefulSet', name: 's-be' } });
  t.equal(podCreateFailure({ events: [], now: NOW }), undefined);
  t.equal(
    podCreateFailure({
      events: [event('FailedCreate', '2026-11-22T21:58:00Z', 'older'), event('FailedCreate', '2026-11-22T21:59:00Z', PSA_REFUSAL), event('SuccessfulCreate', '2026-11-22T21:59:30Z', 'ok')],
      now: NOW,
    }),
    PSA_REFUSAL,
  );
  t.equal(podCreateFailure({ events: [event('FailedCreate', '2026-11-22T21:00:00Z', 'an hour ago')], now: NOW }), undefined, 'a stale refusal says nothing about now');
  t.equal(podCreateFailure({ events: [{ reason: 'FailedCreate', message: 'no time' }, 'junk', null], now: NOW }), undefined, 'unparseable events are ignored');
  t.equal(podCreateFailure({ events: [{ reason: 'FailedCreate', message: 'new API', eventTime: '2026-11-22T21:59:59.000000Z' }], now: NOW }), 'new API');
});

t.test('pods the API server refuses: Degraded PodCreateFailed with the reason, also in status.reason', async (t) => {
  const be = { ...sts('be', 0), replicas: 0 };
  const status = computeStatus({ ...base, statefulSets: { fe: sts('fe', 3), be, cn: sts('cn', 1) }, podCreateFailures: { be: PSA_REFUSAL } });
  t.equal(status.phase, 'reconciling');
  t.match(condition(status, 'Degraded'), { status: 'True', reason: 'PodCreateFailed', message: `be pods cannot be created: ${PSA_REFUSAL}` });
  t.match(status.reason, /^be pods cannot be created: .*violates PodSecurity "restricted:latest": privileged/);
  const without = computeStatus({ ...base, statefulSets: { fe: sts('fe', 3), be, cn: sts('cn', 1) } });
  t.match(condition(without, 'Degraded'), { status: 'False' }, 'without the events: only "not ready"');
});
