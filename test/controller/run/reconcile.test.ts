import { Writable } from 'node:stream';
import t from 'tap';
import { ANNOTATIONS, LABELS } from '../../../agent/contract/index.ts';
import { createLogger } from '../../../agent/contract/log.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { JsonObject } from '../../../controller/json.ts';
import type { KubeApi, ObjectCache } from '../../../controller/kube/kube-api.ts';
import { render } from '../../../controller/render/render.ts';
import type { ClusterEvent } from '../../../controller/run/events.ts';
import { applyChanged, reconcile } from '../../../controller/run/reconcile.ts';
import { fakeKube } from '../fixtures/fake-kube.ts';
import type { FakeKube } from '../fixtures/fake-kube.ts';
import { baseCluster } from '../fixtures/manifests.ts';

type Loose = Record<string, unknown>;

/** A fake API server holding one cluster. */
function fakeApi(cr: Loose): FakeKube {
  return fakeKube([{ ...cr, kind: 'StarRocksCluster' }]);
}

function deps(api: KubeApi, cache: ObjectCache): { deps: Parameters<typeof reconcile>[0]; events: ClusterEvent[] } {
  const events: ClusterEvent[] = [];
  const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  return { deps: { api, cache, log, events: { record: async (e) => void events.push(e) }, now: () => '2026-01-01T00:00:00Z' }, events };
}

const KEY = { namespace: 'default', name: 'c' };
const cluster = (): Loose => {
  const raw = baseCluster('c');
  delete (raw.spec as Loose).starRocksCnSpec;
  return raw;
};

t.test('BE storage on an emptyDir: a DataOnEphemeralStorage Warning once, the condition in status', async (t) => {
  const raw = cluster();
  ((raw.spec as Record<string, Loose>).starRocksBeSpec as Loose).storageVolumes = [{ name: 'be-data', storageClassName: 'emptyDir', mountPath: '/opt/starrocks/be/storage' }];
  const { api, store, cache } = fakeApi(raw);
  const { deps: d, events } = deps(api, cache);
  await reconcile(d, KEY);
  const warnings = events.filter((e) => e.reason === 'DataOnEphemeralStorage');
  t.match(warnings, [{ type: 'Warning', message: /^be: \/opt\/starrocks\/be\/storage is on the emptyDir be-data/ }]);
  const conditions = (store.get('StarRocksCluster/c')?.status as Loose).conditions as Loose[];
  t.match(conditions.find((c) => c.type === 'DataOnEphemeralStorage'), { status: 'True', reason: 'EphemeralDataVolume' });
  await reconcile(d, KEY);
  t.equal(events.filter((e) => e.reason === 'DataOnEphemeralStorage').length, 1, 'not again while it lasts');
});

t.test('data on PVCs by default: no warning, the condition False', async (t) => {
  const { api, store, cache } = fakeApi(cluster());
  const { deps: d, events } = deps(api, cache);
  await reconcile(d, KEY);
  t.notOk(events.some((e) => e.type === 'Warning'), JSON.stringify(events));
  const conditions = (store.get('StarRocksCluster/c')?.status as Loose).conditions as Loose[];
  t.match(conditions.find((c) => c.type === 'DataOnEphemeralStorage'), { status: 'False', reason: 'PersistentData' });
});

/** A cluster whose StatefulSets run `from` and are rolled out, with the CR asking for `to`. */
function rolledOut(from: string, to: string): FakeKube {
  const raw = cluster();
  const spec = raw.spec as Record<string, Loose>;
  (spec.starRocksFeSpec as Loose).image = `fe:${from}`;
  (spec.starRocksBeSpec as Loose).image = `be:${from}`;
  const parsed = parseCluster(raw).cluster;
  if (parsed === undefined) throw new Error('unparsed');
  const fake = fakeApi(raw);
  for (const object of render({ cluster: parsed })) {
    const status = object.kind === 'StatefulSet' ? { observedGeneration: 1, replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentRevision: 'a', updateRevision: 'a' } : undefined;
    fake.store.set(`${object.kind}/${object.metadata.name}`, { ...(object as unknown as JsonObject), metadata: { ...object.metadata, generation: 1 }, ...(status === undefined ? {} : { status }) });
  }
  (spec.starRocksFeSpec as Loose).image = `fe:${to}`;
  (spec.starRocksBeSpec as Loose).image = `be:${to}`;
  return fake;
}

