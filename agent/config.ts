/**
 * The agent's configuration, parsed from env at the edge into typed values. Every bad value stops
 * the agent with its own error code, the variable, the value and what is expected.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env); // throws AgentError('ERR_ENV_...') on bad input
 * ```
 */
import { isIP } from 'node:net';
import {
  COMMAND_SEPARATOR,
  DEFAULTS,
  ENV,
  HOST_TYPES,
  PATHS,
  PORTS,
  isComponent,
  names,
  parseOrdinal,
} from './contract/index.ts';
import type { Component, HostType } from './contract/index.ts';
import { AgentError } from './contract/errors.ts';
import { isDnsLabel, isDnsSubdomain } from './contract/dns-name.ts';

/** Log levels pino accepts. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** A `host:port` pair. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Everything the agent needs from its environment. */
export interface AgentConfig {
  component: Component;
  podName: string;
  ordinal: number;
  namespace: string;
  cluster: string;
  podIp: string | undefined;
  hostType: HostType;
  clusterDomain: string;
  /** Load-balanced FE service as given (`<cluster>-fe-service[.<ns>]`). */
  feServiceName: string;
  feQueryPort: number;
  /**
   * Secret: never logged, never in argv, metrics or status. The official images' MYSQL_PWD; the
   * controller renders the password files below instead.
   */
  mysqlPassword: string;
  /** FE only: the file holding root's password (a mounted Secret key); re-read as it changes. */
  rootPasswordFile: string | undefined;
  /** The file holding the agent SQL user's password; undefined: the agent logs in as root. */
  agentPasswordFile: string | undefined;
  configMapMountPath: string | undefined;
  starrocksRoot: string;
  feVoters: number;
  dnsServer: Endpoint | undefined;
  agentPort: number;
  agentBind: string;
  stateDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  logConsole: boolean;
  sqlTimeoutMs: number;
  probeIntervalMs: number;
  maxBackoffMs: number;
  /** How long a member's pod must be gone before its row counts as a ghost. */
  ghostGraceMs: number;
  /** How long a restarted BE's readiness waits for tablet health (0: no wait). */
  tabletHealthMaxWaitMs: number;
  /** Run without the Kubernetes API (no fence, no annotations): outside Kubernetes only. */
  noKubernetes: boolean;
  /** Outside Kubernetes: the shared directory holding the bootstrap fence file. */
  fenceDir: string | undefined;
}

