/**
 * The local pod runner: plays kubelet for one or more Nodes it registers and keeps Ready. Pods
 * the scheduler binds to them run as local processes (see pod-worker.ts), each on its own
 * loopback address. It also provisions a PersistentVolume for every pending claim (a folder that
 * outlives pods), so StatefulSets with volumeClaimTemplates schedule as on a real cluster.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeRestError } from '../kube-rest.ts';
import type { KubeRest, WatchHandle } from '../kube-rest.ts';
import { claimFolder } from './pod-volumes.ts';
import type { PersistentVolumeClaim, Pod } from './pod-types.ts';
import { startPodWorker } from './pod-worker.ts';
import type { InstallTree, PodWorker } from './pod-worker.ts';
import type { ProcessGroups } from '../orphan-guard.ts';

/** Options of `startPodRunner`. */
export interface PodRunnerOptions {
  rest: KubeRest;
  /** The world's folder: pods live in `pods/`, claims in `claims/`. */
  dir: string;
  /** Node names and their `hostIP`s. */
  nodes: readonly { name: string; ip: string }[];
  /** Pod addresses are `${prefix}.${first}` .. `${prefix}.${last}`. */
  podAddresses: { prefix: string; first: number; last: number };
  apiServer: { url: string; host: string; port: number; caPem: string };
  dns: { host: string; port: number };
  repoRoot: string;
  /** Lays out the StarRocks tree of a pod (the simulator's); an empty folder when absent. */
  installTree?: InstallTree;
  /** First crash-loop back-off in ms (kubelet: 10 s). */
  backoffBaseMs?: number;
  log?: (line: string) => void;
  /** Records every container's process group (see orphan-guard.ts). */
  groups?: ProcessGroups;
  /** Env every container gets from this world, winning over the pod spec (read at each pod's start). */
  podEnv?: () => Readonly<Record<string, string>>;
}

/** A running pod runner. */
export interface PodRunner {
  /** The folder of a claim (exists once a pod used it). */
  claimDir(namespace: string, claimName: string): string;
  /** The address given to a running pod, by namespace/name. */
  podIP(namespace: string, name: string): string | undefined;
  /** Kills every pod at once and stops watching. Nodes stay registered. */
  stop(): Promise<void>;
}

interface Entry {
  worker: PodWorker;
  ip: string;
  key: string;
  node: string;
}

