import { Writable } from 'node:stream';
import t from 'tap';
import { ANNOTATIONS, LABELS } from '../../../agent/contract/index.ts';
import { createLogger } from '../../../agent/contract/log.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { JsonObject } from '../../../controller/json.ts';
import type { KubeApi } from '../../../controller/kube/kube-api.ts';
import { render } from '../../../controller/render/render.ts';
import type { ClusterEvent } from '../../../controller/run/events.ts';
import { reconcile } from '../../../controller/run/reconcile.ts';
import { baseCluster } from '../fixtures/manifests.ts';

type Loose = Record<string, unknown>;

/** An in-memory API server holding one cluster and what the controller applies. */
function fakeApi(cr: Loose): { api: KubeApi; store: Map<string, JsonObject> } {
  const store = new Map<string, JsonObject>();
  const key = (kind: string, name: string): string => `${kind}/${name}`;
  store.set(key('StarRocksCluster', 'c'), cr as JsonObject);
  const api: KubeApi = {
    get: async (kind, _namespace, name) => store.get(key(kind, name)),
    // Equality label selectors as the API server reads them (`a=b,c=d`).
    list: async ({ kind, labelSelector }) => {
      const wanted = (labelSelector ?? '').split(',').filter((term) => term !== '').map((term) => term.split('='));
      const matches = (object: JsonObject): boolean => {
        const labels = ((object.metadata as Loose | undefined)?.labels ?? {}) as Record<string, string>;
        return wanted.every(([k, v]) => k !== undefined && labels[k] === v);
      };
      return { items: [...store.entries()].filter(([k, v]) => k.startsWith(`${kind}/`) && matches(v)).map(([, v]) => v), resourceVersion: '1' };
    },
    apply: async (object) => {
      const existing = store.get(key(object.kind, object.metadata.name));
      // Like the API server: a spec write bumps the generation, a write of the same spec does not.
      const before = Number((existing?.metadata as Loose | undefined)?.generation ?? 0);
      const generation = existing !== undefined && JSON.stringify(existing.spec) === JSON.stringify(object.spec) ? before : before + 1;
      const stored = {
        ...(object as unknown as JsonObject),
        metadata: { ...object.metadata, generation },
        ...(existing?.status === undefined ? {} : { status: existing.status }),
      };
      store.set(key(object.kind, object.metadata.name), stored);
      return stored;
    },
    applyStatus: async ({ name, status }) => {
      const current = store.get(key('StarRocksCluster', name));
      if (current !== undefined) store.set(key('StarRocksCluster', name), { ...current, status });
    },
    create: async (object) => object,
    replace: async (object) => {
      store.set(key(object.kind, String((object.metadata as Loose).name)), object);
      return object;
    },
    delete: async (kind, _namespace, name) => {
      store.delete(key(kind, name));
    },
    watch: async () => {},
  };
  return { api, store };
}

function deps(api: KubeApi): { deps: Parameters<typeof reconcile>[0]; events: ClusterEvent[] } {
  const events: ClusterEvent[] = [];
  const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  return { deps: { api, log, events: { record: async (e) => void events.push(e) }, now: () => '2026-01-01T00:00:00Z' }, events };
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
  const { api, store } = fakeApi(raw);
  const { deps: d, events } = deps(api);
  await reconcile(d, KEY);
  const warnings = events.filter((e) => e.reason === 'DataOnEphemeralStorage');
  t.match(warnings, [{ type: 'Warning', message: /^be: \/opt\/starrocks\/be\/storage is on the emptyDir be-data/ }]);
  const conditions = (store.get('StarRocksCluster/c')?.status as Loose).conditions as Loose[];
  t.match(conditions.find((c) => c.type === 'DataOnEphemeralStorage'), { status: 'True', reason: 'EphemeralDataVolume' });
  await reconcile(d, KEY);
  t.equal(events.filter((e) => e.reason === 'DataOnEphemeralStorage').length, 1, 'not again while it lasts');
});

t.test('data on PVCs by default: no warning, the condition False', async (t) => {
  const { api, store } = fakeApi(cluster());
  const { deps: d, events } = deps(api);
  await reconcile(d, KEY);
  t.notOk(events.some((e) => e.type === 'Warning'), JSON.stringify(events));
  const conditions = (store.get('StarRocksCluster/c')?.status as Loose).conditions as Loose[];
  t.match(conditions.find((c) => c.type === 'DataOnEphemeralStorage'), { status: 'False', reason: 'PersistentData' });
});

/** A cluster whose StatefulSets run `from` and are rolled out, with the CR asking for `to`. */
function rolledOut(from: string, to: string): { api: KubeApi; store: Map<string, JsonObject> } {
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
  const { api, store } = rolledOut('3.5.8', '3.4.6');
  const { deps: d, events } = deps(api);
  await reconcile(d, KEY);
  t.equal(image(store, 'c-fe'), 'fe:3.4.6');
  t.equal(image(store, 'c-be'), 'be:3.5.8', 'BE waits for FE');
  const status = store.get('StarRocksCluster/c')?.status as Loose;
  t.same(status.imageRollout, { direction: 'downgrade', order: ['fe', 'be', 'cn'] });
  t.match((status.conditions as Loose[]).find((c) => c.type === 'Progressing'), { reason: 'DowngradeInOrder', message: /be waits for fe/ });
  t.notOk(events.some((e) => e.reason === 'UnknownImageVersionOrder'));
});

