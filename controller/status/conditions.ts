/**
 * Kubernetes-style conditions: a condition keeps its `lastTransitionTime` while its status stays
 * the same, so writing status again does not look like a change.
 */

/** A status condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/**
 * The condition types the controller sets. `DataOnEphemeralStorage` is a warning: True when FE
 * meta or BE storage is on an emptyDir (or on no volume), so a pod re-creation loses it.
 * `ClusterIdMismatch` is one too: True while FE pods report a cluster id other than
 * `status.clusterId` (or disagree among themselves), a split brain.
 */
export const CONDITION_TYPES = {
  ready: 'Ready',
  progressing: 'Progressing',
  degraded: 'Degraded',
  dataOnEphemeralStorage: 'DataOnEphemeralStorage',
  clusterIdMismatch: 'ClusterIdMismatch',
} as const;

/** Options of `mergeConditions`. */
export interface MergeConditionsOptions {
  previous: readonly Condition[];
  next: readonly Omit<Condition, 'lastTransitionTime'>[];
  now: string;
}

/** The next conditions, keeping each previous transition time whose status did not change. */
export function mergeConditions(options: MergeConditionsOptions): Condition[] {
  return options.next.map((condition) => {
    const before = options.previous.find((p) => p.type === condition.type);
    const lastTransitionTime =
      before !== undefined && before.status === condition.status ? before.lastTransitionTime : options.now;
    return { ...condition, lastTransitionTime };
  });
}

/** Parse conditions from a stored status (unknown JSON). */
export function parseConditions(raw: unknown): Condition[] {
  if (!Array.isArray(raw)) return [];
  const out: Condition[] = [];
  for (const c of raw) {
    if (typeof c !== 'object' || c === null) continue;
    const r = c as Record<string, unknown>;
    const status = r.status;
    if (typeof r.type !== 'string' || (status !== 'True' && status !== 'False' && status !== 'Unknown')) continue;
    out.push({
      type: r.type,
      status,
      observedGeneration: typeof r.observedGeneration === 'number' ? r.observedGeneration : 0,
      lastTransitionTime: typeof r.lastTransitionTime === 'string' ? r.lastTransitionTime : '',
      reason: typeof r.reason === 'string' ? r.reason : '',
      message: typeof r.message === 'string' ? r.message : '',
    });
  }
  return out;
}
