/**
 * Everything a command needs, built once from the config: logger, the node's conf, its own host,
 * DNS, SQL clients, the Kubernetes API (when in a cluster) and the fence store. Commands take a
 * Context, so tests can build one against the simulator with the same function.
 */
import { ANNOTATIONS, names, podFqdn } from '../contract.ts';
import type { AgentConfig } from '../config.ts';
import { createNodeResolver } from '../dns/node-resolver.ts';
import type { ClusterResolver } from '../dns/cluster-resolver.ts';
import { describeError } from '../errors.ts';
import type { AgentMetrics } from '../http/metrics.ts';
import type { AgentKube } from '../kube/agent-kube.ts';
import { createAgentKube } from '../kube/kube-client.ts';
import { createLogger } from '../log.ts';
import type { Log } from '../log.ts';
import { loadNodeConf } from '../meta/node-conf.ts';
import type { NodeConf } from '../meta/node-conf.ts';
import { createFeClient } from '../sql/fe-client.ts';
import type { FeClient } from '../sql/fe-client.ts';
import { fileFenceStore, kubeFenceStore } from './fence-store.ts';
import type { FenceStore } from './fence-store.ts';

/** The agent's phases, as recorded in the pod annotation and the phase metric. */
export const PHASES = ['init', 'waiting', 'registering', 'starting', 'running', 'draining', 'deregistering', 'stopped', 'refused'] as const;
/** One of the agent's phases. */
export type Phase = (typeof PHASES)[number];

/** What every command works with. */
export interface Context {
  config: AgentConfig;
  log: Log;
  conf: NodeConf;
  /** The host this node registers as: its FQDN in FQDN mode, its pod IP in IP mode. */
  selfHost: string;
  /** The pod's FQDN under its component's search service. */
  fqdn: string;
  resolver: ClusterResolver;
  /** Undefined outside Kubernetes. */
  kube: AgentKube | undefined;
  /** Undefined when there is neither Kubernetes nor a fence directory. */
  fence: FenceStore | undefined;
  metrics: AgentMetrics | undefined;
  /** A SQL client to one FE; close it after use. */
  feClient(host: string, port: number): FeClient;
  /** Record the phase (and more) in the pod's annotations; best effort. */
  annotate(phase: Phase, extra?: Readonly<Record<string, string | null>>): Promise<void>;
}

/** Options of createContext. */
export interface CreateContextOptions {
  config: AgentConfig;
  env: Readonly<Record<string, string | undefined>>;
  log?: Log;
  metrics?: AgentMetrics;
  /** Injected in tests; built from the config otherwise. */
  kube?: AgentKube;
  /** The command being run (`init`, `run`, `prestop`), for the Kubernetes field manager. */
  command?: string;
}

/** Build the context of a command. */
export async function createContext(options: CreateContextOptions): Promise<Context> {
  const { config } = options;
  const log =
    options.log ??
    createLogger({
      level: config.logLevel,
      secrets: [config.mysqlPassword],
      base: { component: config.component, pod: config.podName },
    });
  const conf = await loadNodeConf({
    component: config.component,
    starrocksRoot: config.starrocksRoot,
    configMapMountPath: config.configMapMountPath,
    env: options.env,
  });
  const fqdn = podFqdn({
    pod: config.podName,
    cluster: config.cluster,
    component: config.component,
    namespace: config.namespace,
    domain: config.clusterDomain,
  });
  const selfHost = config.hostType === 'FQDN' ? fqdn : (config.podIp as string);
  const kube = options.kube ?? (config.noKubernetes ? undefined : createAgentKube({
    namespace: config.namespace,
    podName: config.podName,
    cluster: config.cluster,
    timeoutMs: Math.min(config.sqlTimeoutMs, 10_000),
    env: options.env,
    command: options.command ?? 'agent',
  }));
  const fence =
    kube !== undefined
      ? kubeFenceStore(kube, names(config.cluster).fence)
      : config.fenceDir !== undefined
        ? fileFenceStore(config.fenceDir, names(config.cluster).fence)
        : undefined;
  const metrics = options.metrics;
  return {
    config,
    log,
    conf,
    selfHost,
    fqdn,
    resolver: createNodeResolver({ server: config.dnsServer }),
    kube,
    fence,
    metrics,
    feClient: (host, port) =>
      createFeClient({
        host,
        port,
        password: config.mysqlPassword,
        timeoutMs: config.sqlTimeoutMs,
        connectTimeoutMs: Math.min(config.sqlTimeoutMs, 3000),
        onStatement: (record) => {
          metrics?.sqlStatements.inc({ kind: record.kind, outcome: record.outcome });
          metrics?.sqlDuration.observe({ kind: record.kind }, record.durationMs / 1000);
        },
      }),
    annotate: async (phase, extra = {}) => {
      if (kube === undefined) return;
      try {
        await kube.annotateSelf({ [ANNOTATIONS.phase]: phase, ...extra });
      } catch (error) {
        log.warn({ phase }, `could not record the phase in the pod annotations: ${describeError(error)}`);
      }
    },
  };
}
