/** Every statement on the FE leader takes 1-4 s more for a while, during a BE scale-out. */
import { leaderOrdinal, scale, sqlLatency } from '../actions.ts';
import { describeView } from '../../e2e/fixtures/world-cluster.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'leader-sql-latency',
  summary: 'SQL latency of 1-4 s on the FE leader for 10-30 s while BEs scale out from 1 to 2 or 3',
  shape: { fe: 3, be: 1, cn: 0 },
  graceSeconds: { fe: 10, be: 10 },
  async run(ctx) {
    const leader = (await leaderOrdinal(ctx.cluster)) ?? 0;
    await sqlLatency(ctx, leader, ctx.rng.int(1_000, 4_000));
    try {
      await ctx.pause(0, 3_000);
      await scale(ctx, 'be', ctx.rng.int(2, 3));
      await ctx.pause(10_000, 30_000);
      // Whether the scale-out got through while every statement on the leader was slow.
      const v = await ctx.cluster.view().catch(() => undefined);
      ctx.note(`before the latency ends: ${v === undefined ? 'no leader view' : describeView(v)}`);
    } finally {
      await sqlLatency(ctx, leader, 0);
    }
  },
  boundMs: 120_000,
};
