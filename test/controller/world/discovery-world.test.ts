/**
 * API discovery against a real kube-apiserver (the world serves autoscaling/v1 and v2, no
 * v2beta2, and no prometheus-operator): the HPA is applied in the version the CR asks when it is
 * served, else in the newest served with a HPAVersionUnavailable Warning; a PodMonitor asked for
 * before its CRD exists gives a PodMonitorUnavailable Warning and condition, and once the CRD is
 * installed the controller discovers it within its refresh interval and applies the PodMonitors,
 * which it prunes again when the CR turns them off. The controller runs in-process as its
 * ServiceAccount (impersonated), with deploy/rbac.yaml's rights.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { stringify } from 'yaml';
import { CRD, LABELS, LABEL_VALUES, selectorLabels } from '../../../agent/contract/index.ts';
import { FIELD_MANAGER } from '../../../controller/cr/defaults.ts';
import { dig } from '../../../controller/json.ts';
import { clientNodeKubeApi } from '../../../controller/kube/client-node-api.ts';
import type { KubeApi } from '../../../controller/kube/kube-api.ts';
import { loadKubeConfig } from '../../../controller/kube/kube-config.ts';
import { REPO_ROOT, startWorld } from '../../world/world.ts';
import type { World } from '../../world/world.ts';
import { waitCrdEstablished, waitFor } from '../../world/wait.ts';
import { baseCluster } from '../fixtures/manifests.ts';
import { controllerKit, runController } from '../fixtures/world-controller.ts';
import type { ControllerKit, RunningController } from '../fixtures/world-controller.ts';

const exec = promisify(execFile);
t.setTimeout(300_000);
const NS = 'discovery';
const DISCOVERY_MS = 1_000;
type Loose = Record<string, unknown>;

let world: World;
let kit: ControllerKit;
let running: RunningController | undefined;
/** The test's own reads, as the admin (the controller may not get HPAs, it lists them). */
let admin: KubeApi;

t.before(async () => {
  world = await startWorld({ nodes: 0 });
  kit = controllerKit(world.kubeconfigPath);
  admin = clientNodeKubeApi({ kubeConfig: loadKubeConfig({ kubeconfig: world.kubeconfigPath, env: {} }), fieldManager: 'discovery-test', timeoutMs: 15_000 });
});
t.teardown(async () => {
  await running?.stop();
  await world?.stop();
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 90_000 });
  return stdout;
}

function applyCluster(name: string, edit: (spec: Record<string, Loose>) => void): Promise<string> {
  const manifest = baseCluster(name);
  manifest.metadata = { name, namespace: NS };
  edit(manifest.spec as Record<string, Loose>);
  const file = join(world.dir, `${name}.yaml`);
  writeFileSync(file, stringify(manifest));
  return kubectl('apply', '-f', file);
}

async function condition(cluster: string, type: string): Promise<Loose | undefined> {
  const cr = await admin.get(CRD.kind, NS, cluster);
  return ((dig(cr, 'status', 'conditions') as Loose[] | undefined) ?? []).find((c) => c.type === type);
}

async function eventTypes(cluster: string, reason: string): Promise<string[]> {
  const out = await kubectl('get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${cluster},reason=${reason}`, '-o', 'jsonpath={.items[*].type}');
  return out.trim() === '' ? [] : out.trim().split(' ');
}

/** The apiVersion the controller's field manager applied an object in. */
function appliedIn(object: unknown): unknown {
  const fields = dig(object, 'metadata', 'managedFields');
  return Array.isArray(fields) ? fields.find((f) => dig(f, 'manager') === FIELD_MANAGER && dig(f, 'operation') === 'Apply')?.apiVersion : undefined;
}

const CPU = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } };
const MEMORY = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } };

