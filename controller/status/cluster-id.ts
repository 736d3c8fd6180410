/**
 * The second record of the cluster id (DESIGN.md §3): `status.clusterId` of the StarRocksCluster,
 * copied from the id the FE agents annotate on their pods. FE 0's agent reads it before it may
 * bootstrap, so a lost fence and a lost FE 0 volume still cannot start a second cluster. Once set
 * it never changes or clears by itself: FE pods reporting another id are a split brain to report,
 * not a new truth to record. Pure.
 */
import type { ObservedPod } from './observed.ts';

/** What status records and what it reports. */
export interface ClusterIdRecord {
  /** The id to keep in `status.clusterId`; undefined while no FE reported one. */
  clusterId: string | undefined;
  /** One line naming the ids that disagree; undefined when they agree. */
  mismatch: string | undefined;
}

/** The cluster id to record, from the stored one and the FE pods' annotations. */
export function recordClusterId(stored: string | undefined, pods: readonly Pick<ObservedPod, 'name' | 'component' | 'clusterId'>[]): ClusterIdRecord {
  const byId = new Map<string, string[]>();
  for (const pod of pods) {
    if (pod.component !== 'fe' || pod.clusterId === undefined) continue;
    byId.set(pod.clusterId, [...(byId.get(pod.clusterId) ?? []), pod.name]);
  }
  const reported = [...byId.entries()].sort(([a], [b]) => a.localeCompare(b));
  const describe = (entries: [string, string[]][]): string => entries.map(([id, names]) => `${id} (${names.sort().join(', ')})`).join(', ');
  if (stored !== undefined && stored !== '') {
    const others = reported.filter(([id]) => id !== stored);
    if (others.length === 0) return { clusterId: stored, mismatch: undefined };
    return {
      clusterId: stored,
      mismatch: `status.clusterId is ${stored}, but FE pods report cluster ${describe(others)}: a second FE group (split brain); status keeps ${stored}`,
    };
  }
  const [only, ...rest] = reported;
  if (only === undefined) return { clusterId: undefined, mismatch: undefined };
  if (rest.length === 0) return { clusterId: only[0], mismatch: undefined };
  return {
    clusterId: undefined,
    mismatch: `FE pods report different cluster ids: ${describe(reported)}: two FE groups (split brain); status.clusterId stays unset`,
  };
}
