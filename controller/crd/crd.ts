/**
 * The StarRocksCluster CustomResourceDefinition, built here as data: the single source of the
 * YAML in `crds/` (written by `npm run build:crd`, checked up to date by a test). The schema is
 * the official operator's `starrocks.com/v1` one, structural, with our additions optional.
 */
import { COMPONENTS, CRD, DEFAULTS } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import {
  DEFAULT_MIN_REPLICAS,
  DEFAULT_POD_MANAGEMENT_POLICY,
  DEFAULT_REPLICAS,
  DEFAULT_WAIT_FOR_FULL_ROLLOUT,
} from '../cr/defaults.ts';
import type { JsonObject } from '../json.ts';
import { CRD_RULES } from './rules.ts';
import type { RuleSite } from './rules.ts';

/** The Kubernetes quantity syntax (resource.Quantity). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
/** RFC 1123 label. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** RFC 1123 subdomain. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** Longest `spec.agent.tabletHealthMaxWaitSeconds`: a week, the bound the agent accepts (agent/config.ts). */
export const MAX_TABLET_HEALTH_WAIT_SECONDS = 7 * 24 * 3600;

/** CRD spec field names of the components. */
export const COMPONENT_FIELDS: Readonly<Record<Component, string>> = {
  fe: 'starRocksFeSpec',
  be: 'starRocksBeSpec',
  cn: 'starRocksCnSpec',
};
/** Env var list field of each component. */
export const ENV_FIELDS: Readonly<Record<Component, string>> = {
  fe: 'feEnvVars',
  be: 'beEnvVars',
  cn: 'cnEnvVars',
};
/** Status field of each component. */
export const STATUS_FIELDS: Readonly<Record<Component, string>> = {
  fe: 'starRocksFeStatus',
  be: 'starRocksBeStatus',
  cn: 'starRocksCnStatus',
};

const str = (extra: JsonObject = {}): JsonObject => ({ type: 'string', ...extra });
const int = (extra: JsonObject = {}): JsonObject => ({ type: 'integer', format: 'int32', ...extra });
const bool = (): JsonObject => ({ type: 'boolean' });
const obj = (properties: Record<string, JsonObject>, extra: JsonObject = {}): JsonObject => ({
  type: 'object',
  properties,
  ...extra,
});
const arr = (items: JsonObject, extra: JsonObject = {}): JsonObject => ({ type: 'array', items, ...extra });
const stringMap = (): JsonObject => ({ type: 'object', additionalProperties: { type: 'string' } });
/** A Kubernetes type the CR passes through unchanged. */
const passthrough = (description: string): JsonObject => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});
const quantity = (): JsonObject => ({
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: QUANTITY_PATTERN,
});
const port = (): JsonObject => int({ minimum: 1, maximum: 65535 });
const name = (): JsonObject => str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN });
/** A name that may be "" (the official examples' way of leaving it unset). */
const optionalName = (): JsonObject => str({ maxLength: 253, pattern: `^$|${DNS_SUBDOMAIN_PATTERN}` });
// Bounded lengths keep the CEL cost estimate of the uniqueness rules within the API server's budget.
const absolutePath = (): JsonObject => str({ minLength: 1, maxLength: 256, pattern: '^/' });

function validations(site: RuleSite): JsonObject {
  const rules = CRD_RULES.filter((r) => r.site === site).map((r) => {
    const out: JsonObject = { rule: r.rule, message: r.message };
    if (r.fieldPath !== undefined) out.fieldPath = r.fieldPath;
    return out;
  });
  return rules.length === 0 ? {} : { 'x-kubernetes-validations': rules };
}

const mountList = (): JsonObject =>
  arr(obj({ name: name(), mountPath: absolutePath(), subPath: str() }, { required: ['name', 'mountPath'] }), {
    maxItems: 64,
  });

