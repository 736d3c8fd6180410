/**
 * The user's intent as the agent needs it, parsed from its StarRocksCluster (the JSON the API
 * returns) at the edge: which components exist, with how many replicas, whether the CN count is
 * the HPA's to decide, and the cluster id the controller recorded in status. Pure.
 *
 * @example
 * ```ts
 * const desired = parseDesiredState(await kube.readStarRocksCluster());
 * desired.components.fe.replicas; // 3
 * ```
 */
import { COMPONENTS, DEFAULTS } from '../contract/index.ts';
import type { Component } from '../contract/index.ts';

/** One component's intent. */
interface ComponentIntent {
  /** The CR has the component's spec. */
  readonly present: boolean;
  /** `replicas` (the official default when absent); undefined when present but not a whole number. */
  readonly replicas: number | undefined;
  /** The CN count is the HPA's (`autoScalingPolicy`): the StatefulSet's replicas are the intent. */
  readonly autoscaled: boolean;
}

/** The StarRocksCluster as the agent reads it. */
export interface DesiredState {
  /** False when the StarRocksCluster does not exist (deleted, or pods made without one). */
  readonly exists: boolean;
  readonly components: Readonly<Record<Component, ComponentIntent>>;
  /** `status.clusterId` as found (anything: judged by clusterRecordState). */
  readonly statusClusterId: unknown;
}

const SPEC_KEYS: Readonly<Record<Component, string>> = { fe: 'starRocksFeSpec', be: 'starRocksBeSpec', cn: 'starRocksCnSpec' };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parse the StarRocksCluster JSON (undefined: it does not exist). */
export function parseDesiredState(raw: unknown): DesiredState {
  const exists = isRecord(raw);
  const spec = exists && isRecord(raw.spec) ? raw.spec : {};
  const status = exists && isRecord(raw.status) ? raw.status : {};
  const entry = (component: Component): ComponentIntent => {
    const value = spec[SPEC_KEYS[component]];
    if (!isRecord(value)) return { present: false, replicas: 0, autoscaled: false };
    const replicas = value.replicas === undefined ? DEFAULTS.componentReplicas : value.replicas;
    return {
      present: true,
      replicas: typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0 ? replicas : undefined,
      autoscaled: component === 'cn' && isRecord(value.autoScalingPolicy),
    };
  };
  const components = Object.fromEntries(COMPONENTS.map((c) => [c, entry(c)])) as Record<Component, ComponentIntent>;
  return { exists, components, statusClusterId: status.clusterId };
}
