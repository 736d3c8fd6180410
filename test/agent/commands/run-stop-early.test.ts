// `starrocks-agent run` stopped before StarRocks starts (kubelet deleting a pod whose main
// container still derives its plan, waiting for DNS): it ends at once with exit code 0 and never
// starts StarRocks, instead of dying with 143 or ignoring the signal until DNS answers.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../world/address-plan.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

t.test('SIGTERM while run waits for its plan: exit 0, StarRocks never started', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'run-stop-early-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ip = '127.0.0.1';
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    COMPONENT_NAME: 'be',
    POD_NAME: 'sr-be-0',
    POD_NAMESPACE: 'data',
    POD_IP: ip,
    FE_SERVICE_NAME: 'sr-fe-service.data',
    STARROCKS_AGENT_NO_KUBERNETES: 'true',
    STARROCKS_AGENT_STATE_DIR: join(dir, 'state'),
    STARROCKS_ROOT: join(dir, 'starrocks'),
    // Nothing answers there: the plan waits for DNS.
    STARROCKS_AGENT_DNS_SERVER: `${ip}:${await freePort(ip)}`,
    STARROCKS_AGENT_PORT: String(await freePort(ip)),
    STARROCKS_AGENT_BIND: ip,
  };
  const child = spawn(process.execPath, ['agent/main.ts', 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Bounded: the agent is waiting once it says it derives the plan.
  for (let i = 0; i < 200 && !/deriving the start plan/.test(output); i++) await sleep(50);
  t.match(output, /deriving the start plan/);
  const sent = Date.now();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(timer);
  t.equal(code, 0, `exit code 0 after ${Date.now() - sent} ms`);
  t.match(output, /stop requested while deriving the start plan: not starting StarRocks/);
  t.notMatch(output, /"msg":"starting StarRocks"/);
});