function componentSchema(component: Component): JsonObject {
  const properties: Record<string, JsonObject> = {
    image: str({ minLength: 1, description: 'Container image of the component: a stock StarRocks image (the agent is injected by the install-agent init container) or one with the agent baked in.' }),
    imagePullPolicy: str({ enum: ['Always', 'IfNotPresent', 'Never', ''] }),
    imagePullSecrets: arr(passthrough('LocalObjectReference')),
    replicas: int({ minimum: 0, default: DEFAULT_REPLICAS }),
    requests: { type: 'object', additionalProperties: quantity() },
    limits: { type: 'object', additionalProperties: quantity() },
    annotations: stringMap(),
    podLabels: stringMap(),
    schedulerName: str(),
    nodeSelector: stringMap(),
    affinity: passthrough('Affinity'),
    tolerations: arr(passthrough('Toleration')),
    topologySpreadConstraints: arr(passthrough('TopologySpreadConstraint')),
    priorityClassName: str(),
    service: obj(
      {
        type: str({ enum: ['ClusterIP', 'NodePort', 'LoadBalancer', ''] }),
        annotations: stringMap(),
        labels: stringMap(),
        loadBalancerIP: str(),
        loadBalancerSourceRanges: arr(str()),
        ports: arr(
          obj({ name: str(), port: port(), containerPort: port(), nodePort: port() }),
          { maxItems: 16 },
        ),
      },
      validations('service'),
    ),
    storageVolumes: arr(
      obj(
        {
          name: str({ minLength: 1, maxLength: 63, pattern: DNS_LABEL_PATTERN }),
          storageClassName: str(),
          storageSize: { type: 'string', pattern: QUANTITY_PATTERN },
          hostPath: obj({ path: absolutePath(), type: str() }, { required: ['path'] }),
          mountPath: absolutePath(),
          subPath: str(),
        },
        { required: ['name', 'mountPath'], ...validations('storageVolume') },
      ),
      { maxItems: 16 },
    ),
    serviceAccount: optionalName(),
    configMapInfo: obj({ configMapName: optionalName(), resolveKey: str() }, validations('configMapInfo')),
    startupProbeFailureSeconds: int({ minimum: 0 }),
    livenessProbeFailureSeconds: int({ minimum: 0 }),
    readinessProbeFailureSeconds: int({ minimum: 0 }),
    lifecycle: passthrough('Lifecycle; the preStop hook is the agent\'s: an exec preStop given here runs inside it first, for at most half the grace period'),
    shareProcessNamespace: bool(),
    runAsNonRoot: bool(),
    capabilities: passthrough('Capabilities'),
    readOnlyRootFilesystem: bool(),
    sysctls: arr(passthrough('Sysctl')),
    configMaps: mountList(),
    secrets: mountList(),
    hostAliases: arr(passthrough('HostAlias')),
    terminationGracePeriodSeconds: { type: 'integer', format: 'int64', minimum: 0 },
    command: arr(str()),
    args: arr(str()),
    sidecars: arr(passthrough('Container')),
    initContainers: arr(passthrough('Container')),
    updateStrategy: passthrough('StatefulSetUpdateStrategy'),
    persistentVolumeClaimRetentionPolicy: obj({
      whenDeleted: str({ enum: ['Retain', 'Delete'] }),
      whenScaled: str({ enum: ['Retain', 'Delete'] }),
    }),
    minReadySeconds: int({ minimum: 0 }),
    podManagementPolicy: str({ enum: ['OrderedReady', 'Parallel'], default: DEFAULT_POD_MANAGEMENT_POLICY }),
    // EnvVar's own three fields, so the HOST_TYPE rule (rules.ts) can read name and value; bounded
    // so the rule's CEL cost estimate stays within the API server's budget.
    [ENV_FIELDS[component]]: arr(
      obj({ name: str({ minLength: 1, maxLength: 256 }), value: str(), valueFrom: passthrough('EnvVarSource') }, { required: ['name'] }),
      { maxItems: 256 },
    ),
  };
  const siteRules: RuleSite[] = ['component'];
  if (component === 'fe') {
    properties.voters = int({
      minimum: 1,
      maximum: 99,
      description: 'Voting FEs (ours): FE ordinals below it join as followers, the others as observers. Default 3.',
    });
    siteRules.push('fe');
  }
  if (component === 'be') siteRules.push('be');
  if (component === 'cn') {
    siteRules.push('cn');
    properties.autoScalingPolicy = obj(
      {
        version: str({ enum: ['v1', 'v2beta2', 'v2', ''] }),
        minReplicas: int({ minimum: 1, default: DEFAULT_MIN_REPLICAS }),
        maxReplicas: int({ minimum: 1 }),
        hpaPolicy: obj({ metrics: arr(passthrough('MetricSpec')), behavior: passthrough('HorizontalPodAutoscalerBehavior') }),
      },
      { required: ['maxReplicas'], ...validations('autoScalingPolicy') },
    );
  }
  const rules = siteRules.flatMap((site) => {
    const v = validations(site)['x-kubernetes-validations'];
    return Array.isArray(v) ? v : [];
  });
  return obj(properties, {
    required: ['image'],
    ...(rules.length > 0 ? { 'x-kubernetes-validations': rules } : {}),
  });
}

function componentStatusSchema(component: Component): JsonObject {
  const properties: Record<string, JsonObject> = {
    serviceName: str(),
    phase: str(),
    reason: str(),
    ready: str({ description: 'ready/desired, for the printer columns' }),
    replicas: int({ description: 'pods that exist now (the scale subresource reads it for CN)' }),
    desiredReplicas: int(),
    readyReplicas: int(),
    updatedReplicas: int(),
    image: str(),
    rolloutHeld: bool(),
    statefulSetGeneration: {
      type: 'integer',
      format: 'int64',
      description: "The StatefulSet's generation after the controller's last apply: another one means someone else edited it, and it is applied again",
    },
    resourceNames: arr(str()),
    runningInstances: arr(str()),
    creatingInstances: arr(str()),
    failedInstances: arr(str()),
    members: arr(
      obj({
        pod: str(),
        ready: bool(),
        agentPhase: str(),
        host: str(),
        role: str(),
        lastError: str(),
        waitingForTablets: obj(
          { unhealthy: int(), since: str() },
          { description: 'BE: its readiness waits for unhealthy tablets to heal (a restart in a rollout)' },
        ),
      }),
    ),
  };
  if (component === 'cn') {
    properties.selector = str();
    properties.horizontalScaler = obj({ name: str(), version: str() });
  }
  return obj(properties);
}

