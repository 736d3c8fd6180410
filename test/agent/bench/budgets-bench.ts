/**
 * The agent's start-up, memory and `/readyz` budgets (issue 13 item 4), printed, not asserted:
 *
 * - start: cold start of `dist/starrocks-agent --version`, and of `dist/starrocks-agent init` up
 *   to its first DNS query (the agent's DNS server is a UDP socket of this bench, which never
 *   answers), each against a bare `node -e 0` of the Node binary the executable embeds; alternating
 *   rounds (each round runs every candidate once, in a rotated order). Budget: 1.3x.
 * - memory: resident memory (VmRSS) of `run` supervising a simulated FE and BE, as the single
 *   executable, as the bundle on Node and from source, next to a bare idle Node process; and what
 *   loading each dependency costs in a fresh process (with the agent's Kubernetes client next to
 *   `@kubernetes/client-node`, README "The agent's Kubernetes client"). Budget: bare + 20 MB.
 * - readyz: `/readyz` of an FE agent at 500 requests/s for 10 s, open loop, from a separate process
 *   (the simulator's coordinator runs in this one), a new connection per request as kubelet makes
 *   them; p99, failures, and the membership statements the FE received per probe interval.
 *   Budget: p99 <= 2 ms, no failure, at most one membership read per interval.
 *
 * Run: `npm run bench:agent` or `node_modules/.bin/node test/agent/bench/budgets-bench.ts
 * [start|deps|memory|readyz]... [--rounds N] [--rate N] [--seconds N]`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { REPO_ROOT, ensureAgentExecutable, newestInput } from '../../images/fixtures/executable.ts';
import { processes, rssBytes } from '../fixtures/health-pods.ts';
import type { ProcInfo } from '../fixtures/health-pods.ts';
import { eventually, startSimCluster } from '../fixtures/sim-pods.ts';
import type { SimPod } from '../fixtures/sim-pods.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

const SELF = fileURLToPath(import.meta.url);
const BUNDLE = join(REPO_ROOT, 'dist', 'starrocks-agent.mjs');
const SOURCE = join(REPO_ROOT, 'agent', 'main.ts');
// The Node binary the single executable is made from (images/build-sea.ts: realpath of execPath).
const NODE = realpathSync(process.execPath);

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const ROUNDS = option('rounds', 30);
const RATE = option('rate', 500);
const SECONDS = option('seconds', 10);

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const mb = (bytes: number | undefined): string => (bytes === undefined ? '?' : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

// The pod's `run` process and its `/readyz`, whatever form the agent runs in (health-pods.ts's
// helpers know the source form only): found by its state dir and its last argument.
function runProcessOf(pod: SimPod): ProcInfo | undefined {
  return processes().find((p) => p.argv.at(-1) === 'run' && p.env.get('STARROCKS_AGENT_STATE_DIR') === pod.stateDir);
}

function readyzUrl(pod: SimPod): string | undefined {
  const port = runProcessOf(pod)?.env.get('STARROCKS_AGENT_PORT');
  return port === undefined ? undefined : `http://${pod.ip}:${port}/readyz`;
}

async function whenReady(pod: SimPod): Promise<string> {
  return eventually(
    async () => {
      const url = readyzUrl(pod);
      if (url === undefined) return undefined;
      const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
      return status === 200 ? url : undefined;
    },
    { timeoutMs: 120_000, what: `${pod.name} ready` },
  );
}

// ------------------------------------------------------------------------------------ start-up

interface StartCandidate {
  name: string;
  /** One cold start; resolves to milliseconds. */
  once(): Promise<number>;
  times: number[];
}

/** Spawn to exit (status 0 required). */
function untilExit(file: string, argv: readonly string[]): () => Promise<number> {
  return () =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        const elapsed = performance.now() - started;
        if (code === 0) resolve(elapsed);
        else reject(new Error(`${file} ${argv.join(' ')} exited ${String(code)}: ${stderr}`));
      });
    });
}

