/** The FE bootstrap fence ConfigMap deleted by hand at a random time, sometimes together with an FE restart. */
import { sleep } from '../../../agent/contract/backoff.ts';
import { names } from '../../../agent/contract/index.ts';
import { deleteFence, killProcess } from '../actions.ts';
import type { Scenario } from '../scenario.ts';
import { unlessNotFound } from '../../world/kube.ts';

export const scenario: Scenario = {
  name: 'fence-deleted',
  summary: 'the bootstrap fence ConfigMap deleted by hand at a random time, optionally with an FE process killed',
  shape: { fe: 3, be: 1, cn: 0 },
  graceSeconds: { fe: 10, be: 10 },
  async run(ctx) {
    await ctx.pause(0, 10_000);
    const fe = ctx.rng.chance(0.5) ? ctx.rng.int(0, 2) : undefined;
    await deleteFence(ctx);
    if (fe !== undefined) {
      await ctx.pause(0, 2_000);
      await killProcess(ctx, 'fe', fe);
    }
    // Not an invariant of the suite, but what the agents promise (DESIGN.md §3): the fence is re-created.
    const fence = names(ctx.cluster.name).fence;
    const read = () => unlessNotFound(ctx.cluster.world.kube.core.readNamespacedConfigMap({ namespace: ctx.cluster.namespace, name: fence }));
    const deleted = Date.now();
    for (let i = 0; i < 120; i++) {
      const cm = await read();
      if (cm !== undefined) {
        ctx.note(`fence ${fence} re-created ${Date.now() - deleted} ms after the deletion: ${JSON.stringify(cm.data ?? {})}`);
        return;
      }
      await sleep(500);
    }
    ctx.note(`fence ${fence} NOT re-created within 60 s`);
  },
};
