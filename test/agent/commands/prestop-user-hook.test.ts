/**
 * Issue 13: a CR's own `lifecycle.preStop.exec.command` runs inside the agent's preStop, first,
 * bounded by its share of the grace period; then the agent's step (here a restart: the graceful
 * stop of the supervised process). The real `prestop` command runs as its own process with a fake
 * Kubernetes API (fixtures/health-prestop.ts); "StarRocks" is a shell that logs the signal it gets.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parsePrestopArgs, parseRunArgs } from '../../../agent/config.ts';
import { supervisedArgv } from '../../../agent/commands/run.ts';
import { runUserHook } from '../../../agent/process/user-hook.ts';
import type { FakeKubeCall } from '../fixtures/health-pods.ts';

const PRESTOP_MAIN = fileURLToPath(new URL('../fixtures/health-prestop.ts', import.meta.url));

interface Outcome {
  code: number;
  calls: FakeKubeCall[];
  output: string;
  ms: number;
}

/** A fake StarRocks process that appends `stopped` to the log on SIGTERM, and the prestop run. */
async function prestopWith(t: { teardown(fn: () => void): void }, hookArgs: string[]): Promise<{ outcome: Outcome; log: () => string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'prestop-hook-'));
  const logFile = join(dir, 'order.log');
  writeFileSync(logFile, '');
  const starrocks = spawn('sh', ['-c', `trap 'echo stopped >> ${logFile}; exit 0' TERM; while :; do sleep 0.05; done`], { stdio: 'ignore' });
  t.teardown(() => {
    starrocks.kill('SIGKILL');
  });
  writeFileSync(join(dir, 'child.pid'), `${starrocks.pid ?? -1}\n`);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    COMPONENT_NAME: 'be',
    POD_NAME: 'sr-be-0',
    POD_NAMESPACE: 'e2e',
    STARROCKS_AGENT_STATE_DIR: dir,
    STARROCKS_ROOT: join(dir, 'root'),
    // A restart: the StatefulSet keeps ordinal 0.
    HEALTH_FAKE_REPLICAS: '3',
    HOOK_LOG: logFile,
  };
  const started = Date.now();
  const child = spawn(process.execPath, [PRESTOP_MAIN, ...hookArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const calls = output
    .split('\n')
    .filter((line) => line.startsWith('{"fakeKube":'))
    .map((line) => (JSON.parse(line) as { fakeKube: FakeKubeCall }).fakeKube);
  return { outcome: { code, calls, output, ms: Date.now() - started }, log: () => readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '') };
}

t.test("the CR's preStop command runs first, to its end, then the agent stops StarRocks", async (t) => {
  const hook = ['--timeout-seconds', '20', '--', 'sh', '-c', 'echo hook-started >> "$HOOK_LOG"; sleep 0.5; echo hook-done >> "$HOOK_LOG"'];
  const { outcome, log } = await prestopWith(t, hook);
  t.equal(outcome.code, 0, `prestop exited 0 (output: ${outcome.output.slice(-300)})`);
  t.same(log(), ['hook-started', 'hook-done', 'stopped'], 'the user hook ended before StarRocks got its SIGTERM');
  t.notOk(outcome.calls.some((c) => c.call === 'emitEvent' && c.reason === 'PreStopCommandFailed'));
  t.ok(outcome.calls.some((c) => c.call === 'annotateSelf' && c.annotations['starrocks.com/agent-phase'] === 'draining'), 'readiness went off first');
});

