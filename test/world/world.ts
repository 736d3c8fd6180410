/**
 * The Kubernetes world: a real control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, CoreDNS) and the local pod runner, on one loopback /24, in one temporary
 * folder. `stop` ends every process and removes the folder.
 *
 * @example
 * ```ts
 * const world = await startWorld();
 * try {
 *   // kubectl --kubeconfig world.kubeconfigPath ...; DNS at world.dns
 * } finally {
 *   await world.stop();
 * }
 * ```
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addressPlan } from './address-plan.ts';
import type { AddressPlan } from './address-plan.ts';
import { locateBinaries } from './binaries.ts';
import { startControlPlane } from './control-plane/control-plane.ts';
import type { ControlPlane } from './control-plane/control-plane.ts';
import { kubeFromFile } from './kube.ts';
import type { WorldKube } from './kube.ts';
import { startPodRunner } from './pods/pod-runner.ts';
import type { PodRunner } from './pods/pod-runner.ts';
import type { InstallTree } from './pods/pod-worker.ts';
import { startOrphanGuard } from './orphan-guard.ts';

/** The repository root (the agent is run from here). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Options of `startWorld`. */
export interface WorldOptions {
  /** Number of Nodes the pod runner registers (`world-node-0` ...). Default 1. */
  nodes?: number;
  /** The StarRocks tree of each pod (see pod-worker.ts); an empty folder when absent. */
  installTree?: InstallTree;
  /** First crash-loop back-off in ms; kubelet's 10 s by default. */
  backoffBaseMs?: number;
  /** Keep the world's folder after stop (logs, for debugging). */
  keepDir?: boolean;
  /** Lines from the pod runner (pods started, claims provisioned, failures). */
  log?: (line: string) => void;
  /**
   * Env every container gets, winning over the pod spec, read at each pod's start: where services
   * started beside the world are (the StarRocks simulator), so user manifests need no world settings.
   */
  podEnv?: () => Readonly<Record<string, string>>;
}

/** A running world. */
export interface World {
  dir: string;
  plan: AddressPlan;
  kubeconfigPath: string;
  /** CoreDNS. */
  dns: { host: string; port: number };
  controlPlane: ControlPlane;
  runner: PodRunner;
  /** client-node's API clients, with the admin token of `kubeconfigPath`. */
  kube: WorldKube;
  /** Node names. */
  nodes: string[];
  /** Stops the pod runner, then the control plane, then removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a world; throws with the failing component's log tail when it cannot. */
export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const { paths, missing } = locateBinaries();
  if (missing.length > 0) {
    throw new Error(`the Kubernetes world's binaries are missing (${missing.join(', ')}): run npm run setup (it builds them with Go)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'starrocks-world-'));
  const guard = startOrphanGuard(dir);
  let lastError: unknown;
  // A random /24 may, rarely, collide with another world's ports: take another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const plan = addressPlan();
    let controlPlane: ControlPlane | undefined;
    try {
      controlPlane = await startControlPlane({ binaries: paths, dir: join(dir, `cp-${attempt}`), ip: plan.controlPlane, groups: guard });
      const url = new URL(controlPlane.apiServerUrl);
      const kube = kubeFromFile(controlPlane.kubeconfigPath);
      const nodes = Array.from({ length: options.nodes ?? 1 }, (_, i) => ({ name: `world-node-${i}`, ip: `${plan.prefix}.${2 + i}` }));
      const runner = await startPodRunner({
        kube,
        dir,
        nodes,
        podAddresses: { prefix: plan.prefix, first: plan.firstPod, last: plan.lastPod },
        apiServer: { url: controlPlane.apiServerUrl, host: url.hostname, port: Number(url.port), caPem: controlPlane.caPem },
        dns: controlPlane.dns,
        repoRoot: REPO_ROOT,
        installTree: options.installTree,
        backoffBaseMs: options.backoffBaseMs,
        log: options.log,
        groups: guard,
        podEnv: options.podEnv,
      });
      const cp = controlPlane;
      let stopped: Promise<void> | undefined;
      return {
        dir,
        plan,
        kubeconfigPath: cp.kubeconfigPath,
        dns: cp.dns,
        controlPlane: cp,
        runner,
        kube,
        nodes: nodes.map((n) => n.name),
        stop() {
          stopped ??= (async () => {
            await runner.stop();
            await cp.stop();
            await guard.stop();
            if (options.keepDir !== true) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
          })();
          return stopped;
        },
      };
    } catch (error) {
      lastError = error;
      await controlPlane?.stop();
      const text = error instanceof Error ? error.message : String(error);
      if (!/address already in use|EADDRINUSE|bind:/i.test(text)) break;
    }
  }
  await guard.stop();
  if (options.keepDir !== true) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
