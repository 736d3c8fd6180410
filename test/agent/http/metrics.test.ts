import t from 'tap';
import { createMetrics, setPhase } from '../../../agent/http/metrics.ts';
import { startAgentServer } from '../../../agent/http/server.ts';
import { checkMetrics } from '../../deploy/prometheus/promtool-cli.ts';

t.test("promtool check metrics is clean on the agent's /metrics, every agent metric with samples", async (t) => {
  const metrics = createMetrics();
  setPhase(metrics, ['waiting', 'registering', 'running'], 'running');
  metrics.probes.inc({ probe: 'ready', result: 'success' });
  metrics.sqlStatements.inc({ kind: 'show_frontends', outcome: 'ok' });
  metrics.sqlDuration.observe({ kind: 'show_frontends' }, 0.004);
  metrics.registrationDuration.observe({ component: 'be' }, 12);
  metrics.decommissionDuration.observe({ outcome: 'done' }, 640);
  metrics.dnsLookups.inc({ type: 'A', outcome: 'found' });
  metrics.membershipRefreshes.inc({ outcome: 'ok' });
  // The server the agent executable runs (agent/commands/run.ts), on a free loopback port.
  const server = await startAgentServer({
    host: '127.0.0.1',
    port: 0,
    metrics,
    source: {
      live: () => ({ ok: true, reason: 'alive' }),
      ready: () => ({ ok: true, reason: 'ready' }),
      startup: () => ({ ok: true, reason: 'started' }),
      status: () => ({}),
    },
  });
  t.teardown(() => server.close());
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const agentFamilies = [...text.matchAll(/^# TYPE (starrocks_agent_\w+) /gm)].map((m) => m[1]);
  t.same(agentFamilies.sort(), Object.values(metrics).flatMap((m: unknown) => (typeof m === 'object' && m !== null && 'name' in m && typeof m.name === 'string' ? [m.name] : [])).sort(), 'every metric of createMetrics is served');
  for (const name of agentFamilies) t.match(text, new RegExp(`^${name ?? ''}(_bucket|_count|_sum)?(\\{[^}]*\\})? `, 'm'), `${name ?? ''} has a sample`);
  t.same(checkMetrics(text), { code: 0, output: '' }, 'no finding');
});
