/** The FE bootstrap fence ConfigMap deleted by hand at a random time, sometimes together with an FE restart. */
import { sleep } from '../../../agent/contract/backoff.ts';
import { names } from '../../../agent/contract/index.ts';
import { deleteFence, killProcess, podName, waitRestarted } from '../actions.ts';
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
    const deleted = Date.now();
    if (fe !== undefined) {
      await ctx.pause(0, 2_000);
      const before = await ctx.cluster.pod(podName(ctx.cluster, 'fe', fe));
      await killProcess(ctx, 'fe', fe);
      if (before !== undefined) await waitRestarted(ctx, before);
    }
    // Not an invariant of the suite, but what the agents promise (DESIGN.md §3): the fence is re-created.
    const fence = names(ctx.cluster.name).fence;
    const read = () => unlessNotFound(ctx.cluster.world.kube.core.readNamespacedConfigMap({ namespace: ctx.cluster.namespace, name: fence }));
    for (let i = 0; i < 600 && Date.now() - deleted < 60_000; i++) {
      const cm = await read();
      if (cm !== undefined) {
        ctx.note(`fence ${fence} present again (seen ${Date.now() - deleted} ms after the deletion): ${JSON.stringify(cm.data ?? {})}`);
        return;
      }
      await sleep(100);
    }
    ctx.note(`fence ${fence} NOT re-created within 60 s`);
  },
};
