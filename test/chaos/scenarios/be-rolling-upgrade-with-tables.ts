/**
 * A BE image change (rolling restart) of 4 BEs on their PVCs with one- and three-replica tables:
 * a one-replica tablet is unavailable while its BE restarts, but none may be lost at the end.
 */
import { patchComponent, waitRolledTo } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

const NEW_IMAGE = 'starrocks-be-agent:3.3.1';

export const scenario: Scenario = {
  name: 'be-rolling-upgrade-with-tables',
  summary: 'BE image change on 4 BEs (PVCs) with 1- and 3-replica tables, after a random delay',
  shape: { fe: 1, be: 4, cn: 0 },
  graceSeconds: { fe: 30, be: 30 },
  tables: [
    { buckets: 8, replicationNum: 1 },
    { buckets: 4, replicationNum: 3 },
  ],
  async run(ctx) {
    await ctx.pause(0, 5_000);
    await patchComponent(ctx, 'be', { image: NEW_IMAGE });
    await waitRolledTo(ctx, { component: 'be', image: NEW_IMAGE, replicas: 4, timeoutMs: 300_000 });
  },
  boundMs: 60_000,
};
