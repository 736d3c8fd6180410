/**
 * The agent's ServiceAccount, Role and RoleBinding. The binding also covers a ServiceAccount the
 * CR names for a component (`serviceAccount`), so the agent works under it too.
 */
import { names } from '../../agent/contract.ts';
import type { StarRocksCluster } from '../cr/types.ts';
import { presentComponents } from '../cr/parse.ts';
import { agentRbacRules } from './agent-rbac.ts';
import { objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';

/** The ServiceAccount a component's pods run as. */
export function podServiceAccount(cluster: StarRocksCluster, serviceAccount: string | undefined): string {
  return serviceAccount ?? names(cluster.name).agentServiceAccount;
}

/** ServiceAccount, Role and RoleBinding of the agent. */
export function renderAgentRbac(cluster: StarRocksCluster): KubernetesObject[] {
  const name = names(cluster.name).agentServiceAccount;
  const accounts = [
    ...new Set([name, ...presentComponents(cluster).map((c) => podServiceAccount(cluster, c.serviceAccount))]),
  ];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: objectMeta({ cluster, name }) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: objectMeta({ cluster, name }),
      rules: agentRbacRules(cluster.name).map((rule) => ({ ...rule })),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: objectMeta({ cluster, name }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: accounts.map((account) => ({ kind: 'ServiceAccount', name: account, namespace: cluster.namespace })),
    },
  ];
}
