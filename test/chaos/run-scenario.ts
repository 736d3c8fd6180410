/**
 * Runs one scenario once: a world cluster (real control plane, pod runner, simulator, CoreDNS
 * behind a DNS fault proxy) running our agent or the baseline, the scenario's actions and faults
 * with timing from the seed, then the invariants until they all hold or the bound passes. A run
 * that breaks one returns its violations and a timeline (actions, faults, statements, agent events).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../agent/contract/backoff.ts';
import { PORTS, names } from '../../agent/contract/index.ts';
import { startWorldCluster } from '../e2e/fixtures/world-cluster.ts';
import type { Shape, WorldCluster, WorldClusterOptions } from '../e2e/fixtures/world-cluster.ts';
import { startDnsFaultProxy } from './dns-fault-proxy.ts';
import type { DnsFaultProxy } from './dns-fault-proxy.ts';
import { checkFinal, quorumBreak } from './invariants.ts';
import type { DesiredHosts, QuorumBreak, Rows, Violation, VoterSample } from './invariants.ts';
import { seededRandom } from './rng.ts';
import { ROOT_PASSWORD_SECRET } from './scenario.ts';
import type { AgentKind, Scenario, ScenarioContext } from './scenario.ts';

/** The images each agent's pods run (the world's image table knows both). */
export const AGENT_IMAGES: Readonly<Record<AgentKind, { fe: string; be: string }>> = {
  ours: { fe: 'starrocks-fe-agent:3.3', be: 'starrocks-be-agent:3.3' },
  baseline: { fe: 'starrocks-fe-baseline:3.3', be: 'starrocks-be-baseline:3.3' },
};

/** Options of `runScenario`. */
export interface RunOptions {
  scenario: Scenario;
  seed: number;
  agent: AgentKind;
  /** Each timeline line as it happens (a live log); nothing by default. */
  onLine?: (line: string) => void;
}

/** What one run found. */
export interface RunReport {
  scenario: string;
  seed: number;
  agent: AgentKind;
  violations: Violation[];
  /** From the end of the faults to every invariant holding; undefined when they never all held. */
  convergeMs: number | undefined;
  timeline: string[];
}

const RUN_LIMIT_MS = 420_000;
const SAMPLE_MS = 250;
/** How long every invariant must keep holding before a run counts as converged. */
const STABLE_MS = 3_000;

