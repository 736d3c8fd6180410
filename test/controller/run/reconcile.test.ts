import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../../agent/log.ts';
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
    list: async ({ kind }) => ({ items: [...store.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, v]) => v), resourceVersion: '1' }),
    apply: async (object) => {
      const existing = store.get(key(object.kind, object.metadata.name));
      const stored = { ...(object as unknown as JsonObject), ...(existing?.status === undefined ? {} : { status: existing.status }) };
      store.set(key(object.kind, object.metadata.name), stored);
      return stored;
    },
    applyStatus: async ({ name, status }) => {
      const current = store.get(key('StarRocksCluster', name));
      if (current !== undefined) store.set(key('StarRocksCluster', name), { ...current, status });
    },
    create: async (object) => object,
    replace: async (object) => object,
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
