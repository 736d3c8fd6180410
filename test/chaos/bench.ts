/**
 * Side-by-side benchmarks (issue 16 item 5), printed, not asserted: our agent, the baseline
 * modelled on the official scripts, and the floor (the simulator's processes started and joined
 * directly, no Kubernetes, no agent), with the simulator's timing settings of the world tests.
 *
 * - a fresh 3 FE / 3 BE / 1 CN cluster: StarRocksCluster applied (floor: first process started)
 *   to every member registered and Alive;
 * - BE 4 -> 3: the scale-in asked to the row gone with every tablet moved (fully replicated);
 * - the FE leader's process killed to every FE probe green again (floor: the killed FE restarted
 *   by hand and every FE Alive).
 *
 * `node test/chaos/bench.ts [runs]` (default 1); part of `npm run bench`.
 */
import mysql from 'mysql2/promise';
import { sleep } from '../../agent/contract/backoff.ts';
import { PORTS } from '../../agent/contract/index.ts';
import { startWorldCluster } from '../e2e/fixtures/world-cluster.ts';
import { SimWorld } from '../sim/world/sim-world.ts';
import { leaderOrdinal, podName } from './actions.ts';
import { median } from './report.ts';
import { AGENT_IMAGES } from './run-scenario.ts';
import type { AgentKind } from './scenario.ts';

/** The simulator's settings in every world test (test/e2e/fixtures/world-cluster.ts). */
const SIM = { heartbeatIntervalMs: 500, joinPollMs: 300, noLeaderTimeoutMs: 5_000, feGracefulExitMs: 500, backendGracefulExitMs: 300, tabletSchedulerIntervalMs: 200, tabletMovesPerRound: 4 };
const BOUND_MS = 240_000;
const MEASURES = ['fresh 3 FE / 3 BE / 1 CN to all registered and Alive', 'BE 4 -> 3: row gone, every tablet moved', 'FE leader killed to every FE probe green'] as const;
type Times = (number | undefined)[];

/** Polls `check` every 200 ms; the ms it took, or undefined after `BOUND_MS`. */
async function timeUntil(check: () => Promise<boolean>): Promise<number | undefined> {
  const t0 = Date.now();
  for (let i = 0; i < 10_000 && Date.now() - t0 < BOUND_MS; i++) {
    if (await check().catch(() => false)) return Date.now() - t0;
    await sleep(200);
  }
  return undefined;
}

async function worldRun(agent: AgentKind): Promise<Times> {
  const images = AGENT_IMAGES[agent];
  const c = await startWorldCluster({
    shape: { fe: 3, be: 3, cn: 1 },
    components: { fe: { spec: { image: images.fe } }, be: { spec: { image: images.be } }, cn: { spec: { image: images.be } } },
  });
  try {
    const applied = c.timings.find((t) => t.step === 'StarRocksCluster applied')?.at ?? Date.now();
    const start = await timeUntil(async () => (await c.converged({ fe: 3, be: 3, cn: 1 }, 1).then(() => true, () => false)));
    const fresh = start === undefined ? undefined : Date.now() - applied;
    if (fresh === undefined) return [undefined, undefined, undefined];

    await c.patchSpec({ starRocksBeSpec: { replicas: 4 } });
    await c.converged({ fe: 3, be: 4, cn: 1 }, BOUND_MS);
    c.sim.createTable({ db: 'bench', table: 't', buckets: 16, replicationNum: 3 });
    const leaving = `${podName(c, 'be', 3)}.`;
    await c.patchSpec({ starRocksBeSpec: { replicas: 3 } });
    const scaleIn = await timeUntil(async () => {
      const v = await c.view();
      return v !== undefined && !v.backends.some((b) => b.host.startsWith(leaving)) && c.sim.underReplicatedTablets().length === 0 && c.sim.lostTablets().length === 0;
    });

    const leader = (await leaderOrdinal(c)) ?? 0;
    const name = podName(c, 'fe', leader);
    const before = await c.pod(name);
    if (before?.ip === undefined) throw new Error(`${name} has no address`);
    c.sim.kill(before.ip);
    const failover = await timeUntil(async () => {
      const pods = await c.pods('fe');
      const killed = pods.find((p) => p.name === name);
      const restarted = killed !== undefined && (killed.uid !== before.uid || killed.restarts > before.restarts);
      return restarted && pods.length === 3 && pods.every((p) => p.ready && !p.terminating) && (await c.view())?.frontends.every((f) => f.alive) === true;
    });
    return [fresh, scaleIn, failover];
  } finally {
    await c.stop();
  }
}

