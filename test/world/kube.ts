/**
 * How the world and its tests talk to the world's kube-apiserver: `@kubernetes/client-node`,
 * configured from a kubeconfig (the world's admin one, or a token of a ServiceAccount). Typed API
 * clients for the kinds the world touches, `KubernetesObjectApi` for any other, and informers
 * (client-node's list-watch) for the pod runner's and tests' watches.
 */
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  ListWatch,
  PatchStrategy,
  RbacAuthorizationV1Api,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

/** The clients of one identity. */
export interface WorldKube {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  readonly coordination: CoordinationV1Api;
  /** Custom resources (the StarRocksCluster, a test's own CRDs). */
  readonly custom: CustomObjectsApi;
  /** Any kind by its apiVersion and kind. */
  readonly objects: KubernetesObjectApi;
}

/** Clients for the identity of a kubeconfig file. */
export function kubeFromFile(kubeconfigPath: string): WorldKube {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return kubeFromConfig(config);
}

/** Clients that present `token` to the server of `base` (a ServiceAccount's token, say). */
export function kubeWithToken(base: KubeConfig, token: string): WorldKube {
  const cluster = base.getCurrentCluster();
  if (cluster === null) throw new Error(`the kubeconfig has no current cluster (context ${base.getCurrentContext()}): cannot build a client for a token`);
  const config = new KubeConfig();
  config.loadFromClusterAndUser(cluster, { name: 'token', token });
  return kubeFromConfig(config);
}

function kubeFromConfig(config: KubeConfig): WorldKube {
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    rbac: config.makeApiClient(RbacAuthorizationV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(config),
  };
}

/** Request options that send a patch as a JSON merge patch (client-node's default is a JSON patch). */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The HTTP status of a failed call (client-node's ApiException), undefined for any other error. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === 'number' ? code : undefined;
}

/**
 * What the API server said about a failed call: the `message` of its Status body (client-node's
 * ApiException carries the body as text or parsed), else the error's own message.
 */
export function apiMessage(error: unknown): string {
  const body: unknown = typeof error === 'object' && error !== null && 'body' in error ? (error as { body: unknown }).body : undefined;
  let status: unknown = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      return body;
    }
  }
  if (typeof status === 'object' && status !== null && 'message' in status && typeof status.message === 'string') return status.message;
  return error instanceof Error ? error.message : String(error);
}

/** The call's result, or undefined when the object does not exist (404). */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

/** The call's result, or 'exists' when the object was there already (409). */
export async function unlessExists<T>(call: Promise<T>): Promise<T | 'exists'> {
  try {
    return await call;
  } catch (error) {
    if (httpStatus(error) === 409) return 'exists';
    throw error;
  }
}

/**
 * An object as the wire sends it: client-node's typed reads turn times into `Date`s, its watches
 * do not; code that reads fields by hand reads this form.
 */
export function wire(object: unknown): unknown {
  return object === undefined ? undefined : JSON.parse(JSON.stringify(object));
}

/** What an informer reports; objects as the wire sends them (see `informer`). */
export interface InformerHandlers<T> {
  /** Added or changed, including every object of a (re)list. */
  onUpsert(object: T): void;
  /** Deleted, or gone from a relist. */
  onDelete(object: T): void;
}

/** Options of `informer`. */
export interface InformerOptions<T> {
  kube: WorldKube;
  /** The collection's API path (`/api/v1/pods`); the watch of client-node's ListWatch. */
  path: string;
  /** The list call for the same collection and selectors (a typed client's list). */
  list: () => Promise<KubernetesListObject<KubernetesObject>>;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Reads one object as the handlers take it. A list's items come typed by client-node (dates as
   * `Date`) and watch events as raw JSON: both are passed through their JSON form first.
   */
  parse: (json: unknown) => T;
  /** A list or watch that failed (the informer restarts after `restartMs`). */
  onError?: (error: unknown) => void;
  /** Pause before restarting after an error; default 500 ms. */
  restartMs?: number;
}

/** A running informer; `stop` ends it for good. */
export interface InformerHandle {
  stop(): Promise<void>;
}

/**
 * Lists then watches a collection with client-node's ListWatch until stopped. ListWatch relists
 * on 410 and reconnects after a watch timeout by itself; on any other error it stops, so it is
 * restarted here after a pause, never in a tight loop.
 */
export function informer<T>(options: InformerOptions<T>, handlers: InformerHandlers<T>): InformerHandle {
  const watch = new ListWatch(options.path, new Watch(options.kube.config), options.list, false, options.labelSelector, options.fieldSelector);
  const parse = (object: KubernetesObject): T => options.parse(wire(object));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const start = (): void => {
    if (stopped) return;
    watch.start().catch(restart);
  };
  const restart = (error: unknown): void => {
    // Stopping aborts the watch, which ListWatch reports as an error: not one to report.
    if (stopped) return;
    options.onError?.(error);
    clearTimeout(timer);
    timer = setTimeout(start, options.restartMs ?? 500);
  };
  watch.on('add', (o) => handlers.onUpsert(parse(o)));
  watch.on('update', (o) => handlers.onUpsert(parse(o)));
  watch.on('delete', (o) => handlers.onDelete(parse(o)));
  watch.on('error', restart);
  start();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await watch.stop();
    },
  };
}