/** Env as process.env gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Parse and validate the agent's env. Throws AgentError with a specific code on bad input. */
export function loadConfig(env: Env): AgentConfig {
  const component = required(env, ENV.COMPONENT_NAME).toLowerCase();
  if (!isComponent(component)) {
    throw new AgentError(
      'ERR_ENV_COMPONENT',
      `${ENV.COMPONENT_NAME}="${component}" is not a StarRocks component: set it to fe, be or cn`,
    );
  }
  const podName = required(env, ENV.POD_NAME);
  const ordinal = parseOrdinal(podName);
  if (!isDnsLabel(podName) || ordinal === undefined) {
    throw new AgentError(
      'ERR_ENV_POD_NAME',
      `${ENV.POD_NAME}="${podName}" is not a StatefulSet pod name (<name>-<ordinal>, lowercase): set it from metadata.name`,
    );
  }
  const namespace = required(env, ENV.POD_NAMESPACE);
  if (!isDnsLabel(namespace)) {
    throw new AgentError(
      'ERR_ENV_NAMESPACE',
      `${ENV.POD_NAMESPACE}="${namespace}" is not a valid namespace name: set it from metadata.namespace`,
    );
  }
  const podIp = optional(env, ENV.POD_IP);
  if (podIp !== undefined && isIP(podIp) === 0) {
    throw new AgentError(
      'ERR_ENV_POD_IP',
      `${ENV.POD_IP}="${podIp}" is not an IP address: set it from status.podIP`,
    );
  }
  const hostType = (optional(env, ENV.HOST_TYPE) ?? DEFAULTS.hostType).toUpperCase();
  if (!(HOST_TYPES as readonly string[]).includes(hostType)) {
    throw new AgentError(
      'ERR_ENV_HOST_TYPE',
      `${ENV.HOST_TYPE}="${hostType}" is not a host type: set it to FQDN or IP`,
    );
  }
  if (hostType === 'IP' && !boolean(env, ENV.NO_KUBERNETES, false)) {
    // A pod's IP changes when it is re-created: StarRocks would keep the old row (a ghost holding
    // the tablets) and the node would be added again under its new address.
    throw new AgentError(
      'ERR_ENV_HOST_TYPE',
      `${ENV.HOST_TYPE}=IP is refused on Kubernetes: pod IPs change when pods are re-created, which leaves ghost nodes holding tablets; remove HOST_TYPE (FQDN is the default)`,
    );
  }
  if (hostType === 'IP' && podIp === undefined) {
    throw new AgentError(
      'ERR_ENV_POD_IP',
      `${ENV.HOST_TYPE}=IP needs ${ENV.POD_IP}: set it from status.podIP, or use HOST_TYPE=FQDN`,
    );
  }

  const feServiceRaw = optional(env, ENV.FE_SERVICE_NAME);
  const cluster = clusterName({ env, component, podName, feServiceName: feServiceRaw });
  const clusterDomain = optional(env, ENV.CLUSTER_DOMAIN) ?? DEFAULTS.clusterDomain;
  if (!isDnsSubdomain(clusterDomain)) {
    throw new AgentError(
      'ERR_ENV_NAME',
      `${ENV.CLUSTER_DOMAIN}="${clusterDomain}" is not a DNS domain: set it to the cluster domain, e.g. cluster.local`,
    );
  }
  const feServiceName = feServiceRaw ?? names(cluster).externalService('fe');
  if (!isDnsSubdomain(feServiceName)) {
    throw new AgentError(
      'ERR_ENV_NAME',
      `${ENV.FE_SERVICE_NAME}="${feServiceName}" is not a service name: set it to <cluster>-fe-service`,
    );
  }

  const logLevel = (optional(env, ENV.LOG_LEVEL) ?? DEFAULTS.logLevel).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new AgentError(
      'ERR_ENV_LOG_LEVEL',
      `${ENV.LOG_LEVEL}="${logLevel}" is not a log level: use one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  const dnsRaw = optional(env, ENV.DNS_SERVER);
  const rootPasswordFile = filePath(env, ENV.ROOT_PASSWORD_FILE);
  if (rootPasswordFile !== undefined && component !== 'fe') {
    // A BE or CN runs user code (UDFs): root's password must never be readable there.
    throw new AgentError(
      'ERR_PASSWORD_FILE',
      `${ENV.ROOT_PASSWORD_FILE} is set in a ${component} pod: BE and CN pods must not hold the root password; remove it (they log in as ${ENV.AGENT_PASSWORD_FILE}'s user)`,
    );
  }

  return {
    component,
    podName,
    ordinal,
    namespace,
    cluster,
    podIp,
    hostType: hostType as HostType,
    clusterDomain,
    feServiceName,
    feQueryPort: port(env, ENV.FE_QUERY_PORT, PORTS.fe.query),
    mysqlPassword: env[ENV.MYSQL_PWD] ?? '',
    rootPasswordFile,
    agentPasswordFile: filePath(env, ENV.AGENT_PASSWORD_FILE),
    configMapMountPath: optional(env, ENV.CONFIGMAP_MOUNT_PATH),
    starrocksRoot: optional(env, ENV.STARROCKS_ROOT) ?? PATHS.starrocksRoot,
    feVoters: integer(env, ENV.FE_VOTERS, { fallback: DEFAULTS.feVoters, min: 1, max: 99 }),
    dnsServer: dnsRaw === undefined ? undefined : parseEndpoint(dnsRaw, ENV.DNS_SERVER),
    agentPort: port(env, ENV.AGENT_PORT, PORTS.agent),
    agentBind: optional(env, ENV.AGENT_BIND) ?? '0.0.0.0',
    stateDir: optional(env, ENV.AGENT_STATE_DIR) ?? PATHS.agentStateDir,
    logLevel: logLevel as AgentConfig['logLevel'],
    logConsole: optional(env, ENV.LOG_CONSOLE) === '1',
    sqlTimeoutMs: integer(env, ENV.SQL_TIMEOUT_MS, { fallback: DEFAULTS.sqlTimeoutMs, min: 100, max: 3_600_000 }),
    probeIntervalMs: integer(env, ENV.PROBE_INTERVAL_MS, { fallback: DEFAULTS.probeIntervalMs, min: 50, max: 600_000 }),
    maxBackoffMs: integer(env, ENV.MAX_BACKOFF_MS, { fallback: DEFAULTS.maxBackoffMs, min: 10, max: 600_000 }),
    ghostGraceMs: integer(env, ENV.GHOST_GRACE_SECONDS, { fallback: DEFAULTS.ghostGraceSeconds, min: 1, max: 7 * 24 * 3600 }) * 1000,
    tabletHealthMaxWaitMs:
      integer(env, ENV.TABLET_HEALTH_MAX_WAIT_SECONDS, { fallback: DEFAULTS.tabletHealthMaxWaitSeconds, min: 0, max: 7 * 24 * 3600 }) * 1000,
    noKubernetes: boolean(env, ENV.NO_KUBERNETES, false),
    fenceDir: optional(env, ENV.FENCE_DIR),
  };
}

