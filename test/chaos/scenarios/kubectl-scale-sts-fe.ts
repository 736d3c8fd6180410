/** A user scales the FE StatefulSet by hand: the controller must put it back to the StarRocksCluster's replicas. */
import { scaleStatefulSet } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'kubectl-scale-sts-fe',
  summary: '`kubectl scale sts sr-fe --replicas N` by hand (N in 1, 2, 4, 5); the desired state stays the CR\'s 3',
  shape: { fe: 3, be: 1, cn: 0 },
  graceSeconds: { fe: 10, be: 10 },
  async run(ctx) {
    await ctx.pause(0, 5_000);
    await scaleStatefulSet(ctx, 'fe', ctx.rng.pick([1, 2, 4, 5]));
  },
  boundMs: 150_000,
};
