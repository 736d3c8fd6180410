import t from 'tap';
import { createRequire } from 'node:module';
import { buildAgentApp, startAgentServer } from '../../../agent/http/server.ts';
import type { ProbeSource, Verdict } from '../../../agent/http/server.ts';
import { createMetrics, setPhase } from '../../../agent/http/metrics.ts';

// An independent Prometheus text-format parser (not prom-client's own code).
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Array<{
  name: string;
  type: string;
  metrics: unknown[];
}>;

function source(state: { ready: Verdict }): ProbeSource {
  return {
    live: () => ({ ok: true, reason: 'agent loop and StarRocks process alive' }),
    ready: () => state.ready,
    startup: () => ({ ok: false, reason: 'FE /api/health has not answered yet' }),
    status: () => ({ host: 'prod-be-0.prod-be-search.data.svc.cluster.local', alive: true }),
  };
}

t.test('probes answer 200 or 503 with the reason, and count themselves', async (t) => {
  const metrics = createMetrics();
  const state = { ready: { ok: true, reason: 'Alive in the leader view' } };
  const app = buildAgentApp({ source: source(state), metrics });
  t.teardown(() => app.close());

  const live = await app.inject('/livez');
  t.equal(live.statusCode, 200);
  t.same(live.json(), { ok: true, reason: 'agent loop and StarRocks process alive' });
  t.equal((await app.inject('/readyz')).statusCode, 200);
  state.ready = { ok: false, reason: 'draining' };
  const notReady = await app.inject('/readyz');
  t.equal(notReady.statusCode, 503);
  t.same(notReady.json(), { ok: false, reason: 'draining' });
  t.equal((await app.inject('/startupz')).statusCode, 503);
  t.same((await app.inject('/status')).json(), { host: 'prod-be-0.prod-be-search.data.svc.cluster.local', alive: true });

  const text = (await app.inject('/metrics')).body;
  t.match(text, /starrocks_agent_probe_results_total\{probe="ready",result="success"\} 1/);
  t.match(text, /starrocks_agent_probe_results_total\{probe="ready",result="failure"\} 1/);
});

t.test('/metrics is valid Prometheus text with the agent and process metrics', async (t) => {
  const metrics = createMetrics();
  setPhase(metrics, ['waiting', 'running'], 'running');
  metrics.sqlStatements.inc({ kind: 'show_frontends', outcome: 'ok' });
  metrics.sqlDuration.observe({ kind: 'show_frontends' }, 0.004);
  metrics.dnsLookups.inc({ type: 'A', outcome: 'found' });
  const server = await startAgentServer({ host: '127.0.0.1', port: 0, source: source({ ready: { ok: true, reason: 'ok' } }), metrics });
  t.teardown(() => server.close());
  const response = await fetch(`${server.url}/metrics`);
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheus(await response.text());
  const byName = new Map(families.map((f) => [f.name, f]));
  for (const name of [
    'starrocks_agent_phase',
    'starrocks_agent_sql_statements_total',
    'starrocks_agent_sql_duration_seconds',
    'starrocks_agent_dns_lookups_total',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_seconds',
  ]) {
    t.ok(byName.has(name), `${name} is exported`);
  }
  t.equal(byName.get('starrocks_agent_sql_duration_seconds')?.type, 'HISTOGRAM');
  t.equal(byName.get('starrocks_agent_sql_statements_total')?.type, 'COUNTER');
});
