// Benchmark (not a test): how fast the decision core and the SQL client are.
//   node_modules/.bin/node test/agent/bench/decision-bench.ts
// Prints planFeStart and parseFrontends throughput, and SHOW FRONTENDS latency through FeClient
// against one simulated FE next to raw mysql2 on the same FE (the floor).
import mysql from 'mysql2/promise';
import { parseFrontends } from '../../../agent/membership/frontends.ts';
import { planFeStart } from '../../../agent/plan/fe-start-plan.ts';
import { createFeClient } from '../../../agent/sql/fe-client.ts';
import { hostPort } from '../../../agent/sql/host-port.ts';
import { SimWorld } from '../../sim/world/sim-world.ts';
import { frontendsResult } from '../fixtures/membership.ts';
import { answered, fe, metaOf, runningCluster } from '../fixtures/plan.ts';

function perSecond(label: string, n: number, fn: (i: number) => unknown): void {
  for (let i = 0; i < 1000; i++) fn(i);
  const started = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const ms = performance.now() - started;
  console.log(`${label}: ${Math.round((n / ms) * 1000).toLocaleString('en')} per second (${(ms / n * 1000).toFixed(1)} µs each)`);
}

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): string => (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number).toFixed(2);
  return `p50 ${at(50)} ms, p99 ${at(99)} ms`;
}

const peers5 = runningCluster(5);
const inputs = [
  { ordinal: 0, meta: { kind: 'empty' as const }, peers: [] },
  { ordinal: 3, meta: { kind: 'empty' as const }, peers: peers5 },
  { ordinal: 2, meta: metaOf(2), peers: peers5 },
  { ordinal: 4, meta: { kind: 'empty' as const }, peers: [answered(fe(1), [{ host: fe(0), role: 'LEADER' }])] },
].map((i) => ({ ...i, self: hostPort(fe(i.ordinal), 9010), hostType: 'FQDN' as const, voters: 3, selfResolves: true, fence: { kind: 'absent' as const }, record: { kind: 'absent' as const } }));
perSecond('planFeStart (5 peers, 5 rows each)', 200_000, (i) => planFeStart(inputs[i % inputs.length] as (typeof inputs)[0]));
const big = frontendsResult(Array.from({ length: 9 }, (_, i) => ({ host: fe(i), role: i === 0 ? 'LEADER' : 'FOLLOWER' })), '3.5');
perSecond('parseFrontends (9 rows, 3.5 columns)', 200_000, () => parseFrontends(big));

const world = await SimWorld.start({ profile: '3.5', heartbeatIntervalMs: 500 });
try {
  const node = world.spawn({ component: 'fe' });
  await world.waitOpen(node.ip);
  const runs = 500;
  const client = createFeClient({ host: node.ip, port: 9030, password: '', timeoutMs: 10_000 });
  const raw = await mysql.createConnection({ host: node.ip, port: 9030, user: 'root' });
  // Separate phases: interleaving lets one client's statement ride on the other's round trip.
  const measure = async (fn: () => Promise<unknown>): Promise<number[]> => {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await fn();
      samples.push(performance.now() - started);
    }
    return samples;
  };
  const agent = await measure(async () => {
    const outcome = await client.showFrontends();
    if (!outcome.ok) throw new Error(outcome.failure.message);
  });
  const floor = await measure(() => raw.query('SHOW FRONTENDS'));
  console.log(`SHOW FRONTENDS via FeClient (typed rows), ${runs} runs: ${percentiles(agent)}`);
  console.log(`SHOW FRONTENDS via raw mysql2 (floor),   ${runs} runs: ${percentiles(floor)}`);
  await client.close();
  await raw.end();
} finally {
  await world.stop();
}