t.test('tags without versions: the upgrade order and one UnknownImageVersionOrder Warning', async (t) => {
  const { api, store } = rolledOut('3.5.8', 'latest');
  const { deps: d, events } = deps(api);
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
  const { api, store } = fakeApi(cluster());
  const { deps: d, events } = deps(api);
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
  const { api, store } = fakeApi(cluster());
  const { deps: d, events } = deps(api);
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
  const { api, store } = fakeApi(raw);
  const replaced: unknown[] = [];
  const counting: KubeApi = { ...api, replace: async (object) => (replaced.push(object), api.replace(object)) };
  const { deps: d } = deps(counting);
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

t.test('a hand edit of an owned StatefulSet is repaired: replicas, and any spec write (generation)', async (t) => {
  const { api, store } = fakeApi(cluster());
  const { deps: d, events } = deps(api);
  await reconcile(d, KEY);
  const sts = (): Loose => store.get('StatefulSet/c-fe') as Loose;
  t.equal((statusOf(store).starRocksFeStatus as Loose).statefulSetGeneration, 1, 'the generation after the apply is recorded');
  const quiet = await reconcile(d, KEY);
  t.same(quiet.applied, [], 'nothing to repair: no apply');

  // kubectl scale sts c-fe --replicas 1: the spec hash annotation stays, the replicas and the generation move.
  store.set('StatefulSet/c-fe', { ...sts(), spec: { ...(sts().spec as Loose), replicas: 1 }, metadata: { ...(sts().metadata as Loose), generation: 2 } });
  const repaired = await reconcile(d, KEY);
  t.same(repaired.applied, ['default/StatefulSet/c-fe']);
  t.equal((sts().spec as Loose).replicas, 3);
  t.match(events.filter((e) => e.reason === 'DriftRepaired'), [
    { type: 'Warning', message: 'StatefulSet c-fe was changed outside the StarRocksCluster (spec.replicas is 1, the StarRocksCluster says 3): applied the StarRocksCluster\'s spec again' },
  ]);
  t.equal((statusOf(store).starRocksFeStatus as Loose).statefulSetGeneration, 3);

  // kubectl edit (an image edit is an image change, rolled in upgrade order: upgrade-order.ts):
  // replicas unchanged, the generation tells.
  const template = (sts().spec as Loose).template as Loose;
  const grace = (): unknown => ((((sts().spec as Loose).template as Loose).spec as Loose).terminationGracePeriodSeconds);
  const want = grace();
  const edited = structuredClone(template) as { spec: Loose };
  edited.spec.terminationGracePeriodSeconds = 1;
  store.set('StatefulSet/c-fe', { ...sts(), spec: { ...(sts().spec as Loose), template: edited as unknown as JsonObject }, metadata: { ...(sts().metadata as Loose), generation: 4 } });
  await reconcile(d, KEY);
  t.equal(grace(), want, 'the template is the StarRocksCluster\'s again');
  t.match(events.filter((e) => e.reason === 'DriftRepaired').at(-1), { message: /generation 3 -> 4/ });
  t.same((await reconcile(d, KEY)).applied, [], 'then quiet again');
});

t.test('the FE budget follows the FE roles the agents report', async (t) => {
  const raw = cluster();
  Object.assign((raw.spec as Record<string, Loose>).starRocksFeSpec as Loose, { replicas: 3, voters: 5 });
  const { api, store } = fakeApi(raw);
  const { deps: d } = deps(api);
  // A scale-in 5 -> 3: FE 3 and 4 still vote until their preStop drops them.
  for (const ordinal of [0, 1, 2, 3, 4]) store.set(`Pod/c-fe-${ordinal}`, podObject(`c-fe-${ordinal}`, 'fe', { [ANNOTATIONS.feRole]: ordinal === 0 ? 'LEADER' : 'FOLLOWER' }));
  await reconcile(d, KEY);
  t.equal((store.get('PodDisruptionBudget/c-fe-pdb')?.spec as Loose).minAvailable, 3);
  for (const ordinal of [3, 4]) store.delete(`Pod/c-fe-${ordinal}`);
  await reconcile(d, KEY);
  t.equal((store.get('PodDisruptionBudget/c-fe-pdb')?.spec as Loose).minAvailable, 2, 'dropped: majority of the 3 left');
});

t.test('the FE proxy: applied while the CR asks for it, pruned when the spec is removed; the fence stays', async (t) => {
  const raw = cluster();
  (raw.metadata as Loose).uid = 'uid-c';
  (raw.spec as Loose).starRocksFeProxySpec = { replicas: 1 };
  const { api, store } = fakeApi(raw);
  const { deps: d } = deps(api);
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
  delete ((store.get('StarRocksCluster/c') as Loose).spec as Loose).starRocksFeProxySpec;
  const second = await reconcile(d, KEY);
  t.same([...second.deleted].sort(), proxy);
  t.notOk(store.has('Deployment/c-fe-proxy') || store.has('ConfigMap/c-fe-proxy') || store.has('Service/c-fe-proxy-service'));
  t.ok(store.has('ConfigMap/c-fe-bootstrap'), 'the fence (owned, not managed-by the controller) is not pruned');
});
