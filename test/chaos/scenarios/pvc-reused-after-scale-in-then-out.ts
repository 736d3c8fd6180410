/**
 * BE 3 -> 2 with tables on the BEs, then back to 3 after a random delay: the new BE 2 pod comes
 * back on its old PVC (the StatefulSet keeps claims), possibly while the old pod still decommissions.
 */
import { podName, scale } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'pvc-reused-after-scale-in-then-out',
  summary: 'BE 3 -> 2 (tables with replicas on BE 2), then back to 3 at a random moment: BE 2 returns on its old PVC',
  shape: { fe: 1, be: 3, cn: 0 },
  graceSeconds: { fe: 30, be: 30 },
  // About 80 replicas on BE 2: its decommission takes seconds, so the scale-out often lands inside it.
  tables: [
    { buckets: 120, replicationNum: 1 },
    { buckets: 60, replicationNum: 2 },
  ],
  async run(ctx) {
    await scale(ctx, 'be', 2);
    await ctx.pause(0, 8_000);
    const old = await ctx.cluster.pod(podName(ctx.cluster, 'be', 2));
    ctx.note(`the old BE 2 pod is ${old === undefined ? 'gone' : old.terminating ? 'still terminating (its preStop decommissions it)' : 'not deleted yet'}`);
    await scale(ctx, 'be', 3);
  },
  boundMs: 120_000,
};
