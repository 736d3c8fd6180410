import t from 'tap';
import { ANNOTATIONS, LABELS } from '../../../agent/contract.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { StarRocksCluster } from '../../../controller/cr/types.ts';
import { computeStatus } from '../../../controller/status/compute.ts';
import type { Condition } from '../../../controller/status/conditions.ts';
import { observePod, observeStatefulSet, rolloutComplete } from '../../../controller/status/observed.ts';
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
    pod('s-fe-0', true, { [ANNOTATIONS.phase]: 'running', [ANNOTATIONS.membership]: JSON.stringify({ host: 's-fe-0.s-fe-search.default.svc.cluster.local:9010', role: 'LEADER' }) }),
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