t.test('the controller starts with deploy/ RBAC; the server serves autoscaling v1 and v2, no monitoring API', async (t) => {
  await kubectl('apply', '-k', join(REPO_ROOT, 'deploy'));
  await waitCrdEstablished(kubectl, `${CRD.plural}.${CRD.group}`);
  await kubectl('create', 'namespace', NS);
  const groups = await kubectl('api-versions');
  t.match(groups, /^autoscaling\/v1$/m);
  t.match(groups, /^autoscaling\/v2$/m);
  t.notMatch(groups, /autoscaling\/v2beta2|monitoring\.coreos\.com/, 'the world as the test expects it');
  running = runController(kit, { namespace: NS, discoveryMs: DISCOVERY_MS });
});

t.test('autoScalingPolicy.version v2beta2 (not served) gets an autoscaling/v2 HPA and one HPAVersionUnavailable Warning', async (t) => {
  await applyCluster('asks-v2beta2', (spec) => {
    spec.starRocksCnSpec = { image: 'cn:1', autoScalingPolicy: { version: 'v2beta2', maxReplicas: 4, hpaPolicy: { metrics: [CPU, MEMORY] } } };
  });
  const hpa = await waitFor(() => admin.get('HorizontalPodAutoscaler', NS, 'asks-v2beta2-cn-autoscaler'), { what: 'the HPA', timeoutMs: 30_000, intervalMs: 300 });
  t.equal(appliedIn(hpa), 'autoscaling/v2');
  t.same(dig(hpa, 'spec', 'metrics'), [CPU, MEMORY]);
  const c = await waitFor(() => condition('asks-v2beta2', 'HPAVersionUnavailable'), { what: 'the HPAVersionUnavailable condition', timeoutMs: 30_000, intervalMs: 300 });
  t.match(c, { status: 'True', reason: 'HPAVersionUnavailable', message: /v2beta2 .*does not serve \(served: autoscaling\/v1, autoscaling\/v2\): the HPA is rendered as autoscaling\/v2/ });
  await running?.controller.queue.idle();
  t.same(await eventTypes('asks-v2beta2', 'HPAVersionUnavailable'), ['Warning'], 'one Warning, not one per reconcile');
});

t.test('autoScalingPolicy.version v1 (served) gets an autoscaling/v1 HPA with the CPU target only', async (t) => {
  await applyCluster('asks-v1', (spec) => {
    spec.starRocksCnSpec = { image: 'cn:1', autoScalingPolicy: { version: 'v1', maxReplicas: 4, hpaPolicy: { metrics: [MEMORY, CPU] } } };
  });
  const hpa = await waitFor(() => admin.get('HorizontalPodAutoscaler', NS, 'asks-v1-cn-autoscaler'), { what: 'the HPA', timeoutMs: 30_000, intervalMs: 300 });
  t.equal(appliedIn(hpa), 'autoscaling/v1');
  const v1 = JSON.parse(await kubectl('get', '--raw', `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers/asks-v1-cn-autoscaler`)) as Loose;
  t.equal(dig(v1, 'spec', 'targetCPUUtilizationPercentage'), 60);
  // Read through v2 (as the informers do): the same object, the CPU metric only.
  t.same(dig(hpa, 'spec', 'metrics'), [CPU]);
  const c = await waitFor(() => condition('asks-v1', 'HPAVersionUnavailable'), { what: 'the condition', timeoutMs: 30_000, intervalMs: 300 });
  t.match(c, { status: 'False', reason: 'HPAVersionServed' });
  await running?.controller.queue.idle();
  t.same(await eventTypes('asks-v1', 'HPAVersionUnavailable'), []);
  // Another reconcile neither prunes nor re-creates it (the informers read HPAs through v2).
  const uid = dig(hpa, 'metadata', 'uid');
  running?.controller.queue.add(`${NS}/asks-v1`);
  await running?.controller.queue.idle();
  t.equal(dig(await admin.get('HorizontalPodAutoscaler', NS, 'asks-v1-cn-autoscaler'), 'metadata', 'uid'), uid);
});

