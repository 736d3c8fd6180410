/**
 * Issue 17 item 1: the product installed with Helm, as the README's "Install with Helm" says. In a
 * fresh world, `helm install` of deploy/helm/starrocks-agent-operator (the helm built from its Go
 * module, test/world/build.ts) with a StarRocksCluster from values converges: the controller pods
 * run from the controller image, every member registered once and Alive in the simulator.
 * `helm upgrade` with more BEs: the cluster follows. `helm uninstall`: the release's objects are
 * gone, the CRD (Helm never deletes crds/) and the cluster's namespace (resource-policy keep) stay.
 * The chart's kubeVersion constraint is checked against the world's real server version.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import { CRD, ENV } from '../../agent/contract/index.ts';
import { addsByTarget } from '../agent/fixtures/sim-pods.ts';
import { SIM_ENV } from '../sim/node/node-env.ts';
import { CHART_DIR, HELM_COMMANDS, helmCli } from '../deploy/helm/helm-cli.ts';
import { REPO_ROOT } from '../world/world.ts';
import { waitFor } from '../world/wait.ts';
import { describeView, startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldAddresses, WorldCluster } from './fixtures/world-cluster.ts';

t.setTimeout(900_000);

const helm = helmCli();
t.teardown(() => helm.close());

/** Stops the subtest's world when it ends, with diagnostics when it failed (a failed start stops its own). */
function stopAtEnd(t: Test, cluster: WorldCluster): void {
  t.teardown(async () => {
    if (!t.passing()) t.comment(cluster.diagnostics());
    await cluster.stop();
  });
}

// What a user writes (official kube-starrocks names), plus what this world needs: agents bind their
// pod address, and agents and simulated StarRocks find CoreDNS and the simulator.
function values(at: WorldAddresses, options: { cn: boolean }): string {
  const env = [
    { name: ENV.AGENT_BIND, value: '$(POD_IP)' },
    { name: ENV.DNS_SERVER, value: at.dns },
    { name: ENV.MAX_BACKOFF_MS, value: '1000' },
    { name: SIM_ENV.dns, value: at.dns },
    { name: SIM_ENV.world, value: at.simWorld },
  ];
  const component = (repository: string): Record<string, unknown> => ({
    replicas: 1,
    image: { repository, tag: '3.3' },
    readinessProbeFailureSeconds: 10,
    terminationGracePeriodSeconds: 30,
  });
  return stringify({
    starrocks: {
      starrocksCluster: { enabled: true, name: 'sr', namespace: 'e2e', enabledBe: true, enabledCn: options.cn, agent: { probeIntervalMs: 500, sqlTimeoutMs: 5_000 } },
      starrocksFESpec: { ...component('starrocks-fe-agent'), feEnvVars: env },
      starrocksBeSpec: { ...component('starrocks-be-agent'), beEnvVars: env },
      starrocksCnSpec: { ...component('starrocks-be-agent'), cnEnvVars: env },
    },
  });
}

interface HelmRelease {
  name: string;
  revision: string;
  status: string;
}

