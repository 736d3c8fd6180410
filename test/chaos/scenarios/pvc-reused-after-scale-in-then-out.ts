/**
 * BE 3 -> 2 with tables on the BEs, then back to 3 after a random delay: the new BE 2 pod comes
 * back on its old PVC (the StatefulSet keeps claims), possibly while the old pod still decommissions.
 */
import { scale } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'pvc-reused-after-scale-in-then-out',
  summary: 'BE 3 -> 2 (tables with replicas on BE 2), then back to 3 at a random moment: BE 2 returns on its old PVC',
  shape: { fe: 1, be: 3, cn: 0 },
  graceSeconds: { fe: 30, be: 30 },
  tables: [
    { buckets: 12, replicationNum: 1 },
    { buckets: 6, replicationNum: 2 },
  ],
  async run(ctx) {
    await scale(ctx, 'be', 2);
    await ctx.pause(0, 15_000);
    await scale(ctx, 'be', 3);
  },
  boundMs: 120_000,
};
