/**
 * Everything a command needs, built once from the config: logger, the node's conf, its own host,
 * DNS, SQL clients, the Kubernetes API (when in a cluster) and the fence store. Commands take a
 * Context, so tests can build one against the simulator with the same function.
 */
import { ANNOTATIONS, SQL_USERS, names, podFqdn } from '../contract/index.ts';
import type { AgentConfig } from '../config.ts';
import { createNodeResolver } from '../dns/node-resolver.ts';
import type { ClusterResolver } from '../dns/cluster-resolver.ts';
import { describeError } from '../contract/errors.ts';
import type { AgentMetrics } from '../http/metrics.ts';
import type { AgentKube } from '../kube/agent-kube.ts';
import { createAgentKube } from '../kube/kube-client.ts';
import { createLogger } from '../contract/log.ts';
import type { Log } from '../contract/log.ts';
import { loadNodeConf } from '../meta/node-conf.ts';
import type { NodeConf } from '../meta/node-conf.ts';
import { fixedPassword, passwordFile, sqlLogin } from '../sql/credentials.ts';
import type { PasswordSource, SqlLogin } from '../sql/credentials.ts';
import { createFeClient } from '../sql/fe-client.ts';
import type { FeClient } from '../sql/fe-client.ts';
import { fileFenceStore, kubeFenceStore } from './fence-store.ts';
import type { FenceStore } from './fence-store.ts';

/** The agent's phases, as recorded in the pod annotation and the phase metric. */
export const PHASES = ['init', 'waiting', 'registering', 'starting', 'running', 'draining', 'deregistering', 'stopped', 'refused'] as const;
/** One of the agent's phases. */
type Phase = (typeof PHASES)[number];

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
  /** The SQL logins and the password files behind them. */
  logins: Logins;
  /** A SQL client to one FE as the pod's login (root on FE, the agent user on BE/CN); close it after use. */
  feClient(host: string, port: number): FeClient;
  /** A SQL client to one FE as the agent user (`SQL_USERS.agent`; root when no agent password file is given). */
  agentClient(host: string, port: number): FeClient;
  /** Record the phase (and more) in the pod's annotations; best effort. */
  annotate(phase: Phase, extra?: Readonly<Record<string, string | null>>): Promise<void>;
}

/** The SQL logins of a pod. */
interface Logins {
  /** root: FE pods (root password file, or MYSQL_PWD); undefined in a BE/CN pod given the agent user's file. */
  root: SqlLogin | undefined;
  /** The agent user; root's login when no agent password file is given (MYSQL_PWD only, outside the controller). */
  agent: SqlLogin;
  /** The root password file, when one is mounted. */
  rootFile: PasswordSource | undefined;
  /** The agent user's password file, when one is mounted. */
  agentFile: PasswordSource | undefined;
  /** Every password value seen so far: scrubbed from every log line. */
  secrets(): string[];
}

/**
 * The logins of a pod from its config. root tries the empty password last when its password comes
 * from a file: a new cluster's root has none until FE 0's agent sets it.
 */
function createLogins(config: AgentConfig, onFileError?: (error: Error) => void): Logins {
  const rootFile = config.rootPasswordFile === undefined ? undefined : passwordFile(config.rootPasswordFile, onFileError);
  const agentFile = config.agentPasswordFile === undefined ? undefined : passwordFile(config.agentPasswordFile, onFileError);
  const rootSource = rootFile ?? (config.component === 'fe' || agentFile === undefined ? fixedPassword(config.mysqlPassword) : undefined);
  const root = rootSource === undefined ? undefined : sqlLogin({ user: SQL_USERS.root, source: rootSource, fallback: rootFile === undefined ? [] : [''] });
  const agent = agentFile === undefined ? (root as SqlLogin) : sqlLogin({ user: SQL_USERS.agent, source: agentFile });
  return {
    root,
    agent,
    rootFile,
    agentFile,
    secrets: () => [config.mysqlPassword, ...(rootFile?.seen() ?? []), ...(agentFile?.seen() ?? [])],
  };
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
  const late: { log?: Log } = {};
  const logins = createLogins(config, (error) => late.log?.warn(`${error.message}; keeping the password read before`));
  const log =
    options.log ??
    createLogger({
      level: config.logLevel,
      secrets: () => logins.secrets(),
      base: { component: config.component, pod: config.podName },
    });
  late.log = log;
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
  const client = (login: SqlLogin) => (host: string, port: number): FeClient =>
    createFeClient({
      host,
      port,
      login,
      timeoutMs: config.sqlTimeoutMs,
      connectTimeoutMs: Math.min(config.sqlTimeoutMs, 3000),
      onStatement: (record) => {
        metrics?.sqlStatements.inc({ kind: record.kind, outcome: record.outcome });
        metrics?.sqlDuration.observe({ kind: record.kind }, record.durationMs / 1000);
      },
    });
  // FE agents read and change membership as root; BE/CN agents never hold root's password.
  const podLogin = config.component === 'fe' ? (logins.root ?? logins.agent) : logins.agent;
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
    logins,
    feClient: client(podLogin),
    agentClient: client(logins.agent),
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
