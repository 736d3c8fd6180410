/** Every chaos scenario, by name (one file each). */
import type { Scenario } from '../scenario.ts';
import { scenario as agentKilledAfterAdd } from './agent-killed-after-add.ts';
import { scenario as apiserverUnreachableDuringPrestop } from './apiserver-unreachable-during-prestop.ts';
import { scenario as beRollingUpgradeWithTables } from './be-rolling-upgrade-with-tables.ts';
import { scenario as beScaleInDuringRollingUpgrade } from './be-scale-in-during-rolling-upgrade.ts';
import { scenario as cnHpaScaleInDuringRollout } from './cn-hpa-scale-in-during-rollout.ts';
import { scenario as componentRemovedFromCr } from './component-removed-from-cr.ts';
import { scenario as controllerKilledMidReconcile } from './controller-killed-mid-reconcile.ts';
import { scenario as dnsLateOnePod } from './dns-late-one-pod.ts';
import { scenario as drainTwoNodes } from './drain-two-nodes.ts';
import { scenario as feLeaderKilledWhileFollowerJoins } from './fe-leader-killed-while-follower-joins.ts';
import { scenario as forceDeleteBeMidDecommission } from './force-delete-be-mid-decommission.ts';
import { scenario as prestopRunTwice } from './prestop-run-twice.ts';
import { scenario as pvcReusedAfterScaleInThenOut } from './pvc-reused-after-scale-in-then-out.ts';

/** The scenarios, in the order `npm run chaos` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  feLeaderKilledWhileFollowerJoins,
  dnsLateOnePod,
  pvcReusedAfterScaleInThenOut,
  beScaleInDuringRollingUpgrade,
  cnHpaScaleInDuringRollout,
  prestopRunTwice,
  agentKilledAfterAdd,
  beRollingUpgradeWithTables,
  componentRemovedFromCr,
  forceDeleteBeMidDecommission,
  drainTwoNodes,
  controllerKilledMidReconcile,
  apiserverUnreachableDuringPrestop,
];
