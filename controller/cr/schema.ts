/**
 * The one definition of the StarRocksCluster CR: a TypeBox schema from which come its raw
 * TypeScript type (`StarRocksClusterResource`), the CRD's `openAPIV3Schema` (crd/crd.ts) and the
 * controller's runtime validation (cr/validate.ts). The schema is the official operator's
 * `starrocks.com/v1` one, structural, with our additions optional; the Kubernetes types it embeds
 * (containers, affinity, tolerations, ...) are the API server's own (crd/kube-schemas.ts).
 * Cross-field rules are CEL with TypeScript twins (crd/rules.ts), attached by site.
 */
import { Type } from 'typebox';
import type { Static, TSchema, TSchemaOptions } from 'typebox';
import { DEFAULTS } from '../../agent/contract/index.ts';
import { COMPONENT_FIELDS, ENV_FIELDS, STATUS_FIELDS } from '../crd/fields.ts';
import kubeSchemas from '../crd/kube-schemas.generated.json' with { type: 'json' };
import type { KubeType } from '../crd/kube-schemas.ts';
import { DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN, QUANTITY_PATTERN } from '../crd/patterns.ts';
import { CRD_RULES } from '../crd/rules.ts';
import type { RuleSite } from '../crd/rules.ts';
import type { JsonObject } from '../json.ts';
import {
  DEFAULT_FE_PROXY_IMAGE,
  DEFAULT_FE_PROXY_REPLICAS,
  DEFAULT_MIN_REPLICAS,
  DEFAULT_POD_MANAGEMENT_POLICY,
  DEFAULT_REPLICAS,
  DEFAULT_WAIT_FOR_FULL_ROLLOUT,
} from './defaults.ts';

/** Longest `spec.agent.tabletHealthMaxWaitSeconds`: a week, the bound the agent accepts (agent/config.ts). */
const MAX_TABLET_HEALTH_WAIT_SECONDS = 7 * 24 * 3600;

const str = (options: TSchemaOptions = {}) => Type.String(options);
const int = (options: TSchemaOptions = {}) => Type.Integer({ format: 'int32', ...options });
const int64 = (options: TSchemaOptions = {}) => Type.Integer({ format: 'int64', ...options });
const bool = (options: TSchemaOptions = {}) => Type.Boolean(options);
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const list = <T extends TSchema>(items: T, options: TSchemaOptions = {}) => Type.Array(items, options);
/** A string map: `additionalProperties`, as a structural schema must (not TypeBox's `patternProperties`). */
const stringMap = () => Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' } });
/** The Kubernetes quantity: an integer or a string of the quantity syntax. */
const quantity = () =>
  Type.Unsafe<number | string>({
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
  });
const quantityMap = () => Type.Unsafe<Record<string, number | string>>({ type: 'object', additionalProperties: quantity() });
/** A Kubernetes type, checked with the API server's own schema (deep-copied: the CRD repeats it). */
const kube = (name: KubeType, overlay: (schema: JsonObject) => JsonObject = (s) => s) =>
  Type.Unsafe<JsonObject>(overlay(structuredClone((kubeSchemas.schemas as Record<KubeType, JsonObject>)[name])));
/** An official field this controller accepts and does not read: kept as given. */
const passthrough = (description: string) =>
  Type.Unsafe<JsonObject>({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });
const port = () => int({ minimum: 1, maximum: 65535 });
const name = () => str({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN });
/** A name that may be "" (the official examples' way of leaving it unset). */
const optionalName = () => str({ maxLength: 253, pattern: `^$|${DNS_SUBDOMAIN_PATTERN}` });
// Bounded lengths keep the CEL cost estimate of the uniqueness rules within the API server's budget.
const absolutePath = () => str({ minLength: 1, maxLength: 256, pattern: '^/' });

/** The CEL rules of a site, as `x-kubernetes-validations` options. */
function validations(...sites: RuleSite[]): TSchemaOptions {
  const rules = CRD_RULES.filter((r) => sites.includes(r.site)).map((r) => {
    const out: JsonObject = { rule: r.rule, message: r.message };
    if (r.fieldPath !== undefined) out.fieldPath = r.fieldPath;
    return out;
  });
  return rules.length === 0 ? {} : { 'x-kubernetes-validations': rules };
}

