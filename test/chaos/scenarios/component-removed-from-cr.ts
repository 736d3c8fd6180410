/**
 * The CN component removed from the StarRocksCluster (its spec deleted): every CN row must go with
 * its pods, no ghost left. The controller prunes the CN StatefulSet, so the CNs' preStop cannot
 * read their replicas and stops them as for a restart (never deregister on doubt, agent/plan/
 * shutdown.ts); the FE agents' ghost keeper drops the rows after the ghost grace, shortened here
 * from its 60 s default to keep the run short.
 */
import { ENV } from '../../../agent/contract/index.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'component-removed-from-cr',
  summary: 'starRocksCnSpec removed from the StarRocksCluster (2 CNs): no CN row left behind',
  shape: { fe: 1, be: 1, cn: 2 },
  graceSeconds: { fe: 30, be: 30, cn: 30 },
  components: { fe: { env: [{ name: ENV.GHOST_GRACE_SECONDS, value: '15' }] } },
  async run(ctx) {
    await ctx.pause(0, 5_000);
    // A merge patch with null deletes the field, as `kubectl edit` removing the block does.
    await ctx.step('remove starRocksCnSpec from the StarRocksCluster', () => ctx.cluster.patchSpec({ starRocksCnSpec: null }));
    ctx.desired.cn = 0;
  },
  boundMs: 75_000,
};