const image = (store: Map<string, JsonObject>, name: string): unknown =>
  ((((store.get(`StatefulSet/${name}`)?.spec as Loose).template as Loose).spec as Loose).containers as Loose[])[0]?.image;

t.test('a downgrade applies FE first and holds BE; status says DowngradeInOrder', async (t) => {
  const { api, store, cache } = rolledOut('3.5.8', '3.4.6');
  const { deps: d, events } = deps(api, cache);
  await reconcile(d, KEY);
  t.equal(image(store, 'c-fe'), 'fe:3.4.6');
  t.equal(image(store, 'c-be'), 'be:3.5.8', 'BE waits for FE');
  const status = store.get('StarRocksCluster/c')?.status as Loose;
  t.same(status.imageRollout, { direction: 'downgrade', order: ['fe', 'be', 'cn'] });
  t.match((status.conditions as Loose[]).find((c) => c.type === 'Progressing'), { reason: 'DowngradeInOrder', message: /be waits for fe/ });
  t.notOk(events.some((e) => e.reason === 'UnknownImageVersionOrder'));
});

t.test('tags without versions: the upgrade order and one UnknownImageVersionOrder Warning', async (t) => {
  const { api, store, cache } = rolledOut('3.5.8', 'latest');
  const { deps: d, events } = deps(api, cache);
  await reconcile(d, KEY);
  t.equal(image(store, 'c-be'), 'be:latest', 'BE first');
  t.equal(image(store, 'c-fe'), 'fe:3.5.8', 'FE waits for BE');
  t.match(events.filter((e) => e.reason === 'UnknownImageVersionOrder'), [
    { type: 'Warning', message: /cannot tell an upgrade from a downgrade: be be:3\.5\.8 -> be:latest \(no version in a tag\), fe fe:3\.5\.8 -> fe:latest/ },
  ]);
  await reconcile(d, KEY);
  t.equal(events.filter((e) => e.reason === 'UnknownImageVersionOrder').length, 1, 'not again during the same rollout');
});

const podObject = (name: string, component: 'fe' | 'be', annotations: Record<string, string>): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { [LABELS.component]: component, [LABELS.instance]: 'c' }, annotations },
  status: { conditions: [{ type: 'Ready', status: 'False' }] },
});
const statusOf = (store: Map<string, JsonObject>): Loose => (store.get('StarRocksCluster/c')?.status ?? {}) as Loose;

t.test('status.clusterId: copied from the FE pods, kept when they go, a different id is a ClusterIdMismatch Warning once', async (t) => {
  const { api, store, cache } = fakeApi(cluster());
  const { deps: d, events } = deps(api, cache);
  store.set('Pod/c-fe-0', podObject('c-fe-0', 'fe', { [ANNOTATIONS.clusterId]: '1234' }));
  await reconcile(d, KEY);
  t.equal(statusOf(store).clusterId, '1234');
  store.delete('Pod/c-fe-0');
  await reconcile(d, KEY);
  t.equal(statusOf(store).clusterId, '1234', 'never cleared by itself');
  store.set('Pod/c-fe-1', podObject('c-fe-1', 'fe', { [ANNOTATIONS.clusterId]: '9999' }));
  await reconcile(d, KEY);
  await reconcile(d, KEY);
  t.equal(statusOf(store).clusterId, '1234', 'never changed by itself');
  t.match((statusOf(store).conditions as Loose[]).find((c) => c.type === 'ClusterIdMismatch'), { status: 'True', reason: 'SplitBrain' });
  t.match(events.filter((e) => e.reason === 'ClusterIdMismatch'), [
    { type: 'Warning', message: 'status.clusterId is 1234, but FE pods report cluster 9999 (c-fe-1): a second FE group (split brain); status keeps 1234' },
  ]);
});

