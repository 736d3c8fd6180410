/**
 * The StatefulSet of a component and its pod template, wired to the agent: `install-agent` copies
 * the agent's executable from the agent image into an emptyDir (issue 13), so the user's image
 * runs unchanged with that copy as the agent's init container, as the main command
 * (`starrocks-agent run`, supervising StarRocks or the CR's `command`) and as the preStop hook;
 * probes on its HTTP server, the env contract and the volumes. One builder serves FE, BE and CN.
 */
import {
  AGENT_COMMANDS,
  AGENT_ROUTES,
  COMMAND_SEPARATOR,
  CONTAINERS,
  PATHS,
  PORTS,
  componentHome,
  names,
  scripts,
  selectorLabels,
} from '../../agent/contract/index.ts';
import { PROBE_PERIOD_SECONDS } from '../cr/defaults.ts';
import type { ComponentSpec, StarRocksCluster } from '../cr/types.ts';
import type {
  V1Capabilities,
  V1Container,
  V1ContainerPort,
  V1EnvVar,
  V1Lifecycle,
  V1PersistentVolumeClaim,
  V1PodSecurityContext,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Probe,
  V1ResourceRequirements,
  V1SecurityContext,
  V1StatefulSetPersistentVolumeClaimRetentionPolicy,
  V1StatefulSetSpec,
  V1StatefulSetUpdateStrategy,
  V1Sysctl,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { renderEnv } from './env.ts';
import { asModel, clusterLabels, modelled, objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';
import type { ComponentPort } from './ports.ts';
import { podServiceAccount } from './rbac.ts';
import { VOLUME_NAMES, renderVolumes } from './volumes.ts';

/** The uid/gid of the `starrocks` user in the images, used for `runAsNonRoot` and `fsGroup`. */
const STARROCKS_UID = 1000;

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
  /** The agent image `install-agent` runs (`spec.agent.image`, else the controller's flag). */
  agentImage: string;
}

/**
 * The main container's command and args. Without a CR `command` the agent starts the component's
 * start script. With one, the agent supervises it instead (probes, registration and scale-in stay
 * the agent's), with the CR's `args` after it: kubelet appends `args` to `command` and expands
 * `$(VAR)` in both, as it would for the command alone. `args` without `command` go to the start
 * script (the official default command, the entrypoint, has no counterpart here).
 */
export function mainCommand(spec: Pick<ComponentSpec, 'component' | 'command' | 'args'>): { command: string[]; args?: string[] } {
  const run = [PATHS.agentBin, AGENT_COMMANDS.run];
  if (spec.command !== undefined && spec.command.length > 0) {
    return { command: [...run, COMMAND_SEPARATOR, ...spec.command], ...(spec.args === undefined ? {} : { args: [...spec.args] }) };
  }
  if (spec.args !== undefined && spec.args.length > 0) {
    const start = `${componentHome(PATHS.starrocksRoot, spec.component)}/${scripts(spec.component).start}`;
    return { command: [...run, COMMAND_SEPARATOR, start], args: [...spec.args] };
  }
  return { command: run };
}

/**
 * The share of the grace period a CR's own preStop command may take: half, so the agent's step
 * (graceful stop, deregistration) keeps the other half; at least 1 s.
 */
export function userPrestopSeconds(graceSeconds: number): number {
  return Math.max(1, Math.floor(graceSeconds / 2));
}

/**
 * The preStop hook: always the agent's. A CR's `lifecycle.preStop.exec.command` runs inside it
 * first, bounded by `userPrestopSeconds`; other handler kinds (httpGet, sleep) are not run.
 */
export function prestopCommand(spec: Pick<ComponentSpec, 'lifecycle' | 'terminationGracePeriodSeconds'>): string[] {
  const own = [PATHS.agentBin, AGENT_COMMANDS.prestop];
  const preStop = spec.lifecycle?.preStop;
  const exec = typeof preStop === 'object' && preStop !== null && !Array.isArray(preStop) ? preStop.exec : undefined;
  const command = typeof exec === 'object' && exec !== null && !Array.isArray(exec) ? exec.command : undefined;
  if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string')) return own;
  return [...own, '--timeout-seconds', String(userPrestopSeconds(spec.terminationGracePeriodSeconds)), COMMAND_SEPARATOR, ...command];
}

/** A probe on the agent's HTTP server; undefined when the budget is 0 (disabled, as officially). */
function agentProbe(path: string, seconds: number): V1Probe | undefined {
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
  const volumes = renderVolumes({ cluster: cluster.name, spec, passwordSecret: cluster.agent.passwordSecret });
  const env = renderEnv({ cluster, spec, feQueryPort: options.feQueryPort });

  const containerSecurity: V1SecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: spec.readOnlyRootFilesystem,
  };
  // Pod Security Admission `restricted` by default (issue 12 item 3): non-root unless the CR says
  // `runAsNonRoot: false`, every capability dropped unless the CR names its own, the runtime's
  // seccomp profile. https://kubernetes.io/docs/concepts/security/pod-security-standards/
  const nonRoot = spec.runAsNonRoot !== false;
  containerSecurity.capabilities = spec.capabilities === undefined ? { drop: ['ALL'] } : asModel<V1Capabilities>(spec.capabilities);
  if (nonRoot) containerSecurity.runAsNonRoot = true;

  const common = (): Omit<V1Container, 'name'> => {
    const c: Omit<V1Container, 'name'> = {
      image: options.image,
      env: env.map((e) => asModel<V1EnvVar>({ ...e })),
      volumeMounts: volumes.mounts.map((m) => asModel<V1VolumeMount>({ ...m })),
      securityContext: { ...containerSecurity },
    };
    if (spec.imagePullPolicy !== undefined) c.imagePullPolicy = spec.imagePullPolicy;
    if (Object.keys(spec.resources).length > 0) c.resources = asModel<V1ResourceRequirements>(spec.resources);
    return c;
  };

  // The agent image's entrypoint is the executable (images/agent.Dockerfile); only args are given.
  // Runs first: the user's init containers run their own images and need no agent.
  const installContainer: V1Container = {
    name: CONTAINERS.install,
    image: options.agentImage,
    args: [AGENT_COMMANDS.install, '--to', PATHS.agentBinDir],
    volumeMounts: [{ name: VOLUME_NAMES.agentBin, mountPath: PATHS.agentBinDir }],
    securityContext: { ...containerSecurity, readOnlyRootFilesystem: true },
  };
  if (spec.imagePullPolicy !== undefined) installContainer.imagePullPolicy = spec.imagePullPolicy;
  const initContainer: V1Container = { name: CONTAINERS.init, command: [PATHS.agentBin, AGENT_COMMANDS.init], ...common() };
  const containerPorts: V1ContainerPort[] = options.ports
    .filter((p) => p.containerName !== undefined)
    .map((p) => ({ name: p.containerName ?? '', containerPort: p.port, protocol: 'TCP' }));
  containerPorts.push({ name: AGENT_PORT_NAME, containerPort: PORTS.agent, protocol: 'TCP' });

  const main: V1Container = {
    name: CONTAINERS.main(spec.component),
    ...mainCommand(spec),
    ...common(),
    ports: containerPorts,
    lifecycle: { ...asModel<V1Lifecycle>(spec.lifecycle), preStop: { exec: { command: prestopCommand(spec) } } },
  };
  const probes: ['startupProbe' | 'livenessProbe' | 'readinessProbe', V1Probe | undefined][] = [
    ['startupProbe', agentProbe(AGENT_ROUTES.startupz, spec.probeSeconds.startup)],
    ['livenessProbe', agentProbe(AGENT_ROUTES.livez, spec.probeSeconds.liveness)],
    ['readinessProbe', agentProbe(AGENT_ROUTES.readyz, spec.probeSeconds.readiness)],
  ];
  for (const [key, probe] of probes) if (probe !== undefined) main[key] = probe;

  const podSecurity: V1PodSecurityContext = { fsGroup: STARROCKS_UID, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } };
  if (nonRoot) {
    podSecurity.runAsNonRoot = true;
    podSecurity.runAsUser = STARROCKS_UID;
    podSecurity.runAsGroup = STARROCKS_UID;
  }
  if (spec.sysctls.length > 0) podSecurity.sysctls = asModel<V1Sysctl[]>(spec.sysctls);

  const podSpec: V1PodSpec = {
    serviceAccountName: podServiceAccount(cluster),
    automountServiceAccountToken: true,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    securityContext: podSecurity,
    // install-agent first; then the user's init containers; the agent's init runs last, right
    // before StarRocks starts.
    initContainers: [installContainer, ...asModel<V1Container[]>(spec.initContainers), initContainer],
    containers: [main, ...asModel<V1Container[]>(spec.sidecars)],
    volumes: asModel<V1Volume[]>(volumes.volumes),
  };
  const optional: [keyof V1PodSpec, unknown][] = [
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
  // The CR's own parts, as the CRD schema admitted them.
  for (const [key, value] of optional) if (value !== undefined) Object.assign(podSpec, { [key]: value });

  const template: V1PodTemplateSpec = {
    metadata: {
      labels: { ...spec.podLabels, ...clusterLabels(cluster.name, spec.component), ...selector },
      ...(Object.keys(spec.annotations).length > 0 ? { annotations: { ...spec.annotations } } : {}),
    },
    spec: podSpec,
  };

  const stsSpec: V1StatefulSetSpec = {
    replicas: spec.replicas,
    selector: { matchLabels: selector },
    serviceName: n.searchService(spec.component),
    podManagementPolicy: spec.podManagementPolicy,
    updateStrategy: spec.updateStrategy === undefined ? { type: 'RollingUpdate' } : asModel<V1StatefulSetUpdateStrategy>(spec.updateStrategy),
    // Data outlives the cluster unless the user says otherwise.
    persistentVolumeClaimRetentionPolicy: {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
      ...asModel<V1StatefulSetPersistentVolumeClaimRetentionPolicy | undefined>(spec.persistentVolumeClaimRetentionPolicy),
    },
    template,
  };
  if (spec.minReadySeconds !== undefined) stsSpec.minReadySeconds = spec.minReadySeconds;
  if (volumes.claimTemplates.length > 0) stsSpec.volumeClaimTemplates = asModel<V1PersistentVolumeClaim[]>(volumes.claimTemplates);

  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: objectMeta({ cluster, name: n.statefulSet(spec.component), component: spec.component }),
    spec: modelled<V1StatefulSetSpec>(stsSpec),
  };
}
