/**
 * The controller against a real Kubernetes control plane (the world, with no nodes: pods stay
 * Pending, so this is about the objects, admission, status and ordering, not StarRocks): the
 * install with `kubectl apply -k deploy/`, admission of invalid manifests, the examples, no-op
 * reconciles and restarts, targeted updates, the BE -> CN -> FE image order, the scale
 * subresource, and garbage collection. The controller runs in-process as its ServiceAccount
 * (impersonated), so the RBAC in deploy/ is what it has.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { CRD, LABELS, LABEL_VALUES } from '../../../agent/contract/index.ts';
import type { Component } from '../../../agent/contract/index.ts';
import { parseStarRocksConf } from '../../../agent/contract/starrocks-conf.ts';
import type { StarRocksConf } from '../../../agent/contract/starrocks-conf.ts';
import { parseCluster, presentComponents } from '../../../controller/cr/parse.ts';
import { asString, dig } from '../../../controller/json.ts';
import { OWNED_KINDS } from '../../../controller/kube/kube-api.ts';
import { render } from '../../../controller/render/render.ts';
import { specHash, storedSpecHash } from '../../../controller/render/spec-hash.ts';
import { holdLease } from '../../../controller/run/lease.ts';
import { reconcile } from '../../../controller/run/reconcile.ts';
import { informer } from '../../world/kube.ts';
import { REPO_ROOT, startWorld } from '../../world/world.ts';
import type { World } from '../../world/world.ts';
import { waitCrdEstablished, waitFor } from '../../world/wait.ts';
import { INVALID_CASES, OFFICIAL_STYLE_YAML, baseCluster } from '../fixtures/manifests.ts';
import { CONTROLLER_USER, controllerKit, runController, startInformers } from '../fixtures/world-controller.ts';
import type { ControllerKit, RunningController } from '../fixtures/world-controller.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

const exec = promisify(execFile);
t.setTimeout(420_000);
const NS = 'examples';
type Loose = Record<string, unknown>;

let world: World;
let kit: ControllerKit;
let running: RunningController | undefined;

t.before(async () => {
  world = await startWorld({ nodes: 0 });
  kit = controllerKit(world.kubeconfigPath);
});
t.teardown(async () => {
  await running?.stop();
  await world?.stop();
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 90_000 });
  return stdout;
}

function writeManifest(name: string, docs: unknown[]): string {
  const file = join(world.dir, name);
  writeFileSync(file, docs.map((d) => `---\n${stringify(d)}`).join(''));
  return file;
}

/** Every object the controller owns in a namespace (NS by default) for a cluster: `Kind/name` -> object. */
async function owned(cluster: string, namespace = NS): Promise<Map<string, Loose>> {
  const out = new Map<string, Loose>();
  for (const kind of OWNED_KINDS) {
    const list = await kit.api.list({ kind, namespace, labelSelector: `${LABELS.instance}=${cluster},${LABELS.managedBy}=${LABEL_VALUES.managedBy}` });
    for (const item of list.items) out.set(`${kind}/${asString(dig(item, 'metadata', 'name')) ?? ''}`, item);
  }
  return out;
}

/** What changes when someone writes an object's spec: its generation where it has one, else its resourceVersion. */
async function fingerprint(cluster: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [key, object] of await owned(cluster)) {
    // Generation where the kind has one; otherwise the content the controller writes. Not the
    // resourceVersion: other controllers write status (the HPA controller, every few seconds,
    // finds no metrics server here), and that is not a write of ours.
    const generation = dig(object, 'metadata', 'generation');
    const content = JSON.stringify({
      labels: dig(object, 'metadata', 'labels'),
      annotations: dig(object, 'metadata', 'annotations'),
      spec: dig(object, 'spec'),
      data: dig(object, 'data'),
      rules: dig(object, 'rules'),
      subjects: dig(object, 'subjects'),
    });
    out.set(key, generation === undefined ? `content:${content}` : `gen:${String(generation)}`);
  }
  return out;
}

function changedKeys(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

async function getCluster(name: string): Promise<Loose> {
  const cr = await kit.api.get(CRD.kind, NS, name);
  if (cr === undefined) throw new Error(`no cluster ${name}`);
  return cr;
}

/** The objects a manifest file should produce, rendered locally with the live cluster's uid. */
async function expectedObjects(file: string): Promise<{ name: string; objects: ReturnType<typeof render> }[]> {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Loose);
  const configMaps = new Map(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [String(dig(d, 'metadata', 'name')), d]));
  const out = [];
  for (const doc of docs.filter((d) => d.kind === CRD.kind)) {
    const name = String(dig(doc, 'metadata', 'name'));
    const live = await getCluster(name);
    const { cluster } = parseCluster(live);
    if (cluster === undefined) throw new Error('unparsable live cluster');
    const confs: Partial<Record<Component, StarRocksConf>> = {};
    for (const spec of presentComponents(cluster)) {
      const info = spec.configMapInfo;
      const text = info === undefined ? undefined : asString(dig(configMaps.get(info.configMapName), 'data', info.resolveKey));
      if (text !== undefined) confs[spec.component] = parseStarRocksConf(text);
    }
    out.push({ name, objects: render({ cluster, confs }) });
  }
  return out;
}

