/**
 * The edge where a raw StarRocksCluster (unknown JSON from the API server or a file) becomes a
 * typed, defaulted `StarRocksCluster`. Problems the schema could not reject (a CR stored before
 * the CRD had a rule, a CRD installed without validation) are returned, never thrown, so the
 * controller can report them in status.
 */
import { COMPONENTS, PASSWORD_MOUNTS } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import type { JsonObject } from '../json.ts';
import {
  DEFAULT_FE_PROXY_IMAGE,
  DEFAULT_FE_PROXY_REPLICAS,
  DEFAULT_FE_PROXY_RESOLVER,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_MIN_REPLICAS,
  DEFAULT_POD_MANAGEMENT_POLICY,
  DEFAULT_PROBE_SECONDS,
  DEFAULT_REPLICAS,
  DEFAULT_STORAGE_SIZE,
  DEFAULT_VOTERS,
  DEFAULT_WAIT_FOR_FULL_ROLLOUT,
} from './defaults.ts';
import type { ComponentSpecResource, FeProxySpecResource } from './schema.ts';
import type {
  AgentSettings,
  AutoScalingPolicy,
  CnSpec,
  ComponentSpec,
  FeProxySpec,
  FeSpec,
  MountSpec,
  ServiceSpec,
  SpecProblem,
  StarRocksCluster,
  StorageVolume,
  PodMonitorSettings,
} from './types.ts';
import { conforms, ruleProblems, schemaProblems } from './validate.ts';

/** What parsing gives: the cluster when it conforms to the schema, and every problem found. */
export interface ParseResult {
  /** Undefined when the CR does not conform to the schema; set (with problems) when only a cross-field rule fails. */
  cluster: StarRocksCluster | undefined;
  problems: SpecProblem[];
}

/** Validate, then default, a raw StarRocksCluster. */
export function parseCluster(raw: unknown): ParseResult {
  if (!conforms(raw)) return { cluster: undefined, problems: [...schemaProblems(raw), ...ruleProblems(raw)] };
  const problems = ruleProblems(raw);
  const { metadata = {}, spec } = raw;
  const feRaw = spec.starRocksFeSpec;
  const fe: FeSpec = {
    ...parseComponent({ component: 'fe', raw: feRaw, envVars: feRaw.feEnvVars }),
    component: 'fe',
    voters: feRaw.voters ?? DEFAULT_VOTERS,
  };
  const beRaw = spec.starRocksBeSpec;
  const cnRaw = spec.starRocksCnSpec;
  let cn: CnSpec | undefined;
  if (cnRaw !== undefined) {
    const policy = cnRaw.autoScalingPolicy;
    let autoScalingPolicy: AutoScalingPolicy | undefined;
    if (policy !== undefined) {
      autoScalingPolicy = {
        minReplicas: policy.minReplicas ?? DEFAULT_MIN_REPLICAS,
        maxReplicas: policy.maxReplicas,
        metrics: policy.hpaPolicy?.metrics ?? [],
        behavior: policy.hpaPolicy?.behavior,
        version: text(policy.version),
      };
    }
    cn = { ...parseComponent({ component: 'cn', raw: cnRaw, envVars: cnRaw.cnEnvVars }), component: 'cn', autoScalingPolicy };
  }

  const agentRaw = spec.agent ?? {};
  const secretName = agentRaw.passwordSecret?.name;
  const agent: AgentSettings = {
    logLevel: text(agentRaw.logLevel),
    clusterDomain: text(agentRaw.clusterDomain),
    sqlTimeoutMs: agentRaw.sqlTimeoutMs,
    probeIntervalMs: agentRaw.probeIntervalMs,
    tabletHealthMaxWaitSeconds: agentRaw.tabletHealthMaxWaitSeconds,
    image: text(agentRaw.image),
    // The official chart's convention: a Secret with the key `password`.
    passwordSecret: secretName === undefined ? undefined : { name: secretName, key: agentRaw.passwordSecret?.key ?? PASSWORD_MOUNTS.file },
  };

  const monitorRaw = spec.metrics?.podMonitor;
  const podMonitor: PodMonitorSettings = {
    enabled: monitorRaw?.enabled ?? false,
    interval: text(monitorRaw?.interval),
    labels: { ...monitorRaw?.labels },
  };

  return {
    cluster: {
      name: metadata.name ?? '',
      namespace: metadata.namespace ?? 'default',
      uid: metadata.uid ?? '',
      generation: metadata.generation ?? 0,
      fe,
      be: beRaw === undefined ? undefined : parseComponent({ component: 'be', raw: beRaw, envVars: beRaw.beEnvVars }),
      cn,
      feProxy: spec.starRocksFeProxySpec === undefined ? undefined : parseFeProxy(spec.starRocksFeProxySpec),
      agent,
      podMonitor,
      waitForFullRollout: spec.waitForFullRollout ?? DEFAULT_WAIT_FOR_FULL_ROLLOUT,
    },
    problems,
  };
}

