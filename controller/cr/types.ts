/**
 * The typed, defaulted form of a `StarRocksCluster`, as `parse.ts` produces it from a CR that
 * conforms to the one schema (`schema.ts`, whose `StarRocksClusterResource` is the CR as stored).
 * Field names follow the CR. Kubernetes types the CR passes through (affinity, tolerations, env
 * vars, sidecars, HPA metrics, ...) are checked by the schema with the API server's own types and
 * stay JSON here: they are copied into the rendered objects as they are.
 */
import type { Component } from '../../agent/contract/index.ts';
import type { Json, JsonObject } from '../json.ts';

/** One entry of `storageVolumes`: a PVC template unless the class says `emptyDir`/`hostPath`. */
export interface StorageVolume {
  name: string;
  mountPath: string;
  storageClassName: string | undefined;
  /** A Kubernetes quantity; a size starting with `0` drops the volume (official behaviour). */
  storageSize: string;
  hostPath: JsonObject | undefined;
  subPath: string | undefined;
}

/** An entry of `service.ports`: overrides the port or nodePort of a rendered port. */
interface ServicePortOverride {
  name: string | undefined;
  port: number | undefined;
  containerPort: number | undefined;
  nodePort: number | undefined;
}

/** `service`: how the external Service is exposed. */
export interface ServiceSpec {
  type: string | undefined;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  loadBalancerIP: string | undefined;
  loadBalancerSourceRanges: string[];
  ports: ServicePortOverride[];
}

/** `configMaps[]` / `secrets[]`: extra volumes mounted at a path. */
export interface MountSpec {
  name: string;
  mountPath: string;
  subPath: string | undefined;
}

/** `configMapInfo`: the whole conf file of the component, from a ConfigMap key. */
interface ConfigMapInfo {
  configMapName: string;
  resolveKey: string;
}

/** Probe budgets in seconds; 0 disables the probe (official behaviour). */
export interface ProbeSeconds {
  startup: number;
  liveness: number;
  readiness: number;
}

/** The pod settings every workload of the CR has: FE, BE, CN and the FE proxy. */
interface WorkloadSpec {
  image: string;
  imagePullPolicy: string | undefined;
  imagePullSecrets: JsonObject[];
  replicas: number;
  /** Container resources built from the inline `requests`/`limits`. */
  resources: JsonObject;
  annotations: Record<string, string>;
  podLabels: Record<string, string>;
  schedulerName: string | undefined;
  nodeSelector: Record<string, string>;
  affinity: JsonObject | undefined;
  tolerations: Json[];
  topologySpreadConstraints: Json[];
  priorityClassName: string | undefined;
  service: ServiceSpec | undefined;
  serviceAccount: string | undefined;
}

/** Fields common to FE, BE and CN. */
export interface ComponentSpec extends WorkloadSpec {
  component: Component;
  storageVolumes: StorageVolume[];
  configMapInfo: ConfigMapInfo | undefined;
  probeSeconds: ProbeSeconds;
  lifecycle: JsonObject | undefined;
  shareProcessNamespace: boolean | undefined;
  runAsNonRoot: boolean | undefined;
  capabilities: JsonObject | undefined;
  readOnlyRootFilesystem: boolean;
  sysctls: Json[];
  configMaps: MountSpec[];
  secrets: MountSpec[];
  hostAliases: Json[];
  terminationGracePeriodSeconds: number;
  command: string[] | undefined;
  args: string[] | undefined;
  sidecars: Json[];
  initContainers: Json[];
  updateStrategy: JsonObject | undefined;
  persistentVolumeClaimRetentionPolicy: JsonObject | undefined;
  minReadySeconds: number | undefined;
  podManagementPolicy: string;
  /** `feEnvVars` / `beEnvVars` / `cnEnvVars`: they come first and win over injected ones. */
  envVars: JsonObject[];
}

/** FE adds the number of voting FEs (our addition). */
export interface FeSpec extends ComponentSpec {
  component: 'fe';
  /** FE ordinals below this are followers (voters); the others join as observers. */
  voters: number;
}

/** CN's `autoScalingPolicy`: rendered as an HPA on the CR's scale subresource. */
export interface AutoScalingPolicy {
  minReplicas: number;
  maxReplicas: number;
  metrics: Json[];
  behavior: JsonObject | undefined;
  /** `v1`, `v2beta2`, `v2` or empty: the autoscaling version asked for (render/hpa-version.ts). */
  version: string | undefined;
}

/** CN adds autoscaling. */
export interface CnSpec extends ComponentSpec {
  component: 'cn';
  autoScalingPolicy: AutoScalingPolicy | undefined;
}

/** A secret key holding the StarRocks root password (key `password` when the CR names none). */
export interface SecretKeyRef {
  name: string;
  key: string;
}

/** `spec.agent` (our addition): settings passed to every agent as env. */
export interface AgentSettings {
  logLevel: string | undefined;
  clusterDomain: string | undefined;
  sqlTimeoutMs: number | undefined;
  probeIntervalMs: number | undefined;
  /**
   * How long a restarted BE's readiness waits at most for unhealthy tablets to heal during a
   * rollout, in seconds (0: no wait). Rendered into BE pods only; undefined leaves the agent's
   * default (`DEFAULTS.tabletHealthMaxWaitSeconds`, 30 min).
   */
  tabletHealthMaxWaitSeconds: number | undefined;
  /**
   * The agent image the `install-agent` init container copies the agent's executable from;
   * undefined leaves the controller's `--agent-image`.
   */
  image: string | undefined;
  /** The root password: mounted as a file in FE pods only (never env); FE 0's agent sets it. */
  passwordSecret: SecretKeyRef | undefined;
}

/** `starRocksFeProxySpec`: an nginx Deployment in front of the FE HTTP port (official). */
export interface FeProxySpec extends WorkloadSpec {
  hostAliases: Json[];
  terminationGracePeriodSeconds: number | undefined;
  /** Liveness and readiness budgets in seconds; 0 disables the probe (official behaviour). */
  livenessSeconds: number;
  readinessSeconds: number;
  /** The DNS server of nginx's `resolver` line. */
  resolver: string;
}

/** `spec.metrics.podMonitor` (our addition): PodMonitors for the prometheus-operator. */
export interface PodMonitorSettings {
  enabled: boolean;
  /** Scrape interval; undefined leaves Prometheus' own. */
  interval: string | undefined;
  /** Labels of the PodMonitors (what a Prometheus' podMonitorSelector matches). */
  labels: Record<string, string>;
}

/** A parsed, defaulted StarRocksCluster. */
export interface StarRocksCluster {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  fe: FeSpec;
  be: ComponentSpec | undefined;
  cn: CnSpec | undefined;
  /** The FE proxy, when the CR asks for one. */
  feProxy?: FeProxySpec | undefined;
  agent: AgentSettings;
  podMonitor: PodMonitorSettings;
  /**
   * `waitForFullRollout` (official): on a downgrade, BE and CN wait for FE's full rollout when
   * true, for one Ready FE pod when false. See `upgrade-order.ts`.
   */
  waitForFullRollout: boolean;
}

/** A problem with a CR that the schema could not reject: reported in status, never thrown. */
export interface SpecProblem {
  /** JSON path of the field, e.g. `spec.starRocksFeSpec.replicas`. */
  field: string;
  message: string;
}
