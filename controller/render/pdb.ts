/**
 * PodDisruptionBudgets. FE: voluntary evictions keep a majority of the voting FEs (the budget
 * selects only voter ordinals, through the StatefulSet pod-index label); observers are free.
 * With a single voter this blocks evicting it: the cluster's only FE leaving is an outage, so a
 * drain waits for someone to decide. BE and CN: at most one pod down at a time.
 *
 * Who votes: each FE's agent annotates its pod with its own Role from SHOW FRONTENDS
 * (`starrocks.com/agent-fe-role`), the FE group's word. An FE that has not said yet (not started,
 * or its pod is gone) votes when its ordinal is below `voters`: the agent joins those as followers.
 */
import { names, selectorLabels } from '../../agent/contract/index.ts';
import type { FeSpec } from '../cr/types.ts';
import type { ComponentSpec, StarRocksCluster } from '../cr/types.ts';
import type { V1LabelSelector, V1PodDisruptionBudgetSpec } from '@kubernetes/client-node';
import { modelled, objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';

/** The label the StatefulSet controller puts on each pod with its ordinal (Kubernetes 1.28+). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** Voters needed for a majority. */
function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** What the controller observed of one FE pod, for the FE budget. */
export interface FePodView {
  ordinal: number;
  /** The pod's `agent-fe-role` annotation (`LEADER`, `FOLLOWER`, `OBSERVER`), when its agent wrote one. */
  role: string | undefined;
}

const VOTING_ROLES: readonly string[] = ['LEADER', 'FOLLOWER'];

/**
 * Ordinals of the voting FEs, ascending. The planned voters (ordinals below min(voters,
 * replicas)) count whether their pod exists or not: a voter whose pod is gone keeps its row, and
 * its vote, in the FE group (ghost removal keeps rows within the desired replicas), so a majority
 * of the pods that exist could be a minority of the group, and one eviction would break the
 * quorum. FE pods that exist add to them: above the replicas during a scale-in, an FE votes until
 * its preStop drops it. A pod whose agent reports OBSERVER does not vote, whatever its ordinal.
 */
export function feVoterOrdinals(fe: FeSpec, pods: readonly FePodView[] = []): number[] {
  const roleOf = new Map(pods.map((p) => [p.ordinal, p.role]));
  const votes = (ordinal: number): boolean => {
    const role = roleOf.get(ordinal);
    return role === undefined || !['OBSERVER', ...VOTING_ROLES].includes(role) ? ordinal < fe.voters : VOTING_ROLES.includes(role);
  };
  const planned = Array.from({ length: Math.min(fe.voters, fe.replicas) }, (_, i) => i);
  const candidates = new Set([...planned, ...pods.map((p) => p.ordinal).filter((o) => o >= 0)]);
  return [...candidates].filter(votes).sort((a, b) => a - b);
}

/** The PDB of a component; `fePods` are the FE pods that exist (none: the planned voters only). */
export function renderPodDisruptionBudget(cluster: StarRocksCluster, spec: ComponentSpec, fePods: readonly FePodView[] = []): KubernetesObject {
  const selector: V1LabelSelector = { matchLabels: selectorLabels(cluster.name, spec.component) };
  const pdbSpec: V1PodDisruptionBudgetSpec = { selector };
  if (spec.component === 'fe') {
    // Voters that exist or are planned: a 1-FE cluster with the default of 3 voters has one.
    const voters = feVoterOrdinals(cluster.fe, fePods);
    const ordinals = voters.length > 0 ? voters : [0];
    selector.matchExpressions = [{ key: POD_INDEX_LABEL, operator: 'In', values: ordinals.map(String) }];
    pdbSpec.minAvailable = majority(ordinals.length);
  } else {
    pdbSpec.maxUnavailable = 1;
  }
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: objectMeta({
      cluster,
      name: names(cluster.name).podDisruptionBudget(spec.component),
      component: spec.component,
    }),
    spec: modelled<V1PodDisruptionBudgetSpec>(pdbSpec),
  };
}
