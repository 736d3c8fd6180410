/**
 * The controller's loop: informers cache the StarRocksClusters and what they own; every change
 * queues its cluster, each queued cluster is reconciled from the cache, clusters still
 * progressing are re-checked, and every cluster is resynced periodically (a full apply, which
 * repairs hand edits).
 */
import { CRD, LABELS } from '../../agent/contract/index.ts';
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { asString, dig } from '../json.ts';
import type { JsonObject } from '../json.ts';
import type { ApiDiscovery } from '../kube/discovery.ts';
import type { Informers, KubeApi } from '../kube/kube-api.ts';
import { observeReconcile } from '../http/metrics.ts';
import type { ControllerMetrics } from '../http/metrics.ts';
import type { EventRecorder } from './events.ts';
import { reconcile } from './reconcile.ts';
import type { ReconcileResult } from './reconcile.ts';
import { createWorkQueue } from './work-queue.ts';
import type { WorkQueue } from './work-queue.ts';

/** The default resync interval: a hand edit is repaired within it. */
export const DEFAULT_RESYNC_SECONDS = 60;

/** Options of `startController`. */
export interface ControllerOptions {
  api: KubeApi;
  informers: Informers;
  log: Log;
  events: EventRecorder;
  /** Every cluster is reconciled at least this often. */
  resyncMs: number;
  /** A cluster that is still progressing is re-checked after this long even without events. */
  progressRecheckMs: number;
  concurrency: number;
  signal: AbortSignal;
  /** The agent image of `install-agent` when a CR names none (`--agent-image`). */
  agentImage?: string;
  /** What the API server serves, kept current; without it `ASSUMED_SERVED`. */
  discovery?: ApiDiscovery;
  now?: () => string;
  /** Where reconciles are counted and the cache sizes read (`/metrics`). */
  metrics?: ControllerMetrics;
  /** Called after each reconcile (benchmarks and tests observe the loop through it). */
  onReconciled?: (key: string, result: ReconcileResult) => void;
}

/** A running controller. */
export interface Controller {
  queue: WorkQueue;
  /** Resolves when the informers have stopped (after the signal aborts). */
  done: Promise<void>;
}

/** `namespace/name` of a cluster. */
function clusterKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Start the informers and reconcile. */
export function startController(options: ControllerOptions): Controller {
  const now = options.now ?? (() => new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  const { informers, metrics } = options;
  if (metrics !== undefined) metrics.sources.cache = informers.cache;
  const deps = { api: options.api, cache: informers.cache, log: options.log, events: options.events, now, agentImage: options.agentImage, served: options.discovery?.current };
  const queue = createWorkQueue({
    concurrency: options.concurrency,
    handle: async (key) => {
      const [namespace = '', name = ''] = key.split('/');
      const started = performance.now();
      const seconds = (): number => (performance.now() - started) / 1000;
      const result = await reconcile(deps, { namespace, name }).catch((error: unknown) => {
        if (metrics !== undefined) observeReconcile(metrics, { seconds: seconds(), outcome: 'error' });
        throw error;
      });
      if (metrics !== undefined) observeReconcile(metrics, { seconds: seconds(), outcome: result.progressing ? 'requeue' : 'success', ...result });
      options.onReconciled?.(key, result);
      return result.progressing ? options.progressRecheckMs : undefined;
    },
    onError: (key, error) => options.log.warn({ cluster: key, err: describeError(error) }, 'reconcile failed; retrying'),
  });

  const field = (object: JsonObject, ...path: string[]): string | undefined => asString(dig(object, ...path));
  let synced = false;
  informers.onChange(({ kind, type, object }) => {
    const namespace = field(object, 'metadata', 'namespace');
    // Until every kind is listed the cache is partial (a cluster without its StatefulSets would
    // get a wrong status): the clusters are queued once it is complete, below.
    if (!synced || namespace === undefined) return;
    if (kind === CRD.kind) {
      const name = field(object, 'metadata', 'name');
      // A status write changes only the status: the spec did not move, nothing to do.
      const statusOnly = type === 'update' && dig(object, 'metadata', 'generation') === dig(object, 'status', 'observedGeneration');
      if (name !== undefined && type !== 'delete' && !statusOnly) queue.add(clusterKey(namespace, name));
      return;
    }
    const instance = field(object, 'metadata', 'labels', LABELS.instance);
    if (instance !== undefined && informers.cache.get(CRD.kind, namespace, instance) !== undefined) queue.add(clusterKey(namespace, instance));
  });

  const resyncAll = (): void => {
    for (const cluster of informers.cache.list(CRD.kind, '')) {
      const namespace = field(cluster, 'metadata', 'namespace');
      const name = field(cluster, 'metadata', 'name');
      if (namespace !== undefined && name !== undefined) queue.add(clusterKey(namespace, name));
    }
  };
  // A group/version appearing or going (a CRD installed) changes what every cluster renders.
  options.discovery?.onChange(() => {
    if (synced) resyncAll();
  });
  const started = Promise.all([informers.start(), options.discovery?.ready]).then(() => {
    synced = true;
    if (!options.signal.aborted) resyncAll();
  });
  const resync = setInterval(resyncAll, options.resyncMs);
  resync.unref();
  const stopped = new Promise<void>((resolve) => {
    options.signal.addEventListener(
      'abort',
      () => {
        clearInterval(resync);
        queue.stop();
        void started.then(() => informers.stop()).then(resolve, resolve);
      },
      { once: true },
    );
  });
  return { queue, done: stopped };
}
