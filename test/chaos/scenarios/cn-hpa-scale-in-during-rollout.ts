/**
 * A CN image change and, at a random moment of it, the HPA scaling CNs 2 -> 1 through the
 * StarRocksCluster's scale subresource (safety-faults-world.test.ts does the same by hand).
 */
import { patchComponent, scaleCnByHpa, waitRolledTo } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

const NEW_IMAGE = 'starrocks-be-agent:3.3.1';

export const scenario: Scenario = {
  name: 'cn-hpa-scale-in-during-rollout',
  summary: 'CN image change on 2 CNs, and the HPA scaling CN 2 -> 1 at a random moment of the rollout',
  shape: { fe: 1, be: 1, cn: 2 },
  graceSeconds: { fe: 30, be: 30, cn: 30 },
  components: { cn: { spec: { autoScalingPolicy: { version: 'v2', minReplicas: 1, maxReplicas: 2 } } } },
  async run(ctx) {
    await patchComponent(ctx, 'cn', { image: NEW_IMAGE });
    await ctx.pause(0, 15_000);
    await scaleCnByHpa(ctx, 1);
    await waitRolledTo(ctx, { component: 'cn', image: NEW_IMAGE, replicas: 1, timeoutMs: 180_000 });
  },
  boundMs: 90_000,
};
