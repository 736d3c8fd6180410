/**
 * The agent's ServiceAccount, Role and RoleBinding. The Role is bound to the cluster's own
 * ServiceAccount only, and every pod of the cluster runs as it.
 *
 * Rule for a `serviceAccount` named in the CR (the official schema has one per component): it is
 * not used. Binding the agent's Role to an account the CR names would hand the agent's rights to
 * whatever else runs under that account, and an account without the agent's name escapes the
 * admission policy that holds agents to their own pod and fence. Other rights for the StarRocks
 * pods (a cloud identity annotation, a RoleBinding of the user's) go on `<cluster>-starrocks-agent`
 * (README, "Security").
 */
import { names } from '../../agent/contract/index.ts';
import type { StarRocksCluster } from '../cr/types.ts';
import { agentRbacRules } from './agent-rbac.ts';
import type { RbacV1Subject, V1PolicyRule, V1RoleRef } from '@kubernetes/client-node';
import { modelled, objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';

/**
 * The ServiceAccount a component's pods run as: always the cluster's own, whatever the CR's
 * `serviceAccount` says (see the rule above).
 */
export function podServiceAccount(cluster: StarRocksCluster): string {
  return names(cluster.name).agentServiceAccount;
}

/** ServiceAccount, Role and RoleBinding of the agent. */
export function renderAgentRbac(cluster: StarRocksCluster): KubernetesObject[] {
  const name = names(cluster.name).agentServiceAccount;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: objectMeta({ cluster, name }) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: objectMeta({ cluster, name }),
      rules: agentRbacRules(cluster.name).map((rule) => modelled<V1PolicyRule>({ ...rule })),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: objectMeta({ cluster, name }),
      roleRef: modelled<V1RoleRef>({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }),
      subjects: [modelled<RbacV1Subject>({ kind: 'ServiceAccount', name, namespace: cluster.namespace })],
    },
  ];
}
