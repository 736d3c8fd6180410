/**
 * The contract between the agent, the controller and the tests: every name, label, annotation,
 * env var, port and path that more than one module uses is defined here, once.
 *
 * Names follow the official StarRocks operator where it has one (so the agent can run under it),
 * and live under the `starrocks.com` prefix where they are our own.
 *
 * @example
 * ```ts
 * import { names } from './index.ts';
 * names('prod').searchService('fe'); // 'prod-fe-search'
 * ```
 */

/** The three kinds of StarRocks node the agent runs. */
export const COMPONENTS = ['fe', 'be', 'cn'] as const;
/** One of `fe`, `be`, `cn`. */
export type Component = (typeof COMPONENTS)[number];

/** True when `value` is a component name. */
export function isComponent(value: string): value is Component {
  return (COMPONENTS as readonly string[]).includes(value);
}

/** The custom resource, as the official operator defines it. */
export const CRD = {
  group: 'starrocks.com',
  version: 'v1',
  kind: 'StarRocksCluster',
  plural: 'starrocksclusters',
  singular: 'starrockscluster',
  shortName: 'src',
} as const;

/** Label keys put on every object the controller renders. */
export const LABELS = {
  /** Official operator label: the owning StatefulSet's name; part of the pod selector. */
  ownerName: 'app.starrocks.ownerreference/name',
  /** `fe`, `be` or `cn`. */
  component: 'app.kubernetes.io/component',
  /** The StarRocksCluster's name. */
  instance: 'app.kubernetes.io/instance',
  name: 'app.kubernetes.io/name',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** Values of the fixed labels. */
export const LABEL_VALUES = {
  name: 'starrocks',
  managedBy: 'starrocks-controller',
} as const;

/** Annotation keys. The agent keeps its state in its own pod's annotations (DESIGN.md §1). */
export const ANNOTATIONS = {
  /** The agent's current phase (`init`, `waiting`, `registered`, `running`, `draining`, ...). */
  phase: 'starrocks.com/agent-phase',
  /** The start plan init chose: `bootstrap`, `join`, `restart-from-meta`, `registered`. */
  plan: 'starrocks.com/agent-plan',
  /** JSON: the host:port the node was registered with, its role, cluster id; its one codec is membership-annotation.ts. */
  membership: 'starrocks.com/agent-membership',
  /** JSON: BE decommission progress (tablets left, started at). */
  decommission: 'starrocks.com/agent-decommission',
  /** The last error the agent saw, one line. */
  lastError: 'starrocks.com/agent-last-error',
  /** On FE pods: the cluster id the FE reported; the controller copies it into the CR's status. */
  clusterId: 'starrocks.com/agent-cluster-id',
  /** On FE pods: the FE's own Role in SHOW FRONTENDS (`LEADER`, `FOLLOWER`, `OBSERVER`); the controller's FE budget counts voters from it. */
  feRole: 'starrocks.com/agent-fe-role',
  /** JSON `{ unhealthy, since }` while a restarted BE waits for tablet health; removed when it opens. */
  tabletHealth: 'starrocks.com/agent-tablet-health',
  /** On the fence ConfigMap: when and by which pod the cluster was bootstrapped. */
  bootstrappedBy: 'starrocks.com/bootstrapped-by',
  /** Hash of the rendered pod template inputs, written by the controller. */
  specHash: 'starrocks.com/spec-hash',
} as const;

/** Env var names. The first group is the official images' contract and is kept as is. */
export const ENV = {
  POD_NAME: 'POD_NAME',
  POD_NAMESPACE: 'POD_NAMESPACE',
  POD_IP: 'POD_IP',
  HOST_IP: 'HOST_IP',
  HOST_TYPE: 'HOST_TYPE',
  COMPONENT_NAME: 'COMPONENT_NAME',
  FE_SERVICE_NAME: 'FE_SERVICE_NAME',
  FE_QUERY_PORT: 'FE_QUERY_PORT',
  MYSQL_PWD: 'MYSQL_PWD',
  CONFIGMAP_MOUNT_PATH: 'CONFIGMAP_MOUNT_PATH',
  STARROCKS_ROOT: 'STARROCKS_ROOT',
  LOG_CONSOLE: 'LOG_CONSOLE',
  // Our own additions; all optional, with defaults.
  /** The StarRocksCluster name; derived from FE_SERVICE_NAME or POD_NAME when absent. */
  CLUSTER_NAME: 'STARROCKS_CLUSTER_NAME',
  /** Kubernetes cluster domain, default `cluster.local`. */
  CLUSTER_DOMAIN: 'STARROCKS_CLUSTER_DOMAIN',
  /** Number of voting FEs (followers); FE ordinals at or above it join as observers. */
  FE_VOTERS: 'STARROCKS_FE_VOTERS',
  /** `host:port` of a DNS server to use instead of /etc/resolv.conf (tests, special setups). */
  DNS_SERVER: 'STARROCKS_AGENT_DNS_SERVER',
  /** The agent's HTTP port (probes, metrics, status). */
  AGENT_PORT: 'STARROCKS_AGENT_PORT',
  /** Address the agent's HTTP server binds to, default all interfaces. */
  AGENT_BIND: 'STARROCKS_AGENT_BIND',
  /** Folder shared by the init and main containers (an emptyDir) holding the start plan. */
  AGENT_STATE_DIR: 'STARROCKS_AGENT_STATE_DIR',
  /** `trace|debug|info|warn|error|fatal`, default `info`. */
  LOG_LEVEL: 'STARROCKS_AGENT_LOG_LEVEL',
  /** Timeout of every SQL statement, in milliseconds. */
  SQL_TIMEOUT_MS: 'STARROCKS_AGENT_SQL_TIMEOUT_MS',
  /** How often the agent reads membership from the FE for its probes, in milliseconds. */
  PROBE_INTERVAL_MS: 'STARROCKS_AGENT_PROBE_INTERVAL_MS',
  /** Upper bound of the back-off between two attempts while waiting, in milliseconds. */
  MAX_BACKOFF_MS: 'STARROCKS_AGENT_MAX_BACKOFF_MS',
  /** How long a member's pod must be gone before the FE leader's agent removes its row (a ghost), in seconds. */
  GHOST_GRACE_SECONDS: 'STARROCKS_AGENT_GHOST_GRACE_SECONDS',
  /** How long a restarted BE's readiness waits for unhealthy tablets to heal, in seconds. */
  TABLET_HEALTH_MAX_WAIT_SECONDS: 'STARROCKS_AGENT_TABLET_HEALTH_MAX_WAIT_SECONDS',
  /** Outside Kubernetes: a directory shared by every FE that holds the bootstrap fence file. */
  FENCE_DIR: 'STARROCKS_AGENT_FENCE_DIR',
  /** `true` to skip Kubernetes API calls (no fence, no annotations): outside Kubernetes only. */
  NO_KUBERNETES: 'STARROCKS_AGENT_NO_KUBERNETES',
  /**
   * Set by `run` in the env of a CR command it supervises: the combined images' entrypoint
   * scripts then stand in for start_*.sh instead of starting a second agent.
   */
  AGENT_SUPERVISED: 'STARROCKS_AGENT_SUPERVISED',
  /** FE pods only: the FILE holding the root password (a mounted Secret key), never the password. */
  ROOT_PASSWORD_FILE: 'STARROCKS_ROOT_PASSWORD_FILE',
  /** The FILE holding the password of the agent's SQL user (`SQL_USERS.agent`), never the password. */
  AGENT_PASSWORD_FILE: 'STARROCKS_AGENT_PASSWORD_FILE',
} as const;

/**
 * SQL users. BE/CN agents and FE joins log in as `agent`, whose only role is the built-in
 * `cluster_admin` (it holds the NODE privilege: ADD/DROP/DECOMMISSION of nodes); only FE pods hold
 * root's password. FE 0's agent creates `agent` at bootstrap (agent/commands/account-keeper.ts).
 */
export const SQL_USERS = {
  root: 'root',
  agent: 'starrocks_agent',
} as const;

/** The built-in role, and the agent user's only (default) role. */
export const AGENT_SQL_ROLE = 'cluster_admin';

/** Where the controller mounts the password Secrets, and the key/file name inside them. */
export const PASSWORD_MOUNTS = {
  /** FE pods only: the root password Secret (`spec.agent.passwordSecret`). */
  rootDir: '/etc/starrocks-agent/root-password',
  /** Every pod: the agent user's password Secret (`names(cluster).agentPasswordSecret`). */
  agentDir: '/etc/starrocks-agent/agent-password',
  /** The file name under both folders, and the key of the generated Secret (the official chart's key). */
  file: 'password',
} as const;

/** How a node identifies itself to the cluster. */
export const HOST_TYPES = ['FQDN', 'IP'] as const;
/** `FQDN` (default, what the official operator sets) or `IP`. */
export type HostType = (typeof HOST_TYPES)[number];

/** Default ports per process, as StarRocks defines them (conf keys in comments). */
export const PORTS = {
  fe: {
    /** `http_port` */ http: 8030,
    /** `rpc_port` */ rpc: 9020,
    /** `query_port` */ query: 9030,
    /** `edit_log_port` */ editLog: 9010,
  },
  be: {
    /** `be_port` */ be: 9060,
    /** `be_http_port` */ http: 8040,
    /** `heartbeat_service_port` */ heartbeat: 9050,
    /** `brpc_port` */ brpc: 8060,
  },
  cn: {
    /** `thrift_port`/`be_port` */ be: 9060,
    /** `be_http_port` */ http: 8040,
    /** `heartbeat_service_port` */ heartbeat: 9050,
    /** `brpc_port` */ brpc: 8060,
  },
  /** The agent's own HTTP server: probes, metrics, status. */
  agent: 8077,
} as const;

/** The agent's HTTP endpoints. */
export const AGENT_ROUTES = {
  livez: '/livez',
  readyz: '/readyz',
  startupz: '/startupz',
  metrics: '/metrics',
  status: '/status',
} as const;

/** Container paths. `STARROCKS_ROOT` may move the tree; these are the defaults. */
export const PATHS = {
  starrocksRoot: '/opt/starrocks',
  /** Where the bundled agent lives in the images. */
  agentBin: '/opt/starrocks-agent/starrocks-agent',
  /** The folder of `agentBin`: the emptyDir the `install-agent` init container fills (issue 13). */
  agentBinDir: '/opt/starrocks-agent',
  /** emptyDir shared by the init and main containers. */
  agentStateDir: '/var/run/starrocks-agent',
  /** The plan file the init container writes for the main container, inside agentStateDir. */
  planFile: 'plan.json',
} as const;

/** The process home of a component under a StarRocks root (`/opt/starrocks/fe`, ...). */
export function componentHome(root: string, component: Component): string {
  return `${root}/${component}`;
}

/** Conf file name per component (`fe.conf`, `be.conf`, `cn.conf`). */
export function confFileName(component: Component): string {
  return `${component}.conf`;
}

/** Where the controller mounts a component's conf ConfigMap (the official operator's path). */
export function configMapMountPath(component: Component): string {
  return `/etc/starrocks/${component}/conf`;
}

/** Start and stop scripts of a component, relative to its home. */
export function scripts(component: Component): { start: string; stop: string } {
  return { start: `bin/start_${component}.sh`, stop: `bin/stop_${component}.sh` };
}

/** Default data mount paths per component (official operator's defaults). */
export const DATA_PATHS = {
  feMeta: '/opt/starrocks/fe/meta',
  feLog: '/opt/starrocks/fe/log',
  beStorage: '/opt/starrocks/be/storage',
  beLog: '/opt/starrocks/be/log',
  cnCache: '/opt/starrocks/cn/storage',
  cnLog: '/opt/starrocks/cn/log',
} as const;

/** The agent's subcommands, as images and rendered pods call them. */
export const AGENT_COMMANDS = {
  /** The init container: DNS wait, start plan, registration. */
  init: 'init',
  /** The main container's PID 1: supervise StarRocks, serve probes. */
  run: 'run',
  /** The preStop hook: graceful stop, or deregistration on scale-in. */
  prestop: 'prestop',
  /** The agent image's init container: copy the executable into the shared folder (`--to DIR`). */
  install: 'install',
} as const;

/**
 * Separates the agent's arguments from a command it runs for the user: `run -- CMD ARG...`
 * supervises CMD instead of the start script, `prestop -- CMD ARG...` runs CMD before its own step.
 */
export const COMMAND_SEPARATOR = '--';

/** Container names in rendered pods. */
export const CONTAINERS = {
  /** Runs the agent image: copies the agent's executable into `PATHS.agentBinDir`. */
  install: 'install-agent',
  init: 'agent-init',
  main: (component: Component): string => component,
} as const;

/**
 * The end of every agent ServiceAccount name (`<cluster>-starrocks-agent`): the admission policy
 * `starrocks-agent` (deploy/agent-policy.yaml) recognizes agents, and their cluster, by it.
 */
export const AGENT_SERVICE_ACCOUNT_SUFFIX = '-starrocks-agent';

/**
 * `source.component` of the events an agent records about its own pod: the controller lists them
 * by it to mirror the important ones onto the StarRocksCluster (controller/status/event-mirror.ts).
 */
export const AGENT_EVENT_SOURCE = 'starrocks-agent';

/** Names derived from a cluster name. */
export interface ClusterNames {
  statefulSet(component: Component): string;
  /** Load-balanced Service listing ready pods only. */
  externalService(component: Component): string;
  /** Headless Service with `publishNotReadyAddresses`, giving every pod a DNS name. */
  searchService(component: Component): string;
  /** Pod name of an ordinal. */
  pod(component: Component, ordinal: number): string;
  /** The bootstrap fence ConfigMap (DESIGN.md §3). */
  fence: string;
  /** The agent's ServiceAccount, Role and RoleBinding. */
  agentServiceAccount: string;
  /** The Secret the controller generates once, holding the agent SQL user's password. */
  agentPasswordSecret: string;
  /** Conf ConfigMap the controller renders when the CR gives inline config. */
  configMap(component: Component): string;
  /** CN HorizontalPodAutoscaler, as the official operator names it. */
  cnAutoscaler: string;
  podDisruptionBudget(component: Component): string;
}

/** All names derived from a StarRocksCluster's name. */
export function names(cluster: string): ClusterNames {
  return {
    statefulSet: (c) => `${cluster}-${c}`,
    externalService: (c) => `${cluster}-${c}-service`,
    searchService: (c) => `${cluster}-${c}-search`,
    pod: (c, ordinal) => `${cluster}-${c}-${ordinal}`,
    fence: `${cluster}-fe-bootstrap`,
    agentServiceAccount: `${cluster}${AGENT_SERVICE_ACCOUNT_SUFFIX}`,
    agentPasswordSecret: `${cluster}-starrocks-agent-password`,
    configMap: (c) => `${cluster}-${c}-conf`,
    cnAutoscaler: `${cluster}-cn-autoscaler`,
    podDisruptionBudget: (c) => `${cluster}-${c}-pdb`,
  };
}

/** Inputs of a pod's FQDN. */
export interface PodFqdnInput {
  pod: string;
  cluster: string;
  component: Component;
  namespace: string;
  domain: string;
}

/** `<pod>.<cluster>-<component>-search.<ns>.svc.<domain>`: the name a pod registers with. */
export function podFqdn(input: PodFqdnInput): string {
  return `${input.pod}.${names(input.cluster).searchService(input.component)}.${input.namespace}.svc.${input.domain}`;
}

/** `<service>.<ns>.svc.<domain>` */
export function serviceFqdn(service: string, namespace: string, domain: string): string {
  return `${service}.${namespace}.svc.${domain}`;
}

/** The StatefulSet ordinal at the end of a pod name, or undefined when there is none. */
export function parseOrdinal(podName: string): number | undefined {
  const match = /-(0|[1-9][0-9]{0,8})$/.exec(podName);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Pod labels that select one component of one cluster (also the StatefulSet selector). */
export function selectorLabels(cluster: string, component: Component): Record<string, string> {
  return {
    [LABELS.ownerName]: names(cluster).statefulSet(component),
    [LABELS.component]: component,
    [LABELS.instance]: cluster,
  };
}

/** Agent defaults, used when env does not say otherwise. */
export const DEFAULTS = {
  clusterDomain: 'cluster.local',
  hostType: 'FQDN' as HostType,
  feVoters: 3,
  /** A component's `replicas` when its spec leaves it out (the official CRD default). */
  componentReplicas: 1,
  sqlTimeoutMs: 10_000,
  probeIntervalMs: 5_000,
  maxBackoffMs: 5_000,
  /** A pod gone this long without deregistering leaves a ghost row, which the leader's agent removes. */
  ghostGraceSeconds: 60,
  /** 30 min: a rollout waits this long at most for StarRocks to heal after each BE restart. */
  tabletHealthMaxWaitSeconds: 1800,
  logLevel: 'info',
} as const;
