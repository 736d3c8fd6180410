/**
 * The controller's /metrics against the real kube-apiserver: a `starrocks-controller run` process
 * reconciles a StarRocksCluster, and its /metrics counts the reconciles and the applies, sizes the
 * informers' cache, and passes `promtool check metrics`.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { stringify } from 'yaml';
import { CRD } from '../../../agent/contract/index.ts';
import { checkMetrics } from '../../deploy/prometheus/promtool-cli.ts';
import { REPO_ROOT, startWorld } from '../../world/world.ts';
import type { World } from '../../world/world.ts';
import { waitCrdEstablished, waitFor } from '../../world/wait.ts';
import { baseCluster } from '../fixtures/manifests.ts';

const exec = promisify(execFile);
t.setTimeout(300_000);
const NS = 'metrics';

let world: World;
t.before(async () => {
  world = await startWorld({ nodes: 0 });
});
t.teardown(async () => {
  await world?.stop();
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 90_000 });
  return stdout;
}

/** The value of one sample line of a /metrics body, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

t.test('a starrocks-controller process counts its reconciles and applies on /metrics, and promtool passes them', async (t) => {
  await kubectl('apply', '--server-side', '-f', join(REPO_ROOT, 'crds', `${CRD.group}_${CRD.plural}.yaml`));
  await waitCrdEstablished(kubectl, `${CRD.plural}.${CRD.group}`);
  await kubectl('create', 'namespace', NS);
  const cluster = baseCluster('measured');
  cluster.metadata = { name: 'measured', namespace: NS };
  const file = join(world.dir, 'measured.yaml');
  writeFileSync(file, stringify(cluster));
  await kubectl('apply', '-f', file);

  const child = spawn(
    join(REPO_ROOT, 'node_modules', '.bin', 'node'),
    [join(REPO_ROOT, 'controller', 'main.ts'), 'run', '--kubeconfig', world.kubeconfigPath, '--namespace', NS, '--no-leader-election', '--metrics-bind-address', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: 'metrics-test' } },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const url = await waitFor(async () => /"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(output)?.[1], { what: 'the "serving metrics" line', timeoutMs: 30_000, intervalMs: 100 });

  const text = await waitFor(
    async () => {
      const body = await (await fetch(url)).text();
      const reconciled = (sample(body, 'starrocks_controller_reconciles_total{result="success"}') ?? 0) + (sample(body, 'starrocks_controller_reconciles_total{result="requeue"}') ?? 0);
      return reconciled >= 1 && (sample(body, 'starrocks_controller_applied_objects_total{kind="StatefulSet"}') ?? 0) >= 1 ? body : undefined;
    },
    { what: 'a reconcile and its StatefulSet applies counted', timeoutMs: 60_000, intervalMs: 250 },
  );
  t.equal(sample(text, 'starrocks_controller_leader'), 1, 'leads: no leader election');
  t.equal(sample(text, 'starrocks_controller_cached_objects{kind="StarRocksCluster"}'), 1);
  t.ok((sample(text, 'starrocks_controller_cached_objects{kind="StatefulSet"}') ?? 0) >= 2, 'FE, BE (and CN) StatefulSets cached');
  t.ok((sample(text, 'starrocks_controller_reconcile_duration_seconds_count') ?? 0) >= 1);
  t.notMatch(text, /measured/, "no cluster name in any label");
  t.same(checkMetrics(text), { code: 0, output: '' }, 'promtool check metrics: no finding');
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exits 0 on SIGTERM', { output: output.slice(-2000) });
});