function parseFeProxy(raw: FeProxySpecResource): FeProxySpec {
  const image = text(raw.image);
  return {
    // The official operator ignores an image that starts with ":" (a chart's empty repository).
    image: image === undefined || image.startsWith(':') ? DEFAULT_FE_PROXY_IMAGE : image,
    imagePullPolicy: text(raw.imagePullPolicy),
    imagePullSecrets: raw.imagePullSecrets ?? [],
    replicas: raw.replicas ?? DEFAULT_FE_PROXY_REPLICAS,
    resources: inlineResources(raw),
    annotations: raw.annotations ?? {},
    podLabels: raw.podLabels ?? {},
    schedulerName: text(raw.schedulerName),
    nodeSelector: raw.nodeSelector ?? {},
    affinity: raw.affinity,
    tolerations: raw.tolerations ?? [],
    topologySpreadConstraints: raw.topologySpreadConstraints ?? [],
    priorityClassName: text(raw.priorityClassName),
    service: parseService(raw.service),
    serviceAccount: text(raw.serviceAccount),
    hostAliases: raw.hostAliases ?? [],
    terminationGracePeriodSeconds: raw.terminationGracePeriodSeconds,
    livenessSeconds: raw.livenessProbeFailureSeconds ?? DEFAULT_PROBE_SECONDS.liveness,
    readinessSeconds: raw.readinessProbeFailureSeconds ?? DEFAULT_PROBE_SECONDS.readiness,
    resolver: text(raw.resolver) ?? DEFAULT_FE_PROXY_RESOLVER,
  };
}

function inlineResources(raw: Pick<ComponentSpecResource, 'requests' | 'limits'>): JsonObject {
  const resources: JsonObject = {};
  if (raw.requests !== undefined && Object.keys(raw.requests).length > 0) resources.requests = raw.requests;
  if (raw.limits !== undefined && Object.keys(raw.limits).length > 0) resources.limits = raw.limits;
  return resources;
}

function parseService(serviceRaw: ComponentSpecResource['service']): ServiceSpec | undefined {
  if (serviceRaw === undefined) return undefined;
  return {
    type: text(serviceRaw.type),
    annotations: serviceRaw.annotations ?? {},
    labels: serviceRaw.labels ?? {},
    loadBalancerIP: text(serviceRaw.loadBalancerIP),
    loadBalancerSourceRanges: serviceRaw.loadBalancerSourceRanges ?? [],
    ports: (serviceRaw.ports ?? []).map((p) => ({ name: p.name, port: p.port, containerPort: p.containerPort, nodePort: p.nodePort })),
  };
}