const condition = (): JsonObject =>
  obj(
    {
      type: str(),
      status: str({ enum: ['True', 'False', 'Unknown'] }),
      observedGeneration: { type: 'integer', format: 'int64' },
      lastTransitionTime: str({ format: 'date-time' }),
      reason: str(),
      message: str(),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  );

/** The CRD object. */
export function starRocksClusterCrd(): JsonObject {
  const spec: Record<string, JsonObject> = {};
  for (const c of COMPONENTS) spec[COMPONENT_FIELDS[c]] = componentSchema(c);
  spec.waitForFullRollout = {
    ...bool(),
    default: DEFAULT_WAIT_FOR_FULL_ROLLOUT,
    description:
      'Official: when true, BE and CN wait for the FE StatefulSet to be fully rolled out before they change; when false, as soon as one FE pod is Ready. FE rolls first on downgrades only (upgrades roll BE, CN, then FE, always after full rollouts). Default true (official: false).',
  };
  spec.serviceAccount = str({ description: 'Deprecated in the official operator; ignored.' });
  spec.starRocksFeProxySpec = passthrough('FE proxy (official): accepted, not rendered by this controller');
  spec.disasterRecovery = passthrough('Disaster recovery (official): accepted, not rendered by this controller');
  spec.agent = obj({
    logLevel: str({ enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] }),
    clusterDomain: str({ pattern: DNS_SUBDOMAIN_PATTERN }),
    sqlTimeoutMs: int({ minimum: 100, maximum: 3_600_000 }),
    probeIntervalMs: int({ minimum: 50, maximum: 600_000 }),
    tabletHealthMaxWaitSeconds: int({
      minimum: 0,
      maximum: MAX_TABLET_HEALTH_WAIT_SECONDS,
      description: `During a rollout, how long a restarted BE stays not Ready at most while StarRocks reports unhealthy tablets, so the next BE does not restart before replicas healed; 0 turns the wait off. Default ${DEFAULTS.tabletHealthMaxWaitSeconds} (30 min).`,
    }),
    passwordSecret: obj(
      { name: name(), key: str({ minLength: 1, description: 'The key holding the root password; default `password` (the official chart\'s convention).' }) },
      { required: ['name'] },
    ),
    image: str({
      minLength: 1,
      description:
        "The agent image (images/agent.Dockerfile) whose init container install-agent copies the agent's executable into every pod, so the component images run unchanged. Default: the controller's --agent-image.",
    }),
  });
  const status: Record<string, JsonObject> = {
    phase: str(),
    reason: str(),
    observedGeneration: { type: 'integer', format: 'int64' },
    clusterId: str({
      description:
        "The FE group's cluster id, copied from the FE agents' pod annotations; never changes or clears by itself. FE 0 bootstraps only while it is absent.",
    }),
    imageRollout: obj(
      { direction: str({ description: 'upgrade, downgrade or unknown (read from the image tags)' }), order: arr(str()) },
      { description: 'While images change: the direction and the component order they roll in' },
    ),
    conditions: arr(condition(), { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  };
  for (const c of COMPONENTS) status[STATUS_FIELDS[c]] = componentStatusSchema(c);

  const column = (n: string, jsonPath: string, type = 'string'): JsonObject => ({ name: n, type, jsonPath });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${CRD.plural}.${CRD.group}` },
    spec: {
      group: CRD.group,
      names: {
        kind: CRD.kind,
        listKind: `${CRD.kind}List`,
        plural: CRD.plural,
        singular: CRD.singular,
        shortNames: [CRD.shortName],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: CRD.version,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: {
              specReplicasPath: `.spec.${COMPONENT_FIELDS.cn}.replicas`,
              statusReplicasPath: `.status.${STATUS_FIELDS.cn}.replicas`,
              labelSelectorPath: `.status.${STATUS_FIELDS.cn}.selector`,
            },
          },
          additionalPrinterColumns: [
            column('Phase', '.status.phase'),
            column('FE', `.status.${STATUS_FIELDS.fe}.ready`),
            column('BE', `.status.${STATUS_FIELDS.be}.ready`),
            column('CN', `.status.${STATUS_FIELDS.cn}.ready`),
            column('Age', '.metadata.creationTimestamp', 'date'),
          ],
          schema: {
            openAPIV3Schema: obj(
              {
                apiVersion: str(),
                kind: str(),
                metadata: { type: 'object' },
                spec: obj(spec, { required: [COMPONENT_FIELDS.fe] }),
                status: obj(status),
              },
              { required: ['spec'], ...validations('root') },
            ),
          },
        },
      ],
    },
  };
}
