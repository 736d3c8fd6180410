/**
 * BE 3 -> 2, and the leaving BE's pod force-deleted (`kubectl delete pod --force --grace-period=0`)
 * while its preStop decommissions it: its process dies at once, its row must not stay a ghost, and
 * the two-replica tablets it held must be repaired from the other copies.
 */
import { deletePods, podName, scale, waitStatement } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'force-delete-be-mid-decommission',
  summary: 'BE 3 -> 2 and BE 2 force-deleted at a random moment of its decommission (2-replica table)',
  shape: { fe: 1, be: 3, cn: 0 },
  graceSeconds: { fe: 30, be: 60 },
  // About 80 replicas on BE 2 to move: its decommission takes seconds, the force deletion lands inside it.
  tables: [{ buckets: 120, replicationNum: 2 }],
  async run(ctx) {
    await scale(ctx, 'be', 2);
    await waitStatement(ctx, /DECOMMISSION\s+BACKEND/i, 60_000);
    await ctx.pause(0, 2_000);
    await deletePods(ctx, [podName(ctx.cluster, 'be', 2)], { force: true });
  },
  boundMs: 120_000,
};