t.test('a BE waiting for tablet health: Progressing WaitingForTabletHealth, one Normal event per wait', async (t) => {
  const { api, store, cache } = fakeApi(cluster());
  const { deps: d, events } = deps(api, cache);
  const wait = (unhealthy: number, since: string): JsonObject => podObject('c-be-1', 'be', { [ANNOTATIONS.tabletHealth]: JSON.stringify({ unhealthy, since }) });
  store.set('Pod/c-be-1', wait(12, '2026-01-01T00:00:00Z'));
  await reconcile(d, KEY);
  t.match((statusOf(store).conditions as Loose[]).find((c) => c.type === 'Progressing'), {
    status: 'True',
    reason: 'WaitingForTabletHealth',
    message: /^c-be-1 waits for 12 unhealthy tablets to heal before it is Ready \(since 2026-01-01T00:00:00Z\)/,
  });
  store.set('Pod/c-be-1', wait(3, '2026-01-01T00:00:00Z'));
  await reconcile(d, KEY);
  t.match(events.filter((e) => e.reason === 'WaitingForTabletHealth'), [{ type: 'Normal', message: /^c-be-1 waits for 12 unhealthy tablets/ }], 'the same wait: one event');
  store.set('Pod/c-be-1', podObject('c-be-1', 'be', {}));
  await reconcile(d, KEY);
  store.set('Pod/c-be-1', wait(5, '2026-01-01T01:00:00Z'));
  await reconcile(d, KEY);
  t.equal(events.filter((e) => e.reason === 'WaitingForTabletHealth').length, 2, 'a new wait (the next restart): a new event');
});

t.test('the bootstrap fence the agent created gets the StarRocksCluster as owner, once', async (t) => {
  const raw = cluster();
  (raw.metadata as Loose).uid = 'uid-c';
  const { api, store, cache } = fakeApi(raw);
  const replaced: unknown[] = [];
  const counting: KubeApi = { ...api, replace: async (object) => (replaced.push(object), api.replace(object)) };
  const { deps: d } = deps(counting, cache);
  const other = { apiVersion: 'v1', kind: 'Thing', name: 'x', uid: 'uid-x' };
  store.set('ConfigMap/c-fe-bootstrap', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c-fe-bootstrap', namespace: 'default', resourceVersion: '7', ownerReferences: [other] },
    data: { clusterId: '1234', bootstrappedBy: 'c-fe-0', at: '2026-01-01T00:00:00Z' },
  });
  await reconcile(d, KEY);
  const fence = store.get('ConfigMap/c-fe-bootstrap') as Loose;
  t.same((fence.metadata as Loose).ownerReferences, [other, { apiVersion: 'starrocks.com/v1', kind: 'StarRocksCluster', name: 'c', uid: 'uid-c' }]);
  t.same(fence.data, { clusterId: '1234', bootstrappedBy: 'c-fe-0', at: '2026-01-01T00:00:00Z' }, 'the agent data untouched');
  t.equal((fence.metadata as Loose).resourceVersion, '7', 'optimistic concurrency: the read version is sent');
  await reconcile(d, KEY);
  t.equal(replaced.length, 1, 'owned already: not written again');
});

