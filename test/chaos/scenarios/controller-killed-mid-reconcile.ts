/**
 * The controller killed and started again at a random moment while it reconciles a scale-out of
 * FEs and BEs (its StatefulSets and budgets half written), as when its pod is OOM-killed.
 */
import { restartController, scale } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'controller-killed-mid-reconcile',
  summary: 'FE 1 -> 3 and BE 1 -> 2, the controller killed and restarted 0-3 s after each change',
  shape: { fe: 1, be: 1, cn: 0 },
  graceSeconds: { fe: 30, be: 30 },
  async run(ctx) {
    await scale(ctx, 'fe', 3);
    await ctx.pause(0, 3_000);
    await restartController(ctx);
    await scale(ctx, 'be', 2);
    await ctx.pause(0, 3_000);
    await restartController(ctx);
  },
  boundMs: 120_000,
};
