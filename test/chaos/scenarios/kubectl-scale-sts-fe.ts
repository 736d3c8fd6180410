/** A user scales the FE StatefulSet by hand: the controller must put it back to the StarRocksCluster's replicas. */
import { sleep } from '../../../agent/contract/backoff.ts';
import { scaleStatefulSet } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'kubectl-scale-sts-fe',
  summary: "`kubectl scale sts sr-fe --replicas N` by hand (N in 1, 2, 4, 5); the desired state stays the CR's 3",
  shape: { fe: 3, be: 1, cn: 0 },
  graceSeconds: { fe: 10, be: 10 },
  async run(ctx) {
    await ctx.pause(0, 5_000);
    await scaleStatefulSet(ctx, 'fe', ctx.rng.pick([1, 2, 4, 5]));
    // The invariants are checked from here: note whether any FE pod came or went before the
    // controller put the replicas back (a quick repair may beat the StatefulSet controller).
    const deadline = Date.now() + 15_000;
    for (let i = 0; i < 150 && Date.now() < deadline; i++) {
      const pods = await ctx.cluster.pods('fe');
      if (pods.length !== 3 || pods.some((p) => p.terminating)) {
        ctx.note(`FE pods now: ${pods.map((p) => `${p.name}${p.terminating ? ' (terminating)' : ''}`).join(', ')}`);
        return;
      }
      await sleep(100);
    }
    ctx.note('no FE pod came or went within 15 s of the hand scale');
  },
  boundMs: 150_000,
};
