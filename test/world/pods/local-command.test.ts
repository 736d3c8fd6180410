import t from 'tap';
import { resolveLocalCommand } from './local-command.ts';

const files = new Set(['/usr/bin/python3', '/bin/sh', '/w/tree/fe_entrypoint.sh']);
const base = { nodePath: '/n/node', repoRoot: '/repo', searchPath: '/usr/local/bin:/usr/bin:/bin', exists: (p: string) => files.has(p) };

t.test('a command naming the agent runs the agent from this repository', async (t) => {
  t.same(resolveLocalCommand({ ...base, argv: ['/opt/starrocks-agent/starrocks-agent', 'init', '--x'] }), {
    file: '/n/node',
    args: ['/repo/agent/main.ts', 'init', '--x'],
  });
  t.same(resolveLocalCommand({ ...base, argv: ['starrocks-agent', 'run'] }), { file: '/n/node', args: ['/repo/agent/main.ts', 'run'] });
});

t.test('other commands run the program of that name from PATH or the host path', async (t) => {
  t.same(resolveLocalCommand({ ...base, argv: ['python3', '-m', 'http.server'] }), { file: '/usr/bin/python3', args: ['-m', 'http.server'] });
  t.same(resolveLocalCommand({ ...base, argv: ['/usr/local/bin/python3', '-V'] }), { file: '/usr/bin/python3', args: ['-V'] });
  t.same(resolveLocalCommand({ ...base, argv: ['/w/tree/fe_entrypoint.sh', 'svc'] }), { file: '/w/tree/fe_entrypoint.sh', args: ['svc'] });
});

t.test('unknown programs and image entrypoints are errors', async (t) => {
  t.match(resolveLocalCommand({ ...base, argv: ['no-such-program'] }), { error: /not found in PATH/ });
  t.match(resolveLocalCommand({ ...base, argv: ['/opt/x/no-such'] }), { error: /not found on this machine/ });
  t.match(resolveLocalCommand({ ...base, argv: [] }), { error: /not image entrypoints/ });
});
