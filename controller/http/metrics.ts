/**
 * The controller's Prometheus metrics, on a registry of its own (tests create as many as they
 * like). Names follow Prometheus conventions: `starrocks_controller_` prefix, base units,
 * `_total` counters; labels are bounded sets (result, kind), never a cluster's name or spec.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../../agent/contract/process-metrics.ts';
import { CRD } from '../../agent/contract/index.ts';
import { OWNED_KINDS } from '../kube/kube-api.ts';
import type { CachedKind, ObjectCache } from '../kube/kube-api.ts';

/** The kinds whose cached object counts are exported. */
export const CACHE_SIZE_KINDS: readonly CachedKind[] = [CRD.kind as CachedKind, ...OWNED_KINDS, 'Pod'];

/** What a reconcile ended with: `requeue` when the cluster is still progressing. */
export type ReconcileOutcome = 'success' | 'requeue' | 'error';

/** Where the gauges read at scrape time: set once the lease and the informers exist. */
interface MetricSources {
  /** True while this replica may write (holds the Lease, or runs without leader election). */
  isLeading?: () => boolean;
  cache?: ObjectCache;
}

/** Every metric the controller exports. */
export interface ControllerMetrics {
  registry: Registry;
  sources: MetricSources;
  reconciles: Counter<'result'>;
  reconcileErrors: Counter;
  reconcileDuration: Histogram;
  appliedObjects: Counter<'kind'>;
  prunedObjects: Counter<'kind'>;
  statusWrites: Counter;
}

/** Create the controller's metrics, with the default process metrics, on a new registry. */
export function createControllerMetrics(): ControllerMetrics {
  const registry = new Registry();
  collectProcessMetrics(registry);
  const registers = [registry];
  const sources: MetricSources = {};
  new Gauge({
    name: 'starrocks_controller_leader',
    help: 'Whether this replica is the leader that writes (1) or a follower (0).',
    registers,
    collect() {
      this.set(sources.isLeading?.() === true ? 1 : 0);
    },
  });
  new Gauge({
    name: 'starrocks_controller_cached_objects',
    help: "Objects in the informers' cache, by kind.",
    labelNames: ['kind'],
    registers,
    collect() {
      const cache = sources.cache;
      if (cache === undefined) return;
      for (const kind of CACHE_SIZE_KINDS) this.set({ kind }, cache.list(kind, '').length);
    },
  });
  return {
    registry,
    sources,
    reconciles: new Counter({ name: 'starrocks_controller_reconciles_total', help: 'Reconciles of a StarRocksCluster, by result.', labelNames: ['result'], registers }),
    reconcileErrors: new Counter({ name: 'starrocks_controller_reconcile_errors_total', help: 'Reconciles that failed (and are retried with back-off).', registers }),
    reconcileDuration: new Histogram({
      name: 'starrocks_controller_reconcile_duration_seconds',
      help: 'Time one reconcile of a StarRocksCluster took, failed ones included.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    appliedObjects: new Counter({
      name: 'starrocks_controller_applied_objects_total',
      help: 'Objects a server-side apply created or changed, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    prunedObjects: new Counter({ name: 'starrocks_controller_pruned_objects_total', help: 'Owned objects deleted as no longer rendered, by kind.', labelNames: ['kind'], registers }),
    statusWrites: new Counter({ name: 'starrocks_controller_status_writes_total', help: 'StarRocksCluster status writes.', registers }),
  };
}

/** The kind of a `namespace/Kind/name` key reconcile reports, or `unknown`. */
function kindOf(key: string): string {
  const kind = key.split('/').at(-2);
  return kind !== undefined && /^[A-Za-z]+$/.test(kind) ? kind : 'unknown';
}

/** Record one reconcile: its outcome, duration and what it changed. */
export function observeReconcile(
  metrics: ControllerMetrics,
  observed: { seconds: number; outcome: ReconcileOutcome; applied?: readonly string[]; deleted?: readonly string[]; statusWritten?: boolean },
): void {
  metrics.reconciles.inc({ result: observed.outcome });
  if (observed.outcome === 'error') metrics.reconcileErrors.inc();
  metrics.reconcileDuration.observe(observed.seconds);
  for (const key of observed.applied ?? []) metrics.appliedObjects.inc({ kind: kindOf(key) });
  for (const key of observed.deleted ?? []) metrics.prunedObjects.inc({ kind: kindOf(key) });
  if (observed.statusWritten === true) metrics.statusWrites.inc();
}
