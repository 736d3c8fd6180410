import t from 'tap';
import { CACHE_SIZE_KINDS, createControllerMetrics, observeReconcile } from '../../../controller/http/metrics.ts';
import type { ObjectCache } from '../../../controller/kube/kube-api.ts';
import type { JsonObject } from '../../../controller/json.ts';

async function sample(metrics: ReturnType<typeof createControllerMetrics>, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const found = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
  return found?.value;
}

t.test('a reconcile is counted by result, timed, and its applies and prunes are counted by kind', async (t) => {
  const metrics = createControllerMetrics();
  observeReconcile(metrics, { seconds: 0.2, outcome: 'success', applied: ['data/StatefulSet/prod-be', 'data/Service/prod-fe', 'data/StatefulSet/prod-fe'], deleted: ['data/HorizontalPodAutoscaler/prod-cn'], statusWritten: true });
  observeReconcile(metrics, { seconds: 0.1, outcome: 'requeue' });
  observeReconcile(metrics, { seconds: 3, outcome: 'error' });
  t.equal(await sample(metrics, 'starrocks_controller_reconciles_total', { result: 'success' }), 1);
  t.equal(await sample(metrics, 'starrocks_controller_reconciles_total', { result: 'requeue' }), 1);
  t.equal(await sample(metrics, 'starrocks_controller_reconciles_total', { result: 'error' }), 1);
  t.equal(await sample(metrics, 'starrocks_controller_reconcile_errors_total'), 1);
  t.equal(await sample(metrics, 'starrocks_controller_applied_objects_total', { kind: 'StatefulSet' }), 2);
  t.equal(await sample(metrics, 'starrocks_controller_applied_objects_total', { kind: 'Service' }), 1);
  t.equal(await sample(metrics, 'starrocks_controller_pruned_objects_total', { kind: 'HorizontalPodAutoscaler' }), 1);
  t.equal(await sample(metrics, 'starrocks_controller_status_writes_total'), 1);
  const text = await metrics.registry.metrics();
  t.match(text, /starrocks_controller_reconcile_duration_seconds_count 3\n/);
  t.match(text, /starrocks_controller_reconcile_duration_seconds_sum 3\.3\d*\n/);
  t.notMatch(text, /prod-be|prod-fe|data\//, 'no cluster or object name in any label');
});

t.test('the leader gauge and the cache sizes are read at scrape time from their sources', async (t) => {
  const metrics = createControllerMetrics();
  t.equal(await sample(metrics, 'starrocks_controller_leader'), 0, 'a follower (no lease yet) says 0');
  let leading = true;
  metrics.sources.isLeading = () => leading;
  t.equal(await sample(metrics, 'starrocks_controller_leader'), 1);
  leading = false;
  t.equal(await sample(metrics, 'starrocks_controller_leader'), 0, 'a leader past its renew deadline says 0 at once');
  const objects: Record<string, JsonObject[]> = { StarRocksCluster: [{}, {}], Pod: [{}, {}, {}, {}, {}] };
  const cache: ObjectCache = { list: (kind) => objects[kind] ?? [], get: () => undefined };
  metrics.sources.cache = cache;
  t.equal(await sample(metrics, 'starrocks_controller_cached_objects', { kind: 'StarRocksCluster' }), 2);
  t.equal(await sample(metrics, 'starrocks_controller_cached_objects', { kind: 'Pod' }), 5);
  t.equal(await sample(metrics, 'starrocks_controller_cached_objects', { kind: 'StatefulSet' }), 0);
  objects.Pod = [];
  t.equal(await sample(metrics, 'starrocks_controller_cached_objects', { kind: 'Pod' }), 0, 'read again at the next scrape');
  t.ok(CACHE_SIZE_KINDS.includes('StatefulSet'));
});