t.test('a PodMonitor asked for before its CRD exists: PodMonitorUnavailable; once installed, discovered and applied; pruned when turned off', async (t) => {
  await applyCluster('monitored', (spec) => {
    spec.metrics = { podMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } } };
  });
  const missing = await waitFor(
    async () => {
      const c = await condition('monitored', 'PodMonitorUnavailable');
      return c?.status === 'True' ? c : undefined;
    },
    { what: 'PodMonitorUnavailable True', timeoutMs: 30_000, intervalMs: 300 },
  );
  t.match(missing, { reason: 'PodMonitorUnavailable', message: /does not serve monitoring\.coreos\.com\/v1/ });
  await running?.controller.queue.idle();
  t.same(await eventTypes('monitored', 'PodMonitorUnavailable'), ['Warning']);
  t.ok(await admin.get('StatefulSet', NS, 'monitored-fe'), 'the rest is applied as usual');

  await kubectl('apply', '-f', join(REPO_ROOT, 'test', 'controller', 'fixtures', 'podmonitor-crd.yaml'));
  await waitCrdEstablished(kubectl, 'podmonitors.monitoring.coreos.com');
  const installedAt = Date.now();
  const list = async (): Promise<Loose[]> => {
    const out = await kubectl('get', 'podmonitors.monitoring.coreos.com', '-n', NS, '-l', `${LABELS.instance}=monitored,${LABELS.managedBy}=${LABEL_VALUES.managedBy}`, '-o', 'json');
    return (JSON.parse(out) as { items: Loose[] }).items;
  };
  const monitors = await waitFor(async () => ((await list()).length === 3 ? await list() : undefined), { what: 'three PodMonitors', timeoutMs: 60_000, intervalMs: 250 });
  t.comment(`PodMonitors applied ${Date.now() - installedAt} ms after the CRD was Established (discovery refresh ${DISCOVERY_MS} ms)`);
  const byName = new Map(monitors.map((m) => [String(dig(m, 'metadata', 'name')), m]));
  for (const [component, http] of [['fe', 'http-port'], ['be', 'webserver-port'], ['cn', 'webserver-port']] as const) {
    const m = byName.get(`monitored-${component}-monitor`);
    t.same(dig(m, 'spec', 'selector'), { matchLabels: selectorLabels('monitored', component) }, `${component} selector`);
    t.same(dig(m, 'spec', 'podMetricsEndpoints'), [
      { port: http, path: '/metrics', scheme: 'http', interval: '15s' },
      { port: 'agent', path: '/metrics', scheme: 'http', interval: '15s' },
    ]);
    t.equal(dig(m, 'metadata', 'labels', 'release'), 'prometheus');
    // The selector's labels are on the pod template, and the ports are container ports.
    const sts = await admin.get('StatefulSet', NS, `monitored-${component}`);
    t.match(dig(sts, 'spec', 'template', 'metadata', 'labels'), selectorLabels('monitored', component));
    const containers = dig(sts, 'spec', 'template', 'spec', 'containers') as Loose[];
    const names = containers.flatMap((c) => ((c.ports as Loose[] | undefined) ?? []).map((p) => p.name));
    t.ok(names.includes(http) && names.includes('agent'), `${component} pods have ${http} and agent ports (${names.join(', ')})`);
  }
  const resolved = await waitFor(
    async () => {
      const c = await condition('monitored', 'PodMonitorUnavailable');
      return c?.status === 'False' ? c : undefined;
    },
    { what: 'PodMonitorUnavailable False', timeoutMs: 30_000, intervalMs: 300 },
  );
  t.match(resolved, { reason: 'PodMonitorRendered' });

  await applyCluster('monitored', (spec) => {
    spec.metrics = { podMonitor: { enabled: false } };
  });
  await waitFor(async () => ((await list()).length === 0 ? true : undefined), { what: 'the PodMonitors pruned', timeoutMs: 30_000, intervalMs: 300 });
  t.pass('pruned');
});
