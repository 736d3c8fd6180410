/**
 * The env contract of a rendered pod (README.md, "Agent configuration"): the official images'
 * variables plus the agent's own. The CR's env vars win: an injected variable is left out when
 * the user defines the same name (official behaviour).
 */
import { ENV, PASSWORD_MOUNTS, configMapMountPath, names } from '../../agent/contract/index.ts';
import type { ComponentSpec, StarRocksCluster } from '../cr/types.ts';
import type { JsonObject } from '../json.ts';

const fieldRef = (name: string, fieldPath: string): JsonObject => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});
const plain = (name: string, value: string): JsonObject => ({ name, value });

/** Options of `renderEnv`. */
export interface EnvOptions {
  cluster: StarRocksCluster;
  spec: ComponentSpec;
  /** The FE's query port (from its conf), which BE, CN and the agent use to reach FE. */
  feQueryPort: number;
}

/** The container env of a component. */
export function renderEnv(options: EnvOptions): JsonObject[] {
  const { cluster, spec } = options;
  const feService = names(cluster.name).externalService('fe');
  const injected: JsonObject[] = [
    fieldRef(ENV.POD_NAME, 'metadata.name'),
    fieldRef(ENV.POD_NAMESPACE, 'metadata.namespace'),
    fieldRef(ENV.POD_IP, 'status.podIP'),
    fieldRef(ENV.HOST_IP, 'status.hostIP'),
    plain(ENV.HOST_TYPE, 'FQDN'),
    plain(ENV.COMPONENT_NAME, spec.component),
    // The official operator gives FE the namespaced name and BE/CN the short one.
    plain(ENV.FE_SERVICE_NAME, spec.component === 'fe' ? `${feService}.${cluster.namespace}` : feService),
    plain(ENV.FE_QUERY_PORT, String(options.feQueryPort)),
    plain(ENV.CLUSTER_NAME, cluster.name),
    plain(ENV.FE_VOTERS, String(cluster.fe.voters)),
  ];
  if (spec.configMapInfo !== undefined) {
    injected.push(plain(ENV.CONFIGMAP_MOUNT_PATH, configMapMountPath(spec.component)));
  }
  const agent = cluster.agent;
  if (agent.clusterDomain !== undefined) injected.push(plain(ENV.CLUSTER_DOMAIN, agent.clusterDomain));
  if (agent.logLevel !== undefined) injected.push(plain(ENV.LOG_LEVEL, agent.logLevel));
  if (agent.sqlTimeoutMs !== undefined) injected.push(plain(ENV.SQL_TIMEOUT_MS, String(agent.sqlTimeoutMs)));
  if (agent.probeIntervalMs !== undefined) injected.push(plain(ENV.PROBE_INTERVAL_MS, String(agent.probeIntervalMs)));
  // Only BE pods wait for tablet health; FE and CN pods do not change when it does.
  if (agent.tabletHealthMaxWaitSeconds !== undefined && spec.component === 'be') {
    injected.push(plain(ENV.TABLET_HEALTH_MAX_WAIT_SECONDS, String(agent.tabletHealthMaxWaitSeconds)));
  }
  // Paths of the password files (volumes.ts), never a password: the root password in FE pods only.
  if (agent.passwordSecret !== undefined && spec.component === 'fe') {
    injected.push(plain(ENV.ROOT_PASSWORD_FILE, `${PASSWORD_MOUNTS.rootDir}/${PASSWORD_MOUNTS.file}`));
  }
  injected.push(plain(ENV.AGENT_PASSWORD_FILE, `${PASSWORD_MOUNTS.agentDir}/${PASSWORD_MOUNTS.file}`));
  const userNames = new Set(spec.envVars.map((e) => e.name));
  const kept = injected.filter((e) => !userNames.has(e.name));
  // The pod's own facts come first so the CR's env can refer to them (`$(POD_IP)`); the rest
  // follow the CR's env, which wins on any name it defines.
  const isFieldRef = (e: JsonObject): boolean => typeof e.valueFrom === 'object' && e.valueFrom !== null && 'fieldRef' in e.valueFrom;
  return [...kept.filter(isFieldRef), ...spec.envVars.map((e) => ({ ...e })), ...kept.filter((e) => !isFieldRef(e))];
}
