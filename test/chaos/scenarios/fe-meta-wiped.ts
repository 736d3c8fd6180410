/** One follower FE's meta volume replaced by an empty one while the others run. */
import { leaderOrdinal, wipeVolume } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'fe-meta-wiped',
  summary: "a follower FE's meta volume emptied under it (its process killed) while the other FEs run",
  shape: { fe: 3, be: 1, cn: 0 },
  graceSeconds: { fe: 10, be: 10 },
  async run(ctx) {
    await ctx.pause(0, 5_000);
    const leader = (await leaderOrdinal(ctx.cluster)) ?? 0;
    const follower = ctx.rng.pick([0, 1, 2].filter((o) => o !== leader));
    await wipeVolume(ctx, 'fe', follower);
  },
  boundMs: 150_000,
};