/** Runs `scenario` with `seed` against `agent`. */
export async function runScenario(options: RunOptions): Promise<RunReport> {
  const { scenario, seed, agent } = options;
  const rng = seededRandom(seed);
  const started = Date.now();
  const timeline: string[] = [];
  const note = (what: string): void => {
    const line = `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`;
    timeline.push(line);
    options.onLine?.(line);
  };
  note(`scenario ${scenario.name}, seed ${seed}, agent ${agent}`);
  const fqdn = (component: 'fe' | 'be' | 'cn', ordinal: number): string =>
    `${names('sr').pod(component, ordinal)}.${names('sr').searchService(component)}.e2e.svc.cluster.local`;

  let proxy: DnsFaultProxy | undefined;
  let cluster: WorldCluster | undefined;
  const rootPasswords: string[] = scenario.rootPassword === undefined ? [] : [scenario.rootPassword];
  const violations: Violation[] = [];
  let convergeMs: number | undefined;
  try {
    cluster = await startWorldCluster({
      shape: scenario.shape,
      nodes: scenario.nodes ?? 1,
      ...(scenario.graceSeconds === undefined ? {} : { graceSeconds: scenario.graceSeconds }),
      agent: { ...scenario.agent, ...(scenario.rootPassword === undefined ? {} : { passwordSecret: { name: ROOT_PASSWORD_SECRET, key: 'password' } }) },
      components: withImages(scenario.components, agent),
      rootPasswords: () => rootPasswords,
      ...(scenario.rootPassword === undefined ? {} : { beforeApply: (kubectl: (...args: string[]) => Promise<string>) => createRootSecret(kubectl, scenario.rootPassword ?? '') }),
      podDns: async (coreDns) => {
        proxy = await startDnsFaultProxy({ upstream: coreDns });
        scenario.beforeStart?.({ rng, dns: proxy, note, fqdn });
        return proxy.endpoint;
      },
    });
    const c = cluster;
    const dns = proxy as unknown as DnsFaultProxy;
    note('StarRocksCluster applied');
    if (scenario.waitConverged !== false) {
      await c.converged(scenario.shape, 240_000);
      note(`converged: ${scenario.shape.fe} FE, ${scenario.shape.be} BE, ${scenario.shape.cn} CN`);
    }
    for (const [i, table] of (scenario.tables ?? []).entries()) {
      c.sim.createTable({ db: 'chaos', table: `t${i}`, ...table });
      note(`table chaos.t${i}: ${table.buckets} buckets x ${table.replicationNum} replicas`);
    }

    const quorumBreaks: QuorumBreak[] = [];
    let sampling = true;
    const sampler = samplerLoop(c, quorumBreaks, () => sampling);

    const desired: Shape = { ...scenario.shape };
    const ctx: ScenarioContext = {
      cluster: c,
      agent,
      rng,
      dns,
      note,
      fqdn,
      desired,
      rootPasswords,
      async step(what, action) {
        note(`> ${what}`);
        try {
          const out = await action();
          note(`< ${what}: done`);
          return out;
        } catch (error) {
          note(`< ${what}: failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
          throw error;
        }
      },
      async pause(minMs, maxMs) {
        const ms = rng.int(minMs, maxMs);
        note(`wait ${ms} ms`);
        await sleep(ms);
      },
    };
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      scenario.run(ctx),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the scenario's actions took over ${RUN_LIMIT_MS} ms`)), RUN_LIMIT_MS))),
    ]).finally(() => clearTimeout(timer));
    dns.clear();
    const faultsEnded = Date.now();
    note(`faults over; desired ${desired.fe} FE, ${desired.be} BE, ${desired.cn} CN; bound ${(scenario.boundMs ?? 120_000) / 1000} s`);

    // Every invariant but the secret scan, polled until all hold for STABLE_MS on end (a late
    // effect of a fault, such as a pod leaving after the first all-clear, resets the wait) or the
    // bound passes.
    const deadline = faultsEnded + (scenario.boundMs ?? 120_000);
    let last: Violation[] = [];
    let holdingSince: number | undefined;
    for (let i = 0; i < 10_000; i++) {
      last = checkFinal({
        clusterIds: c.sim.clusterIdsCreated(),
        desired: desiredHosts(desired, fqdn),
        pods: { desired: desiredPods(desired), actual: [...(await c.pods('fe')), ...(await c.pods('be')), ...(await c.pods('cn'))] },
        rows: await rows(c),
        tablets: { lost: c.sim.lostTablets().length, underReplicated: c.sim.underReplicatedTablets().length },
        statements: c.sim.statements(),
        secretHits: [],
        quorumBreaks,
      });
      if (last.length === 0) {
        if (holdingSince === undefined) {
          holdingSince = Date.now();
          convergeMs = holdingSince - faultsEnded;
          note(`every invariant holds, ${convergeMs} ms after the faults`);
        }
        if (Date.now() - holdingSince >= STABLE_MS) break;
      } else if (holdingSince !== undefined) {
        note(`broken again after holding ${Date.now() - holdingSince} ms: ${last.map((v) => v.invariant).join(', ')}`);
        holdingSince = undefined;
        convergeMs = undefined;
      }
      if (Date.now() > deadline) break;
      await sleep(500);
    }
    sampling = false;
    await sampler;
    violations.push(...last);
    for (const hit of await secretHits(c, rootPasswords)) violations.push({ invariant: 'no-secret', detail: `${hit}` });
    for (const s of c.sim.statements()) if (/^\s*(ALTER|CREATE|DROP|SET|GRANT)/i.test(s.sql)) timeline.push(`${((s.at - started) / 1000).toFixed(1).padStart(6)} s  sql ${s.fe} ${s.result}: ${redact(s.sql)}${s.error === undefined ? '' : ` (${s.error})`}`);
    for (const e of await c.agentEvents().catch(() => [])) timeline.push(`        event ${e.pod} ${e.type} ${e.reason}: ${e.message}`);
    if (violations.length > 0) timeline.push(c.diagnostics());
  } catch (error) {
    violations.push({ invariant: 'all-registered', detail: `the run failed: ${error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error)}` });
    if (cluster !== undefined) timeline.push(cluster.diagnostics());
  } finally {
    await cluster?.stop();
    await proxy?.stop();
  }
  for (const v of violations) note(`BROKEN ${v.invariant}: ${v.detail}`);
  return { scenario: scenario.name, seed, agent, violations, convergeMs, timeline: timeline.sort(byTime) };
}

function withImages(components: WorldClusterOptions['components'], agent: AgentKind): WorldClusterOptions['components'] {
  const out: NonNullable<WorldClusterOptions['components']> = {};
  for (const c of ['fe', 'be', 'cn'] as const) {
    const given = components?.[c];
    out[c] = { ...given, spec: { image: c === 'fe' ? AGENT_IMAGES[agent].fe : AGENT_IMAGES[agent].be, ...given?.spec } };
  }
  return out;
}

function desiredHosts(shape: Shape, fqdn: (c: 'fe' | 'be' | 'cn', i: number) => string): DesiredHosts {
  const hosts = (c: 'fe' | 'be' | 'cn'): string[] => Array.from({ length: shape[c] }, (_, i) => fqdn(c, i));
  return { fe: hosts('fe'), be: hosts('be'), cn: hosts('cn') };
}

