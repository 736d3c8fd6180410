/** The FE leader cut off from the other FEs and the nodes for 5-20 s, then healed. */
import { healPod, leaderOrdinal, partitionPod } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'fe-leader-partition',
  summary: 'the FE leader network-partitioned for 5-20 s, then healed',
  shape: { fe: 3, be: 1, cn: 0 },
  graceSeconds: { fe: 10, be: 10 },
  async run(ctx) {
    await ctx.pause(0, 5_000);
    const leader = (await leaderOrdinal(ctx.cluster)) ?? 0;
    const ip = await partitionPod(ctx, 'fe', leader);
    try {
      await ctx.pause(5_000, 20_000);
    } finally {
      await healPod(ctx, ip);
    }
  },
  boundMs: 120_000,
};
