/**
 * User actions and faults the scenarios share, on a running world cluster. Each changes the
 * world the way a user, kubelet or the network would; none talks to an agent.
 */
import { sleep } from '../../agent/contract/backoff.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CRD, ENV, LABELS, names } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import type { WorldCluster } from '../e2e/fixtures/world-cluster.ts';
import { unlessNotFound } from '../world/kube.ts';
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
