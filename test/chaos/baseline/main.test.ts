import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const run = (args: string[], env: Record<string, string>) => spawnSync(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });

t.test('init does nothing: the official stack has no init container', async (t) => {
  const result = run(['init'], {});
  t.equal(result.status, 0);
  t.equal(result.stderr, '');
});

t.test('run without an FE service name fails as fe_entrypoint.sh does', async (t) => {
  const result = run(['run'], { COMPONENT_NAME: 'fe', POD_IP: '127.0.0.1', STARROCKS_AGENT_BIND: '127.0.0.1', STARROCKS_AGENT_PORT: '0' });
  t.equal(result.status, 1);
  t.match(result.stderr, /Need a required parameter!/);
});

t.test('an unknown subcommand or component is refused', async (t) => {
  t.equal(run(['bogus'], {}).status, 2);
  const noComponent = run(['prestop'], {});
  t.equal(noComponent.status, 1);
  t.match(noComponent.stderr, /COMPONENT_NAME/);
});

t.test('W8: run ignores SIGTERM, as bash does as PID 1 without a trap; only SIGKILL ends it', async (t) => {
  // FE 1 waiting for a leader that never comes (up to its 120 s); the DNS server is a closed loopback port.
  const child = spawn(process.execPath, [MAIN, 'run', 'sr-fe-service.e2e'], {
    env: { PATH: process.env.PATH ?? '', COMPONENT_NAME: 'fe', POD_NAME: 'sr-fe-1', POD_IP: '127.0.0.1', HOST_TYPE: 'FQDN', STARROCKS_AGENT_BIND: '127.0.0.1', STARROCKS_AGENT_PORT: '0', STARROCKS_AGENT_DNS_SERVER: '127.0.0.1:9', STARROCKS_ROOT: '/nonexistent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  const deadline = Date.now() + 15_000;
  while (!/is not alive yet/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.match(stderr, /service sr-fe-service\.e2e:9030 is not alive yet/, 'probing the FE service for a leader');
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1_000));
  t.equal(child.exitCode, null, 'still running 1 s after SIGTERM');
  child.kill('SIGKILL');
  const [code, signal] = (await exited) as [number | null, string | null];
  t.same([code, signal], [null, 'SIGKILL']);
});