/** Parse `host:port` (IPv6 in brackets). Throws ERR_ENV_ENDPOINT naming `what`. */
export function parseEndpoint(raw: string, what: string): Endpoint {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(raw.trim());
  const host = match?.[1] ?? match?.[2];
  const portNumber = Number(match?.[3]);
  if (host === undefined || !(portNumber >= 1 && portNumber <= 65535)) {
    throw new AgentError(
      'ERR_ENV_ENDPOINT',
      `${what}="${raw}" is not host:port (IPv6 as [addr]:port, port 1-65535)`,
    );
  }
  return { host, port: portNumber };
}

// The cluster name: explicit, else from FE_SERVICE_NAME (`<cluster>-fe-service[.ns]`, the official
// operator's value), else from the pod name (`<cluster>-<component>-<ordinal>`).
function clusterName(input: {
  env: Env;
  component: Component;
  podName: string;
  feServiceName: string | undefined;
}): string {
  const explicit = optional(input.env, ENV.CLUSTER_NAME);
  const fromService = /^(.+)-fe-service(\..*)?$/.exec(input.feServiceName ?? '')?.[1];
  const fromPod = new RegExp(`^(.+)-${input.component}-\\d+$`).exec(input.podName)?.[1];
  const cluster = explicit ?? fromService ?? fromPod;
  if (cluster === undefined || !isDnsLabel(cluster)) {
    throw new AgentError(
      'ERR_ENV_NAME',
      `cannot tell the cluster name (${ENV.CLUSTER_NAME}="${explicit ?? ''}", ${ENV.POD_NAME}="${input.podName}"): set ${ENV.CLUSTER_NAME} to the StarRocksCluster name`,
    );
  }
  return cluster;
}

