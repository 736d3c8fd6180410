// Benchmark (not a test): a fresh 3 FE / 3 BE / 1 CN cluster, from pod start to every member
// registered and Alive in the leader's view.
//   node_modules/.bin/node test/agent/bench/bootstrap-bench.ts [runs]     (npm run bench runs it)
// "agent": seven agent pods (init, then run) started at once, as a StatefulSet with Parallel
// pod management does. "floor": the same seven simulated processes in the same kind of world,
// started directly with the right flags (FE 1 and 2 with --helper FE 0), and the six ADD
// statements sent by this script the moment FE 0 answers: what no agent can beat.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { names } from '../../../agent/contract/index.ts';
import type { Component } from '../../../agent/contract/index.ts';
import { createFeClient } from '../../../agent/sql/fe-client.ts';
import { hostPort } from '../../../agent/sql/host-port.ts';
import { addBackend, addComputeNode, addFrontend } from '../../../agent/sql/statements.ts';
import { starrocksPod } from '../../sim/dns/starrocks-services.ts';
import { converged, dumpPods, startSimCluster } from '../fixtures/sim-pods.ts';
import type { ClusterView } from '../fixtures/sim-pods.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

const MEMBERS: ReadonlyArray<[Component, number]> = [['fe', 0], ['fe', 1], ['fe', 2], ['be', 0], ['be', 1], ['be', 2], ['cn', 0]];
const WANT = { fe: 3, be: 3, cn: 1 };
const TIMEOUT_MS = 180_000;
const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 3);

function allAlive(v: ClusterView): boolean {
  return (
    v.frontends.length === WANT.fe &&
    v.frontends.every((f) => f.alive && f.join) &&
    v.backends.length === WANT.be &&
    v.backends.every((b) => b.alive) &&
    v.computeNodes.length === WANT.cn &&
    v.computeNodes.every((c) => c.alive)
  );
}

// The pods run the agent as it ships: one bundled file (as `npm run build:agent` makes it), not
// the TypeScript sources, whose loading alone costs seconds on a loaded machine.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = join(ROOT, '.cache', 'bench', 'starrocks-agent.mjs');
mkdirSync(join(ROOT, '.cache', 'bench'), { recursive: true });
await build({
  entryPoints: [join(ROOT, 'agent', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minifySyntax: true,
  legalComments: 'none',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  outfile: BUNDLE,
  logLevel: 'error',
});

async function withAgents(): Promise<{ total: number; initsDone: number }> {
  const sim = await startSimCluster({ agentEntry: BUNDLE });
  try {
    const started = performance.now();
    const pods = MEMBERS.map(([component, ordinal]) => sim.startPod(component, ordinal));
    let initsDone = 0;
    void Promise.all(pods.map((p) => p.init)).then(() => (initsDone = performance.now() - started));
    await converged(sim, WANT, TIMEOUT_MS);
    if (process.env.BENCH_DUMP !== undefined) writeFileSync(process.env.BENCH_DUMP, dumpPods(pods, 20_000));
    return { total: performance.now() - started, initsDone };
  } finally {
    await sim.stop();
  }
}

async function floor(): Promise<number> {
  const sim = await startSimCluster();
  try {
    const fqdn = (component: Component, ordinal: number): string =>
      `${names(sim.cluster).pod(component, ordinal)}.${names(sim.cluster).searchService(component)}.${sim.namespace}.svc.${sim.dns.domain}`;
    const nodes = MEMBERS.map(([component, ordinal]) => {
      const ip = sim.world.addresses.next();
      const root = sim.world.createTree(component);
      sim.dns.setPod(starrocksPod({ namespace: sim.namespace, cluster: sim.cluster, component, ordinal, ip, ready: false }));
      return { component, ordinal, ip, root };
    });
    const fe0 = nodes[0] as (typeof nodes)[0];
    const helper = `${fqdn('fe', 0)}:9010`;
    const started = performance.now();
    for (const n of nodes) {
      const args = n.component !== 'fe' ? [] : n.ordinal === 0 ? ['--host_type', 'FQDN'] : ['--host_type', 'FQDN', '--helper', helper];
      sim.world.spawn({ component: n.component, ip: n.ip, root: n.root, args });
    }
    const client = createFeClient({ host: fe0.ip, port: 9030, password: '', timeoutMs: 3000, connectTimeoutMs: 1000 });
    try {
      await poll(async () => (await client.showFrontends()).ok);
      const statements = [
        addFrontend('FOLLOWER', hostPort(fqdn('fe', 1), 9010)),
        addFrontend('FOLLOWER', hostPort(fqdn('fe', 2), 9010)),
        ...[0, 1, 2].map((i) => addBackend(hostPort(fqdn('be', i), 9050))),
        addComputeNode(hostPort(fqdn('cn', 0), 9050)),
      ];
      for (const statement of statements) {
        const outcome = await client.exec(statement);
        if (!outcome.ok) throw new Error(`${statement.sql}: ${outcome.failure.message}`);
      }
      await poll(async () => {
        const [frontends, backends, computeNodes] = await Promise.all([client.showFrontends(), client.showBackends(), client.showComputeNodes()]);
        return frontends.ok && backends.ok && computeNodes.ok && allAlive({ frontends: frontends.value, backends: backends.value, computeNodes: computeNodes.value });
      });
      return performance.now() - started;
    } finally {
      await client.close();
    }
  } finally {
    await sim.stop();
  }
}

async function poll(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(20);
  }
  throw new Error(`timed out after ${TIMEOUT_MS} ms`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const agentTimes: number[] = [];
const floorTimes: number[] = [];
console.log(`fresh 3 FE / 3 BE / 1 CN, start to all registered and Alive (${runs} runs, 300 ms heartbeat, 200 ms join poll, load average ${loadavg()[0]?.toFixed(1)})`);
for (let i = 0; i < runs; i++) {
  const agent = await withAgents();
  const direct = await floor();
  agentTimes.push(agent.total);
  floorTimes.push(direct);
  console.log(`  run ${i + 1}: agent ${seconds(agent.total)} (every init container done at ${seconds(agent.initsDone)}), floor ${seconds(direct)}`);
}
const a = median(agentTimes);
const f = median(floorTimes);
console.log(`median: agent ${seconds(a)}, floor ${seconds(f)} (agent overhead ${seconds(a - f)}, x${(a / f).toFixed(2)})`);

