/** Every chaos scenario, by name (one file each). */
import type { Scenario } from '../scenario.ts';
import { scenario as agentKilledAfterAdd } from './agent-killed-after-add.ts';
import { scenario as apiserverRestartedDuringPrestopAndInit } from './apiserver-restarted-during-prestop-and-init.ts';
import { scenario as apiserverUnreachableDuringPrestop } from './apiserver-unreachable-during-prestop.ts';
import { scenario as beRollingUpgradeWithTables } from './be-rolling-upgrade-with-tables.ts';
import { scenario as beScaleInDuringRollingUpgrade } from './be-scale-in-during-rolling-upgrade.ts';
import { scenario as cnHpaScaleInDuringRollout } from './cn-hpa-scale-in-during-rollout.ts';
import { scenario as componentRemovedFromCr } from './component-removed-from-cr.ts';
import { scenario as controllerKilledMidReconcile } from './controller-killed-mid-reconcile.ts';
import { scenario as dnsLateAll } from './dns-late-all.ts';
import { scenario as dnsLateOnePod } from './dns-late-one-pod.ts';
import { scenario as dnsServfailBursts } from './dns-servfail-bursts.ts';
import { scenario as drainTwoNodes } from './drain-two-nodes.ts';
import { scenario as feGroupDownWhileBesStart } from './fe-group-down-while-bes-start.ts';
import { scenario as feLeaderKilledWhileFollowerJoins } from './fe-leader-killed-while-follower-joins.ts';
import { scenario as feLeaderPartition } from './fe-leader-partition.ts';
import { scenario as feMetaWiped } from './fe-meta-wiped.ts';
import { scenario as fe0MetaWipedWhileOthersDown } from './fe0-meta-wiped-while-others-down.ts';
import { scenario as fenceDeleted } from './fence-deleted.ts';
import { scenario as forceDeleteBeMidDecommission } from './force-delete-be-mid-decommission.ts';
import { scenario as forceDeleteFeLeader } from './force-delete-fe-leader.ts';
import { scenario as kubectlScaleStsFe } from './kubectl-scale-sts-fe.ts';
import { scenario as leaderSqlLatency } from './leader-sql-latency.ts';
import { scenario as prestopRunTwice } from './prestop-run-twice.ts';
import { scenario as pvcReusedAfterScaleInThenOut } from './pvc-reused-after-scale-in-then-out.ts';
import { scenario as rootPasswordRotated } from './root-password-rotated.ts';
import { scenario as wholeClusterRestart } from './whole-cluster-restart.ts';

/** The scenarios, in the order `npm run chaos` runs them (the regular suite's two files take every other one). */
export const SCENARIOS: readonly Scenario[] = [
  feLeaderKilledWhileFollowerJoins,
  dnsLateOnePod,
  dnsLateAll,
  dnsServfailBursts,
  feGroupDownWhileBesStart,
  wholeClusterRestart,
  feMetaWiped,
  fe0MetaWipedWhileOthersDown,
  fenceDeleted,
  feLeaderPartition,
  leaderSqlLatency,
  kubectlScaleStsFe,
  forceDeleteFeLeader,
  pvcReusedAfterScaleInThenOut,
  beScaleInDuringRollingUpgrade,
  cnHpaScaleInDuringRollout,
  beRollingUpgradeWithTables,
  prestopRunTwice,
  agentKilledAfterAdd,
  componentRemovedFromCr,
  forceDeleteBeMidDecommission,
  drainTwoNodes,
  controllerKilledMidReconcile,
  apiserverUnreachableDuringPrestop,
  apiserverRestartedDuringPrestopAndInit,
  rootPasswordRotated,
];
