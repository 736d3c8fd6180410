/**
 * The edge where a raw StarRocksCluster (unknown JSON from the API server or a file) becomes a
 * typed, defaulted `StarRocksCluster`. Problems the schema could not reject (a CR stored before
 * the CRD had a rule, a CRD installed without validation) are returned, never thrown, so the
 * controller can report them in status.
 */
import { COMPONENTS, PASSWORD_MOUNTS } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { COMPONENT_FIELDS, ENV_FIELDS } from '../crd/crd.ts';
import { CRD_RULES } from '../crd/rules.ts';
import type { RuleSite } from '../crd/rules.ts';
import {
  asBoolean,
  asJson,
  asJsonObject,
  asNumber,
  asString,
  asStringMap,
  isObject,
} from '../json.ts';
import type { Json, JsonObject } from '../json.ts';
import {
  DEFAULT_GRACE_SECONDS,
  DEFAULT_MIN_REPLICAS,
  DEFAULT_POD_MANAGEMENT_POLICY,
  DEFAULT_PROBE_SECONDS,
  DEFAULT_REPLICAS,
  DEFAULT_STORAGE_SIZE,
  DEFAULT_VOTERS,
  DEFAULT_WAIT_FOR_FULL_ROLLOUT,
} from './defaults.ts';
import type {
  AgentSettings,
  AutoScalingPolicy,
  CnSpec,
  ComponentSpec,
  FeSpec,
  MountSpec,
  ServiceSpec,
  SpecProblem,
  StarRocksCluster,
  StorageVolume,
} from './types.ts';

/** What parsing gives: the cluster when it could be read at all, and every problem found. */
export interface ParseResult {
  cluster: StarRocksCluster | undefined;
  problems: SpecProblem[];
}

/** Parse and default a raw StarRocksCluster. */
export function parseCluster(raw: unknown): ParseResult {
  const problems: SpecProblem[] = [];
  const metadata = isObject(raw) && isObject(raw.metadata) ? raw.metadata : {};
  const spec = isObject(raw) && isObject(raw.spec) ? raw.spec : undefined;
  const name = asString(metadata.name) ?? '';
  const namespace = asString(metadata.namespace) ?? 'default';
  if (isObject(raw)) checkRules({ site: 'root', value: raw, field: '', problems });
  if (spec === undefined) {
    problems.push({ field: 'spec', message: 'spec is required' });
    return { cluster: undefined, problems };
  }
  const feRaw = spec[COMPONENT_FIELDS.fe];
  if (!isObject(feRaw)) {
    problems.push({ field: `spec.${COMPONENT_FIELDS.fe}`, message: `spec.${COMPONENT_FIELDS.fe} is required` });
    return { cluster: undefined, problems };
  }
  const base = (c: Component, value: Record<string, unknown>): ComponentSpec =>
    parseComponent({ component: c, raw: value, field: `spec.${COMPONENT_FIELDS[c]}`, problems });

  const feBase = base('fe', feRaw);
  const fe: FeSpec = {
    ...feBase,
    component: 'fe',
    voters: integer(feRaw.voters) ?? DEFAULT_VOTERS,
  };
  checkRules({ site: 'fe', value: feRaw, field: `spec.${COMPONENT_FIELDS.fe}`, problems });

  const beRaw = spec[COMPONENT_FIELDS.be];
  if (isObject(beRaw)) checkRules({ site: 'be', value: beRaw, field: `spec.${COMPONENT_FIELDS.be}`, problems });
  const cnRaw = spec[COMPONENT_FIELDS.cn];
  let cn: CnSpec | undefined;
  if (isObject(cnRaw)) {
    checkRules({ site: 'cn', value: cnRaw, field: `spec.${COMPONENT_FIELDS.cn}`, problems });
    const policyRaw = cnRaw.autoScalingPolicy;
    let autoScalingPolicy: AutoScalingPolicy | undefined;
    if (isObject(policyRaw)) {
      const field = `spec.${COMPONENT_FIELDS.cn}.autoScalingPolicy`;
      checkRules({ site: 'autoScalingPolicy', value: policyRaw, field, problems });
      const minReplicas = integer(policyRaw.minReplicas) ?? DEFAULT_MIN_REPLICAS;
      const maxReplicas = integer(policyRaw.maxReplicas);
      if (maxReplicas === undefined) problems.push({ field: `${field}.maxReplicas`, message: `${field}.maxReplicas is required` });
      const hpa = isObject(policyRaw.hpaPolicy) ? policyRaw.hpaPolicy : {};
      autoScalingPolicy = {
        minReplicas,
        maxReplicas: maxReplicas ?? minReplicas,
        metrics: jsonList(hpa.metrics),
        behavior: asJsonObject(hpa.behavior),
        version: text(policyRaw.version),
      };
    }
    cn = { ...base('cn', cnRaw), component: 'cn', autoScalingPolicy };
  }

  const agentRaw = isObject(spec.agent) ? spec.agent : {};
  const secretRaw = isObject(agentRaw.passwordSecret) ? agentRaw.passwordSecret : undefined;
  const secretName = asString(secretRaw?.name);
  // The official chart's convention: a Secret with the key `password`.
  const secretKey = asString(secretRaw?.key) ?? (secretName === undefined ? undefined : PASSWORD_MOUNTS.file);
  const agent: AgentSettings = {
    logLevel: text(agentRaw.logLevel),
    clusterDomain: text(agentRaw.clusterDomain),
    sqlTimeoutMs: integer(agentRaw.sqlTimeoutMs),
    probeIntervalMs: integer(agentRaw.probeIntervalMs),
    tabletHealthMaxWaitSeconds: integer(agentRaw.tabletHealthMaxWaitSeconds),
    image: text(agentRaw.image),
    passwordSecret: secretName !== undefined && secretKey !== undefined ? { name: secretName, key: secretKey } : undefined,
  };

  return {
    cluster: {
      name,
      namespace,
      uid: asString(metadata.uid) ?? '',
      generation: integer(metadata.generation) ?? 0,
      fe,
      be: isObject(beRaw) ? base('be', beRaw) : undefined,
      cn,
      agent,
      waitForFullRollout: asBoolean(spec.waitForFullRollout) ?? DEFAULT_WAIT_FOR_FULL_ROLLOUT,
    },
    problems,
  };
}