t.test('every reconcile applies the whole desired state: hand edits of replicas, labels and the template are repaired', async (t) => {
  const { api, store, cache, applies } = fakeApi(cluster());
  const { deps: d, events } = deps(api, cache);
  await reconcile(d, KEY);
  const rendered = applies.length;
  const sts = (): Loose => store.get('StatefulSet/c-fe') as Loose;
  const quiet = await reconcile(d, KEY);
  t.equal(applies.length, 2 * rendered, 'a reconcile with nothing to change still applies every object');
  t.same(quiet.applied, [], 'and changes none');

  // kubectl scale sts c-fe --replicas 1: the spec hash annotation stays, the replicas move.
  store.set('StatefulSet/c-fe', { ...sts(), spec: { ...(sts().spec as Loose), replicas: 1 } });
  const repaired = await reconcile(d, KEY);
  t.same(repaired.applied, ['default/StatefulSet/c-fe']);
  t.equal((sts().spec as Loose).replicas, 3);
  t.match(events.filter((e) => e.reason === 'DriftRepaired'), [
    { type: 'Warning', message: 'StatefulSet c-fe was changed outside the StarRocksCluster (spec.replicas is 1, the StarRocksCluster says 3): applied the StarRocksCluster\'s spec again' },
  ]);

  // kubectl label svc c-be-search app.kubernetes.io/component=x --overwrite
  const svc = store.get('Service/c-be-search') as Loose;
  const meta = svc.metadata as Loose;
  store.set('Service/c-be-search', { ...svc, metadata: { ...meta, labels: { ...(meta.labels as Loose), [LABELS.component]: 'x' } } } as JsonObject);
  t.same((await reconcile(d, KEY)).applied, ['default/Service/c-be-search']);
  t.equal(((store.get('Service/c-be-search')?.metadata as Loose).labels as Loose)[LABELS.component], 'be');
  t.match(events.filter((e) => e.reason === 'DriftRepaired').at(-1), { message: /Service c-be-search .*label app\.kubernetes\.io\/component is "x", the StarRocksCluster says "be"/ });

  // kubectl edit of the template: replicas and labels unchanged, still applied again.
  const grace = (): unknown => (((sts().spec as Loose).template as Loose).spec as Loose).terminationGracePeriodSeconds;
  const want = grace();
  const edited = structuredClone((sts().spec as Loose).template) as { spec: Loose };
  edited.spec.terminationGracePeriodSeconds = 1;
  store.set('StatefulSet/c-fe', { ...sts(), spec: { ...(sts().spec as Loose), template: edited as unknown as JsonObject } });
  t.same((await reconcile(d, KEY)).applied, ['default/StatefulSet/c-fe']);
  t.equal(grace(), want, 'the template is the StarRocksCluster\'s again');
  t.same((await reconcile(d, KEY)).applied, [], 'then quiet again');
});

t.test('the FE budget follows the FE roles the agents report', async (t) => {
  const raw = cluster();
  Object.assign((raw.spec as Record<string, Loose>).starRocksFeSpec as Loose, { replicas: 3, voters: 5 });
  const { api, store, cache } = fakeApi(raw);
  const { deps: d } = deps(api, cache);
  // A scale-in 5 -> 3: FE 3 and 4 still vote until their preStop drops them.
  for (const ordinal of [0, 1, 2, 3, 4]) store.set(`Pod/c-fe-${ordinal}`, podObject(`c-fe-${ordinal}`, 'fe', { [ANNOTATIONS.feRole]: ordinal === 0 ? 'LEADER' : 'FOLLOWER' }));
  await reconcile(d, KEY);
  t.equal((store.get('PodDisruptionBudget/c-fe-pdb')?.spec as Loose).minAvailable, 3);
  for (const ordinal of [3, 4]) store.delete(`Pod/c-fe-${ordinal}`);
  await reconcile(d, KEY);
  t.equal((store.get('PodDisruptionBudget/c-fe-pdb')?.spec as Loose).minAvailable, 2, 'dropped: majority of the 3 left');
});

t.test('an apply changed something of ours only when the generation, labels or annotations moved (or the resourceVersion, without a generation)', async (t) => {
  const hpa = (generation: number, resourceVersion: string, labels: Loose = { a: '1' }): JsonObject => ({ metadata: { generation, resourceVersion, labels } }) as JsonObject;
  t.notOk(applyChanged(hpa(1, '10'), hpa(1, '12')), 'the HPA controller wrote its status in between: not ours');
  t.ok(applyChanged(hpa(1, '10'), hpa(2, '12')), 'the spec changed');
  t.ok(applyChanged(hpa(1, '10'), hpa(1, '12', { a: '2' })), 'a label changed');
  t.ok(applyChanged(undefined, hpa(1, '12')), 'created');
  const sa = (resourceVersion: string): JsonObject => ({ metadata: { resourceVersion } }) as JsonObject;
  t.notOk(applyChanged(sa('5'), sa('5')));
  t.ok(applyChanged(sa('5'), sa('6')), 'no generation: the resourceVersion tells');
});

