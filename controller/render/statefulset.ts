/**
 * The StatefulSet of a component and its pod template, wired to the agent: the agent's init
 * container, `starrocks-agent run` as the main command, its preStop hook, probes on its HTTP
 * server, the env contract and the volumes. One builder serves FE, BE and CN.
 */
import {
  AGENT_COMMANDS,
  AGENT_ROUTES,
  CONTAINERS,
  PATHS,
  PORTS,
  names,
  selectorLabels,
} from '../../agent/contract.ts';
import { PROBE_PERIOD_SECONDS } from '../cr/defaults.ts';
import type { ComponentSpec, StarRocksCluster } from '../cr/types.ts';
import type { Json, JsonObject } from '../json.ts';
import { renderEnv } from './env.ts';
import { clusterLabels, objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';
import type { ComponentPort } from './ports.ts';
import { podServiceAccount } from './rbac.ts';
import { renderVolumes } from './volumes.ts';

/** The uid/gid of the `starrocks` user in the images, used for `runAsNonRoot` and `fsGroup`. */
export const STARROCKS_UID = 1000;

/** Name of the agent's container port. */
export const AGENT_PORT_NAME = 'agent';

/** Options of `renderStatefulSet`. */
export interface StatefulSetOptions {
  cluster: StarRocksCluster;
  spec: ComponentSpec;
  ports: ComponentPort[];
  feQueryPort: number;
  /** The image to run: the CR's, or the current one while an upgrade of an earlier component runs. */
  image: string;
}

/** A probe on the agent's HTTP server; undefined when the budget is 0 (disabled, as officially). */
export function agentProbe(path: string, seconds: number): JsonObject | undefined {
  if (seconds <= 0) return undefined;
  return {
    httpGet: { path, port: PORTS.agent },
    periodSeconds: PROBE_PERIOD_SECONDS,
    failureThreshold: Math.ceil(seconds / PROBE_PERIOD_SECONDS),
  };
}

/** The component's StatefulSet. */
export function renderStatefulSet(options: StatefulSetOptions): KubernetesObject {
  const { cluster, spec } = options;
  const n = names(cluster.name);
  const selector = selectorLabels(cluster.name, spec.component);
  const volumes = renderVolumes({ cluster: cluster.name, spec });
  const env = renderEnv({ cluster, spec, feQueryPort: options.feQueryPort });

  const containerSecurity: JsonObject = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: spec.readOnlyRootFilesystem,
  };
  if (spec.capabilities !== undefined) containerSecurity.capabilities = spec.capabilities;
  if (spec.runAsNonRoot === true) containerSecurity.runAsNonRoot = true;

  const common = (): JsonObject => {
    const c: JsonObject = {
      image: options.image,
      env: env.map((e) => ({ ...e })),
      volumeMounts: volumes.mounts.map((m) => ({ ...m })),
      securityContext: { ...containerSecurity },
    };
    if (spec.imagePullPolicy !== undefined) c.imagePullPolicy = spec.imagePullPolicy;
    if (Object.keys(spec.resources).length > 0) c.resources = spec.resources;
    return c;
  };

  const initContainer: JsonObject = { name: CONTAINERS.init, command: [PATHS.agentBin, AGENT_COMMANDS.init], ...common() };
  const containerPorts: Json[] = options.ports
    .filter((p) => p.containerName !== undefined)
    .map((p) => ({ name: p.containerName ?? '', containerPort: p.port, protocol: 'TCP' }));
  containerPorts.push({ name: AGENT_PORT_NAME, containerPort: PORTS.agent, protocol: 'TCP' });

  const main: JsonObject = {
    name: CONTAINERS.main(spec.component),
    // The user's command/args replace the agent, as they replace the entrypoint officially.
    command: spec.command ?? [PATHS.agentBin, AGENT_COMMANDS.run],
    ...common(),
    ports: containerPorts,
    lifecycle: { ...spec.lifecycle, preStop: { exec: { command: [PATHS.agentBin, AGENT_COMMANDS.prestop] } } },
  };
  if (spec.args !== undefined) main.args = spec.args;
  const probes: [string, JsonObject | undefined][] = [
    ['startupProbe', agentProbe(AGENT_ROUTES.startupz, spec.probeSeconds.startup)],
    ['livenessProbe', agentProbe(AGENT_ROUTES.livez, spec.probeSeconds.liveness)],
    ['readinessProbe', agentProbe(AGENT_ROUTES.readyz, spec.probeSeconds.readiness)],
  ];
  for (const [key, probe] of probes) if (probe !== undefined) main[key] = probe;

  const podSecurity: JsonObject = { fsGroup: STARROCKS_UID, fsGroupChangePolicy: 'OnRootMismatch' };
  if (spec.runAsNonRoot === true) {
    podSecurity.runAsNonRoot = true;
    podSecurity.runAsUser = STARROCKS_UID;
    podSecurity.runAsGroup = STARROCKS_UID;
  }
  if (spec.sysctls.length > 0) podSecurity.sysctls = spec.sysctls;

  const podSpec: JsonObject = {
    serviceAccountName: podServiceAccount(cluster, spec.serviceAccount),
    automountServiceAccountToken: true,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    securityContext: podSecurity,
    // The user's init containers run first; the agent's runs last, right before StarRocks starts.
    initContainers: [...spec.initContainers, initContainer],
    containers: [main, ...spec.sidecars],
    volumes: volumes.volumes,
  };
  const optional: [string, Json | undefined][] = [
    ['imagePullSecrets', spec.imagePullSecrets.length > 0 ? spec.imagePullSecrets : undefined],
    ['schedulerName', spec.schedulerName],
    ['nodeSelector', Object.keys(spec.nodeSelector).length > 0 ? spec.nodeSelector : undefined],
    ['affinity', spec.affinity],
    ['tolerations', spec.tolerations.length > 0 ? spec.tolerations : undefined],
    ['topologySpreadConstraints', spec.topologySpreadConstraints.length > 0 ? spec.topologySpreadConstraints : undefined],
    ['hostAliases', spec.hostAliases.length > 0 ? spec.hostAliases : undefined],
    ['shareProcessNamespace', spec.shareProcessNamespace],
    ['priorityClassName', spec.priorityClassName],
  ];
  for (const [key, value] of optional) if (value !== undefined) podSpec[key] = value;

  const template: JsonObject = {
    metadata: {
      labels: { ...spec.podLabels, ...clusterLabels(cluster.name, spec.component), ...selector },
      ...(Object.keys(spec.annotations).length > 0 ? { annotations: { ...spec.annotations } } : {}),
    },
    spec: podSpec,
  };

  const stsSpec: JsonObject = {
    replicas: spec.replicas,
    selector: { matchLabels: selector },
    serviceName: n.searchService(spec.component),
    podManagementPolicy: spec.podManagementPolicy,
    updateStrategy: spec.updateStrategy ?? { type: 'RollingUpdate' },
    // Data outlives the cluster unless the user says otherwise.
    persistentVolumeClaimRetentionPolicy: {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
      ...spec.persistentVolumeClaimRetentionPolicy,
    },
    template,
  };
  if (spec.minReadySeconds !== undefined) stsSpec.minReadySeconds = spec.minReadySeconds;
  if (volumes.claimTemplates.length > 0) stsSpec.volumeClaimTemplates = volumes.claimTemplates;

  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: objectMeta({ cluster, name: n.statefulSet(spec.component), component: spec.component }),
    spec: stsSpec,
  };
}