const mountList = () =>
  list(Type.Object({ name: name(), mountPath: absolutePath(), subPath: opt(str()) }), { maxItems: 64 });

const serviceSchema = () =>
  Type.Object(
    {
      type: opt(str({ enum: ['ClusterIP', 'NodePort', 'LoadBalancer', ''] })),
      annotations: opt(stringMap()),
      labels: opt(stringMap()),
      loadBalancerIP: opt(str()),
      loadBalancerSourceRanges: opt(list(str())),
      ports: opt(
        list(
          Type.Object({ name: opt(str()), port: opt(port()), containerPort: opt(port()), nodePort: opt(port()) }),
          { maxItems: 16 },
        ),
      ),
    },
    validations('service'),
  );

const storageVolumeSchema = () =>
  Type.Object(
    {
      name: str({ minLength: 1, maxLength: 63, pattern: DNS_LABEL_PATTERN }),
      storageClassName: opt(str()),
      storageSize: opt(str({ pattern: QUANTITY_PATTERN })),
      hostPath: opt(Type.Object({ path: absolutePath(), type: opt(str()) })),
      mountPath: absolutePath(),
      subPath: opt(str()),
    },
    validations('storageVolume'),
  );

// EnvVar with bounds, so the HOST_TYPE rule's (rules.ts) CEL cost estimate stays within budget.
const envList = () =>
  list(
    kube('io.k8s.api.core.v1.EnvVar', (s) => {
      const properties = s.properties as Record<string, JsonObject>;
      properties.name = { ...properties.name, minLength: 1, maxLength: 256 };
      return s;
    }),
    { maxItems: 256 },
  );

