import t from 'tap';
import { LABELS } from '../../../agent/contract/index.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import { dig } from '../../../controller/json.ts';
import type { JsonObject } from '../../../controller/json.ts';
import type { KubernetesObject } from '../../../controller/render/objects.ts';
import { render } from '../../../controller/render/render.ts';
import { withSpecHash } from '../../../controller/render/spec-hash.ts';
import { planReconcile } from '../../../controller/run/plan.ts';
import type { PlanInput } from '../../../controller/run/plan.ts';
import { baseCluster } from '../fixtures/manifests.ts';

type Loose = Record<string, unknown>;
const NOW = '2026-01-01T00:00:00Z';

const cr = (edit: (spec: Record<string, Loose>) => void = () => {}): JsonObject => {
  const raw = baseCluster('c');
  edit(raw.spec as Record<string, Loose>);
  return raw as JsonObject;
};
const rendered = (raw: JsonObject): KubernetesObject[] => {
  const { cluster } = parseCluster(raw);
  if (cluster === undefined) throw new Error('invalid fixture');
  return render({ cluster });
};
/** What the informers hold after an apply of `objects`: with the hash, a kind and a resourceVersion. */
const applied = (objects: readonly KubernetesObject[]): JsonObject[] =>
  objects.map((o) => {
    const stored = withSpecHash(o) as unknown as Loose;
    return { ...stored, metadata: { ...(stored.metadata as Loose), resourceVersion: '5' } } as JsonObject;
  });
const keys = (objects: readonly { kind: string; metadata: { name: string } }[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`);
const plan = (input: Partial<PlanInput> & { cluster: JsonObject }): ReturnType<typeof planReconcile> =>
  planReconcile({ cache: { owned: [], pods: [] }, rendered: rendered(input.cluster), now: NOW, ...input });

t.test('a new cluster: every rendered object applied, nothing pruned, status written with a phase event', async (t) => {
  const raw = cr();
  const p = plan({ cluster: raw });
  t.same(keys(p.apply), keys(rendered(raw)));
  t.ok(p.apply.every((o) => typeof o.metadata.annotations === 'object'), 'applied with the spec hash');
  t.same(p.prune, []);
  t.same([...p.drift.keys()], [], 'nothing exists yet: no drift');
  t.equal(p.status?.phase, 'reconciling');
  t.match(p.events, [{ type: 'Normal', reason: 'PhaseReconciling', message: 'phase none -> reconciling' }]);
});

t.test('nothing changed: still everything applied (a no-op apply), no status write, no event', async (t) => {
  const raw = cr();
  const first = plan({ cluster: raw, cache: { owned: applied(rendered(raw)), pods: [] } });
  const settled = { ...raw, status: first.computedStatus } as JsonObject;
  const p = plan({ cluster: settled, cache: { owned: applied(rendered(raw)), pods: [] } });
  t.same(keys(p.apply), keys(rendered(raw)), 'the whole desired state, so a hand edit cannot stay');
  t.same(p.prune, []);
  t.equal(p.status, undefined);
  t.same(p.events, []);
});

t.test('a component removed from the spec: its objects are pruned, others are not', async (t) => {
  const before = cr();
  const after = cr((spec) => delete spec.starRocksCnSpec);
  const foreign = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'c-other', namespace: 'default', labels: { [LABELS.instance]: 'c' }, ownerReferences: [{ kind: 'StarRocksCluster', uid: 'uid-other' }] } };
  const p = plan({ cluster: after, cache: { owned: [...applied(rendered(before)), foreign as JsonObject], pods: [] } });
  t.same(
    p.prune.map((x) => `${x.kind}/${x.name}`).sort(),
    keys(rendered(before).filter((o) => o.metadata.labels[LABELS.component] === 'cn')).sort(),
    'the CN Services, StatefulSet and PDB; not an object another cluster owns',
  );
  t.notOk(keys(p.apply).some((k) => k.includes('-cn')));
  t.match(p.events.find((e) => e.reason === 'Deleted'), { type: 'Normal', message: /StatefulSet\/c-cn/ });
});

t.test('drift: replicas scaled by hand and a relabelled Service are applied again, with a Warning each', async (t) => {
  const raw = cr();
  const owned = applied(rendered(raw)).map((o) => {
    const m = o.metadata as Loose;
    if (o.kind === 'StatefulSet' && m.name === 'c-be') return { ...o, spec: { ...(o.spec as Loose), replicas: 5 } } as JsonObject;
    if (o.kind === 'Service' && m.name === 'c-fe-service') return { ...o, metadata: { ...m, labels: { ...(m.labels as Loose), [LABELS.component]: 'be' } } } as JsonObject;
    return o;
  });
  const p = plan({ cluster: raw, cache: { owned, pods: [] } });
  t.same(keys(p.apply), keys(rendered(raw)));
  t.same([...p.drift.keys()].sort(), ['default/Service/c-fe-service', 'default/StatefulSet/c-be']);
  const drift = p.events.filter((e) => e.reason === 'DriftRepaired').map((e) => e.message);
  t.match(drift, [/Service c-fe-service .*label app\.kubernetes\.io\/component is "be", the StarRocksCluster says "fe"/, /StatefulSet c-be .*spec\.replicas is 5, the StarRocksCluster says 3/]);
});

t.test('a changed spec is not drift: the CR moved, not someone else', async (t) => {
  const before = cr();
  const after = cr((spec) => ((spec.starRocksBeSpec as Loose).replicas = 4));
  const p = plan({ cluster: after, cache: { owned: applied(rendered(before)), pods: [] } });
  t.same([...p.drift.keys()], []);
  t.equal(dig(p.apply.find((o) => o.metadata.name === 'c-be' && o.kind === 'StatefulSet'), 'spec', 'replicas'), 4);
});

t.test('an invalid spec: status only, nothing applied or pruned', async (t) => {
  const good = cr();
  const bad = cr((spec) => ((spec.starRocksFeSpec as Loose).replicas = -1));
  const p = planReconcile({ cluster: bad, cache: { owned: applied(rendered(good)), pods: [] }, rendered: undefined, now: NOW });
  t.same(p.apply, []);
  t.same(p.prune, [], 'an invalid edit never deletes the running cluster');
  t.equal(p.status?.phase, 'failed');
  t.match(p.events, [{ type: 'Warning', reason: 'PhaseFailed' }]);
});

t.test('a failed apply: nothing more to apply or prune, an ApplyFailed Warning, the error in status', async (t) => {
  const raw = cr();
  const p = planReconcile({ cluster: raw, cache: { owned: [], pods: [] }, rendered: rendered(raw), now: NOW, applyError: 'HTTP 403: forbidden' });
  t.same([p.apply, p.prune], [[], []]);
  t.match(p.events[0], { type: 'Warning', reason: 'ApplyFailed', message: 'HTTP 403: forbidden' });
  t.match(JSON.stringify(p.status), /HTTP 403: forbidden/);
});