function optional(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

// A password FILE's path (never a password): absolute, printable, no `..` step.
function filePath(env: Env, key: string): string | undefined {
  const raw = optional(env, key);
  if (raw === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  if (!raw.startsWith('/') || /[\u0000-\u001f\u007f]/.test(raw) || raw.split('/').includes('..')) {
    throw new AgentError('ERR_PASSWORD_FILE', `${key}="${raw}" is not an absolute file path: set it to the mounted Secret file, e.g. /etc/starrocks-agent/agent-password/password`);
  }
  return raw;
}

/** `run`'s arguments: the command to supervise instead of the start script, if any. */
export interface RunArgs {
  /** `run -- CMD ARG...`: CMD and its args (the CR's `command` and `args`); undefined: the start script. */
  command: string[] | undefined;
}

/** Parses `run [-- COMMAND [ARG...]]`. */
export function parseRunArgs(args: readonly string[]): RunArgs {
  if (args.length === 0) return { command: undefined };
  const [first, ...rest] = args;
  if (first !== COMMAND_SEPARATOR) {
    throw new AgentError('ERR_USAGE', `run: unexpected argument "${first ?? ''}"; usage: starrocks-agent run [-- COMMAND [ARG...]]`);
  }
  if (rest.length === 0 || rest[0] === '') {
    throw new AgentError('ERR_USAGE', `run: "${COMMAND_SEPARATOR}" must be followed by the command to supervise, e.g. run -- /opt/starrocks/fe/bin/start_fe.sh`);
  }
  return { command: rest };
}

/** A command `prestop` runs before its own step (a CR's `lifecycle.preStop.exec.command`). */
export interface PrestopHook {
  command: string[];
  /** It is killed after this long, so the agent's step keeps its share of the grace period. */
  timeoutMs: number;
}

/** `prestop`'s arguments. */
export interface PrestopArgs {
  hook: PrestopHook | undefined;
}

// One day: longer than any grace period a StarRocks pod is given.
const MAX_HOOK_SECONDS = 86_400;

/** Parses `prestop [--timeout-seconds N -- COMMAND [ARG...]]`. */
export function parsePrestopArgs(args: readonly string[]): PrestopArgs {
  const usage = 'usage: starrocks-agent prestop [--timeout-seconds N -- COMMAND [ARG...]]';
  if (args.length === 0) return { hook: undefined };
  let timeoutSeconds: number | undefined;
  let i = 0;
  for (; i < args.length && args[i] !== COMMAND_SEPARATOR; i++) {
    const arg = args[i] ?? '';
    const raw = arg === '--timeout-seconds' ? args[++i] : arg.startsWith('--timeout-seconds=') ? arg.slice('--timeout-seconds='.length) : undefined;
    if (raw === undefined) throw new AgentError('ERR_USAGE', `prestop: unexpected argument "${arg}"; ${usage}`);
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || value > MAX_HOOK_SECONDS) {
      throw new AgentError('ERR_USAGE', `prestop: --timeout-seconds "${raw}" is out of range: use a whole number from 1 to ${MAX_HOOK_SECONDS}`);
    }
    timeoutSeconds = value;
  }
  const command = args.slice(i + 1);
  if (i >= args.length || command.length === 0 || command[0] === '') throw new AgentError('ERR_USAGE', `prestop: a command must follow "${COMMAND_SEPARATOR}"; ${usage}`);
  if (timeoutSeconds === undefined) throw new AgentError('ERR_USAGE', `prestop: --timeout-seconds is required with a command; ${usage}`);
  return { hook: { command, timeoutMs: timeoutSeconds * 1000 } };
}

function required(env: Env, key: string): string {
  const value = optional(env, key);
  if (value === undefined) {
    throw new AgentError('ERR_ENV_MISSING', `${key} is not set: the pod spec must set it (see the env contract in README.md)`);
  }
  return value;
}

function port(env: Env, key: string, fallback: number): number {
  const raw = optional(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || value < 1 || value > 65535) {
    throw new AgentError('ERR_ENV_PORT', `${key}="${raw}" is not a port: use a whole number from 1 to 65535`);
  }
  return value;
}

function integer(env: Env, key: string, limits: { fallback: number; min: number; max: number }): number {
  const raw = optional(env, key);
  if (raw === undefined) return limits.fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < limits.min || value > limits.max) {
    throw new AgentError(
      'ERR_ENV_NUMBER',
      `${key}="${raw}" is out of range: use a whole number from ${limits.min} to ${limits.max}`,
    );
  }
  return value;
}

function boolean(env: Env, key: string, fallback: boolean): boolean {
  const raw = optional(env, key)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new AgentError('ERR_ENV_BOOLEAN', `${key}="${raw}" is not a boolean: use true or false`);
}
