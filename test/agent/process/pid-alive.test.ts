import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { isPidAlive } from '../../../agent/process/pid-alive.ts';

t.test('a running process is alive, an exited one is not, a non-pid never is', async (t) => {
  t.ok(isPidAlive(process.pid), 'this process');
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
  const pid = child.pid as number;
  t.ok(isPidAlive(pid), 'a child while it runs');
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.notOk(isPidAlive(pid), 'the child once reaped');
  for (const bad of [0, -1, 1.5, Number.NaN]) t.notOk(isPidAlive(bad), String(bad));
});
