/**
 * FE 0 loses its meta while FE 1 and 2 crash-loop (their ports refuse), then they come back: FE 0
 * must not bootstrap a second cluster (the timeline of test/e2e/safety-faults-world.test.ts, with
 * the fence present and seeded timing).
 */
import { crashLoop, wipeVolume } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'fe0-meta-wiped-while-others-down',
  summary: "FE 0's meta wiped while FE 1 and 2 crash-loop for 10-25 s, then they come back",
  shape: { fe: 3, be: 1, cn: 0 },
  graceSeconds: { fe: 10, be: 10 },
  async run(ctx) {
    const downMs = ctx.rng.int(10_000, 25_000);
    const wipeAtMs = ctx.rng.int(1_000, 5_000);
    await crashLoop(ctx, {
      component: 'fe',
      ordinals: [1, 2],
      ms: downMs,
      during: async () => {
        await ctx.pause(wipeAtMs, wipeAtMs);
        await wipeVolume(ctx, 'fe', 0, { restarted: false });
      },
    });
  },
  boundMs: 180_000,
};
