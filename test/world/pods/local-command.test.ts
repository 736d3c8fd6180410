import t from 'tap';
import { findImage } from './image-table.ts';
import type { WorldImage } from './image-table.ts';
import { resolveLocalCommand } from './local-command.ts';

const files = new Set(['/usr/bin/python3', '/bin/sh', '/w/tree/fe_entrypoint.sh', '/w/tree/fe/bin/start_fe.sh', '/repo/dist/starrocks-controller.mjs']);
const mappings = [{ containerPath: '/opt/starrocks', hostPath: '/w/tree' }];
const base = { nodePath: '/n/node', repoRoot: '/repo', mappings, searchPath: '/usr/local/bin:/usr/bin:/bin', exists: (p: string) => files.has(p) };

function image(reference: string): WorldImage {
  const found = findImage(reference);
  if (found === undefined) throw new Error(`no image ${reference}`);
  return found;
}

t.test('an agent image runs the agent from this repository, through tini and the entrypoint scripts', async (t) => {
  const agentImage = image('starrocks-fe-agent:3.5.8');
  t.same(resolveLocalCommand({ ...base, image: agentImage, argv: ['/opt/starrocks-agent/starrocks-agent', 'init', '--x'] }), {
    file: '/n/node',
    args: ['/repo/agent/main.ts', 'init', '--x'],
  });
  t.same(resolveLocalCommand({ ...base, image: agentImage, argv: ['/usr/bin/tini', '--', '/opt/starrocks-agent/starrocks-agent', 'run'] }), { file: '/n/node', args: ['/repo/agent/main.ts', 'run'] });
  t.same(resolveLocalCommand({ ...base, image: agentImage, argv: ['/opt/starrocks/fe_entrypoint.sh', 'sr-fe-service'] }), { file: '/n/node', args: ['/repo/agent/main.ts', 'run'] });
});

t.test('the official image holds no agent: its command fails as on a real node', async (t) => {
  t.match(resolveLocalCommand({ ...base, image: image('starrocks/fe-ubuntu:3.5.8'), argv: ['/opt/starrocks-agent/starrocks-agent', 'run'] }), { error: /no such file or directory/ });
  t.same(resolveLocalCommand({ ...base, image: image('starrocks/fe-ubuntu:3.5.8'), argv: ['/opt/starrocks/fe/bin/start_fe.sh', '--logconsole'] }), {
    file: '/w/tree/fe/bin/start_fe.sh',
    args: ['--logconsole'],
  });
});

t.test('the controller image runs its bundle on this Node', async (t) => {
  const controller = image('starrocks-controller:0.1.0');
  const withBundle = [...mappings, { containerPath: '/opt/starrocks-controller/starrocks-controller.mjs', hostPath: '/repo/dist/starrocks-controller.mjs' }];
  t.same(resolveLocalCommand({ ...base, mappings: withBundle, image: controller, argv: ['node', '/opt/starrocks-controller/starrocks-controller.mjs', 'run'] }), {
    file: '/n/node',
    args: ['/repo/dist/starrocks-controller.mjs', 'run'],
  });
});

t.test('system tools run this machine’s copy', async (t) => {
  const python = image('python:3');
  t.same(resolveLocalCommand({ ...base, image: python, argv: ['python3', '-m', 'http.server'] }), { file: '/usr/bin/python3', args: ['-m', 'http.server'] });
  t.same(resolveLocalCommand({ ...base, image: python, argv: ['/usr/local/bin/python3', '-V'] }), { file: '/usr/bin/python3', args: ['-V'] });
  t.same(resolveLocalCommand({ ...base, image: python, argv: ['sh', '-c', 'cat /opt/starrocks/x'] }), { file: '/bin/sh', args: ['-c', 'cat /w/tree/x'] });
});

t.test('unknown programs and an empty argv are errors', async (t) => {
  const busybox = image('busybox');
  t.match(resolveLocalCommand({ ...base, image: busybox, argv: ['no-such-program'] }), { error: 'exec: "no-such-program": executable file not found in $PATH' });
  t.match(resolveLocalCommand({ ...base, image: busybox, argv: ['/opt/x/no-such'] }), { error: /no such file or directory/ });
  t.match(resolveLocalCommand({ ...base, image: busybox, argv: [] }), { error: /no command specified/ });
});
