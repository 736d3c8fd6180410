/**
 * The Grafana dashboard (deploy/grafana/starrocks-agent.json): it parses, every query is PromQL
 * that promtool (Prometheus' own parser) accepts, and every metric a query names exists in the
 * agent's or the controller's registry, or in the documented list of StarRocks' metrics.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import type { Registry } from 'prom-client';
import { createMetrics } from '../../../agent/http/metrics.ts';
import { createControllerMetrics } from '../../../controller/http/metrics.ts';
import { REPO_ROOT } from '../../world/world.ts';
import { checkRules } from '../prometheus/promtool-cli.ts';
import { expandGrafanaVariables, metricNames } from './promql-names.ts';
import { PROMETHEUS_SYNTHETIC, STARROCKS_METRICS } from './starrocks-metrics.ts';

const DASHBOARD = 'deploy/grafana/starrocks-agent.json';

interface Panel {
  type?: unknown;
  title?: unknown;
  targets?: { expr?: unknown }[];
  panels?: Panel[];
}

/** Every query of every panel (rows hold panels too): panel title and expression. */
function queries(dashboard: { panels?: Panel[] }): { title: string; expr: string }[] {
  const out: { title: string; expr: string }[] = [];
  const visit = (panels: Panel[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr !== 'string') throw new Error(`panel "${String(panel.title)}" has a target without a PromQL expr`);
        out.push({ title: String(panel.title), expr: target.expr });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

/** The sample names a registry's families produce (histograms: _bucket, _sum, _count). */
async function sampleNames(registry: Registry): Promise<string[]> {
  const families = await registry.getMetricsAsJSON();
  return families.flatMap((f) => {
    const type = String(f.type);
    if (type === 'histogram') return [f.name, `${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`];
    if (type === 'summary') return [f.name, `${f.name}_sum`, `${f.name}_count`];
    return [f.name];
  });
}

const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, DASHBOARD), 'utf8')) as { title?: unknown; uid?: unknown; panels?: Panel[] };
const all = queries(dashboard);

t.test('the dashboard parses, has a title and uid, and queries', async (t) => {
  t.type(dashboard.title, 'string');
  t.equal(dashboard.uid, 'starrocks-agent');
  t.ok(all.length >= 20, `${String(all.length)} queries`);
});

t.test('metricNames finds the selected metrics and nothing else', async (t) => {
  t.same(metricNames('histogram_quantile(0.95, sum by (le, component) (rate(starrocks_agent_registration_duration_seconds_bucket{namespace=~"$namespace"}[$__rate_interval])))'), [
    'starrocks_agent_registration_duration_seconds_bucket',
  ]);
  t.same(metricNames('max by (kind) (a_total{x="y{z}"} * on (pod) group_left () b) / ignoring(le) c offset 5m > bool 1e-3'), ['a_total', 'b', 'c']);
  t.same(metricNames('sum without (instance) (up) and on() vector(1) unless count(d[5m:1m])'), ['up', 'd']);
  t.same(metricNames('node_info{type="be_node_num", state="dead"} > 1'), ['node_info']);
  t.equal(expandGrafanaVariables('rate(x[$__rate_interval]) offset $__range {a=~"${ns}"}'), 'rate(x[5m]) offset 5m {a=~"ns"}');
});

t.test('every metric a query names exists: the agent, the controller, or StarRocks as documented', async (t) => {
  const known = new Set([
    ...(await sampleNames(createMetrics().registry)),
    ...(await sampleNames(createControllerMetrics().registry)),
    ...STARROCKS_METRICS.map((m) => m.name),
    ...PROMETHEUS_SYNTHETIC,
  ]);
  const unknown = all.flatMap(({ title, expr }) => metricNames(expr).filter((name) => !known.has(name)).map((name) => `${title}: ${name}`));
  t.same(unknown, [], 'no query names a metric nothing exports');
  // The check can fail: a misspelt name is caught.
  t.same(metricNames('rate(starrocks_agent_probes_total[5m])').filter((n) => !known.has(n)), ['starrocks_agent_probes_total']);
  const used = new Set(all.flatMap(({ expr }) => metricNames(expr)));
  for (const { name, source } of STARROCKS_METRICS) t.ok(used.has(name), `${name} (${source}) is used: drop it from the list otherwise`);
  for (const name of ['starrocks_agent_phase', 'starrocks_agent_probe_results_total', 'starrocks_agent_decommission_duration_seconds_count', 'starrocks_controller_leader', 'starrocks_controller_reconciles_total']) {
    t.ok(used.has(name), `the dashboard shows ${name}`);
  }
});

t.test("promtool (Prometheus' PromQL parser) accepts every query", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-rules-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rules.yaml');
  const rules = all.map(({ expr }, i) => ({ record: `dashboard:query_${String(i)}`, expr: expandGrafanaVariables(expr) }));
  writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
  const result = checkRules(file);
  t.equal(result.code, 0, result.output);
  t.match(result.output, new RegExp(`SUCCESS: ${String(rules.length)} rules found`));
  // The check can fail: a query Prometheus cannot parse is refused.
  writeFileSync(file, stringify({ groups: [{ name: 'bad', rules: [{ record: 'dashboard:bad', expr: 'sum by (le (rate(x[5m]))' }] }] }));
  t.not(checkRules(file).code, 0);
});