function desiredPods(shape: Shape): string[] {
  const n = names('sr');
  return (['fe', 'be', 'cn'] as const).flatMap((c) => Array.from({ length: shape[c] }, (_, i) => n.pod(c, i)));
}

async function rows(c: WorldCluster): Promise<Rows | undefined> {
  const v = await c.view().catch(() => undefined);
  if (v === undefined) return undefined;
  return {
    frontends: v.frontends.map((f) => ({ host: f.host, alive: f.alive })),
    backends: v.backends.map((b) => ({ host: b.host, alive: b.alive })),
    computeNodes: v.computeNodes.map((n) => ({ host: n.host, alive: n.alive })),
  };
}

// Every cluster the simulator created, sampled: a membership change that leaves the voters
// without a live majority is recorded.
async function samplerLoop(c: WorldCluster, out: QuorumBreak[], running: () => boolean): Promise<void> {
  const previous = new Map<number, VoterSample>();
  for (let i = 0; i < 100_000 && running(); i++) {
    for (const id of c.sim.clusterIdsCreated()) {
      const q = c.sim.voterQuorum(id);
      if (q === undefined) continue;
      const sample: VoterSample = { at: Date.now(), ...q };
      const before = previous.get(id);
      const broken = before === undefined ? undefined : quorumBreak(before, sample);
      if (broken !== undefined) out.push({ ...broken, detail: `cluster ${id}: ${broken.detail}` });
      previous.set(id, sample);
    }
    await sleep(SAMPLE_MS);
  }
}

// Creates root's password Secret from a file (a password never goes into a command line).
async function createRootSecret(kubectl: (...args: string[]) => Promise<string>, password: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-root-'));
  try {
    writeFileSync(join(dir, 'password'), password, { mode: 0o600 });
    await kubectl('-n', 'e2e', 'create', 'secret', 'generic', ROOT_PASSWORD_SECRET, `--from-file=password=${join(dir, 'password')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The generated agent password (every cluster has it) and every root password the scenario set:
// none may appear in any pod log, event, annotation or agent metric.
async function secretHits(c: WorldCluster, rootPasswords: readonly string[]): Promise<string[]> {
  const secret = await c.world.kube.core.readNamespacedSecret({ namespace: c.namespace, name: `${c.name}-starrocks-agent-password` }).catch(() => undefined);
  const encoded = secret?.data?.password;
  const agentPassword = encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
  const named = [
    ...(agentPassword === undefined ? [] : [{ what: 'the agent password', value: agentPassword }]),
    ...rootPasswords.map((value, i) => ({ what: i === 0 ? "root's password" : "root's previous password", value })),
  ].filter((p) => p.value.length >= 8);
  const hits: string[] = [];
  for (const { what, value } of named) for (const where of await secretWhere(c, value)) hits.push(`${what} appears in ${where}`);
  return hits;
}

async function secretWhere(c: WorldCluster, password: string): Promise<string[]> {
  const hits: string[] = [];
  const podsDir = join(c.world.dir, 'pods');
  for (const uid of safeList(podsDir)) {
    for (const file of safeList(join(podsDir, uid, 'logs'))) {
      if (readFileSync(join(podsDir, uid, 'logs', file), 'utf8').includes(password)) hits.push(`pod log ${uid.slice(0, 8)}/${file}`);
    }
  }
  const events = await c.world.kube.core.listNamespacedEvent({ namespace: c.namespace });
  if (JSON.stringify(events.items).includes(password)) hits.push('an event');
  const pods = await c.world.kube.core.listNamespacedPod({ namespace: c.namespace });
  if (pods.items.some((p) => JSON.stringify(p.metadata?.annotations ?? {}).includes(password))) hits.push('a pod annotation');
  for (const p of pods.items) {
    const ip = p.status?.podIP;
    if (ip === undefined) continue;
    const text = await fetch(`http://${ip}:${PORTS.agent}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text(), () => '');
    if (text.includes(password)) hits.push(`metrics of ${p.metadata?.name ?? ip}`);
  }
  return hits;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

// SQL in the timeline without passwords (SET PASSWORD, CREATE USER ... IDENTIFIED BY).
function redact(sql: string): string {
  return sql.replace(/(PASSWORD\s*\(|IDENTIFIED\s+BY\s+)'[^']*'/gi, "$1'***'");
}

function byTime(a: string, b: string): number {
  const t = (s: string): number => {
    const m = /^\s*(-?[\d.]+) s/.exec(s);
    return m === null ? Number.POSITIVE_INFINITY : Number(m[1]);
  };
  return t(a) - t(b);
}
