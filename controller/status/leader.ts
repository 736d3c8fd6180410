/**
 * The FE leader as a person reads it in `kubectl get src` (the `Leader` column, `status.leader`):
 * the pod whose agent reports the role LEADER (its `agent-fe-role` annotation, else its
 * membership record's role; status/observed.ts reads both). Pure.
 */
import type { ObservedPod } from './observed.ts';

/**
 * The leader's pod name; undefined while no Ready FE reports LEADER. A pod that is not Ready
 * keeps the role it last annotated (a crashed leader still says LEADER), so only Ready pods
 * count. Two Ready pods saying LEADER (an election seen mid-way, or a split brain) are both
 * named, comma-separated, so the column shows the disagreement instead of picking one.
 */
export function feLeader(pods: readonly Pick<ObservedPod, 'name' | 'component' | 'ordinal' | 'ready' | 'role'>[]): string | undefined {
  const leaders = pods
    .filter((p) => p.component === 'fe' && p.ready && p.role === 'LEADER')
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((p) => p.name);
  return leaders.length === 0 ? undefined : leaders.join(',');
}
