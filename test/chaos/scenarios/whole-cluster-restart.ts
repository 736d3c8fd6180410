/** Every pod of a converged cluster deleted at once (a node drain gone wrong, a namespace-wide `kubectl delete pods --all`). */
import { deletePods, podName } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'whole-cluster-restart',
  summary: 'every pod of a converged 3 FE / 2 BE / 1 CN cluster deleted at once',
  shape: { fe: 3, be: 2, cn: 1 },
  graceSeconds: { fe: 10, be: 10, cn: 10 },
  tables: [{ buckets: 6, replicationNum: 2 }],
  async run(ctx) {
    await ctx.pause(0, 3_000);
    const c = ctx.cluster;
    await deletePods(ctx, [0, 1, 2].map((o) => podName(c, 'fe', o)).concat([podName(c, 'be', 0), podName(c, 'be', 1), podName(c, 'cn', 0)]));
  },
  boundMs: 180_000,
};
