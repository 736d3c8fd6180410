// The agent's HTTP endpoint in a running pod on the simulator (issue 6): a burst of 500 probes
// costs at most one membership read, /metrics is valid Prometheus text populated by a real run,
// /status shows membership and never the password, and readiness turns false before the FE stops
// taking work during a graceful stop.
import t from 'tap';
import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import { PORTS } from '../../../agent/contract/index.ts';
import { agentProcesses, agentUrl, getAgent, leaderView, processes } from '../fixtures/health-pods.ts';
import { eventually, startSimCluster } from '../fixtures/sim-pods.ts';
import type { SimPod } from '../fixtures/sim-pods.ts';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string }>;
}
// An independent Prometheus text-format parser (not prom-client's own code).
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

const PASSWORD = 'Pr0be-s3cret-9f2c';
// Long enough to watch the FE keep serving after readiness went false.
const FE_GRACEFUL_EXIT_MS = 8000;
// The agent's default probe interval: membership is read once per 5 s whatever the probe rate.
const FE_PROBE_INTERVAL_MS = 5000;

t.setTimeout(240_000);
const sim = await startSimCluster({ world: { rootPassword: PASSWORD, feGracefulExitMs: FE_GRACEFUL_EXIT_MS } });
t.teardown(() => sim.stop());
const pods: SimPod[] = [];
t.teardown(() => {
  if (t.passing()) return;
  for (const pod of pods) t.comment(`--- ${pod.name}\n${pod.output().slice(-3000)}`);
});

const fe = sim.startPod('fe', 0, { env: { MYSQL_PWD: PASSWORD, STARROCKS_AGENT_PROBE_INTERVAL_MS: String(FE_PROBE_INTERVAL_MS) } });
pods.push(fe);

const ready = (pod: SimPod, what: string): Promise<true> =>
  eventually(async () => (await getAgent(pod, '/readyz')).status === 200 || undefined, { timeoutMs: 90_000, what });

const metricsOf = async (pod: SimPod): Promise<Map<string, Family>> => {
  const response = await getAgent(pod, '/metrics');
  return new Map(parsePrometheus(response.body).map((f) => [f.name, f]));
};
const sum = (family: Family | undefined, labels: Record<string, string> = {}): number =>
  (family?.metrics ?? [])
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((total, m) => total + Number(m.value ?? m.count ?? 0), 0);

t.test('a burst of 500 probes causes at most one membership read', async (t) => {
  await ready(fe, 'FE 0 ready');
  t.equal((await getAgent(fe, '/startupz')).status, 200, 'started');
  t.equal((await getAgent(fe, '/livez')).status, 200, 'live');

  // The FE pod is the only SQL client of this world right now: every statement is its monitor's.
  const refreshesBefore = sum((await metricsOf(fe)).get('starrocks_agent_membership_refreshes_total'));
  const startedAt = Date.now();
  const paths = ['/readyz', '/livez', '/startupz'];
  const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => getAgent(fe, paths[i % 3] as string, 30_000)));
  const endedAt = Date.now();
  const refreshesAfter = sum((await metricsOf(fe)).get('starrocks_agent_membership_refreshes_total'));
  const during = sim.world.statements().filter((s) => s.at >= startedAt && s.at <= endedAt);
  const statements = during.filter((s) => /^SHOW /i.test(s.sql));

  // Every probe gets an answer from cached state. On a badly overloaded machine the process's own
  // /api/health can miss its 2 s deadline, and readiness then honestly answers 503 with that reason.
  const byAnswer = new Map<string, number>();
  for (const a of answers) {
    const key = a.status === 200 ? '200' : `${a.status} ${a.body}`;
    byAnswer.set(key, (byAnswer.get(key) ?? 0) + 1);
  }
  t.comment(`answers: ${JSON.stringify([...byAnswer])}`);
  t.ok(answers.every((a) => a.status === 200 || a.status === 503), `all 500 probes were answered (${answers.filter((a) => a.status === 0).length} were not)`);
  t.ok(answers.filter((a) => a.status === 503).every((a) => /health endpoint/.test(a.body)), 'no probe failed for a membership reason');
  const elapsed = endedAt - startedAt;
  // Membership is read once per interval: a burst within one interval costs at most one read.
  const allowed = 1 + Math.floor(elapsed / FE_PROBE_INTERVAL_MS);
  t.comment(`500 probes in ${elapsed} ms: ${refreshesAfter - refreshesBefore} membership read(s); the FE received ${JSON.stringify(during.map((s) => s.sql))}`);
  t.ok(refreshesAfter - refreshesBefore <= allowed, `membership reads during the burst: ${refreshesAfter - refreshesBefore} <= ${allowed}`);
  t.ok(statements.length <= allowed, `membership statements the FE received during the burst: ${statements.length} <= ${allowed}`);
  const probeCount = sum((await metricsOf(fe)).get('starrocks_agent_probe_results_total'));
  t.ok(probeCount >= 500, `the probes counted themselves (${probeCount})`);
});

const be = sim.startPod('be', 0, { env: { MYSQL_PWD: PASSWORD, STARROCKS_AGENT_PROBE_INTERVAL_MS: '1000' } });
pods.push(be);

