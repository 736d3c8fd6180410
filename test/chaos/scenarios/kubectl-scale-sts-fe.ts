/** A user scales the FE StatefulSet by hand: the controller must put it back to the StarRocksCluster's replicas. */
import { sleep } from '../../../agent/contract/backoff.ts';
import { names } from '../../../agent/contract/index.ts';
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
    const scaled = Date.now();
    // Whether any FE pod came or went before the controller put the replicas back (a quick repair
    // may beat the StatefulSet controller), and when the StatefulSet was repaired: the invariants
    // are checked from then on, so a late effect of the extra or removed pods is still seen.
    let moved = false;
    const sts = names(ctx.cluster.name).statefulSet('fe');
    for (let i = 0; i < 600 && Date.now() - scaled < 60_000; i++) {
      const pods = await ctx.cluster.pods('fe');
      if (!moved && (pods.length !== 3 || pods.some((p) => p.terminating))) {
        moved = true;
        ctx.note(`FE pods now: ${pods.map((p) => `${p.name}${p.terminating ? ' (terminating)' : ''}`).join(', ')}`);
      }
      const replicas = (await ctx.cluster.world.kube.apps.readNamespacedStatefulSet({ namespace: ctx.cluster.namespace, name: sts })).spec?.replicas;
      if (replicas === ctx.desired.fe) {
        ctx.note(`${sts} back to ${replicas} replicas ${Date.now() - scaled} ms after the hand scale${moved ? '' : ' (no FE pod came or went)'}`);
        return;
      }
      await sleep(100);
    }
    ctx.note(`${sts} not back to ${ctx.desired.fe} replicas within 60 s`);
  },
  boundMs: 150_000,
};
