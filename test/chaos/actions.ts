/**
 * User actions and faults the scenarios share, on a running world cluster. Each changes the
 * world the way a user, kubelet or the network would; none talks to an agent.
 */
import { sleep } from '../../agent/contract/backoff.ts';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CRD, ENV, LABELS, PORTS, names } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { DATA_VOLUMES } from '../../controller/render/volumes.ts';
import type { PodInfo, WorldCluster } from '../e2e/fixtures/world-cluster.ts';
import { unlessNotFound } from '../world/kube.ts';
import { createFeClient } from '../../agent/sql/fe-client.ts';
import { ROOT_PASSWORD_SECRET } from './scenario.ts';
import type { ScenarioContext } from './scenario.ts';

const SPEC_KEY: Readonly<Record<Component, string>> = { fe: 'starRocksFeSpec', be: 'starRocksBeSpec', cn: 'starRocksCnSpec' };

/** The pod name of a component's ordinal. */
export function podName(c: WorldCluster, component: Component, ordinal: number): string {
  return names(c.name).pod(component, ordinal);
}

/** The pod address of a component's ordinal, waiting (bounded) until it has one. */
export async function podIp(c: WorldCluster, component: Component, ordinal: number, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1_000; i++) {
    const p = await c.pod(podName(c, component, ordinal));
    if (p?.ip !== undefined && !p.terminating) return p.ip;
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  throw new Error(`${podName(c, component, ordinal)} has no address after ${timeoutMs} ms`);
}

/** The ordinal of the FE pod whose process leads the first cluster now, if any. */
export async function leaderOrdinal(c: WorldCluster): Promise<number | undefined> {
  const leader = c.sim.leader();
  if (leader === undefined) return undefined;
  const pods = await c.pods('fe');
  const match = pods.find((p) => leader.host.startsWith(`${p.name}.`));
  return match === undefined ? undefined : Number(match.name.split('-').at(-1));
}

/** Sets a component's replicas in the StarRocksCluster and the desired shape. */
export async function scale(ctx: ScenarioContext, component: Component, replicas: number): Promise<void> {
  await ctx.step(`scale ${component} to ${replicas}`, () => ctx.cluster.patchSpec({ [SPEC_KEY[component]]: { replicas } }));
  ctx.desired[component] = replicas;
}

/** Merges fields into a component's spec (an image change rolls it). */
export async function patchComponent(ctx: ScenarioContext, component: Component, fields: Record<string, unknown>): Promise<void> {
  await ctx.step(`patch ${component} ${JSON.stringify(fields)}`, () => ctx.cluster.patchSpec({ [SPEC_KEY[component]]: fields }));
}

/** Deletes pods (their preStop runs unless `force`). */
export async function deletePods(ctx: ScenarioContext, pods: readonly string[], options: { force?: boolean } = {}): Promise<void> {
  await ctx.step(`delete pods ${pods.join(', ')}${options.force === true ? ' --force --grace-period=0' : ''}`, async () => {
    await Promise.all(
      pods.map((name) =>
        unlessNotFound(ctx.cluster.world.kube.core.deleteNamespacedPod({ namespace: ctx.cluster.namespace, name, ...(options.force === true ? { gracePeriodSeconds: 0 } : {}) })),
      ),
    );
  });
}

/** SIGKILLs the StarRocks process of a pod (the container then exits and kubelet restarts it). */
export async function killProcess(ctx: ScenarioContext, component: Component, ordinal: number): Promise<void> {
  const ip = await podIp(ctx.cluster, component, ordinal);
  await ctx.step(`kill -9 the StarRocks process of ${podName(ctx.cluster, component, ordinal)} (${ip})`, async () => ctx.cluster.sim.kill(ip));
}

/** Waits (bounded) until a statement matching `pattern` appears in the simulator's log. */
export async function waitStatement(ctx: ScenarioContext, pattern: RegExp, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (ctx.cluster.sim.statements().some((s) => pattern.test(s.sql))) return true;
    await sleep(100);
  }
  ctx.note(`no statement matching ${String(pattern)} within ${timeoutMs} ms`);
  return false;
}

/**
 * What an HorizontalPodAutoscaler does to CNs: writes the StarRocksCluster's scale subresource
 * (its specReplicasPath is the CN replicas), as safety-faults-world.test.ts does it by hand.
 */
export async function scaleCnByHpa(ctx: ScenarioContext, replicas: number): Promise<void> {
  const c = ctx.cluster;
  await ctx.step(`HPA: scale subresource of the StarRocksCluster to ${replicas} CN`, () => c.kubectl('scale', `${CRD.plural}.${CRD.group}/${c.name}`, '--replicas', String(replicas), '-n', c.namespace));
  ctx.desired.cn = replicas;
}

