/**
 * PodDisruptionBudgets. FE: voluntary evictions keep a majority of the voting FEs (the budget
 * selects only voter ordinals, through the StatefulSet pod-index label); observers are free.
 * With a single voter this blocks evicting it: the cluster's only FE leaving is an outage, so a
 * drain waits for someone to decide. BE and CN: at most one pod down at a time.
 */
import { names, selectorLabels } from '../../agent/contract.ts';
import type { ComponentSpec, StarRocksCluster } from '../cr/types.ts';
import type { JsonObject } from '../json.ts';
import { objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';

/** The label the StatefulSet controller puts on each pod with its ordinal (Kubernetes 1.28+). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** Voters needed for a majority. */
export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** The PDB of a component. */
export function renderPodDisruptionBudget(cluster: StarRocksCluster, spec: ComponentSpec): KubernetesObject {
  const selector: JsonObject = { matchLabels: selectorLabels(cluster.name, spec.component) };
  const pdbSpec: JsonObject = { selector };
  if (spec.component === 'fe') {
    // Voters that exist: a 1-FE cluster with the default of 3 voters has one.
    const voters = Math.max(1, Math.min(cluster.fe.voters, spec.replicas));
    selector.matchExpressions = [
      { key: POD_INDEX_LABEL, operator: 'In', values: Array.from({ length: voters }, (_, i) => String(i)) },
    ];
    pdbSpec.minAvailable = majority(voters);
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
    spec: pdbSpec,
  };
}
