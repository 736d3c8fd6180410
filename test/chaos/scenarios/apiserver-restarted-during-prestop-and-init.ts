/**
 * BE 3 -> 2 and CN 1 -> 2 at once, and kube-apiserver restarted (SIGTERM, down 2-10 s) 0-1.5 s
 * later: depending on the seed the restart lands before the controller applied the change, while
 * BE 2's preStop reads its StatefulSet, or while CN 1's init registers; every watch and connection
 * breaks. No row may stay behind, no
 * tablet may be lost, the new CN must register.
 */
import { podName, restartApiServer, scale, waitTerminating } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'apiserver-restarted-during-prestop-and-init',
  summary: 'BE 3 -> 2 and CN 1 -> 2, kube-apiserver restarted (down 2-10 s) 0-1.5 s later, around BE 2\'s preStop and CN 1\'s init',
  shape: { fe: 1, be: 3, cn: 1 },
  graceSeconds: { fe: 30, be: 30, cn: 30 },
  // About 80 replicas on BE 2: the decommission outlasts the restart.
  tables: [{ buckets: 120, replicationNum: 2 }],
  async run(ctx) {
    await scale(ctx, 'be', 2);
    await scale(ctx, 'cn', 2);
    // From before the controller applies the new replicas to after BE 2's preStop began.
    await ctx.pause(0, 1_500);
    await restartApiServer(ctx, ctx.rng.int(2_000, 10_000));
    await waitTerminating(ctx, podName(ctx.cluster, 'be', 2), 60_000);
  },
  boundMs: 150_000,
};