// The main container's image of each pod of a component, by pod name.
async function podImages(c: WorldCluster, component: Component): Promise<Map<string, string | undefined>> {
  const list = await c.world.kube.core.listNamespacedPod({ namespace: c.namespace, labelSelector: `${LABELS.instance}=${c.name},${LABELS.component}=${component}` });
  return new Map(list.items.map((p) => [p.metadata?.name ?? '', p.spec?.containers.find((x) => x.name === component)?.image]));
}

/**
 * Waits (bounded) until `replicas` pods of a component run `image`, Ready: the end of a rollout
 * (the invariants could otherwise all hold before the StatefulSet started rolling).
 */
export async function waitRolledTo(ctx: ScenarioContext, options: { component: Component; image: string; replicas: number; timeoutMs: number }): Promise<boolean> {
  const { component, image, replicas, timeoutMs } = options;
  return ctx.step(`wait until ${replicas} ${component} pods run ${image}, Ready`, async () => {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
      const images = await podImages(ctx.cluster, component);
      const pods = await ctx.cluster.pods(component);
      const done = pods.length === replicas && pods.every((p) => p.ready && !p.terminating && images.get(p.name) === image);
      if (done) return true;
      await sleep(500);
    }
    ctx.note(`the ${component} rollout to ${image} did not finish within ${timeoutMs} ms`);
    return false;
  });
}

/**
 * `kubectl drain` of nodes, all at once (one kubectl each): cordon, then evictions through the
 * eviction API, which honours the PodDisruptionBudgets. A drain the budgets hold past `timeoutS`
 * fails; that is noted, not thrown (a budget may rightly hold it).
 */
export async function drainNodes(ctx: ScenarioContext, nodes: readonly string[], timeoutS: number): Promise<void> {
  await Promise.all(
    nodes.map((node) =>
      ctx
        .step(`kubectl drain ${node}`, () => ctx.cluster.kubectl('drain', node, '--ignore-daemonsets', '--delete-emptydir-data', `--timeout=${timeoutS}s`))
        .catch(() => ctx.note(`drain of ${node} did not finish within ${timeoutS} s`)),
    ),
  );
}

/** `kubectl uncordon` of nodes. */
export async function uncordonNodes(ctx: ScenarioContext, nodes: readonly string[]): Promise<void> {
  for (const node of nodes) await ctx.step(`kubectl uncordon ${node}`, () => ctx.cluster.kubectl('uncordon', node));
}

/** The node each pod of the cluster runs on, by pod name. */
export async function podNodes(c: WorldCluster): Promise<Map<string, string | undefined>> {
  const list = await c.world.kube.core.listNamespacedPod({ namespace: c.namespace, labelSelector: `${LABELS.instance}=${c.name}` });
  return new Map(list.items.map((p) => [p.metadata?.name ?? '', p.spec?.nodeName]));
}

/**
 * Pids of the processes of the pod at `podIp` whose argv includes `arg` (`init`, `run`, `prestop`):
 * the world runs containers as local processes, and every container has the pod's address in its
 * POD_IP env (the controller renders it from the downward API).
 */
export function containerPids(podIp: string, arg: string): number[] {
  const out: number[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      // The agent images run `node agent/main.ts`, the stock images the agent's single executable.
      if (!argv.includes(arg) || !argv.some((a) => a.endsWith('starrocks-agent') || a.endsWith(join('agent', 'main.ts')))) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`${ENV.POD_IP}=${podIp}`)) out.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Runs the preStop command of a pod's main container once more, while the pod exists (as a user's
 * `kubectl exec POD -- <the preStop command>` would, beside kubelet's own run of the hook).
 */
export async function execPreStop(ctx: ScenarioContext, component: Component, ordinal: number, timeoutMs: number): Promise<void> {
  const c = ctx.cluster;
  const name = podName(c, component, ordinal);
  await ctx.step(`exec the preStop command in ${name} a second time`, async () => {
    const pod = await c.world.kube.core.readNamespacedPod({ namespace: c.namespace, name });
    const command = pod.spec?.containers.find((x) => x.name === component)?.lifecycle?.preStop?.exec?.command;
    const uid = pod.metadata?.uid;
    if (command === undefined || uid === undefined) throw new Error(`${name} has no exec preStop hook on its ${component} container`);
    const result = await c.world.runner.exec({ uid, container: component, command, timeoutMs });
    // The container gone before the second run means the scenario did not do what it says.
    if (!result.ok && /not running|no pod/.test(result.reason)) throw new Error(`${name}: the second preStop could not run: ${result.reason}`);
    ctx.note(`second preStop of ${name}: ${result.ok ? 'exit 0' : result.reason}`);
  });
}

