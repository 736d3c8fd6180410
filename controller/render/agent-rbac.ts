/**
 * The Kubernetes permissions the agent needs in its namespace, as one list both the controller
 * (which renders the Role) and the agent side (which documents and tests its calls) import.
 * Each rule is one call of `agent/kube/kube-client.ts`, and nothing more:
 *
 * - StatefulSets `get` (its cluster's three, by name): `statefulSetReplicas`, restart or scale-in.
 * - Pods `get`: `readPod`, a peer's annotations and phase (pod names have unbounded ordinals, so
 *   no `resourceNames`). Pods `patch`: `annotateSelf`, server-side apply of its own pod's
 *   annotations. RBAC cannot say "own pod, annotations only"; the ValidatingAdmissionPolicy
 *   `starrocks-agent` (deploy/agent-policy.yaml) does, from the pod name in the bound token.
 * - Events `create` (core/v1): `emitEvent`, on its own pod (the policy checks the pod).
 * - ConfigMaps `create`: `createFence`. RBAC cannot limit `create` by `resourceNames` (the name is
 *   not part of the authorized request), so the policy allows only the fence of the cluster the
 *   service account's name belongs to. ConfigMaps `get` of the fence only: `readFence`.
 * - StarRocksClusters `get` of its own cluster: `readStarRocksCluster` (FE 0 reads the cluster
 *   id the controller copied into status before it may bootstrap; the leader reads the desired state).
 *
 * No list, watch, update or delete: the agent makes none of these calls.
 */
import { COMPONENTS, names } from '../../agent/contract/index.ts';

/** An RBAC PolicyRule. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** The agent's Role rules for one cluster (the fence and StatefulSet names depend on it). */
export function agentRbacRules(cluster: string): PolicyRule[] {
  const n = names(cluster);
  return [
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get'], resourceNames: COMPONENTS.map((c) => n.statefulSet(c)) },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: [n.fence] },
    { apiGroups: ['starrocks.com'], resources: ['starrocksclusters'], verbs: ['get'], resourceNames: [cluster] },
  ];
}
