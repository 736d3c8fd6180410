import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { sleep } from '../../agent/contract/backoff.ts';
import { ENV } from '../../agent/contract/index.ts';
import { containerPids } from './actions.ts';

// A stand-in for a container's agent process as the world runs it: `node <repo>/agent/main.ts init`
// (the script is never loaded: -e runs first) with the pod's address in POD_IP.
function fakeAgent(podIp: string, command: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)', join('/repo', 'agent', 'main.ts'), command], {
    env: { [ENV.POD_IP]: podIp },
    stdio: 'ignore',
  });
}

t.test("containerPids finds a pod's agent process by its command and the pod's address, and no other", async (t) => {
  const init = fakeAgent('127.250.0.7', 'init');
  const run = fakeAgent('127.250.0.7', 'run');
  const otherPod = fakeAgent('127.250.0.8', 'init');
  t.teardown(() => {
    for (const p of [init, run, otherPod]) p.kill('SIGKILL');
  });
  // Bounded: the processes are up within milliseconds.
  let found: number[] = [];
  for (let i = 0; i < 50 && found.length === 0; i++) {
    found = containerPids('127.250.0.7', 'init');
    if (found.length === 0) await sleep(50);
  }
  t.same(found, [init.pid], 'only the init agent of that pod');
  t.same(containerPids('127.250.0.9', 'init'), [], 'nothing for a pod with no process');
});