/** Spawn of `init` to the first DNS query packet at a socket of ours (never answered), then SIGKILL. */
async function untilFirstDnsQuery(file: string, argv: readonly string[]): Promise<{ once: () => Promise<number>; close: () => void }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const root = mkdtempSync(join(tmpdir(), 'budgets-init-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    COMPONENT_NAME: 'be',
    POD_NAME: 'sr-be-0',
    POD_NAMESPACE: 'data',
    POD_IP: '127.0.0.1',
    FE_SERVICE_NAME: 'sr-fe-service.data',
    STARROCKS_ROOT: root,
    STARROCKS_AGENT_STATE_DIR: join(root, 'state'),
    STARROCKS_AGENT_NO_KUBERNETES: 'true',
    STARROCKS_AGENT_DNS_SERVER: `127.0.0.1:${socket.address().port}`,
  };
  let waiting: ((at: number) => void) | undefined;
  socket.on('message', () => waiting?.(performance.now()));
  const once = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      let output = '';
      const child = spawn(file, [...argv, 'init'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      let queriedAt: number | undefined;
      waiting = (at) => {
        waiting = undefined;
        queriedAt = at;
        child.kill('SIGKILL');
      };
      child.on('exit', () => {
        clearTimeout(timer);
        waiting = undefined;
        if (queriedAt !== undefined) resolve(queriedAt - started);
        else reject(new Error(`${file} init ended before any DNS query: ${output}`));
      });
    });
  return {
    once,
    close: () => {
      socket.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function benchStart(executable: string): Promise<void> {
  const seaInit = await untilFirstDnsQuery(executable, []);
  const bundleInit = await untilFirstDnsQuery(NODE, [BUNDLE]);
  const candidates: StartCandidate[] = [
    { name: 'node -e 0', once: untilExit(NODE, ['-e', '0']), times: [] },
    { name: 'starrocks-agent --version', once: untilExit(executable, ['--version']), times: [] },
    { name: 'starrocks-agent init, to its first DNS query', once: seaInit.once, times: [] },
    { name: 'node starrocks-agent.mjs init, to first DNS query', once: bundleInit.once, times: [] },
  ];
  try {
    // A warm-up run each: the first read of a 130 MB file comes from disk, not the page cache.
    for (const candidate of candidates) await candidate.once();
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < candidates.length; i++) {
        const candidate = candidates[(round + i) % candidates.length] as StartCandidate;
        candidate.times.push(await candidate.once());
      }
    }
  } finally {
    seaInit.close();
    bundleInit.close();
  }
  const bare = median((candidates[0] as StartCandidate).times);
  console.log(`start-up: ${ROUNDS} alternating rounds, median (min..max), ratio to bare node (budget 1.3x)`);
  for (const candidate of candidates) {
    const m = median(candidate.times);
    console.log(
      `  ${candidate.name.padEnd(50)} ${m.toFixed(1).padStart(6)} ms  (${Math.min(...candidate.times).toFixed(1)}..${Math.max(...candidate.times).toFixed(1)})  ${(m / bare).toFixed(2)}x`,
    );
  }
}

// ------------------------------------------------------------------------------------ memory

/** RSS of a fresh Node process after it ran `file` and idled 1 s. */
async function rssAfter(file: string): Promise<number | undefined> {
  const child = spawn(NODE, [file], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready from ${file}`)), 30_000);
      child.stdout.on('data', () => {
        clearTimeout(timer);
        resolve();
      });
      child.on('exit', (c) => reject(new Error(`${file} exited ${String(c)}`)));
    });
    await sleep(1000);
    return child.pid === undefined ? undefined : rssBytes(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

// A kubeconfig as the world writes one (token and CA inline), for the two Kubernetes clients below.
const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: bench
clusters: [{ name: bench, cluster: { server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true } }]
users: [{ name: bench, user: { token: bench-token } }]
contexts: [{ name: bench, context: { cluster: bench, user: bench } }]
`;

// What each dependency costs as the agent ships it: bundled by esbuild (no module loader, one
// script), loaded and used the way the agent uses it.
const LOADS: ReadonlyArray<[string, string]> = [
  ['nothing (bare)', ''],
  ['pino, one logger', "import pino from 'pino'; pino({ level: 'info' });"],
  ['fastify, one app listening', "import Fastify from 'fastify'; const app = Fastify({ logger: false }); app.get('/', async () => 'ok'); await app.listen({ host: '127.0.0.1', port: 0 });"],
  ['node:http, one server listening', "import { createServer } from 'node:http'; await new Promise((r) => createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', r));"],
  ['mysql2', "import mysql from 'mysql2'; void mysql.createConnection;"],
  ['prom-client, registry with default metrics', "import { Registry, collectDefaultMetrics } from 'prom-client'; collectDefaultMetrics({ register: new Registry() });"],
  // The agent's Kubernetes client against client-node, each configured from a kubeconfig as in the
  // world (the agent keeps its own: README, "The agent's Kubernetes client").
  ['agent/kube/rest.ts, a client from a kubeconfig', `import { agentRest, connectionFromKubeconfig } from ${JSON.stringify(join(REPO_ROOT, 'agent', 'kube', 'rest.ts'))}; agentRest({ connection: connectionFromKubeconfig(${JSON.stringify(KUBECONFIG)}, '/'), fieldManager: 'bench', timeoutMs: 1000 });`],
  ['@kubernetes/client-node, KubeConfig and 2 clients', `import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node'; const kc = new KubeConfig(); kc.loadFromString(${JSON.stringify(KUBECONFIG)}); kc.makeApiClient(CoreV1Api); kc.makeApiClient(AppsV1Api);`],
];

async function benchModuleCosts(): Promise<number | undefined> {
  const dir = join(REPO_ROOT, '.cache', 'bench', 'loads');
  mkdirSync(dir, { recursive: true });
  const results: Array<[string, number | undefined]> = [];
  for (const [i, [name, code]] of LOADS.entries()) {
    const entry = join(dir, `load-${i}.mjs`);
    writeFileSync(entry, `${code}\nprocess.stdout.write('ready\\n'); setInterval(() => {}, 1000);\n`);
    const outfile = join(dir, `load-${i}.bundle.mjs`);
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minifySyntax: true,
      outfile,
      logLevel: 'error',
      nodePaths: [join(REPO_ROOT, 'node_modules')],
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    results.push([name, await rssAfter(outfile)]);
  }
  const bare = results[0]?.[1];
  console.log('memory: a fresh Node process running an esbuild bundle of each dependency, used as the agent uses it, idle 1 s (VmRSS)');
  for (const [name, rss] of results) console.log(`  ${name.padEnd(44)} ${mb(rss).padStart(9)}  +${mb((rss ?? 0) - (bare ?? 0))}`);
  return bare;
}

interface RunCandidate {
  name: string;
  agentEntry: string;
  env?: Record<string, string>;
}

/** RSS samples of an agent's `run` for a few seconds of idle supervising. */
async function runRss(pod: SimPod): Promise<{ median: number; max: number }> {
  const run = await eventually(async () => runProcessOf(pod), { timeoutMs: 60_000, what: `${pod.name} run process` });
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    await sleep(250);
    const rss = rssBytes(run.pid);
    if (rss !== undefined) samples.push(rss);
  }
  return { median: median(samples), max: Math.max(...samples) };
}

async function benchRunMemory(executable: string, bare: number | undefined): Promise<void> {
  const candidates: RunCandidate[] = [
    { name: 'starrocks-agent (single executable)', agentEntry: executable },
    { name: 'node dist/starrocks-agent.mjs (bundle)', agentEntry: BUNDLE },
    { name: 'node agent/main.ts (source)', agentEntry: SOURCE },
  ];
  console.log(`memory: agent run supervising a simulated FE and BE, 5 s probe interval, VmRSS median (max) over 5 s idle; bare idle node ${mb(bare)} (budget bare + 20 MB = ${mb((bare ?? 0) + 20 * 1024 * 1024)})`);
  for (const candidate of candidates) {
    const sim = await startSimCluster({ agentEntry: candidate.agentEntry });
    try {
      const env = { STARROCKS_AGENT_PROBE_INTERVAL_MS: '5000', ...candidate.env };
      const fe = sim.startPod('fe', 0, { env });
      await whenReady(fe);
      const be = sim.startPod('be', 0, { env });
      await whenReady(be);
      const [feRss, beRss] = [await runRss(fe), await runRss(be)];
      const over = (rss: number): string => `bare +${mb(rss - (bare ?? 0))}`;
      console.log(
        `  ${candidate.name.padEnd(44)} FE ${mb(feRss.median)} (${mb(feRss.max)}) ${over(feRss.median)}; BE ${mb(beRss.median)} (${mb(beRss.max)}) ${over(beRss.median)}`,
      );
    } finally {
      await sim.stop();
    }
  }
}

// ------------------------------------------------------------------------------------ readyz

interface LoadResult {
  latencies: number[];
  failures: number;
  elapsedMs: number;
}

/** One GET on a new connection (kubelet's probes do not keep connections alive). */
function probeOnce(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = performance.now();
    const req = request(url, { agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve(performance.now() - sent) : reject(new Error(`status ${String(response.statusCode)}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The load generator, run as its own process: open loop, requests leave on schedule. */
async function loadGenerator(url: string, rate: number, seconds: number): Promise<LoadResult> {
  const target = new URL(url);
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const requests: Array<Promise<void>> = [];
  for (let i = 0; i < rate * seconds; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    requests.push(probeOnce(target).then((ms) => void latencies.push(ms), () => void failures++));
  }
  await Promise.all(requests);
  return { latencies, failures, elapsedMs: performance.now() - started };
}

function runLoad(url: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(NODE, [SELF, '--load', url, String(RATE), String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${String(code)}`))));
  });
}

