/**
 * The controller's whole use of the Kubernetes API, behind small interfaces, so that the
 * reconcile logic is tested against any implementation and never loads client-node: `KubeApi`
 * for calls, `Informers` for the cache reconciles read. Every call has a timeout and throws
 * `ERR_KUBERNETES` with the HTTP status.
 */
import type { JsonObject } from '../json.ts';
import type { KubernetesObject } from '../render/objects.ts';

/** A list and the resourceVersion it was read at. */
interface ObjectList {
  items: JsonObject[];
  resourceVersion: string;
}

/** Options of list calls. */
interface ListOptions {
  kind: string;
  /** Undefined: all namespaces. */
  namespace: string | undefined;
  labelSelector?: string;
  /** e.g. `involvedObject.name=x,reason=FailedCreate` for events. */
  fieldSelector?: string;
}

/** The API calls the controller makes. */
export interface KubeApi {
  /** The object, or undefined when it does not exist. */
  get(kind: string, namespace: string, name: string): Promise<JsonObject | undefined>;
  list(options: ListOptions): Promise<ObjectList>;
  /** Server-side apply with the controller's one field manager (forced: the controller owns these fields). */
  apply(object: KubernetesObject): Promise<JsonObject>;
  /** Server-side apply of the StarRocksCluster's status subresource. */
  applyStatus(input: { namespace: string; name: string; status: JsonObject }): Promise<void>;
  create(object: JsonObject & { kind: string }): Promise<JsonObject>;
  /** Replace with optimistic concurrency (the object carries its resourceVersion). */
  replace(object: JsonObject & { kind: string }): Promise<JsonObject>;
  /** Delete; a missing object is not an error. */
  delete(kind: string, namespace: string, name: string): Promise<void>;
}

/** The kinds the informers cache: the StarRocksClusters and everything reconcile reads of theirs. */
export type CachedKind =
  | 'StarRocksCluster'
  | 'ServiceAccount'
  | 'Role'
  | 'RoleBinding'
  | 'ConfigMap'
  | 'Service'
  | 'StatefulSet'
  | 'Deployment'
  | 'PodDisruptionBudget'
  | 'HorizontalPodAutoscaler'
  | 'Pod';

/** The kinds the controller renders (and prunes when no longer rendered), in apply order. */
export const OWNED_KINDS = [
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Service',
  'StatefulSet',
  'Deployment',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
] as const satisfies readonly CachedKind[];

/** Read access to the informers' cache. */
export interface ObjectCache {
  /** Every cached object of a kind in a namespace. */
  list(kind: CachedKind, namespace: string): readonly JsonObject[];
  get(kind: CachedKind, namespace: string, name: string): JsonObject | undefined;
}

/** A change the informers saw (after the cache holds it). */
export interface CacheChange {
  kind: CachedKind;
  type: 'add' | 'update' | 'delete';
  object: JsonObject;
}

/** List-watch caches of every `CachedKind`. */
export interface Informers {
  cache: ObjectCache;
  /** Called for every change, after the cache has it. */
  onChange(listener: (change: CacheChange) => void): void;
  /** Resolves once every kind has been listed once (the cache is complete). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The HTTP status of a failed call, when the error came from the API server. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'httpStatus' in error) {
    const status = (error as { httpStatus: unknown }).httpStatus;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}
