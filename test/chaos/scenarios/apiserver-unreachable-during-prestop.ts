/**
 * BE 3 -> 2, and the API server unreachable for 5-20 s from a random moment after BE 2's pod is
 * marked for deletion: its preStop may not be able to read its StatefulSet to tell a scale-in from a
 * restart. Whatever it decides, no row may stay behind and no tablet may be lost.
 */
import { apiServerUnreachable, podName, scale, waitTerminating } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'apiserver-unreachable-during-prestop',
  summary: "BE 3 -> 2, the API server hung (SIGSTOP) for 5-20 s while BE 2's preStop runs",
  shape: { fe: 1, be: 3, cn: 0 },
  graceSeconds: { fe: 30, be: 30 },
  // About 80 replicas on BE 2: the decommission outlasts the start of the outage.
  tables: [{ buckets: 120, replicationNum: 2 }],
  async run(ctx) {
    await scale(ctx, 'be', 2);
    await waitTerminating(ctx, podName(ctx.cluster, 'be', 2), 30_000);
    await ctx.pause(0, 1_000);
    await apiServerUnreachable(ctx, ctx.rng.int(5_000, 20_000));
  },
  boundMs: 150_000,
};