/** Stops the in-process controller mid-flight and starts a fresh one (see WorldCluster.restartController). */
export async function restartController(ctx: ScenarioContext): Promise<void> {
  await ctx.step('kill the controller and start it again', () => ctx.cluster.restartController());
}

/**
 * Makes the API server unreachable for `ms`: SIGSTOP of kube-apiserver (connections open, nothing
 * answers, as a hung or cut-off API server), then SIGCONT.
 */
export async function apiServerUnreachable(ctx: ScenarioContext, ms: number): Promise<void> {
  const apiserver = ctx.cluster.world.controlPlane.children.find((child) => child.name === 'kube-apiserver');
  if (apiserver === undefined) throw new Error('the world has no kube-apiserver child');
  await ctx.step(`kube-apiserver unreachable for ${ms} ms (SIGSTOP, then SIGCONT)`, async () => {
    apiserver.signal('SIGSTOP');
    try {
      await sleep(ms);
    } finally {
      apiserver.signal('SIGCONT');
    }
  });
}

/** Restarts kube-apiserver (SIGTERM, down for `downMs`, started again; see ControlPlane.restartApiServer). */
export async function restartApiServer(ctx: ScenarioContext, downMs: number): Promise<void> {
  await ctx.step(`kube-apiserver restarted (down ${downMs} ms)`, () => ctx.cluster.world.controlPlane.restartApiServer(downMs));
}

/** Changes root's password in its Secret (the user's rotation); the runner logs in with the new one first. */
export async function rotateRootPassword(ctx: ScenarioContext, next: string): Promise<void> {
  const c = ctx.cluster;
  await ctx.step(`rotate root's password (Secret ${ROOT_PASSWORD_SECRET})`, () =>
    c.world.kube.core.replaceNamespacedSecret({ namespace: c.namespace, name: ROOT_PASSWORD_SECRET, body: { metadata: { name: ROOT_PASSWORD_SECRET }, data: { password: Buffer.from(next).toString('base64') } } }),
  );
  ctx.rootPasswords.unshift(next);
}

/** Waits (bounded) until the FE leader accepts root's login with `password`; false when it never does. */
export async function waitRootPassword(ctx: ScenarioContext, password: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    const ordinal = await leaderOrdinal(ctx.cluster);
    if (ordinal !== undefined) {
      const client = createFeClient({ host: await podIp(ctx.cluster, 'fe', ordinal), port: PORTS.fe.query, password, timeoutMs: 3_000 });
      try {
        if ((await client.showFrontends()).ok) {
          ctx.note(`FE ${ordinal} (leader) accepts root's new password`);
          return true;
        }
      } finally {
        await client.close();
      }
    }
    await sleep(500);
  }
  ctx.note(`root's new password not accepted within ${timeoutMs} ms`);
  return false;
}

/** Waits (bounded) until a pod has a deletion timestamp (its preStop is due or running). */
export async function waitTerminating(ctx: ScenarioContext, name: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if ((await ctx.cluster.pod(name))?.terminating === true) return true;
    await sleep(100);
  }
  ctx.note(`${name} not terminating within ${timeoutMs} ms`);
  return false;
}

/** SIGSTOPs the StarRocks processes of these ordinals (a frozen JVM); returns their addresses for `resumeProcesses`. */
export async function pauseProcesses(ctx: ScenarioContext, component: Component, ordinals: readonly number[]): Promise<string[]> {
  const ips = await Promise.all(ordinals.map((o) => podIp(ctx.cluster, component, o)));
  await ctx.step(`SIGSTOP the StarRocks processes of ${component} ${ordinals.join(', ')} (${ips.join(', ')})`, async () => {
    for (const ip of ips) ctx.cluster.sim.pause(ip);
  });
  return ips;
}

/** SIGCONTs processes `pauseProcesses` stopped; one that is gone meanwhile (its container restarted) is skipped. */
export async function resumeProcesses(ctx: ScenarioContext, ips: readonly string[]): Promise<void> {
  await ctx.step(`SIGCONT ${ips.join(', ')}`, async () => {
    for (const ip of ips) {
      if (ctx.cluster.sim.pidOf(ip) === undefined) ctx.note(`no process at ${ip} any more`);
      else ctx.cluster.sim.resume(ip);
    }
  });
}

/**
 * Keeps these ordinals' StarRocks processes down for `ms`: each start is SIGKILLed within 100 ms,
 * so their ports refuse and the world backs off restarting the containers (a crash loop, as in
 * test/e2e/safety-faults-world.test.ts). `during` runs once the loop is going.
 */
