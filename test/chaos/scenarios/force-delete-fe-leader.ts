/** `kubectl delete pod --force --grace-period=0` of the FE leader: no preStop, the pod object gone at once. */
import { deletePods, leaderOrdinal, podName } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'force-delete-fe-leader',
  summary: 'the FE leader pod force-deleted (--force --grace-period=0)',
  shape: { fe: 3, be: 1, cn: 0 },
  graceSeconds: { fe: 10, be: 10 },
  async run(ctx) {
    await ctx.pause(0, 5_000);
    const leader = (await leaderOrdinal(ctx.cluster)) ?? 0;
    await deletePods(ctx, [podName(ctx.cluster, 'fe', leader)], { force: true });
  },
  boundMs: 150_000,
};
