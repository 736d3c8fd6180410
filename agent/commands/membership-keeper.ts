/**
 * The shell around plan/membership-reconcile.ts: in every FE agent, once per interval, and only
 * while its own FE is the leader, read the members from it, the desired state from the
 * StarRocksCluster and the pods of the rows beyond it, and remove the ghosts the plan names.
 * Every step is re-read each round, so a crash or a leader change half-way loses nothing.
 */
import type { Component } from '../contract/index.ts';
import { names } from '../contract/index.ts';
import { describeError } from '../contract/errors.ts';
import { findLeader } from '../membership/queries.ts';
import { parseDesiredState } from '../plan/desired-state.ts';
import { planMembershipReconcile, podsToCheck } from '../plan/membership-reconcile.ts';
import type { ReconcileAction } from '../plan/membership-reconcile.ts';
import { sameHost } from '../sql/host-port.ts';
import { decommissionBackend, dropBackend, dropComputeNode, dropFrontend } from '../sql/statements.ts';
import type { AlterStatement } from '../sql/statements.ts';
import { every } from '../util/periodic.ts';
import type { Periodic } from '../util/periodic.ts';
import type { Context } from './context.ts';

/** A running keeper. */
export type MembershipKeeper = Periodic;

/** Start reconciling membership every `intervalMs`; never throws. */
export function startMembershipKeeper(options: { ctx: Context; intervalMs: number }): MembershipKeeper {
  const { ctx } = options;
  const goneSince: Record<string, number> = {};
  const round = async (): Promise<void> => {
    const kube = ctx.kube;
    if (kube === undefined || ctx.conf.component !== 'fe') return;
    const client = ctx.feClient(ctx.config.podIp ?? '127.0.0.1', ctx.conf.ports.query);
    try {
      const frontends = await client.showFrontends();
      if (!frontends.ok) return;
      const leader = findLeader(frontends.value);
      if (leader === undefined || !sameHost(leader.host, ctx.selfHost)) return;
      const desiredState = parseDesiredState(await kube.readStarRocksCluster());
      // No StarRocksCluster (deleted, or pods made without one): nothing says what is desired.
      if (!desiredState.exists) return;
      const desired = {} as Record<Component, number>;
      for (const component of ['fe', 'be', 'cn'] as const) {
        const intent = desiredState.components[component];
        // An HPA decides the CN count: its StatefulSet's replicas are the intent.
        const replicas = intent.autoscaled ? await kube.statefulSetReplicas(names(ctx.config.cluster).statefulSet(component)).catch(() => undefined) : intent.replicas;
        desired[component] = replicas ?? Number.POSITIVE_INFINITY;
      }
      const [backends, computeNodes] = [await client.showBackends(), await client.showComputeNodes()];
      if (!backends.ok || !computeNodes.ok) return;
      const rows = { cluster: ctx.config.cluster, desired, frontends: frontends.value, backends: backends.value, computeNodes: computeNodes.value };
      const podExists: Record<string, boolean> = {};
      for (const pod of podsToCheck(rows)) podExists[pod] = (await kube.readPod(pod)) !== undefined;
      const now = Date.now();
      const plan = planMembershipReconcile({ ...rows, podExists, goneSince, now, graceMs: ctx.config.ghostGraceMs });
      for (const pod of plan.gone) goneSince[pod] ??= now;
      for (const pod of plan.back) delete goneSince[pod];
      for (const action of plan.actions) {
        const outcome = await client.exec(statementOf(action));
        if (outcome.ok) {
          ctx.log.info({ action: action.kind, target: `${action.target.host}:${action.target.port}` }, action.reason);
          await ctx.kube?.emitEvent({ type: 'Normal', reason: 'GhostRemoved', message: action.reason });
        } else {
          ctx.log.warn({ action: action.kind, failure: outcome.failure.kind }, `${action.reason}: failed, retrying next round: ${outcome.failure.message}`);
        }
      }
    } finally {
      await client.close();
    }
  };

  return every({
    intervalMs: options.intervalMs,
    immediate: false,
    round,
    onError: (error) => ctx.log.warn({ error: describeError(error) }, 'membership reconciliation failed; retrying next interval'),
  });
}

function statementOf(action: ReconcileAction): AlterStatement {
  switch (action.kind) {
    case 'drop-compute-node':
      return dropComputeNode(action.target);
    case 'decommission-backend':
      return decommissionBackend(action.target);
    case 'drop-backend':
      return dropBackend(action.target);
    case 'drop-frontend':
      return dropFrontend(action.role, action.target);
  }
}