async function floorRun(): Promise<Times> {
  const sim = await SimWorld.start(SIM);
  try {
    const t0 = Date.now();
    const fe0 = sim.spawn({ component: 'fe' });
    await sim.waitOpen(fe0.ip);
    const conn = await mysql.createConnection({ host: fe0.ip, port: PORTS.fe.query, user: 'root' });
    try {
      const feIps = [sim.addresses.next(), sim.addresses.next()];
      for (const ip of feIps) await conn.query(`ALTER SYSTEM ADD FOLLOWER "${ip}:${PORTS.fe.editLog}"`);
      const feRoots = new Map<string, string>([[fe0.ip, fe0.root]]);
      for (const ip of feIps) feRoots.set(ip, sim.spawn({ component: 'fe', ip, args: ['--helper', `${fe0.ip}:${PORTS.fe.editLog}`] }).root);
      const beIps = [sim.addresses.next(), sim.addresses.next(), sim.addresses.next()];
      for (const ip of beIps) {
        await conn.query(`ALTER SYSTEM ADD BACKEND "${ip}:${PORTS.be.heartbeat}"`);
        sim.spawn({ component: 'be', ip });
      }
      const cnIp = sim.addresses.next();
      await conn.query(`ALTER SYSTEM ADD COMPUTE NODE "${cnIp}:${PORTS.cn.heartbeat}"`);
      sim.spawn({ component: 'cn', ip: cnIp });
      const allAlive = async (fe: number, be: number, cn: number): Promise<boolean> => {
        const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await conn.query(sql))[0] as Record<string, unknown>[];
        const [f, b, n] = [await rows('SHOW FRONTENDS'), await rows('SHOW BACKENDS'), await rows('SHOW COMPUTE NODES')];
        const alive = (list: Record<string, unknown>[], count: number): boolean => list.length === count && list.every((r) => String(r.Alive) === 'true');
        return alive(f, fe) && alive(b, be) && alive(n, cn);
      };
      const fresh = await timeUntil(() => allAlive(3, 3, 1));
      const startMs = fresh === undefined ? undefined : Date.now() - t0;

      const fourth = sim.addresses.next();
      await conn.query(`ALTER SYSTEM ADD BACKEND "${fourth}:${PORTS.be.heartbeat}"`);
      sim.spawn({ component: 'be', ip: fourth });
      await timeUntil(() => allAlive(3, 4, 1));
      sim.createTable({ db: 'bench', table: 't', buckets: 16, replicationNum: 3 });
      await conn.query(`ALTER SYSTEM DECOMMISSION BACKEND "${fourth}:${PORTS.be.heartbeat}"`);
      const scaleIn = await timeUntil(async () => (await allAlive(3, 3, 1)) && sim.underReplicatedTablets().length === 0 && sim.lostTablets().length === 0);

      sim.kill(fe0.ip);
      const failoverT0 = Date.now();
      await timeUntil(async () => sim.leader() !== undefined && sim.leader()?.host !== fe0.ip);
      sim.spawn({ component: 'fe', ip: fe0.ip, root: feRoots.get(fe0.ip) as string });
      const other = await mysql.createConnection({ host: feIps[0] as string, port: PORTS.fe.query, user: 'root' });
      try {
        await timeUntil(async () => {
          const [rows] = await other.query('SHOW FRONTENDS');
          return (rows as Record<string, unknown>[]).length === 3 && (rows as Record<string, unknown>[]).every((r) => String(r.Alive) === 'true');
        });
      } finally {
        await other.end();
      }
      return [startMs, scaleIn, Date.now() - failoverT0];
    } finally {
      await conn.end().catch(() => undefined);
    }
  } finally {
    await sim.stop();
  }
}

const runs = Math.max(1, Math.min(5, Number(process.argv[2] ?? 1) || 1));
const results: Record<'ours' | 'baseline' | 'floor', Times[]> = { ours: [], baseline: [], floor: [] };
for (let i = 0; i < runs; i++) {
  results.floor.push(await floorRun());
  for (const agent of ['ours', 'baseline'] as const) results[agent].push(await worldRun(agent).catch((error: unknown) => {
    console.log(`${agent} run ${i + 1} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return [undefined, undefined, undefined];
  }));
}
const seconds = (ms: number | undefined): string => (ms === undefined ? `never (> ${BOUND_MS / 1000} s)` : `${(ms / 1000).toFixed(1)} s`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b === 0 ? 'n/a' : (a / b).toFixed(2));
console.log(`chaos benchmarks, ${runs} run(s) each, medians; simulator heartbeat ${SIM.heartbeatIntervalMs} ms`);
MEASURES.forEach((label, i) => {
  const m = (list: Times[]): number | undefined => median(list.map((t) => t[i]).filter((v): v is number => v !== undefined));
  const [ours, baseline, floor] = [m(results.ours), m(results.baseline), m(results.floor)];
  console.log(`${label}: ours ${seconds(ours)} | baseline ${seconds(baseline)} | floor ${seconds(floor)} | ours/baseline ${ratio(ours, baseline)} | ours/floor ${ratio(ours, floor)}`);
});