t.test('the FE proxy: applied while the CR asks for it, pruned when the spec is removed; the fence stays', async (t) => {
  const raw = cluster();
  (raw.metadata as Loose).uid = 'uid-c';
  (raw.spec as Loose).starRocksFeProxySpec = { replicas: 1 };
  const { api, store, cache } = fakeApi(raw);
  const { deps: d } = deps(api, cache);
  store.set('ConfigMap/c-fe-bootstrap', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c-fe-bootstrap', namespace: 'default', labels: { [LABELS.instance]: 'c', [LABELS.component]: 'fe' } },
    data: { clusterId: '1234' },
  });
  const first = await reconcile(d, KEY);
  const proxy = ['default/ConfigMap/c-fe-proxy', 'default/Deployment/c-fe-proxy', 'default/Service/c-fe-proxy-service'];
  for (const key of proxy) t.ok(first.applied.includes(key), `${key} applied`);
  t.ok(store.has('Deployment/c-fe-proxy'));
  t.ok(((store.get('ConfigMap/c-fe-bootstrap') as Loose).metadata as Loose).ownerReferences !== undefined, 'the fence got the cluster as owner');
  delete ((store.get('StarRocksCluster/c') as Loose).spec as Loose).starRocksFeProxySpec;
  const second = await reconcile(d, KEY);
  t.same([...second.deleted].sort(), proxy);
  t.notOk(store.has('Deployment/c-fe-proxy') || store.has('ConfigMap/c-fe-proxy') || store.has('Service/c-fe-proxy-service'));
  t.ok(store.has('ConfigMap/c-fe-bootstrap'), 'the fence (owned by the cluster, not managed-by the controller) is not pruned');
});

t.test('a RoleBinding is applied after its Role exists (the API server answers 404 while the Role is being created)', async (t) => {
  const { api, store, cache } = fakeApi(cluster());
  const pending: Promise<unknown>[] = [];
  const slowRoles: KubeApi = {
    ...api,
    apply: async (object) => {
      if (object.kind === 'Role') {
        // The Role's create takes a moment; its binding must not race it.
        const done = new Promise((resolve) => setTimeout(resolve, 20)).then(() => api.apply(object));
        pending.push(done);
        return (await done) as JsonObject;
      }
      if (object.kind === 'RoleBinding') {
        const roleName = String(((object as unknown as Loose).roleRef as Loose).name);
        if (!store.has(`Role/${roleName}`)) throw Object.assign(new Error(`roles.rbac.authorization.k8s.io "${roleName}" not found`), { httpStatus: 404 });
      }
      return api.apply(object);
    },
  };
  const { deps: d } = deps(slowRoles, cache);
  const result = await reconcile(d, KEY);
  await Promise.all(pending);
  t.ok(result.applied.some((k) => k.includes('/RoleBinding/')), `the RoleBinding applied: ${result.applied.join(', ')}`);
  t.notOk(((store.get('StarRocksCluster/c') as Loose).status as Loose | undefined)?.phase === 'failed', 'no failed phase');
});

t.test('PodMonitors: listed while the monitoring API is served, so a second reconcile writes nothing and turning them off prunes them', async (t) => {
  const raw = cluster();
  (raw.spec as Loose).metrics = { podMonitor: { enabled: true } };
  const kube = fakeApi(raw);
  const { deps: d } = deps(kube.api, kube.cache);
  const served = { groupVersions: ['autoscaling/v2', 'monitoring.coreos.com/v1'] };
  const withDiscovery = { ...d, served: () => served };
  const first = await reconcile(withDiscovery, KEY);
  t.same(first.applied.filter((k) => k.includes('PodMonitor')), ['default/PodMonitor/c-fe-monitor', 'default/PodMonitor/c-be-monitor']);
  const second = await reconcile(withDiscovery, KEY);
  t.same(second.applied, [], 'the listed PodMonitors are what the apply compares with');
  kube.store.set('StarRocksCluster/c', { ...(kube.store.get('StarRocksCluster/c') ?? {}), spec: { ...(raw.spec as Loose), metrics: { podMonitor: { enabled: false } } } } as JsonObject);
  const off = await reconcile(withDiscovery, KEY);
  t.same(off.deleted.sort(), ['default/PodMonitor/c-be-monitor', 'default/PodMonitor/c-fe-monitor']);
  t.notOk(kube.store.has('PodMonitor/c-fe-monitor'));
});
