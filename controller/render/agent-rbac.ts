/**
 * The Kubernetes permissions the agent needs in its namespace, as one list both the controller
 * (which renders the Role) and the agent side (which documents and tests its calls) import.
 *
 * - StatefulSets: read the owning StatefulSet's replicas (restart or scale-in).
 * - Pods: read peers; patch its own pod's annotations (the agent's state).
 * - Events: report what it does.
 * - ConfigMaps: the bootstrap fence is create-only. RBAC cannot restrict `create` by
 *   `resourceNames` (the name is not known when the request is authorized), so `create` is
 *   granted on ConfigMaps in the namespace, while `get`/`update` are restricted to the fence.
 */
import { names } from '../../agent/contract.ts';

/** An RBAC PolicyRule. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** The agent's Role rules for one cluster (the fence name depends on it). */
export function agentRbacRules(cluster: string): PolicyRule[] {
  return [
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update'], resourceNames: [names(cluster).fence] },
    // FE 0 reads the cluster id the controller copied into status before it may bootstrap.
    { apiGroups: ['starrocks.com'], resources: ['starrocksclusters'], verbs: ['get'], resourceNames: [cluster] },
  ];
}