const EXAMPLES = ['minimal.yaml', 'persistent-storage.yaml', 'cn-autoscaling.yaml'].map((f) => join(REPO_ROOT, 'deploy', 'examples', f));

t.test('kubectl apply -k deploy/ installs the CRD, least-privilege RBAC and the controller', async (t) => {
  await kubectl('apply', '-k', join(REPO_ROOT, 'deploy'));
  await waitCrdEstablished(kubectl, `${CRD.plural}.${CRD.group}`);
  t.match(await kubectl('get', 'deployment', '-n', 'starrocks-system', 'starrocks-controller', '-o', 'name'), /starrocks-controller/);
  const can = async (...args: string[]): Promise<string> => {
    try {
      return (await kubectl('auth', 'can-i', '--as', CONTROLLER_USER, ...args)).trim();
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? '').trim();
    }
  };
  t.equal(await can('create', 'statefulsets.apps', '-n', 'anywhere'), 'yes');
  t.equal(await can('patch', 'starrocksclusters.starrocks.com', '--subresource=status', '-n', 'anywhere'), 'yes');
  t.equal(await can('update', 'leases.coordination.k8s.io', '-n', 'starrocks-system'), 'yes');
  t.equal(await can('update', 'leases.coordination.k8s.io', '-n', 'default'), 'no');
  t.equal(await can('get', 'secrets', '-n', 'anywhere'), 'no');
  t.equal(await can('delete', 'nodes'), 'no');
  t.equal(await can('create', 'clusterroles.rbac.authorization.k8s.io'), 'no');
  t.equal(await can('update', 'starrocksclusters.starrocks.com', '-n', 'anywhere'), 'no', 'never writes the spec it is given');
  await kubectl('create', 'namespace', NS);
});

t.test('invalid manifests are rejected at admission with a message naming the field', async (t) => {
  const manifests = INVALID_CASES.map((c, i) => {
    const m = baseCluster(`bad-${i}`);
    m.metadata = { name: `bad-${i}`, namespace: NS };
    c.mutate(m);
    return m;
  });
  const file = writeManifest('invalid.yaml', manifests);
  let stderr = '';
  try {
    await kubectl('apply', '-f', file);
  } catch (error) {
    stderr = String((error as { stderr?: string }).stderr ?? '');
  }
  const lines = stderr.split('\n');
  INVALID_CASES.forEach((c, i) => {
    const name = String(dig(manifests[i], 'metadata', 'name'));
    const line = lines.find((l) => l.includes(`"${name}"`)) ?? '';
    t.ok(line.includes(c.field), `${c.name} rejected naming ${c.field}: ${line.slice(0, 400)}`);
  });
  t.equal((await kubectl('get', CRD.plural, '-n', NS, '-o', 'name')).trim(), '', 'none of them was stored');
});

t.test('the three examples apply and the controller creates every object with the expected spec', async (t) => {
  running = runController(kit);
  for (const file of EXAMPLES) await kubectl('apply', '-n', NS, '-f', file);
  for (const file of EXAMPLES) {
    for (const { name, objects } of await expectedObjects(file)) {
      const live = await waitFor(
        async () => {
          const current = await owned(name);
          const fresh = objects.every((o) => storedSpecHash(current.get(`${o.kind}/${o.metadata.name}`)) === specHash(o));
          return fresh && current.size === objects.length ? current : undefined;
        },
        { what: `every object of ${name}`, timeoutMs: 60_000, intervalMs: 300 },
      );
      const uid = dig(await getCluster(name), 'metadata', 'uid');
      for (const expected of objects) {
        const object = live.get(`${expected.kind}/${expected.metadata.name}`) as Loose;
        t.match(dig(object, 'metadata', 'ownerReferences'), [{ kind: CRD.kind, name, uid, controller: true }], `${expected.kind}/${expected.metadata.name} owned`);
        for (const field of ['spec', 'rules', 'subjects', 'roleRef'] as const) {
          if (expected[field] !== undefined) t.match(object[field], expected[field], `${expected.kind}/${expected.metadata.name} ${field}`);
        }
      }
    }
  }
  const status = await waitFor(
    async () => {
      const cr = await getCluster('prod');
      return dig(cr, 'status', 'observedGeneration') === dig(cr, 'metadata', 'generation') ? (dig(cr, 'status') as Loose) : undefined;
    },
    { what: 'status of prod', timeoutMs: 30_000, intervalMs: 300 },
  );
  t.equal(status.phase, 'reconciling', 'pods cannot run in a world without nodes');
  t.match(status.starRocksFeStatus, { ready: '0/3', desiredReplicas: 3, serviceName: 'prod-fe-service' });
  t.match(status.conditions, [
    { type: 'Ready', status: 'False', reason: 'ComponentsNotReady' },
    { type: 'Progressing', status: 'True', reason: 'RollingOut' },
    { type: 'Degraded', status: 'False' },
  ]);
  const table = await kubectl('get', CRD.shortName, '-n', NS);
  t.match(table, /NAME\s+PHASE\s+FE\s+BE\s+CN\s+LEADER\s+AGE/);
  t.match(table, /prod\s+reconciling\s+0\/3\s+0\/3\s+/);
  t.match(await kubectl('get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=prod'), /Applied/);
});

