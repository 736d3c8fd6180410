/**
 * Keeps the bootstrap fence and the second record of the cluster id alive while this FE holds
 * meta of the cluster. The fence is created once at bootstrap, but a create can fail, a user can
 * delete the ConfigMap, and a cluster can predate the fence: then FE 0, losing its volume, would
 * see no fence. So every running FE, not only the one that bootstrapped, checks the fence every
 * interval and creates it when absent (create-only, retried until it succeeds), and records the
 * cluster id in its own pod's annotation, which the controller copies into the StarRocksCluster's
 * status.
 */
import { ANNOTATIONS } from '../contract/index.ts';
import { describeError } from '../contract/errors.ts';
import type { Context } from './context.ts';
import { every } from '../util/periodic.ts';
import type { Periodic } from '../util/periodic.ts';
import { createFence } from './init.ts';

/** A running keeper. */
export type FenceKeeper = Periodic;

/** Options of startFenceKeeper. */
export interface FenceKeeperOptions {
  ctx: Context;
  /** The cluster id this FE reports, once known. */
  clusterId: () => number | undefined;
  intervalMs: number;
}

/** Check the fence now and then every interval; never throws. */
export function startFenceKeeper(options: FenceKeeperOptions): FenceKeeper {
  const { ctx } = options;
  let annotated: number | undefined;
  let warned: string | undefined;
  const tick = async (): Promise<void> => {
    const clusterId = options.clusterId();
    if (clusterId === undefined) return;
    if (annotated !== clusterId && ctx.kube !== undefined) {
      await ctx.kube.annotateSelf({ [ANNOTATIONS.clusterId]: String(clusterId) });
      annotated = clusterId;
    }
    const fence = await ctx.fence?.read();
    if (fence === undefined || fence.kind === 'present') return;
    if (fence.kind === 'unknown') {
      if (warned !== fence.reason) ctx.log.warn({ reason: fence.reason }, 'the bootstrap fence cannot be read; checking again next interval');
      warned = fence.reason;
      return;
    }
    ctx.log.warn({ clusterId }, 'the bootstrap fence is missing: creating it');
    await createFence(ctx, clusterId);
  };

  return every({
    intervalMs: options.intervalMs,
    immediate: true,
    round: tick,
    onError: (error) => ctx.log.warn({ error: describeError(error) }, 'keeping the bootstrap fence failed; retrying next interval'),
  });
}