t.test('helm install, upgrade and uninstall in the world', async (t) => {
  let checkout = '';
  let kubeconfig = '';
  let serverVersion = '';
  const timings: string[] = [];
  const run = async (args: readonly string[]): Promise<string> => {
    const started = Date.now();
    const out = await helm.run(args, { cwd: checkout, kubeconfig, timeoutMs: 400_000 });
    timings.push(`helm ${args[0] ?? ''}: ${Date.now() - started} ms`);
    if (out.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${out.code}: ${out.stderr}`);
    return out.stdout;
  };
  let installedAt = 0;
  const c = await startWorldCluster({
    shape: { fe: 1, be: 1, cn: 1 },
    install: async ({ kubectl, kubeconfigPath, dir, addresses }) => {
      // A checkout as the README's commands expect it: the chart at deploy/, values beside it.
      checkout = dir;
      kubeconfig = kubeconfigPath;
      symlinkSync(join(REPO_ROOT, 'deploy'), join(dir, 'deploy'));
      writeFileSync(join(dir, 'my-values.yaml'), values(addresses, { cn: true }));
      const version = JSON.parse(await kubectl('version', '-o', 'json')) as { serverVersion?: { gitVersion?: string } };
      serverVersion = version.serverVersion?.gitVersion ?? '';
      await run(['template', 'starrocks', CHART_DIR, '--kube-version', serverVersion]);
      await run(HELM_COMMANDS.install);
      installedAt = Date.now();
    },
  });
  stopAtEnd(t, c);
  for (const { step, ms } of c.timings) t.comment(`${step}: ${ms} ms`);
  t.match(serverVersion, /^v1\.\d+\.\d+/, `the world's server reports a release (${serverVersion}) and the chart's kubeVersion accepts it`);

  const releases = JSON.parse(await run(['list', '--namespace', 'starrocks-system', '--output', 'json'])) as HelmRelease[];
  t.match(releases, [{ name: 'starrocks', revision: '1', status: 'deployed' }]);
  t.equal(c.controllerPods.length, 2, 'the Deployment runs its 2 replicas');
  t.ok(c.controllerPods.every((p) => p.image === 'starrocks-controller:0.1.0' && p.imageID === 'world-local://starrocks-controller'), 'from the controller image');
  const ns = JSON.parse(await c.kubectl('get', 'namespace', 'e2e', '-o', 'json')) as { metadata: { labels?: Record<string, string> } };
  t.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted', 'the cluster namespace the chart created enforces Pod Security restricted');

  const shape = { fe: 1, be: 1, cn: 1 };
  const view = await c.converged(shape, 360_000);
  t.comment(`install to Ready (all members registered and alive): ${Date.now() - installedAt} ms after helm install returned; ${describeView(view)}`);
  const ids = c.sim.clusterIdsCreated();
  t.equal(ids.length, 1, 'one cluster id was ever created');
  const hosts = (kind: 'backend' | 'compute_node'): string[] => (c.sim.cluster(ids[0])?.nodes ?? []).filter((n) => n.kind === kind).map((n) => n.host).sort();
  t.same(hosts('backend'), [c.fqdn('be', 0)], 'the BE registered by its FQDN');
  t.same(hosts('compute_node'), [c.fqdn('cn', 0)], 'the CN registered by its FQDN');

  const upgradeStarted = Date.now();
  await run(HELM_COMMANDS.upgrade);
  const spec = JSON.parse(await c.kubectl('get', CRD.plural, c.name, '-n', c.namespace, '-o', 'jsonpath={.spec.starRocksBeSpec}')) as { replicas?: number };
  t.equal(spec.replicas, 2, 'helm upgrade changed the StarRocksCluster');
  const upgraded = await c.converged({ ...shape, be: 2 }, 360_000);
  t.comment(`upgrade to 2 BEs converged ${Date.now() - upgradeStarted} ms after helm upgrade started; ${describeView(upgraded)}`);
  t.same(hosts('backend'), [0, 1].map((i) => c.fqdn('be', i)), 'both BEs registered');
  t.same([...addsByTarget(c.sim).entries()].filter(([, count]) => count !== 1), [], 'no node was added twice');
  t.equal(c.sim.clusterIdsCreated().length, 1, 'still one cluster id');
  t.match(JSON.parse(await run(['list', '--namespace', 'starrocks-system', '--output', 'json'])) as HelmRelease[], [{ revision: '2', status: 'deployed' }]);

  await run(HELM_COMMANDS.uninstall);
  const exists = async (...args: string[]): Promise<boolean> => (await c.kubectl('get', ...args, '--ignore-not-found', '-o', 'name')).trim() !== '';
  t.same(JSON.parse(await run(['list', '--namespace', 'starrocks-system', '--output', 'json'])), [], 'no release left');
  t.notOk(await exists(CRD.plural, c.name, '-n', c.namespace), 'the StarRocksCluster is gone');
  t.notOk(await exists('deployment', 'starrocks-controller', '-n', 'starrocks-system'), 'the controller Deployment is gone');
  t.notOk(await exists('clusterrole', 'starrocks-controller'), 'its ClusterRole is gone');
  t.notOk(await exists('validatingadmissionpolicy', 'starrocks-agent'), 'the agent admission policy is gone');
  t.ok(await exists('crd', `${CRD.plural}.${CRD.group}`), 'the CRD stays: Helm never deletes what crds/ installed');
  t.ok(await exists('namespace', 'e2e'), 'the cluster namespace stays (helm.sh/resource-policy: keep)');
  // The StarRocksCluster owned them: kube-controller-manager's garbage collector removes them.
  await waitFor(async () => ((await c.kubectl('get', 'statefulsets', '-n', c.namespace, '-o', 'name')).trim() === '' ? true : undefined), {
    what: 'the StatefulSets garbage-collected',
    timeoutMs: 120_000,
    intervalMs: 1_000,
  });
  const left = (await c.kubectl('get', 'persistentvolumeclaims,secrets,configmaps', '-n', c.namespace, '-o', 'name')).trim().split('\n').filter((l) => l !== '');
  t.comment(`left in ${c.namespace} after helm uninstall: ${left.join(', ') || 'nothing'}`);
  for (const line of timings) t.comment(line);
});

t.test('watchNamespace: one controller holding a Role in that namespace only converges its cluster', async (t) => {
  let kubeconfig = '';
  const c = await startWorldCluster({
    shape: { fe: 1, be: 1, cn: 0 },
    install: async ({ kubeconfigPath, dir, addresses }) => {
      kubeconfig = kubeconfigPath;
      const file = join(dir, 'values.yaml');
      writeFileSync(file, values(addresses, { cn: false }));
      const scope = ['operator.starrocksOperator.watchNamespace=e2e', 'operator.starrocksOperator.replicaCount=1', 'operator.starrocksOperator.leaderElection.enabled=false'];
      const out = await helm.run(['install', 'starrocks', CHART_DIR, '--namespace', 'starrocks-system', '--create-namespace', '--values', file, ...scope.flatMap((s) => ['--set', s]), '--wait', '--timeout', '5m'], { kubeconfig });
      if (out.code !== 0) throw new Error(`helm install exited ${out.code}: ${out.stderr}`);
    },
  });
  stopAtEnd(t, c);
  const exists = async (...args: string[]): Promise<boolean> => (await c.kubectl('get', ...args, '--ignore-not-found', '-o', 'name')).trim() !== '';
  t.notOk(await exists('clusterrole', 'starrocks-controller'), 'no ClusterRole');
  t.ok(await exists('role', 'starrocks-controller', '-n', 'e2e'), 'a Role in the watched namespace');
  t.equal(c.controllerPods.length, 1);
  const can = async (verb: string, resource: string, namespace: string): Promise<string> =>
    (await c.kubectl('auth', 'can-i', verb, resource, '-n', namespace, '--as', 'system:serviceaccount:starrocks-system:starrocks-controller').catch((error: unknown) => (error as { stdout?: string }).stdout ?? '')).trim();
  t.equal(await can('list', 'statefulsets.apps', 'e2e'), 'yes');
  t.equal(await can('list', 'statefulsets.apps', 'default'), 'no', 'no rights outside the watched namespace');
  const view = await c.converged({ fe: 1, be: 1, cn: 0 }, 360_000);
  t.comment(`converged: ${describeView(view)}`);
  t.equal(c.sim.clusterIdsCreated().length, 1);
  const out = await helm.run(['uninstall', 'starrocks', '--namespace', 'starrocks-system', '--wait'], { kubeconfig });
  t.equal(out.code, 0, out.stderr);
});