function parseComponent(input: {
  component: Component;
  raw: Record<string, unknown>;
  field: string;
  problems: SpecProblem[];
}): ComponentSpec {
  const { component, raw, field, problems } = input;
  checkRules({ site: 'component', value: raw, field, problems });
  const image = asString(raw.image) ?? '';
  if (image === '') problems.push({ field: `${field}.image`, message: `${field}.image is required` });
  const replicas = integer(raw.replicas) ?? DEFAULT_REPLICAS;
  if (replicas < 0) problems.push({ field: `${field}.replicas`, message: `${field}.replicas must be 0 or more` });

  const resources: JsonObject = {};
  const requests = asJsonObject(raw.requests);
  const limits = asJsonObject(raw.limits);
  if (requests !== undefined && Object.keys(requests).length > 0) resources.requests = requests;
  if (limits !== undefined && Object.keys(limits).length > 0) resources.limits = limits;

  const serviceRaw = raw.service;
  let service: ServiceSpec | undefined;
  if (isObject(serviceRaw)) {
    checkRules({ site: 'service', value: serviceRaw, field: `${field}.service`, problems });
    service = {
      type: text(serviceRaw.type),
      annotations: asStringMap(serviceRaw.annotations),
      labels: asStringMap(serviceRaw.labels),
      loadBalancerIP: text(serviceRaw.loadBalancerIP),
      loadBalancerSourceRanges: stringList(serviceRaw.loadBalancerSourceRanges) ?? [],
      ports: objects(serviceRaw.ports).map((p) => ({
        name: asString(p.name),
        port: integer(p.port),
        containerPort: integer(p.containerPort),
        nodePort: integer(p.nodePort),
      })),
    };
  }

  const storageVolumes: StorageVolume[] = objects(raw.storageVolumes).map((v, i) => {
    checkRules({ site: 'storageVolume', value: v, field: `${field}.storageVolumes[${i}]`, problems });
    return {
      name: asString(v.name) ?? '',
      mountPath: asString(v.mountPath) ?? '',
      storageClassName: text(v.storageClassName),
      storageSize: asString(v.storageSize) ?? DEFAULT_STORAGE_SIZE,
      hostPath: asJsonObject(v.hostPath),
      subPath: asString(v.subPath),
    };
  });

  const cmInfo = isObject(raw.configMapInfo) ? raw.configMapInfo : undefined;
  if (cmInfo !== undefined) checkRules({ site: 'configMapInfo', value: cmInfo, field: `${field}.configMapInfo`, problems });
  const cmName = text(cmInfo?.configMapName);
  const cmKey = text(cmInfo?.resolveKey);

  return {
    component,
    image,
    imagePullPolicy: text(raw.imagePullPolicy),
    imagePullSecrets: jsonObjects(raw.imagePullSecrets),
    replicas: Math.max(0, replicas),
    resources,
    annotations: asStringMap(raw.annotations),
    podLabels: asStringMap(raw.podLabels),
    schedulerName: text(raw.schedulerName),
    nodeSelector: asStringMap(raw.nodeSelector),
    affinity: asJsonObject(raw.affinity),
    tolerations: jsonList(raw.tolerations),
    topologySpreadConstraints: jsonList(raw.topologySpreadConstraints),
    priorityClassName: text(raw.priorityClassName),
    service,
    storageVolumes,
    serviceAccount: text(raw.serviceAccount),
    configMapInfo: cmName !== undefined && cmKey !== undefined ? { configMapName: cmName, resolveKey: cmKey } : undefined,
    probeSeconds: {
      startup: integer(raw.startupProbeFailureSeconds) ?? DEFAULT_PROBE_SECONDS.startup,
      liveness: integer(raw.livenessProbeFailureSeconds) ?? DEFAULT_PROBE_SECONDS.liveness,
      readiness: integer(raw.readinessProbeFailureSeconds) ?? DEFAULT_PROBE_SECONDS.readiness,
    },
    lifecycle: asJsonObject(raw.lifecycle),
    shareProcessNamespace: asBoolean(raw.shareProcessNamespace),
    runAsNonRoot: asBoolean(raw.runAsNonRoot),
    capabilities: asJsonObject(raw.capabilities),
    readOnlyRootFilesystem: asBoolean(raw.readOnlyRootFilesystem) ?? false,
    sysctls: jsonList(raw.sysctls),
    configMaps: mounts(raw.configMaps),
    secrets: mounts(raw.secrets),
    hostAliases: jsonList(raw.hostAliases),
    terminationGracePeriodSeconds: integer(raw.terminationGracePeriodSeconds) ?? DEFAULT_GRACE_SECONDS[component],
    command: stringList(raw.command),
    args: stringList(raw.args),
    sidecars: jsonList(raw.sidecars),
    initContainers: jsonList(raw.initContainers),
    updateStrategy: asJsonObject(raw.updateStrategy),
    persistentVolumeClaimRetentionPolicy: asJsonObject(raw.persistentVolumeClaimRetentionPolicy),
    minReadySeconds: integer(raw.minReadySeconds),
    podManagementPolicy: asString(raw.podManagementPolicy) ?? DEFAULT_POD_MANAGEMENT_POLICY,
    envVars: jsonObjects(raw[ENV_FIELDS[component]]),
  };
}

