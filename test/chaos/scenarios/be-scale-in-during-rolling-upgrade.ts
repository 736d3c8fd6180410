/** A BE image change (a rolling restart) and a BE scale-in 4 -> 3 at a random moment during it. */
import { patchComponent, scale, waitRolledTo } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

const NEW_IMAGE = 'starrocks-be-agent:3.3.1';

export const scenario: Scenario = {
  name: 'be-scale-in-during-rolling-upgrade',
  summary: 'BE image change on 4 BEs, and BE 4 -> 3 at a random moment of the rollout; 1- and 3-replica tables',
  shape: { fe: 1, be: 4, cn: 0 },
  graceSeconds: { fe: 30, be: 30 },
  tables: [
    { buckets: 8, replicationNum: 1 },
    { buckets: 4, replicationNum: 3 },
  ],
  async run(ctx) {
    await patchComponent(ctx, 'be', { image: NEW_IMAGE });
    await ctx.pause(0, 20_000);
    await scale(ctx, 'be', 3);
    await waitRolledTo(ctx, { component: 'be', image: NEW_IMAGE, replicas: 3, timeoutMs: 240_000 });
  },
  // A scale-in that lands after BE 3's preStop judged its deletion a restart leaves its row to the
  // FE agents' ghost keeper (60 s grace by default); seed 2, converging 57 s after the rollout, likely hit it.
  boundMs: 120_000,
};
