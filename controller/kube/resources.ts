/**
 * The API resources the controller touches, with their REST paths: a fixed table instead of
 * discovery, so no call is spent finding what is known.
 */
import { CRD } from '../../agent/contract/index.ts';
import { AgentError } from '../../agent/contract/errors.ts';

/** One API resource. */
export interface Resource {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

/** Every resource the controller reads or writes. */
export const RESOURCES: readonly Resource[] = [
  { apiVersion: `${CRD.group}/${CRD.version}`, kind: CRD.kind, plural: CRD.plural, namespaced: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  /** Only the agent password Secret the controller generates: create only (409: it exists), never get, list or update. */
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
];

/** The kinds the controller renders (and prunes when no longer rendered), in apply order. */
export const OWNED_KINDS: readonly string[] = [
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Service',
  'StatefulSet',
  'Deployment',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
];

/** The resource of a kind; throws ERR_INTERNAL for a kind not in the table. */
export function resourceOf(kind: string): Resource {
  const resource = RESOURCES.find((r) => r.kind === kind);
  if (resource === undefined) throw new AgentError('ERR_INTERNAL', `no API resource known for kind ${kind}`);
  return resource;
}

/** The collection path of a kind, in a namespace (or across all when undefined). */
export function collectionPath(kind: string, namespace: string | undefined): string {
  const r = resourceOf(kind);
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return r.namespaced && namespace !== undefined
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`
    : `${base}/${r.plural}`;
}

/** The path of one object. */
export function objectPath(kind: string, namespace: string, name: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}