function checkRules(input: { site: RuleSite; value: Record<string, unknown>; field: string; problems: SpecProblem[] }): void {
  for (const rule of CRD_RULES) {
    if (rule.site !== input.site || rule.check === undefined || rule.check(input.value)) continue;
    const suffix = rule.fieldPath ?? '';
    const field = `${input.field}${suffix}`.replace(/^\./, '');
    input.problems.push({ field: field === '' ? 'metadata.name' : field, message: rule.message });
  }
}

// The official examples write "" for "not set" (storageClassName, schedulerName, serviceAccount,
// loadBalancerIP, ...): an empty string means the field is absent.
function text(value: unknown): string | undefined {
  const s = asString(value);
  return s === '' ? undefined : s;
}

function integer(value: unknown): number | undefined {
  const n = asNumber(value);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function jsonObjects(value: unknown): JsonObject[] {
  const out: JsonObject[] = [];
  for (const item of objects(value)) {
    const json = asJsonObject(item);
    if (json !== undefined) out.push(json);
  }
  return out;
}

function jsonList(value: unknown): Json[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const json = asJson(item);
    return json === undefined ? [] : [json];
  });
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function mounts(value: unknown): MountSpec[] {
  return objects(value).map((m) => ({
    name: asString(m.name) ?? '',
    mountPath: asString(m.mountPath) ?? '',
    subPath: asString(m.subPath),
  }));
}

/** Components present in a parsed cluster, in the canonical order. */
export function presentComponents(cluster: StarRocksCluster): ComponentSpec[] {
  return COMPONENTS.flatMap((c) => {
    const spec = c === 'fe' ? cluster.fe : c === 'be' ? cluster.be : cluster.cn;
    return spec === undefined ? [] : [spec];
  });
}
