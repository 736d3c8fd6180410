/**
 * The local pod runner: plays kubelet for one or more Nodes it registers and keeps Ready. Pods
 * the scheduler binds to them run as local processes (see pod-worker.ts), each on its own
 * loopback address. It also provisions a PersistentVolume for every pending claim (a folder that
 * outlives pods), so StatefulSets with volumeClaimTemplates schedule as on a real cluster.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Node, V1PersistentVolume } from '@kubernetes/client-node';
import { MERGE_PATCH, informer, unlessExists } from '../kube.ts';
import type { InformerHandle, WorldKube } from '../kube.ts';
import { claimFolder } from './pod-volumes.ts';
import type { PersistentVolumeClaim, Pod } from './pod-types.ts';
import { startPodWorker } from './pod-worker.ts';
import type { InstallTree, PodWorker } from './pod-worker.ts';
import type { ProcessGroups } from '../orphan-guard.ts';

/** Options of `startPodRunner`. */
export interface PodRunnerOptions {
  kube: WorldKube;
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
  /** Runs a command in a running container of the pod with this uid, as `kubectl exec` would (see PodWorker.exec). */
  exec(options: { uid: string; container: string; command: readonly string[]; timeoutMs: number }): Promise<{ ok: true } | { ok: false; reason: string }>;
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
  const { kube } = options;
  const log = options.log ?? (() => undefined);
  const claimsRoot = join(options.dir, 'claims');
  const podsRoot = join(options.dir, 'pods');
  await mkdir(claimsRoot, { recursive: true });
  await mkdir(podsRoot, { recursive: true });
  const claimDir = (namespace: string, claimName: string): string => claimFolder(claimsRoot, namespace, claimName);

  for (const node of options.nodes) await registerNode(kube, node);
  const heartbeat = setInterval(() => {
    for (const node of options.nodes) void patchNodeReady(kube, node.name).catch((error: unknown) => log(`node ${node.name} heartbeat failed: ${String(error)}`));
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
      kube,
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

  const watchFailed = (what: string) => (error: unknown): void => log(`${what}: list or watch failed, restarting: ${error instanceof Error ? error.message : String(error)}`);
  const watches: InformerHandle[] = [];
  for (const node of options.nodes) {
    const fieldSelector = `spec.nodeName=${node.name}`;
    watches.push(
      informer(
        {
          kube,
          path: '/api/v1/pods',
          list: () => kube.core.listPodForAllNamespaces({ fieldSelector }),
          fieldSelector,
          parse: (json) => json as Pod,
          onError: watchFailed(`pods of ${node.name}`),
        },
        {
          onUpsert: track,
          // Deleted without us finishing it (force deletion), or gone from a relist: kill at once, as kubelet does.
          onDelete(pod) {
            const uid = pod.metadata.uid;
            const entry = uid === undefined ? undefined : workers.get(uid);
            if (entry !== undefined) void entry.worker.kill();
          },
        },
      ),
    );
  }

  const provisioning = new Set<string>();
  watches.push(
    informer(
      {
        kube,
        path: '/api/v1/persistentvolumeclaims',
        list: () => kube.core.listPersistentVolumeClaimForAllNamespaces(),
        parse: (json) => json as PersistentVolumeClaim,
        onError: watchFailed('claims'),
      },
      { onUpsert: (claim) => void provision(claim), onDelete: () => undefined },
    ),
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
      const volume: V1PersistentVolume = {
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
      };
      // 'exists': provisioned already (a relist).
      if ((await unlessExists(kube.core.createPersistentVolume({ body: volume }))) !== 'exists') log(`claim ${ns}/${name}: provisioned pvc-${uid} at ${dir}`);
    } catch (error) {
      // Retried on the next event.
      provisioning.delete(uid);
      log(`claim ${ns}/${name}: provisioning failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return {
    claimDir,
    podIP(namespace, name) {
      for (const entry of workers.values()) if (entry.key === `${namespace}/${name}`) return entry.ip;
      return undefined;
    },
    async exec(options) {
      const entry = workers.get(options.uid);
      if (entry === undefined) return { ok: false, reason: `no pod with uid ${options.uid} runs here` };
      return entry.worker.exec(options.container, options.command, options.timeoutMs);
    },
    async stop() {
      stopping = true;
      clearInterval(heartbeat);
      await Promise.all(watches.map((w) => w.stop()));
      await Promise.all([...workers.values()].map((entry) => entry.worker.kill()));
      await rm(podsRoot, { recursive: true, force: true });
    },
  };
}

function nodeStatus(ip: string, name: string): NonNullable<V1Node['status']> {
  const time = wholeSeconds();
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

async function registerNode(kube: WorldKube, node: { name: string; ip: string }): Promise<void> {
  const body: V1Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
    spec: {},
    status: nodeStatus(node.ip, node.name),
  };
  await unlessExists(kube.core.createNode({ body }));
  await kube.core.patchNodeStatus({ name: node.name, body: { status: nodeStatus(node.ip, node.name) } }, MERGE_PATCH);
  // Admission taints every new Node not-ready; the node lifecycle controller (not run here: it
  // would evict pods of a world paused in a debugger) lifts the taint once the Node reports Ready.
  await kube.core.patchNode({ name: node.name, body: { spec: { taints: null } } }, MERGE_PATCH);
}

async function patchNodeReady(kube: WorldKube, name: string): Promise<void> {
  const time = wholeSeconds();
  const status = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'local pod runner is ready', lastHeartbeatTime: time, lastTransitionTime: time }] };
  await kube.core.patchNodeStatus({ name, body: { status } }, MERGE_PATCH);
}

// Node times are whole seconds on the wire (metav1.Time); client-node sends a Date as ISO text.
function wholeSeconds(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}
