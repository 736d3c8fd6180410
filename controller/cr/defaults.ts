/**
 * Documented defaults of a StarRocksCluster (README.md, "Controller"). Where the official operator
 * has a default, it is kept, except FE meta and BE storage (see `FE_META_SIZE`, `BE_STORAGE_SIZE`).
 */
import { DEFAULTS } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { VERSION } from '../../agent/contract/version.ts';
import type { ProbeSeconds } from './types.ts';

/**
 * The agent image the `install-agent` init container runs (images/agent.Dockerfile, tagged with
 * the agent's version), unless the controller's `--agent-image` or the CR's `spec.agent.image`
 * names another. A registry-less name, as the controller image's: point both at your registry.
 */
export const DEFAULT_AGENT_IMAGE = `starrocks-agent:${VERSION}`;

/** `replicas` when a component spec leaves it out (the official CRD default). */
export const DEFAULT_REPLICAS = DEFAULTS.componentReplicas;

/** Probe budgets (official: startup 300 s, liveness 15 s, readiness 15 s). */
export const DEFAULT_PROBE_SECONDS: ProbeSeconds = { startup: 300, liveness: 15, readiness: 15 };

/** Kubelet probes every this many seconds; the failure threshold is ceil(seconds / period). */
export const PROBE_PERIOD_SECONDS = 5;

/**
 * `terminationGracePeriodSeconds` per component. BE gets an hour because a BE scaled in
 * decommissions in its preStop hook: StarRocks moves every tablet away first, which takes minutes
 * to hours with data. A plain restart stops gracefully in seconds, so the long budget costs nothing
 * then. FE and CN keep the official 120 s (FE gives up leadership, CN drains its queries).
 */
export const DEFAULT_GRACE_SECONDS: Readonly<Record<Component, number>> = { fe: 120, be: 3600, cn: 120 };

/** `podManagementPolicy`: Parallel, required for FE quorum restarts (official default too). */
export const DEFAULT_POD_MANAGEMENT_POLICY = 'Parallel';

/**
 * FE meta gets a PVC of this size from the default StorageClass when the CR gives no volume for
 * it. The official default is an emptyDir, which loses meta on every pod re-creation (weaknesses
 * W1/W2); an emptyDir meta is rendered only when the user asks for it with
 * `storageClassName: emptyDir`. StarRocks stops FE below 5 GiB free, hence 10 GiB.
 */
export const FE_META_SIZE = '10Gi';

/**
 * BE storage gets a PVC of this size from the default StorageClass when the CR gives no volume for
 * it. The official default is an emptyDir, which loses every tablet replica of a BE on each pod
 * re-creation (a rollout, an eviction, a node drain): one rollout of all BEs loses the data of
 * every table. An emptyDir is rendered only when the CR asks for it with
 * `storageClassName: emptyDir`, and status then carries the `DataOnEphemeralStorage` warning. The
 * official Helm chart asks for 1Ti; 100Gi is a start that most default StorageClasses can
 * provision and expand.
 */
export const BE_STORAGE_SIZE = '100Gi';

/** Size of a `storageVolumes` PVC that gives no `storageSize`. */
export const DEFAULT_STORAGE_SIZE = '10Gi';

/** Storage class names with a special meaning (official behaviour). */
export const STORAGE_CLASS_EMPTY_DIR = 'emptyDir';
/** See `STORAGE_CLASS_EMPTY_DIR`. */
export const STORAGE_CLASS_HOST_PATH = 'hostPath';

/**
 * Voting FEs when the CR does not say: 3 (the agent's default), whatever the replicas, so that
 * scaling FE from 1 to 3 changes no pod's env (FE 1 and 2 join as followers). FE ordinals at or
 * above it join as observers.
 */
export const DEFAULT_VOTERS = DEFAULTS.feVoters;

/** CN `autoScalingPolicy.minReplicas` default (official). */
export const DEFAULT_MIN_REPLICAS = 1;

/** The controller's server-side apply field manager. */
export const FIELD_MANAGER = 'starrocks-controller';

/**
 * `waitForFullRollout` when the CR leaves it out: true, so that on a downgrade (FE first) BE and CN
 * change only once every FE runs the older version and is Ready. The official default is false
 * (BE and CN follow as soon as one FE pod is Ready): a bad FE version then reaches BE and CN too.
 */
export const DEFAULT_WAIT_FOR_FULL_ROLLOUT = true;

/** The FE proxy's nginx image when `starRocksFeProxySpec.image` is unset (the official operator's). */
export const DEFAULT_FE_PROXY_IMAGE = 'nginx:1.24.0';

/** FE proxy pods when `starRocksFeProxySpec.replicas` is unset (a Deployment's own default). */
export const DEFAULT_FE_PROXY_REPLICAS = 1;

/** The port nginx listens on in the FE proxy (fixed in the official operator). */
export const FE_PROXY_PORT = 8080;

/** The nginx resolver when `starRocksFeProxySpec.resolver` is unset (the official operator's). */
export const DEFAULT_FE_PROXY_RESOLVER = 'kube-dns.kube-system.svc.cluster.local';
