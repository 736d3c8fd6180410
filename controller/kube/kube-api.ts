/**
 * The controller's whole use of the Kubernetes API, behind one small interface, so that the
 * reconcile logic is tested against any implementation and never loads client-node. Every call
 * has a timeout and throws `ERR_KUBERNETES` with the HTTP status.
 */
import type { JsonObject } from '../json.ts';
import type { KubernetesObject } from '../render/objects.ts';

/** A list and the resourceVersion to watch from. */
export interface ObjectList {
  items: JsonObject[];
  resourceVersion: string;
}

/** A watch event. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: JsonObject;
}

/** Options of list and watch calls. */
export interface ListOptions {
  kind: string;
  /** Undefined: all namespaces. */
  namespace: string | undefined;
  labelSelector?: string;
  /** List only: e.g. `involvedObject.name=x,reason=FailedCreate` for events. */
  fieldSelector?: string;
}

/** The API calls the controller makes. */
export interface KubeApi {
  /** The object, or undefined when it does not exist. */
  get(kind: string, namespace: string, name: string): Promise<JsonObject | undefined>;
  list(options: ListOptions): Promise<ObjectList>;
  /** Server-side apply with the controller's field manager (forced: the controller owns these fields). */
  apply(object: KubernetesObject): Promise<JsonObject>;
  /** Server-side apply of the StarRocksCluster's status subresource. */
  applyStatus(input: { namespace: string; name: string; status: JsonObject }): Promise<void>;
  create(object: JsonObject & { kind: string }): Promise<JsonObject>;
  /** Replace with optimistic concurrency (the object carries its resourceVersion). */
  replace(object: JsonObject & { kind: string }): Promise<JsonObject>;
  /** Delete; a missing object is not an error. */
  delete(kind: string, namespace: string, name: string): Promise<void>;
  /**
   * Watch from a resourceVersion until the server ends the stream, `signal` aborts, or an error
   * (thrown; a 410 Gone carries status 410). Events arrive through `onEvent`.
   */
  watch(options: ListOptions & { resourceVersion: string; signal: AbortSignal; onEvent: (event: WatchEvent) => void }): Promise<void>;
}

/** The HTTP status of a failed call, when the error came from the API server. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'httpStatus' in error) {
    const status = (error as { httpStatus: unknown }).httpStatus;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}
