/**
 * Root's password rotated mid-run (the user changes its Secret) while a BE joins and an FE
 * restarts: kubelet updates the mounted file, the FE leader's agent applies the new password, the
 * restarted FE logs in with it, nothing stops, no password shows in a log, event or metric.
 */
import { deletePods, podName, rotateRootPassword, scale, waitRootPassword } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'root-password-rotated',
  summary: "root's password rotated in its Secret while BE 1 -> 2 and an FE pod restarts",
  shape: { fe: 3, be: 1, cn: 1 },
  graceSeconds: { fe: 30, be: 30, cn: 30 },
  rootPassword: 'chaos-root-initial-0c1f',
  async run(ctx) {
    await scale(ctx, 'be', 2);
    await ctx.pause(0, 5_000);
    const next = `chaos-root-rotated-${ctx.rng.int(1_000, 9_999)}`;
    await rotateRootPassword(ctx, next);
    await ctx.pause(0, 10_000);
    await deletePods(ctx, [podName(ctx.cluster, 'fe', ctx.rng.int(0, 2))]);
    // Only our agent sets root's password on the cluster; the baseline leaves it to the user.
    if (ctx.agent === 'ours' && !(await waitRootPassword(ctx, next, 90_000))) throw new Error("the cluster never took root's rotated password");
  },
  boundMs: 120_000,
};