/** Fields common to FE, BE and CN. */
const commonFields = () => ({
  image: str({
    minLength: 1,
    description:
      'Container image of the component: a stock StarRocks image (the agent is injected by the install-agent init container) or one with the agent baked in.',
  }),
  imagePullPolicy: opt(str({ enum: ['Always', 'IfNotPresent', 'Never', ''] })),
  imagePullSecrets: opt(list(kube('io.k8s.api.core.v1.LocalObjectReference'))),
  replicas: opt(int({ minimum: 0, default: DEFAULT_REPLICAS })),
  requests: opt(quantityMap()),
  limits: opt(quantityMap()),
  claims: opt(
    list(kube('io.k8s.api.core.v1.ResourceClaim'), { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
  ),
  annotations: opt(stringMap()),
  podLabels: opt(stringMap()),
  schedulerName: opt(str()),
  nodeSelector: opt(stringMap()),
  affinity: opt(kube('io.k8s.api.core.v1.Affinity')),
  tolerations: opt(list(kube('io.k8s.api.core.v1.Toleration'))),
  topologySpreadConstraints: opt(list(kube('io.k8s.api.core.v1.TopologySpreadConstraint'))),
  priorityClassName: opt(str()),
  service: opt(serviceSchema()),
  storageVolumes: opt(list(storageVolumeSchema(), { maxItems: 16 })),
  serviceAccount: opt(optionalName()),
  configMapInfo: opt(
    Type.Object({ configMapName: opt(optionalName()), resolveKey: opt(str()) }, validations('configMapInfo')),
  ),
  startupProbeFailureSeconds: opt(int({ minimum: 0 })),
  livenessProbeFailureSeconds: opt(int({ minimum: 0 })),
  readinessProbeFailureSeconds: opt(int({ minimum: 0 })),
  lifecycle: opt(
    kube('io.k8s.api.core.v1.Lifecycle', (s) => ({
      ...s,
      description:
        "The preStop hook is the agent's: an exec preStop given here runs inside it first, for at most half the grace period",
    })),
  ),
  shareProcessNamespace: opt(bool()),
  runAsNonRoot: opt(bool()),
  capabilities: opt(kube('io.k8s.api.core.v1.Capabilities')),
  readOnlyRootFilesystem: opt(bool()),
  sysctls: opt(list(kube('io.k8s.api.core.v1.Sysctl'))),
  configMaps: opt(mountList()),
  secrets: opt(mountList()),
  hostAliases: opt(list(kube('io.k8s.api.core.v1.HostAlias'))),
  terminationGracePeriodSeconds: opt(int64({ minimum: 0 })),
  command: opt(list(str())),
  args: opt(list(str())),
  sidecars: opt(list(kube('io.k8s.api.core.v1.Container'))),
  initContainers: opt(list(kube('io.k8s.api.core.v1.Container'))),
  updateStrategy: opt(kube('io.k8s.api.apps.v1.StatefulSetUpdateStrategy')),
  // The OpenAPI document has no enum here; the StatefulSet validation accepts these two only.
  persistentVolumeClaimRetentionPolicy: opt(
    kube('io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy', (s) => {
      const properties = s.properties as Record<string, JsonObject>;
      for (const key of ['whenDeleted', 'whenScaled']) properties[key] = { ...properties[key], enum: ['Retain', 'Delete'] };
      return s;
    }),
  ),
  minReadySeconds: opt(int({ minimum: 0 })),
  podManagementPolicy: opt(str({ enum: ['OrderedReady', 'Parallel'], default: DEFAULT_POD_MANAGEMENT_POLICY })),
});

const feSpecSchema = () =>
  Type.Object(
    {
      ...commonFields(),
      [ENV_FIELDS.fe]: opt(envList()),
      voters: opt(
        int({
          minimum: 1,
          maximum: 99,
          description: 'Voting FEs (ours): FE ordinals below it join as followers, the others as observers. Default 3.',
        }),
      ),
    },
    validations('component', 'fe'),
  );

const beSpecSchema = () => Type.Object({ ...commonFields(), [ENV_FIELDS.be]: opt(envList()) }, validations('component', 'be'));

const autoScalingPolicySchema = () =>
  Type.Object(
    {
      version: opt(str({ enum: ['v1', 'v2beta2', 'v2', ''] })),
      minReplicas: opt(int({ minimum: 1, default: DEFAULT_MIN_REPLICAS })),
      maxReplicas: int({ minimum: 1 }),
      hpaPolicy: opt(
        Type.Object({
          metrics: opt(list(kube('io.k8s.api.autoscaling.v2.MetricSpec'))),
          behavior: opt(kube('io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior')),
        }),
      ),
    },
    validations('autoScalingPolicy'),
  );

const cnSpecSchema = () =>
  Type.Object(
    { ...commonFields(), [ENV_FIELDS.cn]: opt(envList()), autoScalingPolicy: opt(autoScalingPolicySchema()) },
    validations('component', 'cn'),
  );

/** `starRocksFeProxySpec` (official `StarRocksFeProxySpec`: its load spec and the nginx resolver). */
const feProxySpecSchema = () =>
  Type.Object({
    image: opt(str({ description: `The nginx image; default ${DEFAULT_FE_PROXY_IMAGE} (official). An image starting with ":" is ignored, as the official operator does.` })),
    imagePullPolicy: opt(str({ enum: ['Always', 'IfNotPresent', 'Never', ''] })),
    imagePullSecrets: opt(list(kube('io.k8s.api.core.v1.LocalObjectReference'))),
    replicas: opt(int({ minimum: 0, description: `nginx pods; default ${DEFAULT_FE_PROXY_REPLICAS}.` })),
    requests: opt(quantityMap()),
    limits: opt(quantityMap()),
    annotations: opt(stringMap()),
    podLabels: opt(stringMap()),
    schedulerName: opt(str()),
    nodeSelector: opt(stringMap()),
    affinity: opt(kube('io.k8s.api.core.v1.Affinity')),
    tolerations: opt(list(kube('io.k8s.api.core.v1.Toleration'))),
    topologySpreadConstraints: opt(list(kube('io.k8s.api.core.v1.TopologySpreadConstraint'))),
    priorityClassName: opt(str()),
    service: opt(serviceSchema()),
    serviceAccount: opt(optionalName()),
    hostAliases: opt(list(kube('io.k8s.api.core.v1.HostAlias'))),
    terminationGracePeriodSeconds: opt(int64({ minimum: 0 })),
    livenessProbeFailureSeconds: opt(int({ minimum: 0 })),
    readinessProbeFailureSeconds: opt(int({ minimum: 0 })),
    resolver: opt(
      str({
        maxLength: 253,
        description: 'The DNS server nginx resolves the FE Service and the BE redirects with; default kube-dns.kube-system.svc.cluster.local (official).',
      }),
    ),
  });

const agentSchema = () =>
  Type.Object({
    logLevel: opt(str({ enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] })),
    clusterDomain: opt(str({ pattern: DNS_SUBDOMAIN_PATTERN })),
    sqlTimeoutMs: opt(int({ minimum: 100, maximum: 3_600_000 })),
    probeIntervalMs: opt(int({ minimum: 50, maximum: 600_000 })),
    tabletHealthMaxWaitSeconds: opt(
      int({
        minimum: 0,
        maximum: MAX_TABLET_HEALTH_WAIT_SECONDS,
        description: `During a rollout, how long a restarted BE stays not Ready at most while StarRocks reports unhealthy tablets, so the next BE does not restart before replicas healed; 0 turns the wait off. Default ${DEFAULTS.tabletHealthMaxWaitSeconds} (30 min).`,
      }),
    ),
    passwordSecret: opt(
      Type.Object({
        name: name(),
        key: opt(str({ minLength: 1, description: "The key holding the root password; default `password` (the official chart's convention)." })),
      }),
    ),
    image: opt(
      str({
        minLength: 1,
        description:
          "The agent image (images/agent.Dockerfile) whose init container install-agent copies the agent's executable into every pod, so the component images run unchanged. Default: the controller's --agent-image.",
      }),
    ),
  });

const metricsSchema = () =>
  Type.Object(
    {
      podMonitor: opt(
        Type.Object({
          enabled: opt(bool({ default: false, description: 'Render a monitoring.coreos.com/v1 PodMonitor per component (StarRocks /metrics and the agent /metrics) when the API server serves it; a Warning event and condition when it does not.' })),
          interval: opt(str({ pattern: '^([0-9]+(ms|s|m|h))+$', description: 'Scrape interval, e.g. 30s; default: the Prometheus one.' })),
          labels: opt(stringMap()),
        }),
      ),
    },
    { description: "Metrics (ours; the kube-starrocks chart's metrics.serviceMonitor): Prometheus scraping through the prometheus-operator." },
  );

/** `spec` of a StarRocksCluster. */
const specSchema = () =>
  Type.Object({
    [COMPONENT_FIELDS.fe]: feSpecSchema(),
    [COMPONENT_FIELDS.be]: opt(beSpecSchema()),
    [COMPONENT_FIELDS.cn]: opt(cnSpecSchema()),
    waitForFullRollout: opt(
      bool({
        default: DEFAULT_WAIT_FOR_FULL_ROLLOUT,
        description:
          'Official: when true, BE and CN wait for the FE StatefulSet to be fully rolled out before they change; when false, as soon as one FE pod is Ready. FE rolls first on downgrades only (upgrades roll BE, CN, then FE, always after full rollouts). Default true (official: false).',
      }),
    ),
    serviceAccount: opt(str({ description: 'Deprecated in the official operator; ignored.' })),
    starRocksFeProxySpec: opt(feProxySpecSchema()),
    disasterRecovery: opt(passthrough('Disaster recovery (official): accepted, not rendered by this controller')),
    agent: opt(agentSchema()),
    metrics: opt(metricsSchema()),
  });

const cnStatusFields = () => ({ selector: opt(str()), horizontalScaler: opt(Type.Object({ name: opt(str()), version: opt(str()) })) });

const componentStatusFields = () => ({
    serviceName: opt(str()),
    phase: opt(str()),
    reason: opt(str()),
    ready: opt(str({ description: 'ready/desired, for the printer columns' })),
    replicas: opt(int({ description: 'pods that exist now (the scale subresource reads it for CN)' })),
    desiredReplicas: opt(int()),
    readyReplicas: opt(int()),
    updatedReplicas: opt(int()),
    image: opt(str()),
    rolloutHeld: opt(bool()),
    statefulSetGeneration: opt(
      int64({
        description:
          "The StatefulSet's generation after the controller's last apply: another one means someone else edited it, and it is applied again",
      }),
    ),
    resourceNames: opt(list(str())),
    runningInstances: opt(list(str())),
    creatingInstances: opt(list(str())),
    failedInstances: opt(list(str())),
    members: opt(
      list(
        Type.Object({
          pod: opt(str()),
          ready: opt(bool()),
          agentPhase: opt(str()),
          host: opt(str()),
          role: opt(str()),
          lastError: opt(str()),
          waitingForTablets: opt(
            Type.Object(
              { unhealthy: opt(int()), since: opt(str()) },
              { description: 'BE: its readiness waits for unhealthy tablets to heal (a restart in a rollout)' },
            ),
          ),
        }),
      ),
    ),
});

const conditionSchema = () =>
  Type.Object({
    type: str(),
    status: str({ enum: ['True', 'False', 'Unknown'] }),
    observedGeneration: opt(int64()),
    lastTransitionTime: str({ format: 'date-time' }),
    reason: str(),
    message: str(),
  });

/** `status` of a StarRocksCluster (written by the controller only). */
const statusSchema = () =>
  Type.Object({
    phase: opt(str()),
    reason: opt(str()),
    observedGeneration: opt(int64()),
    clusterId: opt(
      str({
        description:
          "The FE group's cluster id, copied from the FE agents' pod annotations; never changes or clears by itself. FE 0 bootstraps only while it is absent.",
      }),
    ),
    leader: opt(
      str({
        description:
          "The FE leader's pod, as the FE agents report their role (SHOW FRONTENDS); absent while no Ready FE reports LEADER, comma-separated while two do",
      }),
    ),
    imageRollout: opt(
      Type.Object(
        { direction: opt(str({ description: 'upgrade, downgrade or unknown (read from the image tags)' })), order: opt(list(str())) },
        { description: 'While images change: the direction and the component order they roll in' },
      ),
    ),
    conditions: opt(list(conditionSchema(), { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })),
    [STATUS_FIELDS.fe]: opt(Type.Object(componentStatusFields())),
    [STATUS_FIELDS.be]: opt(Type.Object(componentStatusFields())),
    [STATUS_FIELDS.cn]: opt(Type.Object({ ...componentStatusFields(), ...cnStatusFields() })),
  });

/** The whole CR: the CRD's `openAPIV3Schema`. */
export const STAR_ROCKS_CLUSTER_SCHEMA = Type.Object(
  {
    apiVersion: opt(str()),
    kind: opt(str()),
    metadata: opt(Type.Unsafe<{ name?: string; namespace?: string; uid?: string; generation?: number }>({ type: 'object' })),
    spec: specSchema(),
    status: opt(statusSchema()),
  },
  validations('root'),
);

/** A StarRocksCluster as stored (before defaulting by parse.ts). */
export type StarRocksClusterResource = Static<typeof STAR_ROCKS_CLUSTER_SCHEMA>;
/** A component's spec as stored (FE's: BE and CN have the same common fields). */
export type ComponentSpecResource = StarRocksClusterResource['spec']['starRocksFeSpec'];

/** `starRocksFeProxySpec` as stored. */
export type FeProxySpecResource = NonNullable<StarRocksClusterResource['spec']['starRocksFeProxySpec']>;

/** The schema as the CRD holds it: plain JSON, without TypeBox's own (non-enumerable) markers. */
export function crdOpenApiSchema(): JsonObject {
  return JSON.parse(JSON.stringify(STAR_ROCKS_CLUSTER_SCHEMA)) as JsonObject;
}
