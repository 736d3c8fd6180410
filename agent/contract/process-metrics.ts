/**
 * prom-client's default process and Node.js metrics, less the three gauges whose names end in
 * `_total` (`promtool check metrics`: "non-counter metrics should not have _total"). Nothing is
 * lost: `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources`, by type,
 * sum to them. The agent and the controller both export these.
 */
import { collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';

/** The default metrics promtool flags, removed by `collectProcessMetrics`. */
export const NONCONFORMING_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

/** Register the default process metrics that follow Prometheus' conventions on `registry`. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of NONCONFORMING_DEFAULT_METRICS) registry.removeSingleMetric(name);
}
