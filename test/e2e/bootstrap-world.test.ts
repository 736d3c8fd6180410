/**
 * Issue 5 in the Kubernetes world: a fresh StarRocksCluster of 3 FE, 3 BE and 1 CN, applied with
 * kubectl and rendered by the controller, comes up through the agents in real pods (init
 * container, run, probes) with real CoreDNS and the API server, and converges to one cluster:
 * one cluster id ever created, every member registered once and Alive, the bootstrap fence in
 * the API server holding that id, every agent's phase in its pod annotation. (Restarts from meta
 * in the world are in scale-in-world.test.ts.)
 */
import t from 'tap';
import { ANNOTATIONS, names } from '../../agent/contract/index.ts';
import { addsByTarget } from '../agent/fixtures/sim-pods.ts';
import { unlessNotFound } from '../world/kube.ts';
import { waitFor } from '../world/wait.ts';
import { phaseOf, startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldCluster } from './fixtures/world-cluster.ts';

t.setTimeout(420_000);

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
});

const shape = { fe: 3, be: 3, cn: 1 };

t.test('a fresh 3 FE / 3 BE / 1 CN cluster converges to one cluster in the world', async (t) => {
  cluster = await startWorldCluster({ shape, graceSeconds: { fe: 30, be: 30, cn: 30 } });
  const c = cluster;
  const view = await c.converged(shape, 300_000);

  const ids = c.sim.clusterIdsCreated();
  t.equal(ids.length, 1, `one cluster id was ever created: ${ids.join(', ')}`);
  const clusterId = ids[0];
  t.ok(view.frontends.every((f) => f.clusterId === clusterId), 'every FE reports that cluster id');
  t.equal(view.frontends.filter((f) => f.role === 'LEADER').length, 1, 'one leader');
  t.same(
    view.frontends.map((f) => f.host).sort(),
    [0, 1, 2].map((i) => c.fqdn('fe', i)),
    'the FEs are registered by their FQDNs',
  );
  t.ok(view.frontends.filter((f) => f.role !== 'LEADER').every((f) => f.role === 'FOLLOWER'), 'FE 1 and 2 are followers (3 voters)');
  t.same(
    view.backends.map((b) => b.host).sort(),
    [0, 1, 2].map((i) => c.fqdn('be', i)),
    'every BE registered by its FQDN and alive',
  );
  t.same(
    view.computeNodes.map((n) => n.host),
    [c.fqdn('cn', 0)],
    'the CN registered by its FQDN and alive',
  );

  const fence = await unlessNotFound(c.world.kube.core.readNamespacedConfigMap({ namespace: c.namespace, name: names(c.name).fence }));
  t.ok(fence !== undefined, 'the bootstrap fence ConfigMap exists in the API server');
  t.match(fence?.data, { clusterId: String(clusterId), bootstrappedBy: names(c.name).pod('fe', 0) }, 'the fence holds the cluster id and who bootstrapped it');

  // The main container records `running` once StarRocks runs; give the last patch a moment.
  const all = [...(['fe', 'be', 'cn'] as const).flatMap((component) => Array.from({ length: shape[component] }, (_, i) => names(c.name).pod(component, i)))];
  const phases = await waitFor(
    async () => {
      const found = await Promise.all(all.map(async (name) => [name, phaseOf(await c.pod(name))] as const));
      return found.every(([, phase]) => phase === 'running') ? found : undefined;
    },
    { what: 'every pod annotated with phase running', timeoutMs: 30_000, intervalMs: 500 },
  ).catch(async () => Promise.all(all.map(async (name) => [name, phaseOf(await c.pod(name))] as const)));
  t.same(
    phases.filter(([, phase]) => phase !== 'running'),
    [],
    `every agent recorded phase running in its pod annotation (${ANNOTATIONS.phase})`,
  );
  const fe0 = await c.pod(names(c.name).pod('fe', 0));
  t.equal(fe0?.annotations[ANNOTATIONS.plan], 'bootstrap', 'FE 0 recorded its plan: bootstrap');
  const fe1 = await c.pod(names(c.name).pod('fe', 1));
  t.equal(fe1?.annotations[ANNOTATIONS.plan], 'join', 'FE 1 recorded its plan: join');

  const adds = addsByTarget(c.sim);
  const expected = [
    ...[1, 2].map((i) => `${c.fqdn('fe', i)}:9010`),
    ...[0, 1, 2].map((i) => `${c.fqdn('be', i)}:9050`),
    `${c.fqdn('cn', 0)}:9050`,
  ].sort();
  t.same([...adds.keys()].sort(), expected, 'every joining member was added (FE 0 bootstrapped, never added)');
  t.same([...adds.entries()].filter(([, count]) => count !== 1), [], 'no node was added twice');
});
