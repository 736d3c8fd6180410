/** The FE leader's process is killed while FE 1 or FE 2 is joining the group. */
import { killProcess, leaderOrdinal, waitStatement } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'fe-leader-killed-while-follower-joins',
  summary: 'a fresh 3 FE cluster: the leader is killed when a follower has asked to join, after a random delay',
  shape: { fe: 3, be: 1, cn: 0 },
  waitConverged: false,
  async run(ctx) {
    await waitStatement(ctx, /ADD FOLLOWER/i, 120_000);
    await ctx.pause(0, 3_000);
    const leader = (await leaderOrdinal(ctx.cluster)) ?? 0;
    await killProcess(ctx, 'fe', leader);
  },
};
