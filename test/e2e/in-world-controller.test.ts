/**
 * Issue 10's done criterion: the product installed the user's way. `kubectl apply -k deploy/` in a
 * fresh world runs the controller pods from the controller image (no controller in this process),
 * and a StarRocksCluster written as a user writes it and applied with `kubectl apply -f` converges:
 * every member registered once and Alive in the simulator, one cluster id ever created, the CR's
 * status phase `running` as the deployed controller reports it, its events from the Lease holder.
 */
import t from 'tap';
import { names } from '../../agent/contract/index.ts';
import { addsByTarget } from '../agent/fixtures/sim-pods.ts';
import { unlessNotFound } from '../world/kube.ts';
import { waitFor } from '../world/wait.ts';
import { describeView, startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldAddresses, WorldCluster } from './fixtures/world-cluster.ts';

t.setTimeout(600_000);

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
});

const shape = { fe: 3, be: 2, cn: 1 };

// As a user writes it (deploy/examples/*.yaml), plus what this world needs: the agents bind their
// pod address (every pod shares the host's network), and agents and simulated StarRocks find
// CoreDNS and the simulator at the world's addresses.
const manifest = (at: WorldAddresses): string => `
apiVersion: starrocks.com/v1
kind: StarRocksCluster
metadata:
  name: sr
  namespace: e2e
spec:
  agent:
    probeIntervalMs: 500
    sqlTimeoutMs: 5000
  starRocksFeSpec:
    image: starrocks-fe-agent:3.3
    replicas: ${shape.fe}
    readinessProbeFailureSeconds: 10
    terminationGracePeriodSeconds: 30
    feEnvVars: &env
      - name: STARROCKS_AGENT_BIND
        value: $(POD_IP)
      - name: STARROCKS_AGENT_DNS_SERVER
        value: "${at.dns}"
      - name: STARROCKS_AGENT_MAX_BACKOFF_MS
        value: "1000"
      - name: STARROCKS_SIM_DNS
        value: "${at.dns}"
      - name: STARROCKS_SIM_WORLD
        value: "${at.simWorld}"
  starRocksBeSpec:
    image: starrocks-be-agent:3.3
    replicas: ${shape.be}
    readinessProbeFailureSeconds: 10
    terminationGracePeriodSeconds: 30
    beEnvVars: *env
  starRocksCnSpec:
    image: starrocks-be-agent:3.3
    replicas: ${shape.cn}
    readinessProbeFailureSeconds: 10
    terminationGracePeriodSeconds: 30
    cnEnvVars: *env
`;

interface CrStatus {
  phase?: string;
  observedGeneration?: number;
}

t.test('kubectl apply -k deploy/, then a StarRocksCluster: the deployed controller converges it', async (t) => {
  const started = Date.now();
  cluster = await startWorldCluster({ shape, nodes: 2, controller: 'deployed', manifest });
  const c = cluster;
  for (const { step, ms } of c.timings) t.comment(`${step}: ${ms} ms`);
  const appliedAt = c.timings.at(-1)?.at ?? started;

  t.equal(c.controller, undefined, 'no controller runs in this process');
  t.equal(c.controllerPods.length, 2, 'the Deployment runs its 2 replicas');
  t.ok(c.controllerPods.every((p) => p.image === 'starrocks-controller:0.1.0'), 'from the image kustomize set');
  t.ok(c.controllerPods.every((p) => p.imageID === 'world-local://starrocks-controller'), 'the world ran the controller image');
  const leader = await waitFor(
    async () => {
      const lease = await unlessNotFound(c.world.kube.coordination.readNamespacedLease({ namespace: 'starrocks-system', name: 'starrocks-controller' }));
      const holder = lease?.spec?.holderIdentity;
      return holder !== undefined && c.controllerPods.some((p) => p.name === holder) ? holder : undefined;
    },
    { what: 'a controller pod to hold the Lease', timeoutMs: 60_000, intervalMs: 500 },
  );

  t.comment(`${leader} holds the Lease (${Date.now() - appliedAt} ms after the cluster was applied)`);
  const view = await c.converged(shape, 360_000);
  const convergedAt = Date.now();
  t.comment(`converged ${convergedAt - appliedAt} ms after the cluster was applied: ${describeView(view)}`);

  // The simulator's truth, not any client's view.
  const ids = c.sim.clusterIdsCreated();
  t.equal(ids.length, 1, `one cluster id was ever created: ${ids.join(', ')}`);
  const truth = c.sim.cluster(ids[0]);
  const frontends = truth?.members() ?? [];
  t.same(frontends.map((f) => f.host).sort(), [0, 1, 2].map((i) => c.fqdn('fe', i)), 'every FE registered by its FQDN');
  t.same(frontends.filter((f) => !f.joined || !(f.hb.alive || f.name === truth?.leaderName)).map((f) => f.host), [], 'every FE joined and Alive');
  t.ok(truth?.leader() !== undefined, 'the FEs have a leader');
  const nodes = truth?.nodes ?? [];
  const hosts = (kind: 'backend' | 'compute_node'): string[] => nodes.filter((n) => n.kind === kind).map((n) => n.host).sort();
  t.same(hosts('backend'), [0, 1].map((i) => c.fqdn('be', i)), 'every BE registered by its FQDN');
  t.same(hosts('compute_node'), [c.fqdn('cn', 0)], 'the CN registered by its FQDN');
  t.same(nodes.filter((n) => !n.hb.alive).map((n) => n.host), [], 'every BE and CN Alive');

  const adds = addsByTarget(c.sim);
  const expected = [...[1, 2].map((i) => `${c.fqdn('fe', i)}:9010`), ...[0, 1].map((i) => `${c.fqdn('be', i)}:9050`), `${c.fqdn('cn', 0)}:9050`].sort();
  t.same([...adds.keys()].sort(), expected, 'every joining member was added (FE 0 bootstrapped, never added)');
  t.same([...adds.entries()].filter(([, count]) => count !== 1), [], 'no node was added twice');

  // The deployed controller writes the CR's status once it sees the StatefulSets rolled out.
  let status: CrStatus = {};
  const phase = await waitFor(
    async () => {
      status = JSON.parse(await c.kubectl('get', 'starrocksclusters', c.name, '-n', c.namespace, '-o', 'jsonpath={.status}') || '{}') as CrStatus;
      return status.phase === 'running' ? status.phase : undefined;
    },
    { what: 'the CR status phase running', timeoutMs: 90_000, intervalMs: 1_000 },
  ).catch(() => status.phase);
  t.comment(`status phase ${String(phase)} ${Date.now() - convergedAt} ms after convergence`);
  t.equal(phase, 'running', 'kubectl get shows the phase the controller reports: running');
  t.equal(status.observedGeneration, 1, 'for the generation the user applied');

  const events = await c.world.kube.core.listNamespacedEvent({ namespace: c.namespace });
  const byController = events.items.filter((e) => e.source?.component === 'starrocks-controller');
  t.ok(byController.some((e) => e.reason === 'Applied'), 'the controller recorded applying the cluster');
  t.same([...new Set(byController.map((e) => e.reportingInstance))], [leader], `every controller event came from the Lease holder ${leader}`);
  const sts = await c.world.kube.apps.readNamespacedStatefulSet({ namespace: c.namespace, name: names(c.name).statefulSet('fe') });
  t.same([...new Set((sts.metadata?.managedFields ?? []).map((f) => f.manager))].filter((m) => m !== 'kube-controller-manager'), ['starrocks-controller'], 'the StatefulSet is the controller\'s');
  t.comment(`total ${Date.now() - started} ms`);
});
