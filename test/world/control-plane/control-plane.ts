/**
 * A real Kubernetes control plane on one loopback address: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and CoreDNS, each a child process with its log in a
 * file under the world's folder, each awaited until ready, all stopped in reverse order.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Health, KubeConfig } from '@kubernetes/client-node';
import { sleep } from '../../../agent/contract/backoff.ts';
import { freePort } from '../address-plan.ts';
import type { BinaryPaths } from '../binaries.ts';
import { startChild } from '../child.ts';
import type { Child } from '../child.ts';
import { httpStatus, waitFor } from '../wait.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { writePki } from './pki.ts';
import type { ProcessGroups } from '../orphan-guard.ts';

/** Controllers kube-controller-manager runs: what StatefulSets, Deployments, HPAs, PVCs and GC need. */
const CONTROLLERS = [
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'statefulset-controller',
  'replicaset-controller',
  'deployment-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'horizontal-pod-autoscaler-controller',
  'disruption-controller',
  'pod-garbage-collector-controller',
  'persistentvolume-binder-controller',
  'root-ca-certificate-publisher-controller',
  'job-controller',
] as const;

/** The cluster domain CoreDNS serves. */
const CLUSTER_DOMAIN = 'cluster.local';
/** ClusterIPs come from here. Nothing routes them: tests reach pods through headless services. */
const SERVICE_CIDR = '10.96.0.0/16';

/** Options of `startControlPlane`. */
export interface ControlPlaneOptions {
  binaries: BinaryPaths;
  /** The world's folder; the control plane writes `pki/`, `etcd/`, `logs/` and `kubeconfig` in it. */
  dir: string;
  /** The loopback address every component binds. */
  ip: string;
  /** Longest wait for each component to become ready. */
  readyTimeoutMs?: number;
  /** Records every component's process group (see orphan-guard.ts). */
  groups?: ProcessGroups;
  /**
   * Start etcd and kube-apiserver only (reading what the API server serves, e.g. its OpenAPI
   * documents); `dns` is then the API server's address with port 0: there is no CoreDNS.
   */
  apiServerOnly?: boolean;
}

/** A running control plane. */
export interface ControlPlane {
  apiServerUrl: string;
  kubeconfigPath: string;
  /** PEM of the CA that signed kube-apiserver's certificate. */
  caPem: string;
  adminToken: string;
  /** CoreDNS's address. */
  dns: { host: string; port: number };
  children: readonly Child[];
  logDir: string;
  /**
   * Stops kube-apiserver (SIGTERM, as a rolling control-plane upgrade does), keeps it down for
   * `downMs`, starts it again with the same flags, port and certificates, and waits for /readyz.
   * Every watch and connection breaks; clients must come back by themselves.
   */
  restartApiServer(downMs: number): Promise<void>;
  /** Stops every component, newest first. */
  stop(): Promise<void>;
}

/** Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and CoreDNS. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { binaries, dir, ip } = options;
  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const logDir = join(dir, 'logs');
  const pkiDir = join(dir, 'pki');
  await mkdir(logDir, { recursive: true });
  await mkdir(pkiDir, { recursive: true });
  const children: Child[] = [];
  const stop = async (): Promise<void> => {
    for (const child of [...children].reverse()) await child.stop(5_000);
  };
  try {
    const pki = await writePki(pkiDir, [ip, '10.96.0.1']);
    const caPem = await readFile(pki.caCert, 'utf8');

    const { etcdClient, etcdPeer, apiPort, kcmPort, schedPort, dnsPort, dnsReadyPort } = await freePorts(ip);
    const etcdUrl = `http://${ip}:${etcdClient}`;
    const etcd = startChild({
      groups: options.groups,
      name: 'etcd',
      command: binaries.etcd,
      logFile: join(logDir, 'etcd.log'),
      args: [
        '--name=world',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://${ip}:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://${ip}:${etcdPeer}`,
        `--initial-cluster=world=http://${ip}:${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    });
    children.push(etcd);
    await waitFor(async () => ((await httpStatus(`${etcdUrl}/health`)).status === 200 ? true : undefined), {
      what: 'etcd /health',
      timeoutMs,
      watch: [etcd],
    });

    const apiServerUrl = `https://${ip}:${apiPort}`;
    const apiserverOptions = {
      groups: options.groups,
      name: 'kube-apiserver',
      command: binaries['kube-apiserver'],
      logFile: join(logDir, 'kube-apiserver.log'),
      args: [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${ip}`,
        `--advertise-address=${ip}`,
        `--secure-port=${apiPort}`,
        `--cert-dir=${pkiDir}`,
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--token-auth-file=${pki.tokenFile}`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-account-issuer=https://kubernetes.default.svc.${CLUSTER_DOMAIN}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=RBAC',
        // The `kubernetes` Service's endpoints would be this loopback address; nothing uses them.
        '--endpoint-reconciler-type=none',
        '--allow-privileged=true',
        '--profiling=false',
        '--v=1',
      ],
    };
    const apiserver = startChild(apiserverOptions);
    children.push(apiserver);
    const token = pki.adminToken;
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, { server: apiServerUrl, caPem, token });
    const admin = new KubeConfig();
    admin.loadFromFile(kubeconfigPath);
    const health = new Health(admin);
    // Refused connections while it starts are "not yet", as a non-200 answer is.
    const ready = (): Promise<boolean> => health.readyz({ signal: AbortSignal.timeout(5_000) }).catch(() => false);
    await waitFor(async () => ((await ready()) ? true : undefined), { what: 'kube-apiserver /readyz', timeoutMs, watch: [etcd, apiserver] });
    const restartApiServer = async (downMs: number): Promise<void> => {
      const at = children.findIndex((c) => c.name === 'kube-apiserver');
      const old = children[at];
      if (old === undefined) throw new Error('the control plane has no kube-apiserver to restart');
      // SIGKILL after 5 s: kube-apiserver drains open watches for far longer, and the outage is the point.
      await old.stop(5_000);
      await sleep(downMs);
      const fresh = startChild(apiserverOptions);
      children[at] = fresh;
      await waitFor(async () => ((await ready()) ? true : undefined), { what: 'kube-apiserver /readyz after a restart', timeoutMs, watch: [etcd, fresh] });
    };
    if (options.apiServerOnly === true) {
      return { apiServerUrl, kubeconfigPath, caPem, adminToken: token, dns: { host: ip, port: 0 }, children, logDir, restartApiServer, stop };
    }

    const secure = (port: number): string[] => [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      `--bind-address=${ip}`,
      `--secure-port=${port}`,
      `--cert-dir=${pkiDir}`,
      '--leader-elect=false',
      '--profiling=false',
    ];
    const kcm = startChild({
      groups: options.groups,
      name: 'kube-controller-manager',
      command: binaries['kube-controller-manager'],
      logFile: join(logDir, 'kube-controller-manager.log'),
      args: [
        ...secure(kcmPort),
        `--controllers=${CONTROLLERS.join(',')}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--pvclaimbinder-sync-period=2s',
        '--horizontal-pod-autoscaler-sync-period=5s',
        '--v=1',
      ],
    });
    children.push(kcm);
    const scheduler = startChild({
      groups: options.groups,
      name: 'kube-scheduler',
      command: binaries['kube-scheduler'],
      logFile: join(logDir, 'kube-scheduler.log'),
      args: [...secure(schedPort), '--v=1'],
    });
    children.push(scheduler);

    const corefile = join(dir, 'Corefile');
    await writeFile(corefile, corefileText({ ip, port: dnsPort, readyPort: dnsReadyPort, kubeconfigPath }));
    const coredns = startChild({
      groups: options.groups,
      name: 'coredns',
      command: binaries.coredns,
      logFile: join(logDir, 'coredns.log'),
      args: ['-conf', corefile],
      cwd: dir,
    });
    children.push(coredns);

    const all = [etcd, apiserver, kcm, scheduler, coredns];
    await Promise.all([
      waitFor(async () => ((await httpStatus(`https://${ip}:${kcmPort}/healthz`, { insecure: true })).status === 200 ? true : undefined), {
        what: 'kube-controller-manager /healthz',
        timeoutMs,
        watch: all,
      }),
      waitFor(async () => ((await httpStatus(`https://${ip}:${schedPort}/healthz`, { insecure: true })).status === 200 ? true : undefined), {
        what: 'kube-scheduler /healthz',
        timeoutMs,
        watch: all,
      }),
      waitFor(async () => ((await httpStatus(`http://${ip}:${dnsReadyPort}/ready`)).status === 200 ? true : undefined), {
        what: 'CoreDNS /ready',
        timeoutMs,
        watch: all,
      }),
    ]);
    return {
      apiServerUrl,
      kubeconfigPath,
      caPem,
      adminToken: token,
      dns: { host: ip, port: dnsPort },
      children,
      logDir,
      restartApiServer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiPort: number;
  kcmPort: number;
  schedPort: number;
  dnsPort: number;
  dnsReadyPort: number;
}

async function freePorts(ip: string): Promise<Ports> {
  const [etcdClient = 0, etcdPeer = 0, apiPort = 0, kcmPort = 0, schedPort = 0, dnsPort = 0, dnsReadyPort = 0] = await distinctPorts(ip, 7);
  return { etcdClient, etcdPeer, apiPort, kcmPort, schedPort, dnsPort, dnsReadyPort };
}

async function distinctPorts(ip: string, count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt++) ports.add(await freePort(ip));
  if (ports.size < count) throw new Error(`could not find ${count} free ports on ${ip}`);
  return [...ports];
}

/** CoreDNS's configuration: the kubernetes plugin for the cluster domain and every reverse zone. */
export function corefileText(input: { ip: string; port: number; readyPort: number; kubeconfigPath: string }): string {
  // No `forward` and no `cache`: the world never leaves loopback, and tests must see changes at once.
  return `.:${input.port} {
    bind ${input.ip}
    errors
    ready ${input.ip}:${input.readyPort}
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${input.kubeconfigPath}
        pods insecure
        ttl 1
    }
}
`;
}