t.test('a manifest written for the official operator applies unchanged and renders', async (t) => {
  const official = parse(OFFICIAL_STYLE_YAML) as Loose;
  official.metadata = { name: 'official-style', namespace: NS };
  await kubectl('apply', '-f', writeManifest('official.yaml', [official]));
  const live = await waitFor(async () => {
    const objects = await owned('official-style');
    return objects.has('HorizontalPodAutoscaler/official-style-cn-autoscaler') && objects.has('StatefulSet/official-style-fe') ? objects : undefined;
  }, { what: 'official-style objects', timeoutMs: 60_000, intervalMs: 300 });
  t.equal(dig(live.get('StatefulSet/official-style-fe'), 'spec', 'replicas'), 3);
  t.equal((dig(live.get('StatefulSet/official-style-fe'), 'spec', 'volumeClaimTemplates') as Loose[]).length, 2);
  await kubectl('delete', CRD.singular, 'official-style', '-n', NS, '--wait=true');
});

t.test('a second reconcile makes no write, and a restarted controller changes nothing', async (t) => {
  await running?.stop();
  running = undefined;
  const stopInformers = new AbortController();
  const informers = await startInformers(kit, { signal: stopInformers.signal });
  t.teardown(async () => {
    stopInformers.abort();
    await informers.stop();
  });
  const deps = { api: kit.api, cache: informers.cache, log: kit.log, events: kit.events, now: () => new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
  const clusters = ['minimal', 'prod', 'elastic'];
  // Pods appear (Pending) a moment after their StatefulSet: wait until the world has settled.
  await waitFor(
    async () => {
      for (const name of clusters) {
        const r = await reconcile(deps, { namespace: NS, name });
        if (r.applied.length > 0 || r.deleted.length > 0 || r.statusWritten) return undefined;
      }
      return true;
    },
    { what: 'a settled world', timeoutMs: 60_000, intervalMs: 1_000 },
  );
  const before = new Map<string, Map<string, string>>();
  const statusVersion = new Map<string, unknown>();
  for (const name of clusters) {
    before.set(name, await fingerprint(name));
    statusVersion.set(name, dig(await getCluster(name), 'metadata', 'resourceVersion'));
  }
  for (const name of clusters) {
    const r = await reconcile(deps, { namespace: NS, name });
    t.same([r.applied, r.deleted, r.statusWritten], [[], [], false], `${name}: second reconcile writes nothing`);
  }
  running = runController(kit);
  const current = running;
  await waitFor(async () => (clusters.every((c) => current.reconciled.some((r) => r.key === `${NS}/${c}`)) ? true : undefined), {
    what: 'the restarted controller to reconcile every cluster',
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  await current.controller.queue.idle();
  for (const r of current.reconciled) t.same([r.result.applied, r.result.statusWritten], [[], false], `restart: ${r.key} unchanged`);
  for (const name of clusters) {
    t.same(changedKeys(before.get(name) ?? new Map(), await fingerprint(name)), [], `${name}: no object changed`);
    t.equal(dig(await getCluster(name), 'metadata', 'resourceVersion'), statusVersion.get(name), `${name}: CR untouched`);
  }
});

t.test('an update of replicas or image changes only what it must', async (t) => {
  let refused = '';
  try {
    await kubectl('patch', CRD.singular, 'prod', '-n', NS, '--type', 'merge', '-p', JSON.stringify({ spec: { starRocksFeSpec: { replicas: 1 } } }));
  } catch (error) {
    refused = String((error as { stderr?: string }).stderr ?? '');
  }
  t.match(refused, /spec\.starRocksFeSpec\.replicas: .*cannot go from more than 1 to 1/, 'FE 3 -> 1 is refused at admission');
  const refusal = async (spec: Loose): Promise<string> => {
    try {
      await kubectl('patch', CRD.singular, 'prod', '-n', NS, '--type', 'merge', '-p', JSON.stringify({ spec }));
    } catch (error) {
      return String((error as { stderr?: string }).stderr ?? '');
    }
    return 'accepted';
  };
  t.match(await refusal({ starRocksFeSpec: { replicas: 0 } }), /spec\.starRocksFeSpec\.replicas: .*must not be 0: with no FE the cluster has no quorum/, 'FE 3 -> 0 is refused');
  t.match(await refusal({ starRocksFeSpec: { voters: 5 } }), /spec\.starRocksFeSpec\.voters: .*cannot change after creation: StarRocks cannot turn an observer into a follower/, 'voters 3 (default) -> 5 is refused');
  t.match(await refusal({ starRocksBeSpec: { replicas: 0 } }), /spec\.starRocksBeSpec\.replicas: .*cannot go down to 0: StarRocks cannot decommission its last BE.*delete the StarRocksCluster/, 'BE 3 -> 0 is refused');
  t.match(await refusal({ starRocksBeSpec: null }), /spec\.starRocksBeSpec: .*cannot be removed: StarRocks cannot decommission its last BE.*delete the StarRocksCluster/, 'removing BE is refused');
  t.equal(await refusal({ starRocksFeSpec: { voters: 3 } }), 'accepted', 'writing the default voters explicitly changes nothing and is accepted');
  const before = await fingerprint('prod');
  await kubectl('patch', CRD.singular, 'prod', '-n', NS, '--type', 'merge', '-p', JSON.stringify({ spec: { starRocksBeSpec: { replicas: 4 } } }));
  await waitFor(async () => ((await owned('prod')).get('StatefulSet/prod-be')?.spec as Loose | undefined)?.replicas === 4 || undefined, {
    what: 'BE at 4 replicas',
    timeoutMs: 30_000,
  });
  await running?.controller.queue.idle();
  t.same(changedKeys(before, await fingerprint('prod')), ['StatefulSet/prod-be']);

  // BE cannot become Ready here (no nodes), so an image change rolls BE and holds FE.
  const mid = await fingerprint('prod');
  await kubectl('patch', CRD.singular, 'prod', '-n', NS, '--type', 'merge', '-p', JSON.stringify({ spec: { starRocksFeSpec: { image: 'starrocks-fe-agent:3.5.9' }, starRocksBeSpec: { image: 'starrocks-be-agent:3.5.9' } } }));
  const status = await waitFor(
    async () => {
      const cr = await getCluster('prod');
      return dig(cr, 'status', 'observedGeneration') === dig(cr, 'metadata', 'generation') ? (dig(cr, 'status') as Loose) : undefined;
    },
    { what: 'status after the image change', timeoutMs: 30_000, intervalMs: 300 },
  );
  const objects = await owned('prod');
  const image = (key: string): unknown => (dig(objects.get(key), 'spec', 'template', 'spec', 'containers') as Loose[] | undefined)?.[0]?.image;
  t.equal(image('StatefulSet/prod-be'), 'starrocks-be-agent:3.5.9');
  t.equal(image('StatefulSet/prod-fe'), 'starrocks-fe-agent:3.5.8', 'FE waits for BE');
  t.match(status.starRocksFeStatus, { rolloutHeld: true });
  t.match((status.conditions as Loose[]).find((c) => c.type === 'Progressing'), { status: 'True', reason: 'UpgradeInOrder' });
  t.same(changedKeys(mid, await fingerprint('prod')), ['StatefulSet/prod-be']);
});

t.test('an upgrade rolls BE, then CN, then FE, each after the previous rollout completed', async (t) => {
  const manifest = baseCluster('order');
  manifest.metadata = { name: 'order', namespace: NS };
  // BE and CN at 0 replicas complete their rollouts in a world without nodes (a cluster may be
  // created with no BE; it cannot go down to 0 later). FE cannot be 0: it rolls last and its one
  // pod stays Pending, which holds nothing.
  for (const field of ['starRocksBeSpec', 'starRocksCnSpec']) (dig(manifest, 'spec', field) as Loose).replicas = 0;
  (dig(manifest, 'spec', 'starRocksFeSpec') as Loose).replicas = 1;
  for (const c of ['fe', 'be', 'cn']) (dig(manifest, 'spec', `starRocks${c.charAt(0).toUpperCase()}${c.slice(1)}Spec`) as Loose).image = `${c}:3.5.8`;
  await kubectl('apply', '-f', writeManifest('order.yaml', [manifest]));
  await waitFor(
    async () => {
      const status = dig(await getCluster('order'), 'status');
      return dig(status, 'starRocksBeStatus', 'phase') === 'running' && dig(status, 'starRocksCnStatus', 'phase') === 'running' && dig(status, 'starRocksFeStatus') !== undefined
        ? true
        : undefined;
    },
    { what: 'order BE and CN running (0 replicas), FE created', timeoutMs: 60_000, intervalMs: 300 },
  );
  const seen: { at: number; name: string; image: unknown; generation: unknown; observed: unknown }[] = [];
  const labelSelector = `${LABELS.instance}=order`;
  const watch = informer(
    {
      kube: world.kube,
      path: `/apis/apps/v1/namespaces/${NS}/statefulsets`,
      list: () => world.kube.apps.listNamespacedStatefulSet({ namespace: NS, labelSelector }),
      labelSelector,
      parse: (json) => json as Loose,
    },
    {
      onUpsert: (object) => {
        const containers = dig(object, 'spec', 'template', 'spec', 'containers') as Loose[] | undefined;
        seen.push({
          at: seen.length,
          name: String(dig(object, 'metadata', 'name')),
          image: containers?.[0]?.image,
          generation: dig(object, 'metadata', 'generation'),
          observed: dig(object, 'status', 'observedGeneration'),
        });
      },
      onDelete: () => undefined,
    },
  );
  try {
    await kubectl('patch', CRD.singular, 'order', '-n', NS, '--type', 'merge', '-p', JSON.stringify({ spec: { starRocksFeSpec: { image: 'fe:3.5.9' }, starRocksBeSpec: { image: 'be:3.5.9' }, starRocksCnSpec: { image: 'cn:3.5.9' } } }));
    await waitFor(async () => (['fe', 'be', 'cn'].every((c) => seen.some((s) => s.name === `order-${c}` && s.image === `${c}:3.5.9`)) ? true : undefined), {
      what: 'every component on the new image',
      timeoutMs: 60_000,
      intervalMs: 200,
    });
  } finally {
    await watch.stop();
  }
  const first = (c: string): number => seen.findIndex((s) => s.name === `order-${c}` && s.image === `${c}:3.5.9`);
  t.ok(first('be') < first('cn') && first('cn') < first('fe'), `order be ${first('be')} < cn ${first('cn')} < fe ${first('fe')}`);
  const settledBefore = (c: string, at: number): boolean => {
    const last = seen.slice(0, at).filter((s) => s.name === `order-${c}`).at(-1);
    return last !== undefined && last.image === `${c}:3.5.9` && last.generation === last.observed;
  };
  t.ok(settledBefore('be', first('cn')), 'BE rollout complete before CN changed');
  t.ok(settledBefore('cn', first('fe')), 'CN rollout complete before FE changed');

  // Tags without a version: the upgrade order, with a Warning event saying why.
  await kubectl('patch', CRD.singular, 'order', '-n', NS, '--type', 'merge', '-p', JSON.stringify({ spec: { starRocksBeSpec: { image: 'be:latest' }, starRocksFeSpec: { image: 'fe:latest' } } }));
  const warning = await waitFor(
    async () => {
      const out = await kubectl('get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=order,reason=UnknownImageVersionOrder', '-o', 'jsonpath={.items[*].message}');
      return out.trim() === '' ? undefined : out;
    },
    { what: 'the UnknownImageVersionOrder event', timeoutMs: 30_000, intervalMs: 300 },
  );
  t.match(warning, /be be:3\.5\.9 -> be:latest \(no version in a tag\).*upgrade order be -> cn -> fe/);
});

t.test('BE storage on an emptyDir is reported: DataOnEphemeralStorage condition and a Warning event', async (t) => {
  const manifest = baseCluster('ephemeral');
  manifest.metadata = { name: 'ephemeral', namespace: NS };
  delete (manifest.spec as Loose).starRocksCnSpec;
  (dig(manifest, 'spec', 'starRocksBeSpec') as Loose).storageVolumes = [{ name: 'be-data', storageClassName: 'emptyDir', mountPath: '/opt/starrocks/be/storage' }];
  await kubectl('apply', '-f', writeManifest('ephemeral.yaml', [manifest]));
  const condition = await waitFor(
    async () => ((dig(await getCluster('ephemeral'), 'status', 'conditions') as Loose[] | undefined) ?? []).find((c) => c.type === 'DataOnEphemeralStorage'),
    { what: 'the DataOnEphemeralStorage condition', timeoutMs: 30_000, intervalMs: 300 },
  );
  t.match(condition, { status: 'True', reason: 'EphemeralDataVolume', message: /^be: \/opt\/starrocks\/be\/storage is on the emptyDir be-data/ });
  await running?.controller.queue.idle();
  const events = await kubectl('get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=ephemeral,reason=DataOnEphemeralStorage', '-o', 'jsonpath={.items[*].type}');
  t.same(events.trim().split(' '), ['Warning'], 'one Warning, not one per reconcile');
  const prodCondition = ((dig(await getCluster('prod'), 'status', 'conditions') as Loose[] | undefined) ?? []).find((c) => c.type === 'DataOnEphemeralStorage');
  t.match(prodCondition, { status: 'False' }, 'prod keeps its data on PVCs');
  await kubectl('delete', CRD.singular, 'ephemeral', '-n', NS, '--wait=true');
});

t.test('the scale subresource drives CN replicas; the HPA targets the cluster', async (t) => {
  const hpa = (await owned('elastic')).get('HorizontalPodAutoscaler/elastic-cn-autoscaler');
  t.match(dig(hpa, 'spec', 'scaleTargetRef'), { apiVersion: 'starrocks.com/v1', kind: CRD.kind, name: 'elastic' });
  await kubectl('scale', `${CRD.singular}/elastic`, '-n', NS, '--replicas=3');
  await waitFor(async () => (dig((await owned('elastic')).get('StatefulSet/elastic-cn'), 'spec', 'replicas') === 3 ? true : undefined), {
    what: 'CN StatefulSet at 3 replicas',
    timeoutMs: 30_000,
  });
  const scale = JSON.parse(await kubectl('get', '--raw', `/apis/starrocks.com/v1/namespaces/${NS}/starrocksclusters/elastic/scale`)) as Loose;
  t.equal(dig(scale, 'spec', 'replicas'), 3);
  t.match(dig(scale, 'status', 'selector'), /app.kubernetes.io\/component=cn/);
});

t.test('leader election: one holder at a time, a successor takes over an expired lease', async (t) => {
  const a = new AbortController();
  const b = new AbortController();
  const options = { api: kit.api, log: kit.log, namespace: 'starrocks-system', name: 'test-lease', durationSeconds: 2, renewDeadlineMs: 1_500, retryMs: 300 };
  const first = await holdLease({ ...options, identity: 'a', signal: a.signal });
  let secondLeads = false;
  const second = holdLease({ ...options, identity: 'b', signal: b.signal }).then((l) => {
    secondLeads = true;
    return l;
  });
  await sleep(2_500);
  t.notOk(secondLeads, 'b waits while a renews');
  a.abort();
  await first.lost;
  await waitFor(async () => (secondLeads ? true : undefined), { what: 'b to take over', timeoutMs: 15_000, intervalMs: 100 });
  const lease = await kit.api.get('Lease', 'starrocks-system', 'test-lease');
  t.equal(dig(lease, 'spec', 'holderIdentity'), 'b');
  t.equal(dig(lease, 'spec', 'leaseTransitions'), 1);
  b.abort();
  await (await second).lost;
});

t.test('starrocks-controller run takes the Lease and stops cleanly on SIGTERM', async (t) => {
  const child = spawn(
    join(REPO_ROOT, 'node_modules', '.bin', 'node'),
    [join(REPO_ROOT, 'controller', 'main.ts'), 'run', '--kubeconfig', world.kubeconfigPath, '--namespace', 'no-clusters-here', '--lease-namespace', 'starrocks-system'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: 'main-test' } },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor(async () => (dig(await kit.api.get('Lease', 'starrocks-system', 'starrocks-controller'), 'spec', 'holderIdentity') === 'main-test' ? true : undefined), {
      what: 'the Lease held by main-test',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    await waitFor(async () => (output.includes('controller started') ? true : undefined), { what: 'controller started', timeoutMs: 15_000 });
  } finally {
    child.kill('SIGTERM');
  }
  t.equal(await exited, 0, output.slice(-2000));
});

t.test('two controllers: the leader paused (SIGSTOP) past its lease is replaced, and writes nothing after SIGCONT', async (t) => {
  const ns = 'lease-test';
  await kubectl('create', 'namespace', ns);
  const manifest = baseCluster('paused');
  manifest.metadata = { name: 'paused', namespace: ns };
  delete (manifest.spec as Loose).starRocksCnSpec;
  await kubectl('apply', '-f', writeManifest('paused.yaml', [manifest]));
  interface Child {
    name: string;
    proc: ReturnType<typeof spawn>;
    output: () => string;
    exited: Promise<number | null>;
  }
  const start = (name: string): Child => {
    const args = ['run', '--kubeconfig', world.kubeconfigPath, '--namespace', ns, '--lease-namespace', ns];
    args.push('--lease-duration-seconds', '4', '--lease-renew-deadline-seconds', '2', '--lease-retry-ms', '300', '--resync-seconds', '1');
    const proc = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'node'), [join(REPO_ROOT, 'controller', 'main.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: name } });
    let output = '';
    proc.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    return { name, proc, output: () => output, exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
  };
  // As the admin: the controller's own account reads Leases in starrocks-system only.
  const holder = async (): Promise<string | undefined> => (await kubectl('get', 'lease', 'starrocks-controller', '-n', ns, '-o', 'jsonpath={.spec.holderIdentity}').catch(() => '')).trim() || undefined;
  const a = start('ctl-a');
  const leader = await waitFor(async () => ((await holder()) === 'ctl-a' ? a : undefined), { what: 'ctl-a leading', timeoutMs: 30_000, intervalMs: 200 });
  const b = start('ctl-b');
  t.teardown(() => {
    for (const c of [a, b]) {
      c.proc.kill('SIGCONT');
      c.proc.kill('SIGTERM');
    }
  });
  await waitFor(async () => ((await owned('paused', ns)).get('StatefulSet/paused-be') === undefined ? undefined : true), { what: 'paused-be applied by ctl-a', timeoutMs: 30_000, intervalMs: 200 });

  leader.proc.kill('SIGSTOP');
  const stoppedAt = Date.now();
  await waitFor(async () => ((await holder()) === 'ctl-b' ? true : undefined), { what: 'ctl-b taking over the lease', timeoutMs: 30_000, intervalMs: 100 });
  t.comment(`ctl-b took over ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after ctl-a was paused (lease 4 s)`);
  // While ctl-a sleeps, the spec changes; ctl-b applies it. ctl-a's cache still holds 1 BE.
  await kubectl('patch', CRD.singular, 'paused', '-n', ns, '--type', 'merge', '-p', JSON.stringify({ spec: { starRocksBeSpec: { replicas: 2 } } }));
  await waitFor(async () => (dig((await owned('paused', ns)).get('StatefulSet/paused-be'), 'spec', 'replicas') === 2 ? true : undefined), { what: 'ctl-b applying 2 BE', timeoutMs: 30_000, intervalMs: 200 });
  const versions = async (): Promise<string[]> => [...(await owned('paused', ns)).entries()].map(([k, o]) => `${k}@${String(dig(o, 'metadata', 'resourceVersion'))}`).sort();
  const events = async (): Promise<number> => {
    const out = JSON.parse(await kubectl('get', 'events', '-n', ns, '-o', 'json')) as { items?: Loose[] };
    return (out.items ?? []).filter((e) => e.reportingInstance === 'ctl-a').length;
  };
  const before = { versions: await versions(), events: await events() };

  leader.proc.kill('SIGCONT');
  const code = await Promise.race([leader.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 20_000))]);
  t.equal(code, 80, `ctl-a exits after losing leadership: ${leader.output().slice(-1500)}`);
  t.match(leader.output(), /leadership lost/);
  t.equal(await holder(), 'ctl-b');
  t.same(await versions(), before.versions, 'no object written after ctl-a resumed');
  t.equal(dig((await owned('paused', ns)).get('StatefulSet/paused-be'), 'spec', 'replicas'), 2, 'the new spec stands');
  t.equal(await events(), before.events, 'no event from ctl-a after it resumed');
  b.proc.kill('SIGTERM');
  t.equal(await b.exited, 0);
});

/** Events of a cluster with a reason, as `type: message` lines. */
async function eventsOf(cluster: string, reason: string): Promise<string[]> {
  const out = await kubectl('get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${cluster},reason=${reason}`, '-o', 'json');
  const items = (JSON.parse(out) as { items?: Loose[] }).items ?? [];
  return items.map((e) => `${String(e.type)}: ${String(e.message)}`);
}

t.test('hand edits are repaired: kubectl scale sts <c>-fe --replicas 1 goes back to 3, a relabelled Service gets its label back', async (t) => {
  const manifest = baseCluster('drift');
  manifest.metadata = { name: 'drift', namespace: NS };
  delete (manifest.spec as Loose).starRocksCnSpec;
  await kubectl('apply', '-f', writeManifest('drift.yaml', [manifest]));
  const applied = async (): Promise<true | undefined> => {
    const sts = (await owned('drift')).get('StatefulSet/drift-fe');
    return sts !== undefined && storedSpecHash(sts) !== undefined && dig(await getCluster('drift'), 'status', 'phase') !== undefined ? true : undefined;
  };
  await waitFor(applied, { what: 'drift-fe applied', timeoutMs: 60_000, intervalMs: 300 });
  let started = Date.now();
  await kubectl('scale', 'statefulset', 'drift-fe', '-n', NS, '--replicas', '1');
  await waitFor(async () => (dig((await owned('drift')).get('StatefulSet/drift-fe'), 'spec', 'replicas') === 3 ? true : undefined), {
    what: 'drift-fe back at 3 replicas',
    timeoutMs: 20_000,
    intervalMs: 200,
  });
  t.comment(`replicas restored in ${Date.now() - started} ms`);

  started = Date.now();
  await kubectl('label', 'service', 'drift-fe-service', '-n', NS, `${LABELS.component}=hand`, '--overwrite');
  await waitFor(async () => (dig((await owned('drift')).get('Service/drift-fe-service'), 'metadata', 'labels', LABELS.component) === 'fe' ? true : undefined), {
    what: 'drift-fe-service labelled fe again',
    timeoutMs: 20_000,
    intervalMs: 200,
  });
  t.comment(`label restored in ${Date.now() - started} ms`);
  // A reconcile records its events before it returns, and one key never runs twice at once: once
  // a reconcile of drift has finished after the label came back, the repair's events (best
  // effort; their content is tested in run/plan.test.ts) are all recorded, and can be counted.
  const afterRepair = running?.reconciled.length ?? 0;
  await waitFor(async () => ((running?.reconciled ?? []).slice(afterRepair).some((r) => r.key === `${NS}/drift`) ? true : undefined), {
    what: 'a reconcile of drift after the repair',
    timeoutMs: 20_000,
    intervalMs: 200,
  });
  const driftEvents = (await eventsOf('drift', 'DriftRepaired')).length;

  // kubectl rollout restart writes a template annotation the controller does not own: the
  // re-apply keeps it (server-side apply), changes nothing, and is no repair.
  const reconciles = running?.reconciled.length ?? 0;
  await kubectl('rollout', 'restart', 'statefulset', 'drift-fe', '-n', NS);
  await waitFor(async () => ((running?.reconciled ?? []).slice(reconciles).some((r) => r.key === `${NS}/drift`) ? true : undefined), {
    what: 'a reconcile of drift after the restart',
    timeoutMs: 20_000,
    intervalMs: 200,
  });
  const sts = (await owned('drift')).get('StatefulSet/drift-fe');
  t.ok(dig(sts, 'spec', 'template', 'metadata', 'annotations', 'kubectl.kubernetes.io/restartedAt') !== undefined, 'the restart annotation stays');
  t.equal(dig(sts, 'spec', 'replicas'), 3);
  t.equal((await eventsOf('drift', 'DriftRepaired')).length, driftEvents, 'a restart is not reported as a repair');
});

t.test('status.clusterId comes from the FE pods and stays; another id is a ClusterIdMismatch; the fence is owned by the cluster', async (t) => {
  const uid = asString(dig(await getCluster('drift'), 'metadata', 'uid'));
  // The fence as the agent creates it (agent/kube/kube-client.ts createFence): no owner.
  await kit.api.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'drift-fe-bootstrap', namespace: NS, labels: { [LABELS.instance]: 'drift', [LABELS.component]: 'fe' } },
    data: { clusterId: '1234567', bootstrappedBy: 'drift-fe-0', at: '2026-01-01T00:00:00Z' },
  });
  await waitFor(async () => ((await kit.api.get('Pod', NS, 'drift-fe-0')) === undefined ? undefined : true), { what: 'pod drift-fe-0', timeoutMs: 30_000, intervalMs: 200 });
  await kubectl('annotate', 'pod', 'drift-fe-0', '-n', NS, 'starrocks.com/agent-cluster-id=1234567');
  const clusterId = await waitFor(async () => asString(dig(await getCluster('drift'), 'status', 'clusterId')), { what: 'status.clusterId', timeoutMs: 30_000, intervalMs: 200 });
  t.equal(clusterId, '1234567');
  const fence = await waitFor(
    async () => {
      const cm = await kit.api.get('ConfigMap', NS, 'drift-fe-bootstrap');
      const refs = dig(cm, 'metadata', 'ownerReferences');
      return Array.isArray(refs) && refs.length > 0 ? cm : undefined;
    },
    { what: 'the fence owned', timeoutMs: 30_000, intervalMs: 200 },
  );
  t.match(dig(fence, 'metadata', 'ownerReferences'), [{ apiVersion: 'starrocks.com/v1', kind: CRD.kind, name: 'drift', uid }]);
  t.same(dig(fence, 'data'), { clusterId: '1234567', bootstrappedBy: 'drift-fe-0', at: '2026-01-01T00:00:00Z' }, 'the agent data untouched');

  await kubectl('annotate', 'pod', 'drift-fe-1', '-n', NS, 'starrocks.com/agent-cluster-id=7654321');
  const mismatch = await waitFor(
    async () => ((dig(await getCluster('drift'), 'status', 'conditions') as Loose[] | undefined) ?? []).find((c) => c.type === 'ClusterIdMismatch' && c.status === 'True'),
    { what: 'the ClusterIdMismatch condition', timeoutMs: 30_000, intervalMs: 200 },
  );
  t.match(mismatch, { reason: 'SplitBrain', message: 'status.clusterId is 1234567, but FE pods report cluster 7654321 (drift-fe-1): a second FE group (split brain); status keeps 1234567' });
  t.equal(asString(dig(await getCluster('drift'), 'status', 'clusterId')), '1234567', 'status keeps its id');
  await running?.controller.queue.idle();
  t.match(await eventsOf('drift', 'ClusterIdMismatch'), [/^Warning: status\.clusterId is 1234567, but FE pods report cluster 7654321/]);
});

t.test('a BE waiting for tablet health is reported: Progressing WaitingForTabletHealth and one Normal event', async (t) => {
  await waitFor(async () => ((await kit.api.get('Pod', NS, 'drift-be-1')) === undefined ? undefined : true), { what: 'pod drift-be-1', timeoutMs: 30_000, intervalMs: 200 });
  const annotate = (unhealthy: number): Promise<string> =>
    kubectl('annotate', '--overwrite', 'pod', 'drift-be-1', '-n', NS, `starrocks.com/agent-tablet-health=${JSON.stringify({ unhealthy, since: '2026-01-01T00:00:00Z' })}`);
  await annotate(12);
  const progressing = await waitFor(
    async () => ((dig(await getCluster('drift'), 'status', 'conditions') as Loose[] | undefined) ?? []).find((c) => c.type === 'Progressing' && c.reason === 'WaitingForTabletHealth'),
    { what: 'Progressing WaitingForTabletHealth', timeoutMs: 30_000, intervalMs: 200 },
  );
  t.match(progressing, { status: 'True', message: /^drift-be-1 waits for 12 unhealthy tablets to heal before it is Ready \(since 2026-01-01T00:00:00Z\)/ });
  await annotate(4);
  await waitFor(
    async () => (JSON.stringify(dig(await getCluster('drift'), 'status', 'conditions')).includes('waits for 4 unhealthy') ? true : undefined),
    { what: 'the count updated', timeoutMs: 30_000, intervalMs: 200 },
  );
  await running?.controller.queue.idle();
  t.match(await eventsOf('drift', 'WaitingForTabletHealth'), [/^Normal: drift-be-1 waits for 12 unhealthy tablets/], 'one event for the wait');
});

t.test('deleting a cluster deletes the bootstrap fence with it (starting over)', async (t) => {
  await kubectl('delete', CRD.singular, 'drift', '-n', NS, '--wait=true');
  await waitFor(async () => ((await kit.api.get('ConfigMap', NS, 'drift-fe-bootstrap')) === undefined ? true : undefined), {
    what: 'the fence garbage-collected',
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  t.pass('the fence is gone with its cluster');
});

t.test('deleting a cluster garbage-collects everything it owns', async (t) => {
  t.ok((await owned('minimal')).size > 0);
  await kubectl('delete', CRD.singular, 'minimal', '-n', NS, '--wait=true');
  await waitFor(async () => ((await owned('minimal')).size === 0 ? true : undefined), { what: 'minimal objects gone', timeoutMs: 60_000, intervalMs: 500 });
  t.equal((await owned('minimal')).size, 0);
  t.ok((await owned('prod')).size > 0, 'other clusters keep theirs');
});
