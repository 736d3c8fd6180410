/**
 * Benchmark: the memory and TCP connections of the controller's request path. One Kubernetes
 * world (no nodes); for each variant a fresh process applies N ConfigMaps through the controller's
 * KubeApi, 20 at a time (a reconcile applies its objects in parallel), then prints its RSS, the V8
 * heap after a GC and the TLS connections it opened (undici's `undici:client:connected`
 * diagnostics channel).
 *
 *   node_modules/.bin/node test/controller/bench/request-memory-bench.ts [applies]
 *
 * Variants: `per-request` (client-node's own KubeConfig: a new undici Agent, so a new TLS
 * connection, per request), `shared` (the controller's KubeConfig: one dispatcher), and
 * `per-request` with MALLOC_ARENA_MAX=2 (glibc arenas, for comparison only); BENCH_ROWS=1,3 picks
 * rows by index (3: `shared` with MALLOC_ARENA_MAX=2), BENCH_NODE_FLAGS adds flags to each child.
 */
import { execFile } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';
import { clientNodeKubeApi } from '../../../controller/kube/client-node-api.ts';
import { loadKubeConfig } from '../../../controller/kube/kube-config.ts';

const exec = promisify(execFile);
const CONCURRENCY = 20;

async function child(variant: string, kubeconfig: string, count: number, namespace: string): Promise<void> {
  let connections = 0;
  subscribe('undici:client:connected', () => void connections++);
  const kubeConfig = variant === 'shared' ? loadKubeConfig({ kubeconfig, env: {} }) : new KubeConfig();
  if (variant !== 'shared') kubeConfig.loadFromFile(kubeconfig);
  const api = clientNodeKubeApi({ kubeConfig, fieldManager: 'bench', timeoutMs: 30_000 });
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const mib = (n: number): string => (n / 1048576).toFixed(0);
  const startRss = process.memoryUsage().rss;
  const start = performance.now();
  let next = 0;
  const steps: string[] = [];
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      if (i > 0 && i % Math.ceil(count / 3) === 0) steps.push(mib(process.memoryUsage().rss));
      await api.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i % 500}`, namespace, labels: {} },
        data: { index: String(i), payload: 'x'.repeat(2000) },
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  const afterRss = process.memoryUsage().rss;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  gc();
  const idle = process.memoryUsage();
  process.stdout.write(
    `| ${variant}${process.env.MALLOC_ARENA_MAX === undefined ? '' : ` MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}`} | ${count} | ${connections} | ${seconds.toFixed(1)} s | ${mib(startRss)} MiB | ${steps.join(', ')}, ${mib(afterRss)} MiB | ${mib(idle.rss)} MiB | ${mib(idle.heapUsed)} / ${mib(idle.heapTotal)} MiB | ${mib(idle.external)} MiB |\n`,
  );
}

async function main(): Promise<void> {
  const { startWorld } = await import('../../world/world.ts');
  const count = Number(process.argv[2] ?? 3300);
  const world = await startWorld({ nodes: 0 });
  const node = process.execPath;
  const self = fileURLToPath(import.meta.url);
  try {
    process.stdout.write(
      `request path, ${count} server-side applies of ConfigMaps, ${CONCURRENCY} at a time, one process per row\n` +
        '| variant | applies | TLS connections | time | RSS before | RSS at each third | RSS 6 s later, after GC | V8 heap used / total | external |\n|---|---|---|---|---|---|---|---|---|\n',
    );
    const all: { variant: string; env?: Record<string, string> }[] = [
      { variant: 'per-request' },
      { variant: 'shared' },
      { variant: 'per-request', env: { MALLOC_ARENA_MAX: '2' } },
      { variant: 'shared', env: { MALLOC_ARENA_MAX: '2' } },
    ];
    const rows = process.env.BENCH_ROWS === undefined ? all.slice(0, 3) : process.env.BENCH_ROWS.split(',').map((i) => all[Number(i)] ?? { variant: 'shared' });
    for (const [i, row] of rows.entries()) {
      const namespace = `bench-${i}`;
      await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, 'create', 'namespace', namespace]);
      const { stdout } = await exec(node, ['--expose-gc', ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter((f) => f !== '') ?? []), self, '--child', row.variant, world.kubeconfigPath, String(count), namespace], {
        env: { ...process.env, ...row.env },
        timeout: 600_000,
      });
      process.stdout.write(stdout);
    }
  } finally {
    await world.stop();
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] ?? '', process.argv[4] ?? '', Number(process.argv[5]), process.argv[6] ?? 'default');
} else {
  await main();
}