t.test('/metrics is valid Prometheus text with the agent metrics of a real run', async (t) => {
  await ready(be, 'BE 0 ready');
  for (const pod of [fe, be]) {
    const response = await fetch(agentUrl(pod, '/metrics') ?? 'http://127.0.0.1:1/');
    t.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/, `${pod.name}: Prometheus content type`);
    const text = await response.text();
    const families = new Map(parsePrometheus(text).map((f) => [f.name, f]));
    t.equal(sum(families.get('starrocks_agent_phase'), { phase: 'running' }), 1, `${pod.name}: phase running`);
    t.equal(sum(families.get('starrocks_agent_phase'), { phase: 'starting' }), 0, `${pod.name}: only one phase set`);
    t.ok(sum(families.get('starrocks_agent_probe_results_total'), { probe: 'ready', result: 'success' }) >= 1, `${pod.name}: probe results`);
    t.ok(sum(families.get('starrocks_agent_membership_refreshes_total'), { outcome: 'ok' }) >= 1, `${pod.name}: membership refreshes`);
    t.ok(sum(families.get('starrocks_agent_sql_statements_total'), { kind: 'show_frontends', outcome: 'ok' }) >= 1, `${pod.name}: SQL statements by kind and outcome`);
    t.equal(families.get('starrocks_agent_sql_duration_seconds')?.type, 'HISTOGRAM', `${pod.name}: SQL latency histogram`);
    // The parser keeps a histogram's buckets only: its count is read from the text itself.
    const observed = /^starrocks_agent_sql_duration_seconds_count\{kind="show_frontends"\} (\d+)$/m.exec(text);
    t.ok(Number(observed?.[1] ?? 0) >= 1, `${pod.name}: SQL latency observed (${observed?.[1] ?? 'none'})`);
    t.ok(sum(families.get('process_resident_memory_bytes')) > 0, `${pod.name}: default process metrics`);
  }
  const beMetrics = await metricsOf(be);
  t.ok(sum(beMetrics.get('starrocks_agent_sql_statements_total'), { kind: 'show_backends', outcome: 'ok' }) >= 1, 'BE: SHOW BACKENDS counted');
  t.ok(sum(beMetrics.get('starrocks_agent_dns_lookups_total'), { outcome: 'ok' }) >= 1, 'BE: DNS lookups counted');
});

t.test('/status shows membership; the password appears nowhere', async (t) => {
  const feStatus = JSON.parse((await getAgent(fe, '/status')).body) as Record<string, unknown>;
  const beStatus = JSON.parse((await getAgent(be, '/status')).body) as Record<string, unknown>;
  const view = await leaderView(fe.ip, PASSWORD);
  t.ok(view !== undefined, 'the leader view is readable with the password');
  t.match(feStatus, { component: 'fe', pod: 'sr-fe-0', membership: 'alive', processRunning: true, healthOk: true, draining: false });
  t.equal(feStatus.registeredHost, view?.frontends[0]?.host, 'FE registered host as the leader shows it');
  t.equal(feStatus.clusterId, view?.frontends[0]?.clusterId, 'FE cluster id as the leader shows it');
  t.match(beStatus, { component: 'be', pod: 'sr-be-0', membership: 'alive', processRunning: true, draining: false });
  t.equal(beStatus.registeredHost, `${view?.backends[0]?.host}:${view?.backends[0]?.heartbeatPort}`, 'BE registered host:port as the leader shows it');

  const texts: Array<[string, string]> = [];
  for (const pod of [fe, be]) {
    for (const path of ['/status', '/metrics', '/readyz', '/livez', '/startupz']) texts.push([`${pod.name} ${path}`, (await getAgent(pod, path)).body]);
    texts.push([`${pod.name} logs`, pod.output()]);
    const agents = agentProcesses(pod);
    t.ok(agents.length >= 1, `${pod.name}: its agent process is found in /proc`);
    t.ok(agents.every((p) => p.env.get('MYSQL_PWD') === PASSWORD), `${pod.name}: the agent got the password through env`);
  }
  for (const proc of processes()) texts.push([`argv of pid ${proc.pid}`, proc.argv.join(' ')]);
  const leaks = texts.filter(([, text]) => text.includes(PASSWORD)).map(([where]) => where);
  t.same(leaks, [], `the password is in no status, metrics, probe body, log or argv (${texts.length} checked)`);
});

t.test('readiness turns false before the FE stops taking work in a graceful stop', async (t) => {
  t.equal((await getAgent(fe, '/readyz')).status, 200, 'ready before');
  const stopping = fe.stop();
  const flippedAt = await eventually(async () => ((await getAgent(fe, '/readyz', 2000)).status === 503 ? Date.now() : undefined), {
    timeoutMs: 60_000,
    what: '/readyz to answer 503',
  });
  const reason = JSON.parse((await getAgent(fe, '/readyz')).body) as { ok: boolean; reason: string };
  t.match(reason, { ok: false, reason: /draining/ }, 'the reason says draining');
  // The FE still answers SQL after readiness went false: kubelet removed it from the Service first.
  // (A query served by this FE itself: a leader that exits has handed leadership over already.)
  const connection = await mysql.createConnection({ host: fe.ip, port: PORTS.fe.query, user: 'root', password: PASSWORD, connectTimeout: 5000 });
  const [rows] = await connection.query({ sql: 'SELECT 1', timeout: 5000 });
  await connection.end();
  const servedAt = Date.now();
  t.same(rows, [{ 1: 1 }], `a new connection got an answer ${servedAt - flippedAt} ms after readiness turned false`);
  t.ok(sim.world.isOpen(fe.ip), 'the FE process was still up then');
  t.equal(await stopping, 0, 'the pod then stopped with exit code 0');
  t.notOk(sim.world.isOpen(fe.ip), 'the FE is gone');
});
