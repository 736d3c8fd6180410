import t from 'tap';
import { Registry } from 'prom-client';
import { NONCONFORMING_DEFAULT_METRICS, collectProcessMetrics } from '../../../agent/contract/process-metrics.ts';

t.test('the default process metrics, less the gauges named like counters', async (t) => {
  const registry = new Registry();
  collectProcessMetrics(registry);
  const text = await registry.metrics();
  for (const name of NONCONFORMING_DEFAULT_METRICS) t.notMatch(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} removed`);
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_active_handles', 'nodejs_active_resources', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
    t.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} kept`);
  }
});
