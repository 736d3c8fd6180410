/**
 * StarRocks' own metrics the dashboard (deploy/grafana/starrocks-agent.json) queries, with where
 * StarRocks documents or defines each. The FE and BE serve them at /metrics on their HTTP ports.
 */

/** A metric name StarRocks exports and its source. */
export interface DocumentedMetric {
  name: string;
  source: string;
}

const ALERTS = 'StarRocks/starrocks docs/en/administration/management/monitoring/alert.md';

/** StarRocks' metrics the dashboard uses. */
export const STARROCKS_METRICS: readonly DocumentedMetric[] = [
  // FE: node counts by type and state, written without the starrocks_fe_ prefix (PromQL `node_info{type="be_node_num", state="dead"}` in the alert guide).
  { name: 'node_info', source: `${ALERTS} (BE Service Suspension); FE PrometheusMetricVisitor visitNodeInfo: be_node_num total/alive/decommissioned/dead` },
  { name: 'starrocks_fe_max_tablet_compaction_score', source: `${ALERTS} (High Compaction Pressure Alert)` },
  { name: 'starrocks_fe_scheduled_tablet_num', source: 'StarRocks/starrocks fe/fe-core/src/main/java/com/starrocks/metric/MetricRepo.java (gauge scheduled_tablet_num: tablets the TabletScheduler repairs or balances)' },
  { name: 'starrocks_be_engine_requests_total', source: `${ALERTS} (Cumulative Compaction Failure Alert: type, status labels)` },
];

/** Series Prometheus itself writes for every scrape target. */
export const PROMETHEUS_SYNTHETIC: readonly string[] = ['up'];
