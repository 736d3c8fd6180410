/**
 * Probe benchmark (issue 6), printed, not asserted: an agent pod supervising a simulated FE
 * answers `/readyz` at a fixed request rate (open loop: requests leave on schedule whether or
 * not earlier ones answered), with latency p50/p99; and the `run` process's resident memory while
 * supervising, next to a bare Node process's.
 *
 * Run: `node_modules/.bin/node test/agent/bench/probe-bench.ts [rate per s] [seconds]`.
 */
import { spawn } from 'node:child_process';
import { agentProcesses, agentUrl, getAgent, rssBytes } from '../fixtures/health-pods.ts';
import { eventually, startSimCluster } from '../fixtures/sim-pods.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

const RATE = Number(process.argv[2] ?? 200);
const SECONDS = Number(process.argv[3] ?? 10);

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const mb = (bytes: number | undefined): string => (bytes === undefined ? '?' : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

const sim = await startSimCluster();
try {
  // The agent's default probe interval, as in production.
  const pod = sim.startPod('fe', 0, { env: { STARROCKS_AGENT_PROBE_INTERVAL_MS: '5000' } });
  await eventually(async () => (await getAgent(pod, '/readyz')).status === 200 || undefined, { timeoutMs: 120_000, what: 'the FE pod ready' });
  const url = agentUrl(pod, '/readyz') as string;
  const run = agentProcesses(pod, 'run')[0];
  if (run === undefined) throw new Error('no run process');

  const rssIdle = rssBytes(run.pid);
  const total = RATE * SECONDS;
  const latencies: number[] = [];
  let failures = 0;
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(run.pid) ?? 0)), 250);
  const started = performance.now();
  const requests: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sent = performance.now();
    requests.push(
      fetch(url, { signal: AbortSignal.timeout(10_000) })
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.status === 200) latencies.push(performance.now() - sent);
          else failures++;
        })
        .catch(() => {
          failures++;
        }),
    );
  }
  await Promise.all(requests);
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const rssAfter = rssBytes(run.pid);
  latencies.sort((a, b) => a - b);

  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(1500);
  const bareRss = bare.pid === undefined ? undefined : rssBytes(bare.pid);
  bare.kill('SIGKILL');

  const load = (await import('node:os')).loadavg()[0]?.toFixed(1);
  console.log(`probe benchmark (${new Date().toISOString()}, load average ${load}, Node ${process.version})`);
  console.log(`/readyz at ${RATE} req/s for ${SECONDS} s (${total} requests in ${elapsed.toFixed(1)} s), ${failures} failed`);
  console.log(`  latency p50 ${quantile(latencies, 0.5).toFixed(2)} ms, p99 ${quantile(latencies, 0.99).toFixed(2)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(2)} ms`);
  console.log(`resident memory: agent run (supervising the FE, from source) ${mb(rssIdle)} idle, ${mb(rssPeak)} peak under load, ${mb(rssAfter)} after; bare node -e 'setInterval(...)' ${mb(bareRss)}`);
} finally {
  await sim.stop();
}