t.test("a CR preStop command that hangs is killed at its deadline, and the agent's step still runs", async (t) => {
  const hook = ['--timeout-seconds', '1', '--', 'sh', '-c', 'echo hook-started >> "$HOOK_LOG"; sleep 30; echo hook-done >> "$HOOK_LOG"'];
  const { outcome, log } = await prestopWith(t, hook);
  t.comment(`prestop took ${outcome.ms} ms with a 1 s hook deadline`);
  t.equal(outcome.code, 0, `prestop exited 0 (output: ${outcome.output.slice(-300)})`);
  t.same(log(), ['hook-started', 'stopped'], 'the hook (and its sleep) were killed; StarRocks was stopped');
  t.ok(outcome.ms < 15_000, 'the 30 s sleep did not hold the preStop');
  t.ok(
    outcome.calls.some((c) => c.call === 'emitEvent' && c.type === 'Warning' && c.reason === 'PreStopCommandFailed' && /killed after 1 s/.test(c.message)),
    'a Warning event says the hook was killed',
  );
});

t.test('a failing CR preStop command is reported, and the agent goes on', async (t) => {
  const { outcome, log } = await prestopWith(t, ['--timeout-seconds', '5', '--', 'sh', '-c', 'exit 3']);
  t.equal(outcome.code, 0, `prestop exited 0 (output: ${outcome.output.slice(-300)})`);
  t.same(log(), ['stopped']);
  t.ok(outcome.calls.some((c) => c.call === 'emitEvent' && c.reason === 'PreStopCommandFailed' && /exited with 3/.test(c.message)));
});

t.test('runUserHook: exit codes, a missing program', async (t) => {
  t.same(await runUserHook({ command: ['sh', '-c', 'exit 0'], env: process.env, timeoutMs: 5000 }), { kind: 'exited', code: 0 });
  t.same(await runUserHook({ command: ['sh', '-c', 'kill -TERM $$'], env: process.env, timeoutMs: 5000 }), { kind: 'exited', code: 143 });
  const missing = await runUserHook({ command: ['/nonexistent/hook'], env: process.env, timeoutMs: 5000 });
  t.equal(missing.kind, 'not-started');
});

t.test('run and prestop arguments are parsed at the edge', async (t) => {
  t.same(parseRunArgs([]), { command: undefined });
  t.same(parseRunArgs(['--', '/entry.sh', 'svc']), { command: ['/entry.sh', 'svc'] });
  t.throws(() => parseRunArgs(['/entry.sh']), { code: 'ERR_USAGE' }, 'a command needs the separator');
  t.throws(() => parseRunArgs(['--']), { code: 'ERR_USAGE' }, 'the separator needs a command');
  t.same(parsePrestopArgs([]), { hook: undefined });
  t.same(parsePrestopArgs(['--timeout-seconds=7', '--', 'x']), { hook: { command: ['x'], timeoutMs: 7000 } });
  t.throws(() => parsePrestopArgs(['--', 'x']), { code: 'ERR_USAGE' }, 'a hook needs its deadline');
  t.throws(() => parsePrestopArgs(['--timeout-seconds', '0', '--', 'x']), { code: 'ERR_USAGE' });
  t.throws(() => parsePrestopArgs(['--timeout-seconds', 'ten', '--', 'x']), { code: 'ERR_USAGE' });
  t.throws(() => parsePrestopArgs(['--timeout-seconds', '5']), { code: 'ERR_USAGE' });
  t.throws(() => parsePrestopArgs(['--now']), { code: 'ERR_USAGE' });
});

t.test("run: the CR command stands in for the start script, with the plan's arguments after its own", async (t) => {
  const planArgs = ['--host_type', 'FQDN', '--helper', 'sr-fe-0.x:9010', '--logconsole'];
  t.same(supervisedArgv({ home: '/opt/starrocks/fe', component: 'fe', custom: undefined, planArgs }), { command: '/opt/starrocks/fe/bin/start_fe.sh', args: planArgs });
  t.same(supervisedArgv({ home: '/opt/starrocks/fe', component: 'fe', custom: ['/opt/starrocks/fe_entrypoint.sh', 'sr-fe-service'], planArgs }), {
    command: '/opt/starrocks/fe_entrypoint.sh',
    args: ['sr-fe-service', ...planArgs],
  });
});