export async function crashLoop(ctx: ScenarioContext, options: { component: Component; ordinals: readonly number[]; ms: number; during?: () => Promise<void> }): Promise<void> {
  const { component, ordinals, ms } = options;
  await ctx.step(`crash-loop ${component} ${ordinals.join(', ')} for ${ms} ms`, async () => {
    const until = Date.now() + ms;
    let kills = 0;
    const loop = (async () => {
      for (let i = 0; i < 10_000 && Date.now() < until; i++) {
        for (const o of ordinals) {
          const ip = (await ctx.cluster.pod(podName(ctx.cluster, component, o)))?.ip;
          if (ip === undefined || ctx.cluster.sim.pidOf(ip) === undefined) continue;
          try {
            ctx.cluster.sim.kill(ip);
            kills++;
          } catch {
            // It died between the look-up and the signal.
          }
        }
        await sleep(100);
      }
    })();
    try {
      await options.during?.();
    } finally {
      await loop;
    }
    ctx.note(`crash loop of ${component} ${ordinals.join(', ')} over: ${kills} kills`);
  });
}

/**
 * Empties a pod's data volume (FE meta, BE storage) and SIGKILLs its process, so the container
 * restarts over an empty folder: a volume replaced under a running pod (the claim's folder is what
 * the world mounts; test/e2e/safety-faults-world.test.ts does the same). Unless `restarted` is
 * false, waits (bounded) until the container restarted, so the invariants are checked after the
 * pod came back over the empty volume, not before anything noticed.
 */
export async function wipeVolume(ctx: ScenarioContext, component: 'fe' | 'be', ordinal: number, options: { restarted?: boolean } = {}): Promise<void> {
  const pod = podName(ctx.cluster, component, ordinal);
  await ctx.step(`wipe the ${DATA_VOLUMES[component]} volume of ${pod} and kill its process`, async () => {
    const before = await ctx.cluster.pod(pod);
    const claim = ctx.cluster.world.runner.claimDir(ctx.cluster.namespace, `${DATA_VOLUMES[component]}-${pod}`);
    for (const entry of readdirSync(claim)) rmSync(join(claim, entry), { recursive: true, force: true });
    const ip = before?.ip;
    if (ip !== undefined && ctx.cluster.sim.pidOf(ip) !== undefined) ctx.cluster.sim.kill(ip);
    if (options.restarted !== false && before !== undefined) await waitRestarted(ctx, before);
  });
}

/**
 * Waits (bounded) until a pod's container restarted since `before` (or the pod was replaced):
 * a fault's effect is visible before the invariants are checked.
 */
export async function waitRestarted(ctx: ScenarioContext, before: PodInfo, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    const now = await ctx.cluster.pod(before.name);
    if (now === undefined || now.uid !== before.uid || now.restarts > before.restarts) return;
    await sleep(100);
  }
  ctx.note(`${before.name}'s container did not restart within ${timeoutMs} ms`);
}

/** Cuts a pod's StarRocks process off the others (heartbeats, forwarding, votes) until `healPod`. */
export async function partitionPod(ctx: ScenarioContext, component: Component, ordinal: number): Promise<string> {
  const ip = await podIp(ctx.cluster, component, ordinal);
  await ctx.step(`partition ${podName(ctx.cluster, component, ordinal)} (${ip})`, async () => ctx.cluster.sim.partition(ip));
  return ip;
}

/** Undoes `partitionPod`. */
export async function healPod(ctx: ScenarioContext, ip: string): Promise<void> {
  await ctx.step(`heal ${ip}`, async () => ctx.cluster.sim.heal(ip));
}

/** Delays every statement the FE at this ordinal receives by `ms` (0 removes it); returns its address. */
export async function sqlLatency(ctx: ScenarioContext, ordinal: number, ms: number): Promise<string> {
  const ip = await podIp(ctx.cluster, 'fe', ordinal);
  await ctx.step(`SQL latency ${ms} ms on ${podName(ctx.cluster, 'fe', ordinal)} (${ip})`, async () => ctx.cluster.sim.setSqlLatency(ip, ms));
  return ip;
}

/** `kubectl scale sts` by hand, past the controller (which owns the StatefulSet). */
export async function scaleStatefulSet(ctx: ScenarioContext, component: Component, replicas: number): Promise<void> {
  const sts = names(ctx.cluster.name).statefulSet(component);
  await ctx.step(`kubectl scale sts ${sts} --replicas ${replicas}`, () => ctx.cluster.kubectl('scale', 'sts', sts, '--replicas', String(replicas), '-n', ctx.cluster.namespace));
}

/** `kubectl delete configmap` of the FE bootstrap fence (DESIGN.md §3). */
export async function deleteFence(ctx: ScenarioContext): Promise<void> {
  const fence = names(ctx.cluster.name).fence;
  await ctx.step(`kubectl delete configmap ${fence}`, () => ctx.cluster.kubectl('delete', 'configmap', fence, '-n', ctx.cluster.namespace, '--ignore-not-found'));
}