/** Registers the nodes and starts running the pods bound to them. */
export async function startPodRunner(options: PodRunnerOptions): Promise<PodRunner> {
  const { rest } = options;
  const log = options.log ?? (() => undefined);
  const claimsRoot = join(options.dir, 'claims');
  const podsRoot = join(options.dir, 'pods');
  await mkdir(claimsRoot, { recursive: true });
  await mkdir(podsRoot, { recursive: true });
  const claimDir = (namespace: string, claimName: string): string => claimFolder(claimsRoot, namespace, claimName);

  for (const node of options.nodes) await registerNode(rest, node);
  const heartbeat = setInterval(() => {
    for (const node of options.nodes) void patchNodeReady(rest, node.name).catch((error: unknown) => log(`node ${node.name} heartbeat failed: ${String(error)}`));
  }, 10_000);

  const workers = new Map<string, Entry>();
  const usedIps = new Set<string>();
  const allocateIp = (): string => {
    for (let host = options.podAddresses.first; host <= options.podAddresses.last; host++) {
      const ip = `${options.podAddresses.prefix}.${host}`;
      if (!usedIps.has(ip)) {
        usedIps.add(ip);
        return ip;
      }
    }
    throw new Error(`no free pod address left in ${options.podAddresses.prefix}.0/24`);
  };
  let stopping = false;

  const track = (pod: Pod): void => {
    const uid = pod.metadata.uid;
    if (uid === undefined || stopping) return;
    const existing = workers.get(uid);
    if (existing !== undefined) {
      existing.worker.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const node = options.nodes.find((n) => n.name === pod.spec.nodeName);
    if (node === undefined) return;
    const ip = allocateIp();
    const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
    const worker = startPodWorker(pod, {
      rest,
      podIP: ip,
      hostIP: node.ip,
      podDir: join(podsRoot, uid),
      claimDir,
      apiServer: options.apiServer,
      dns: options.dns,
      repoRoot: options.repoRoot,
      installTree: options.installTree,
      backoffBaseMs: options.backoffBaseMs ?? 10_000,
      log,
      groups: options.groups,
      podEnv: options.podEnv,
      // Once per worker: terminate() and kill() may both finish the same pod (a DELETED event
      // racing the final delete), and a second release would free an address a new pod now holds.
      onFinished: () => {
        if (workers.get(uid)?.worker !== worker) return;
        workers.delete(uid);
        usedIps.delete(ip);
      },
    });
    workers.set(uid, { worker, ip, key, node: node.name });
    log(`${key}: running on ${node.name} at ${ip}`);
    if (pod.metadata.deletionTimestamp !== undefined) worker.update(pod);
  };

  const watches: WatchHandle[] = [];
  for (const node of options.nodes) {
    watches.push(
      rest.watch<Pod>(`/api/v1/pods?fieldSelector=spec.nodeName%3D${encodeURIComponent(node.name)}`, {
        onList(items) {
          const seen = new Set(items.map((p) => p.metadata.uid));
          for (const pod of items) track(pod);
          for (const [uid, entry] of workers) {
            if (!seen.has(uid) && entry.node === node.name) void entry.worker.kill();
          }
        },
        onEvent(event) {
          if (event.type === 'DELETED') {
            const uid = event.object.metadata.uid;
            const entry = uid === undefined ? undefined : workers.get(uid);
            // Deleted without us finishing it (force deletion): kill at once, as kubelet does.
            if (entry !== undefined) void entry.worker.kill();
            return;
          }
          track(event.object);
        },
      }),
    );
  }

  const provisioning = new Set<string>();
  watches.push(
    rest.watch<PersistentVolumeClaim>('/api/v1/persistentvolumeclaims', {
      onList(items) {
        for (const claim of items) void provision(claim);
      },
      onEvent(event) {
        if (event.type === 'ADDED' || event.type === 'MODIFIED') void provision(event.object);
      },
    }),
  );

  const provision = async (claim: PersistentVolumeClaim): Promise<void> => {
    const uid = claim.metadata.uid;
    if (uid === undefined || claim.spec.volumeName !== undefined || claim.status?.phase === 'Bound' || provisioning.has(uid) || stopping) return;
    provisioning.add(uid);
    const ns = claim.metadata.namespace ?? 'default';
    const name = claim.metadata.name ?? '';
    const dir = claimDir(ns, name);
    try {
      await mkdir(dir, { recursive: true });
      await rest.post('/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `pvc-${uid}`, labels: { 'starrocks-world/claim-namespace': ns }, annotations: { 'pv.kubernetes.io/provisioned-by': 'starrocks-world' } },
        spec: {
          capacity: { storage: claim.spec.resources?.requests?.storage ?? '1Gi' },
          accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: claim.spec.storageClassName ?? '',
          volumeMode: claim.spec.volumeMode ?? 'Filesystem',
          hostPath: { path: dir, type: 'DirectoryOrCreate' },
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name, uid },
        },
      });
      log(`claim ${ns}/${name}: provisioned pvc-${uid} at ${dir}`);
    } catch (error) {
      // 409: provisioned already (a relist); anything else is retried on the next event.
      if (!(error instanceof KubeRestError && error.status === 409)) {
        provisioning.delete(uid);
        log(`claim ${ns}/${name}: provisioning failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  return {
    claimDir,
    podIP(namespace, name) {
      for (const entry of workers.values()) if (entry.key === `${namespace}/${name}`) return entry.ip;
      return undefined;
    },
    async stop() {
      stopping = true;
      clearInterval(heartbeat);
      for (const w of watches) w.stop();
      await Promise.all([...workers.values()].map((entry) => entry.worker.kill()));
      await rm(podsRoot, { recursive: true, force: true });
    },
  };
}

function nodeStatus(ip: string, name: string): Record<string, unknown> {
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const capacity = { cpu: '64', memory: '256Gi', pods: '240', 'ephemeral-storage': '1Ti' };
  return {
    capacity,
    allocatable: capacity,
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: name },
    ],
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'local pod runner is ready', lastHeartbeatTime: time, lastTransitionTime: time }],
    nodeInfo: {
      kubeletVersion: 'v1.35.4-starrocks-world',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      containerRuntimeVersion: 'world-local://1',
      osImage: 'local processes',
      kernelVersion: '',
      machineID: '',
      systemUUID: '',
      bootID: '',
    },
  };
}

async function registerNode(rest: KubeRest, node: { name: string; ip: string }): Promise<void> {
  const body = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
    spec: {},
    status: nodeStatus(node.ip, node.name),
  };
  try {
    await rest.post('/api/v1/nodes', body);
  } catch (error) {
    if (!(error instanceof KubeRestError && error.status === 409)) throw error;
  }
  await rest.mergePatch(`/api/v1/nodes/${node.name}/status`, { status: nodeStatus(node.ip, node.name) });
  // Admission taints every new Node not-ready; the node lifecycle controller (not run here: it
  // would evict pods of a world paused in a debugger) lifts the taint once the Node reports Ready.
  await rest.mergePatch(`/api/v1/nodes/${node.name}`, { spec: { taints: null } });
}

async function patchNodeReady(rest: KubeRest, name: string): Promise<void> {
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await rest.mergePatch(`/api/v1/nodes/${name}/status`, {
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'local pod runner is ready', lastHeartbeatTime: time, lastTransitionTime: time }] },
  });
}