async function benchReadyz(executable: string): Promise<void> {
  const intervalMs = 1000;
  const sim = await startSimCluster({ agentEntry: executable });
  try {
    const pod = sim.startPod('fe', 0, { env: { STARROCKS_AGENT_PROBE_INTERVAL_MS: String(intervalMs) } });
    const url = await whenReady(pod);
    const run = runProcessOf(pod);
    const from = Date.now();
    let rssPeak = 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, run === undefined ? 0 : (rssBytes(run.pid) ?? 0))), 250);
    const result = await runLoad(url);
    clearInterval(sampler);
    const to = Date.now();
    const sorted = [...result.latencies].sort((a, b) => a - b);
    const intervals = (to - from) / intervalMs;
    const byKind = new Map<string, number>();
    for (const s of sim.world.statements().filter((s) => s.at >= from && s.at <= to)) {
      const kind = s.sql.trim().replace(/\s+/g, ' ').toUpperCase();
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    console.log(`/readyz of an FE agent (single executable), ${RATE} req/s for ${SECONDS} s, a new connection each, load from its own process`);
    console.log(`  ${result.latencies.length + result.failures} requests in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.failures} failed`);
    console.log(`  latency p50 ${quantile(sorted, 0.5).toFixed(2)} ms, p99 ${quantile(sorted, 0.99).toFixed(2)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(2)} ms (budget p99 <= 2 ms)`);
    console.log(`  agent run RSS peak under load ${mb(rssPeak)}`);
    console.log(`  statements the FE received meanwhile (${intervals.toFixed(1)} probe intervals of ${intervalMs} ms; budget: at most one membership read per interval):`);
    for (const [kind, count] of byKind) console.log(`    ${String(count).padStart(4)}  ${(count / intervals).toFixed(2)}/interval  ${kind}`);
  } finally {
    await sim.stop();
  }
}

// ------------------------------------------------------------------------------------ main

async function ensureBundle(): Promise<void> {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= (await newestInput())) return;
  await promisify(execFile)('npm', ['run', '--silent', 'build:agent'], { cwd: REPO_ROOT, timeout: 120_000 });
}

if (args[0] === '--load') {
  const result = await loadGenerator(args[1] as string, Number(args[2]), Number(args[3]));
  process.stdout.write(JSON.stringify(result));
} else {
  const parts = args.filter((a) => ['start', 'deps', 'memory', 'readyz'].includes(a));
  const want = (part: string): boolean => parts.length === 0 || parts.includes(part);
  const executable = await ensureAgentExecutable('x64');
  await ensureBundle();
  console.log(`agent budgets (${new Date().toISOString()}, load average ${loadavg()[0]?.toFixed(1)}, Node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? '?'} CPUs)`);
  if (want('start')) await benchStart(executable);
  if (want('deps') || want('memory')) {
    const bare = await benchModuleCosts();
    if (want('memory')) await benchRunMemory(executable, bare);
  }
  if (want('readyz')) await benchReadyz(executable);
}
