import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createControllerMetrics, observeReconcile } from '../../../controller/http/metrics.ts';
import { parseBindAddress, startMetricsServer } from '../../../controller/http/metrics-server.ts';
import { checkMetrics } from '../../deploy/prometheus/promtool-cli.ts';
import { REPO_ROOT } from '../../world/world.ts';

t.test('--metrics-bind-address is HOST:PORT, [IPv6]:PORT, :PORT on the default host, or 0 (off)', async (t) => {
  t.same(parseBindAddress(':8080', '127.0.3.4'), { host: '127.0.3.4', port: 8080 });
  t.same(parseBindAddress('127.0.0.1:0', '0.0.0.0'), { host: '127.0.0.1', port: 0 });
  t.same(parseBindAddress('[::1]:9090', '0.0.0.0'), { host: '::1', port: 9090 });
  t.same(parseBindAddress('localhost:8080', '0.0.0.0'), { host: 'localhost', port: 8080 });
  t.equal(parseBindAddress('0', '0.0.0.0'), undefined);
  for (const bad of ['8080', ':', ':70000', '[nope]:80', 'a:b:80', '']) {
    t.throws(() => parseBindAddress(bad, '0.0.0.0'), { code: 'ERR_USAGE', message: /is not HOST:PORT: give one such as :8080/ }, bad);
  }
});

t.test('promtool check metrics is clean on every metric the controller exports, each with samples', async (t) => {
  const metrics = createControllerMetrics();
  metrics.sources.isLeading = () => true;
  metrics.sources.cache = { list: () => [], get: () => undefined };
  observeReconcile(metrics, { seconds: 0.05, outcome: 'success', applied: ['data/StatefulSet/prod-be'], deleted: ['data/Service/prod-cn'], statusWritten: true });
  observeReconcile(metrics, { seconds: 1.5, outcome: 'error' });
  const server = await startMetricsServer({ address: { host: '127.0.0.1', port: 0 }, registry: metrics.registry });
  t.teardown(() => server.close());
  const response = await fetch(`${server.url}/metrics`);
  t.equal(response.status, 200);
  t.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  for (const name of ['starrocks_controller_reconciles_total', 'starrocks_controller_reconcile_errors_total', 'starrocks_controller_reconcile_duration_seconds_bucket', 'starrocks_controller_applied_objects_total', 'starrocks_controller_pruned_objects_total', 'starrocks_controller_status_writes_total', 'starrocks_controller_leader', 'starrocks_controller_cached_objects', 'process_cpu_seconds_total']) {
    t.match(text, new RegExp(`^${name}(\\{[^}]*\\})? `, 'm'), `${name} has a sample`);
  }
  const lint = checkMetrics(text);
  t.same(lint, { code: 0, output: '' }, 'no finding');
  t.equal((await fetch(`${server.url}/other`)).status, 404);
  t.equal((await fetch(`${server.url}/metrics`, { method: 'POST' })).status, 404);
});

t.test('promtool flags a metric that breaks the conventions (the check can fail)', async (t) => {
  const lint = checkMetrics('# HELP starrocks_controller_reconciles Reconciles.\n# TYPE starrocks_controller_reconciles counter\nstarrocks_controller_reconciles 3\n# HELP starrocks_x_duration_milliseconds X.\n# TYPE starrocks_x_duration_milliseconds gauge\nstarrocks_x_duration_milliseconds 1\n');
  t.not(lint.code, 0);
  t.match(lint.output, /counter metrics should have "_total" suffix/);
  t.match(lint.output, /use base unit "seconds" instead of "milliseconds"/);
});

t.test('a real starrocks-controller process serves /metrics that promtool passes, and says it leads without a Lease', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'controller-metrics-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // No API server answers there: informers retry, and /metrics is served all the same.
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
  );
  const child = spawn(
    join(REPO_ROOT, 'node_modules', '.bin', 'node'),
    [join(REPO_ROOT, 'controller', 'main.ts'), 'run', '--kubeconfig', kubeconfig, '--no-leader-election', '--metrics-bind-address', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: dir, STARROCKS_CONTROLLER_LOG_LEVEL: 'info' } },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving metrics" line within 30 s: ${output.slice(-2000)}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const text = await (await fetch(url)).text();
  t.match(text, /^starrocks_controller_leader 1$/m);
  t.match(text, /^process_resident_memory_bytes \d+/m);
  t.same(checkMetrics(text), { code: 0, output: '' }, 'no finding');
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exits 0 on SIGTERM', { output: output.slice(-2000) });
});
