/**
 * The controller's loop: watches StarRocksClusters and the StatefulSets and pods they own, queues
 * the cluster of every change, reconciles each queued cluster, re-checks clusters that are still
 * progressing, and resyncs every cluster periodically.
 */
import { CRD, LABELS, LABEL_VALUES } from '../../agent/contract/index.ts';
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { asString, dig } from '../json.ts';
import type { JsonObject } from '../json.ts';
import type { KubeApi } from '../kube/kube-api.ts';
import type { EventRecorder } from './events.ts';
import { reconcile } from './reconcile.ts';
import type { ReconcileResult } from './reconcile.ts';
import { runWatcher } from './watcher.ts';
import { createWorkQueue } from './work-queue.ts';
import type { WorkQueue } from './work-queue.ts';

/** Options of `startController`. */
export interface ControllerOptions {
  api: KubeApi;
  log: Log;
  events: EventRecorder;
  /** Only this namespace, or all when undefined. */
  namespace: string | undefined;
  /** Every cluster is reconciled at least this often. */
  resyncMs: number;
  /** A cluster that is still progressing is re-checked after this long even without events. */
  progressRecheckMs: number;
  concurrency: number;
  signal: AbortSignal;
  /** The agent image of `install-agent` when a CR names none (`--agent-image`). */
  agentImage?: string;
  now?: () => string;
  /** Called after each reconcile (benchmarks and tests observe the loop through it). */
  onReconciled?: (key: string, result: ReconcileResult) => void;
}

/** A running controller. */
export interface Controller {
  queue: WorkQueue;
  /** Resolves when every watcher has stopped (after the signal aborts). */
  done: Promise<void>;
}

/** `namespace/name` of a cluster. */
export function clusterKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Start watching and reconciling. */
export function startController(options: ControllerOptions): Controller {
  const now = options.now ?? (() => new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  const known = new Set<string>();
  const queue = createWorkQueue({
    concurrency: options.concurrency,
    handle: async (key) => {
      const [namespace = '', name = ''] = key.split('/');
      const result = await reconcile({ api: options.api, log: options.log, events: options.events, now, agentImage: options.agentImage }, { namespace, name });
      options.onReconciled?.(key, result);
      return result.progressing ? options.progressRecheckMs : undefined;
    },
    onError: (key, error) => options.log.warn({ cluster: key, err: describeError(error) }, 'reconcile failed; retrying'),
  });

  const clusterOf = (object: JsonObject): string | undefined => {
    const namespace = asString(dig(object, 'metadata', 'namespace'));
    const instance = asString(dig(object, 'metadata', 'labels', LABELS.instance));
    return namespace === undefined || instance === undefined ? undefined : clusterKey(namespace, instance);
  };
  const keyOfCluster = (object: JsonObject): string | undefined => {
    const namespace = asString(dig(object, 'metadata', 'namespace'));
    const name = asString(dig(object, 'metadata', 'name'));
    return namespace === undefined || name === undefined ? undefined : clusterKey(namespace, name);
  };

  const watchers = [
    runWatcher({
      api: options.api,
      log: options.log,
      kind: CRD.kind,
      namespace: options.namespace,
      signal: options.signal,
      onList: (items) => {
        known.clear();
        for (const item of items) {
          const key = keyOfCluster(item);
          if (key === undefined) continue;
          known.add(key);
          queue.add(key);
        }
      },
      onEvent: (event) => {
        const key = keyOfCluster(event.object);
        if (key === undefined) return;
        if (event.type === 'DELETED') {
          known.delete(key);
          return;
        }
        known.add(key);
        // Status writes change only the status: the spec did not move, nothing to do.
        const generation = dig(event.object, 'metadata', 'generation');
        const observed = dig(event.object, 'status', 'observedGeneration');
        if (event.type === 'MODIFIED' && generation === observed) return;
        queue.add(key);
      },
    }),
    ...['StatefulSet', 'Pod'].map((kind) =>
      runWatcher({
        api: options.api,
        log: options.log,
        kind,
        namespace: options.namespace,
        labelSelector: `${LABELS.managedBy}=${LABEL_VALUES.managedBy}`,
        signal: options.signal,
        onList: () => {},
        onEvent: (event) => {
          const key = clusterOf(event.object);
          if (key !== undefined && known.has(key)) queue.add(key);
        },
      }),
    ),
  ];

  const resync = setInterval(() => {
    for (const key of known) queue.add(key);
  }, options.resyncMs);
  resync.unref();
  options.signal.addEventListener(
    'abort',
    () => {
      clearInterval(resync);
      queue.stop();
    },
    { once: true },
  );
  return { queue, done: Promise.all(watchers).then(() => undefined) };
}