function parseComponent(input: { component: Component; raw: ComponentSpecResource; envVars: JsonObject[] | undefined }): ComponentSpec {
  const { component, raw } = input;
  const resources = inlineResources(raw);
  if (raw.claims !== undefined && raw.claims.length > 0) resources.claims = raw.claims;

  const service = parseService(raw.service);

  const storageVolumes: StorageVolume[] = (raw.storageVolumes ?? []).map((v) => ({
    name: v.name,
    mountPath: v.mountPath,
    storageClassName: text(v.storageClassName),
    storageSize: v.storageSize ?? DEFAULT_STORAGE_SIZE,
    hostPath: v.hostPath === undefined ? undefined : { path: v.hostPath.path, ...(v.hostPath.type === undefined ? {} : { type: v.hostPath.type }) },
    subPath: v.subPath,
  }));

  const cmName = text(raw.configMapInfo?.configMapName);
  const cmKey = text(raw.configMapInfo?.resolveKey);

  return {
    component,
    image: raw.image,
    imagePullPolicy: text(raw.imagePullPolicy),
    imagePullSecrets: raw.imagePullSecrets ?? [],
    replicas: raw.replicas ?? DEFAULT_REPLICAS,
    resources,
    annotations: raw.annotations ?? {},
    podLabels: raw.podLabels ?? {},
    schedulerName: text(raw.schedulerName),
    nodeSelector: raw.nodeSelector ?? {},
    affinity: raw.affinity,
    tolerations: raw.tolerations ?? [],
    topologySpreadConstraints: raw.topologySpreadConstraints ?? [],
    priorityClassName: text(raw.priorityClassName),
    service,
    storageVolumes,
    serviceAccount: text(raw.serviceAccount),
    configMapInfo: cmName !== undefined && cmKey !== undefined ? { configMapName: cmName, resolveKey: cmKey } : undefined,
    probeSeconds: {
      startup: raw.startupProbeFailureSeconds ?? DEFAULT_PROBE_SECONDS.startup,
      liveness: raw.livenessProbeFailureSeconds ?? DEFAULT_PROBE_SECONDS.liveness,
      readiness: raw.readinessProbeFailureSeconds ?? DEFAULT_PROBE_SECONDS.readiness,
    },
    lifecycle: raw.lifecycle,
    shareProcessNamespace: raw.shareProcessNamespace,
    runAsNonRoot: raw.runAsNonRoot,
    capabilities: raw.capabilities,
    readOnlyRootFilesystem: raw.readOnlyRootFilesystem ?? false,
    sysctls: raw.sysctls ?? [],
    configMaps: mounts(raw.configMaps),
    secrets: mounts(raw.secrets),
    hostAliases: raw.hostAliases ?? [],
    terminationGracePeriodSeconds: raw.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS[component],
    command: raw.command,
    args: raw.args,
    sidecars: raw.sidecars ?? [],
    initContainers: raw.initContainers ?? [],
    updateStrategy: raw.updateStrategy,
    persistentVolumeClaimRetentionPolicy: raw.persistentVolumeClaimRetentionPolicy,
    minReadySeconds: raw.minReadySeconds,
    podManagementPolicy: raw.podManagementPolicy ?? DEFAULT_POD_MANAGEMENT_POLICY,
    envVars: input.envVars ?? [],
  };
}

// The official examples write "" for "not set" (storageClassName, schedulerName, serviceAccount,
// loadBalancerIP, ...): an empty string means the field is absent.
function text(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function mounts(value: { name: string; mountPath: string; subPath?: string }[] | undefined): MountSpec[] {
  return (value ?? []).map((m) => ({ name: m.name, mountPath: m.mountPath, subPath: m.subPath }));
}

/** Components present in a parsed cluster, in the canonical order. */
export function presentComponents(cluster: StarRocksCluster): ComponentSpec[] {
  return COMPONENTS.flatMap((c) => {
    const spec = c === 'fe' ? cluster.fe : c === 'be' ? cluster.be : cluster.cn;
    return spec === undefined ? [] : [spec];
  });
}
