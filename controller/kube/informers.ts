/**
 * The informers: one client-node ListWatch per cached kind (the StarRocksClusters; the owned kinds
 * and pods by the managed-by label), restarted with the one back-off after an error. Reconciles
 * read this cache instead of listing.
 */
import { KubernetesObjectApi, ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject as ClientObject } from '@kubernetes/client-node';
import { CRD, LABELS, LABEL_VALUES } from '../../agent/contract/index.ts';
import { createBackoff, isAbortError, sleep } from '../../agent/contract/backoff.ts';
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { apiVersionOf, plain } from './client-node-api.ts';
import { OWNED_KINDS } from './kube-api.ts';
import type { CacheChange, CachedKind, Informers, ObjectCache } from './kube-api.ts';
import type { JsonObject } from '../json.ts';

const PLURALS: Readonly<Record<CachedKind, string>> = {
  StarRocksCluster: CRD.plural,
  ServiceAccount: 'serviceaccounts',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  ConfigMap: 'configmaps',
  Service: 'services',
  StatefulSet: 'statefulsets',
  Deployment: 'deployments',
  PodDisruptionBudget: 'poddisruptionbudgets',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  Pod: 'pods',
};

/** Options of `clientNodeInformers`. */
export interface InformerOptions {
  kubeConfig: KubeConfig;
  /** Only this namespace, or all when undefined. */
  namespace: string | undefined;
  log: Log;
  signal: AbortSignal;
}

/** The collection path a ListWatch watches. */
function watchPath(kind: CachedKind, namespace: string | undefined): string {
  const apiVersion = apiVersionOf(kind);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace === undefined ? `${base}/${PLURALS[kind]}` : `${base}/namespaces/${namespace}/${PLURALS[kind]}`;
}

/** Informers over client-node ListWatches. */
export function clientNodeInformers(options: InformerOptions): Informers {
  const objects = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  const watch = new Watch(options.kubeConfig);
  const listeners: ((change: CacheChange) => void)[] = [];
  const kinds: CachedKind[] = [CRD.kind, ...OWNED_KINDS, 'Pod'];
  const informers = new Map<CachedKind, ListWatch<ClientObject>>();
  const listed = new Map<CachedKind, Promise<void>>();
  const owned = `${LABELS.managedBy}=${LABEL_VALUES.managedBy}`;
  const delay = (ms: number): Promise<void> => sleep(ms, options.signal).catch(() => undefined);
  for (const kind of kinds) {
    const labelSelector = kind === CRD.kind ? undefined : owned;
    let markListed: () => void = () => {};
    listed.set(kind, new Promise<void>((resolve) => (markListed = resolve)));
    const list = async () => {
      const result = await objects.list(apiVersionOf(kind), kind, options.namespace, undefined, undefined, undefined, undefined, labelSelector);
      // The ListWatch caches the items right after this resolves (setImmediate: after that).
      setImmediate(markListed);
      // Plain JSON like the watch events; the kind, which list items lack, for the listeners.
      return { ...result, items: result.items.map((item) => slim({ ...plain(item), kind }) as unknown as ClientObject) };
    };
    const informer = new ListWatch<ClientObject>(watchPath(kind, options.namespace), watch, list, false, labelSelector, undefined, { delayFn: delay });
    const emit = (type: CacheChange['type']) => (object: ClientObject) => {
      // The ListWatch calls back with the object it caches: slimmed in place.
      slim(object as unknown as JsonObject);
      for (const listener of listeners) listener({ kind, type, object: object as unknown as JsonObject });
    };
    informer.on('add', emit('add'));
    informer.on('update', emit('update'));
    informer.on('delete', emit('delete'));
    // A ListWatch stops on an error: started again after the back-off, until the signal aborts.
    const backoff = createBackoff({ baseMs: 500, maxMs: 30_000 });
    informer.on('connect', () => backoff.reset());
    informer.on('error', (error: unknown) => {
      // Stopping aborts the watches: not a failure.
      if (options.signal.aborted) return;
      const retryInMs = backoff.next();
      options.log.warn({ kind, err: describeError(error), retryInMs }, 'watch failed; restarting');
      sleep(retryInMs, options.signal).then(
        () => informer.start(),
        (abort: unknown) => {
          if (!isAbortError(abort)) throw abort;
        },
      );
    });
    informers.set(kind, informer);
  }

  const cache: ObjectCache = {
    list: (kind, namespace) => (informers.get(kind)?.list(namespace) ?? []) as unknown as readonly JsonObject[],
    get: (kind, namespace, name) => informers.get(kind)?.get(name, namespace) as unknown as JsonObject | undefined,
  };
  return {
    cache,
    onChange: (listener) => void listeners.push(listener),
    start: async () => {
      for (const [kind, informer] of informers) {
        informer.start().catch((error: unknown) => options.log.warn({ kind, err: describeError(error) }, 'informer failed to start'));
      }
      const aborted = new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.race([Promise.all(listed.values()), aborted]);
    },
    stop: async () => {
      await Promise.all([...informers.values()].map((i) => i.stop()));
    },
  };
}

/**
 * Drops what reconciles never read from a cached object, in place: `managedFields` (the larger
 * part of most objects; client-go informers drop it with a transform too).
 */
function slim(object: JsonObject): JsonObject {
  const metadata = object.metadata;
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) delete metadata.managedFields;
  return object;
}
