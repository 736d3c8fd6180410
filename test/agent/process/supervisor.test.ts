import t from 'tap';
import { mkdtemp, writeFile, chmod, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeFor, startSupervised } from '../../../agent/process/supervisor.ts';
import { holdPrestopLock, prestopRunning, waitForPrestop } from '../../../agent/process/prestop-lock.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

// A child that records the signals it gets and exits on SIGUSR1 with code 0, on SIGTERM with 143.
async function signalRecorder(dir: string): Promise<string> {
  const script = join(dir, 'child.sh');
  await writeFile(
    script,
    [
      '#!/usr/bin/env bash',
      `log=${join(dir, 'signals.log')}`,
      'trap \'echo HUP >> "$log"\' HUP',
      'trap \'echo USR1 >> "$log"; exit 0\' USR1',
      'trap \'echo TERM >> "$log"; exit 143\' TERM',
      'echo started >> "$log"',
      'for i in $(seq 600); do sleep 0.05; done',
      'exit 7',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return script;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const logHas = (dir: string, line: string) => async () =>
  (await readFile(join(dir, 'signals.log'), 'utf8').catch(() => '')).split('\n').includes(line);

t.test('SIGTERM is relayed as the graceful signal and the child exit code passes through', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sup-'));
  const child = startSupervised({
    command: await signalRecorder(dir),
    args: [],
    env: process.env,
    signalMap: { SIGTERM: 'SIGUSR1' },
  });
  await until(logHas(dir, 'started'), 'child start');
  child.relay('SIGHUP');
  await until(logHas(dir, 'HUP'), 'HUP relayed');
  t.ok(child.isAlive());
  child.relay('SIGTERM');
  t.equal(await child.exitCode, 0, 'exit code of the child after its graceful exit');
  t.same((await readFile(join(dir, 'signals.log'), 'utf8')).trim().split('\n'), ['started', 'HUP', 'USR1']);
  t.notOk(child.isAlive());
});

t.test('exit by signal gives 128 + n', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sup-'));
  const child = startSupervised({ command: await signalRecorder(dir), args: [], env: process.env });
  await until(logHas(dir, 'started'), 'child start');
  process.kill(child.pid, 'SIGKILL');
  t.equal(await child.exitCode, 137);
  t.equal(exitCodeFor(null, 'SIGTERM'), 143);
  t.equal(exitCodeFor(3, null), 3);
});

t.test('the agent waits for a running preStop before exiting', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sup-'));
  const release = await holdPrestopLock(dir);
  t.ok(await prestopRunning(dir));
  let prestopDone = false;
  const child = startSupervised({
    command: 'bash',
    args: ['-c', 'exit 0'],
    env: process.env,
    waitBeforeExit: () => waitForPrestop({ stateDir: dir, timeoutMs: 10_000, pollMs: 20 }),
  });
  await child.childExited;
  setTimeout(() => {
    prestopDone = true;
    void release();
  }, 300);
  t.equal(await child.exitCode, 0);
  t.ok(prestopDone, 'exit came only after the preStop released its lock');
});

t.test('a lock left by a dead process does not hold the agent', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sup-'));
  await writeFile(join(dir, 'prestop.lock'), '999999999\n');
  t.notOk(await prestopRunning(dir));
  await writeFile(join(dir, 'prestop.lock'), 'garbage\n');
  t.notOk(await prestopRunning(dir));
});

t.test('a missing command rejects with the spawn error', async (t) => {
  const child = startSupervised({ command: '/nonexistent/start_fe.sh', args: [], env: process.env });
  await t.rejects(child.exitCode, { code: 'ENOENT' });
});
