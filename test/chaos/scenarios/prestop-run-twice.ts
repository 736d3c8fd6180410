/**
 * A BE's preStop run twice at once: BE 3 -> 2, and while kubelet's preStop of BE 2 decommissions
 * it, the same command run a second time in its container (`kubectl exec`). The two runs must not
 * double any statement that breaks the cluster, and BE 2 must still leave cleanly.
 */
import { execPreStop, podName, scale, waitTerminating } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

const GRACE_SECONDS = 30;

export const scenario: Scenario = {
  name: 'prestop-run-twice',
  summary: "BE 3 -> 2, and BE 2's preStop command exec'd a second time while kubelet's run decommissions it",
  shape: { fe: 1, be: 3, cn: 0 },
  graceSeconds: { fe: 30, be: GRACE_SECONDS },
  // About 80 replicas on BE 2 to move: its decommission takes seconds, the second run lands inside it.
  tables: [{ buckets: 120, replicationNum: 2 }],
  async run(ctx) {
    await scale(ctx, 'be', 2);
    await waitTerminating(ctx, podName(ctx.cluster, 'be', 2), 30_000);
    await ctx.pause(0, 1_000);
    await execPreStop(ctx, 'be', 2, GRACE_SECONDS * 1000);
  },
  boundMs: 90_000,
};
