/**
 * Benchmark: time from `kubectl apply` of StarRocksClusters to every object they own being
 * present, for 1 cluster and for 100, and the controller's memory. The controller runs as its own
 * process (`controller/main.ts run`) against a Kubernetes world with no nodes (pods stay Pending,
 * so only the control plane and the controller are measured).
 *
 *   node_modules/.bin/node test/controller/bench/apply-bench.ts
 */
import { execFile, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { LABELS, LABEL_VALUES } from '../../../agent/contract/index.ts';
import { OWNED_KINDS } from '../../../controller/kube/kube-api.ts';
import { REPO_ROOT, startWorld } from '../../world/world.ts';
import { waitCrdEstablished, waitFor } from '../../world/wait.ts';
import { controllerKit } from '../fixtures/world-controller.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

const exec = promisify(execFile);
const OBJECTS_PER_CLUSTER = 11; // agent SA, Role, RoleBinding; per FE and BE: 2 Services, StatefulSet, PDB

const world = await startWorld({ nodes: 0 });
const kit = controllerKit(world.kubeconfigPath);
const kubectl = async (...args: string[]): Promise<string> =>
  (await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 300_000, maxBuffer: 64 << 20 })).stdout;

const rssKb = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

async function countOwned(namespace: string): Promise<number> {
  let n = 0;
  for (const kind of OWNED_KINDS) {
    n += (await kit.api.list({ kind, namespace, labelSelector: `${LABELS.managedBy}=${LABEL_VALUES.managedBy}` })).items.length;
  }
  return n;
}

function manifest(namespace: string, count: number): string {
  const docs = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'starrocks.com/v1',
    kind: 'StarRocksCluster',
    metadata: { name: `bench-${i}`, namespace },
    spec: { starRocksFeSpec: { image: 'fe:1', replicas: 1 }, starRocksBeSpec: { image: 'be:1', replicas: 1 } },
  }));
  const file = join(world.dir, `${namespace}.yaml`);
  writeFileSync(file, docs.map((d) => `---\n${stringify(d)}`).join(''));
  return file;
}

async function measure(namespace: string, count: number): Promise<{ total: number; kubectl: number }> {
  await kubectl('create', 'namespace', namespace);
  const file = manifest(namespace, count);
  const start = performance.now();
  await kubectl('apply', '-f', file);
  const applied = performance.now() - start;
  await waitFor(async () => ((await countOwned(namespace)) >= count * OBJECTS_PER_CLUSTER ? true : undefined), {
    what: `${count * OBJECTS_PER_CLUSTER} objects in ${namespace}`,
    timeoutMs: 600_000,
    intervalMs: 100,
  });
  return { total: performance.now() - start, kubectl: applied };
}

let child: ReturnType<typeof spawn> | undefined;
try {
  await kubectl('apply', '-k', join(REPO_ROOT, 'deploy'));
  await waitCrdEstablished(kubectl, 'starrocksclusters.starrocks.com');
  const logFile = join(world.dir, 'controller.log');
  child = spawn(
    join(REPO_ROOT, 'node_modules', '.bin', 'node'),
    [join(REPO_ROOT, 'controller', 'main.ts'), 'run', '--kubeconfig', world.kubeconfigPath, '--no-leader-election'],
    { stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')], env: { ...process.env, STARROCKS_CONTROLLER_LOG_LEVEL: 'warn' } },
  );
  const pid = child.pid ?? 0;
  await sleep(1_000);
  const idleRss = rssKb(pid, 'VmRSS');
  const one = await measure('bench-one', 1);
  const hundred = await measure('bench-hundred', 100);
  await sleep(2_000);
  process.stdout.write(
    [
      `controller benchmark (kubectl apply -> every owned object present; world with no nodes; load average ${loadavg()[0]?.toFixed(1) ?? '?'})`,
      `| clusters | objects | apply to all present | of which kubectl apply |`,
      `|---|---|---|---|`,
      `| 1 | ${OBJECTS_PER_CLUSTER} | ${one.total.toFixed(0)} ms | ${one.kubectl.toFixed(0)} ms |`,
      `| 100 | ${100 * OBJECTS_PER_CLUSTER} | ${(hundred.total / 1000).toFixed(1)} s | ${(hundred.kubectl / 1000).toFixed(1)} s |`,
      `controller memory: RSS idle ${(idleRss / 1024).toFixed(0)} MiB, now ${(rssKb(pid, 'VmRSS') / 1024).toFixed(0)} MiB, peak ${(rssKb(pid, 'VmHWM') / 1024).toFixed(0)} MiB (101 clusters)`,
      '',
    ].join('\n'),
  );
} finally {
  child?.kill('SIGTERM');
  await world.stop();
}
