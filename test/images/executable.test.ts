// Issue 13: the agent as one self-contained executable (dist/starrocks-agent, built on demand by
// images/build-sea.ts): it runs on this machine with no Node beside it, and `install --to DIR`
// copies it into a folder (the emptyDir of a pod running a stock StarRocks image), once.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALLED_NAME, VERSION_FILE } from '../../agent/commands/install.ts';
import { VERSION } from '../../agent/contract/version.ts';
import { ensureAgentExecutable } from './fixtures/executable.ts';

// No PATH: the executable must not find a `node` (or anything else) on this machine to run.
const bare = { HOME: tmpdir() };
const runExecutable = (file: string, args: string[]) => spawnSync(file, args, { env: bare, encoding: 'utf8', timeout: 30_000 });

t.test('the executable prints its version with no Node on PATH', async (t) => {
  const executable = await ensureAgentExecutable('x64');
  const result = runExecutable(executable, ['--version']);
  t.equal(result.status, 0, result.stderr);
  t.equal(result.stdout, `starrocks-agent ${VERSION}\n`);
  t.equal(result.stderr, '', 'no experimental-feature warning');
});

t.test('install --to copies the executable once; the copy runs', async (t) => {
  const executable = await ensureAgentExecutable('x64');
  const root = await mkdtemp(join(tmpdir(), 'sea-install-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'opt', 'starrocks-agent');
  const installed = join(dir, INSTALLED_NAME);

  const first = runExecutable(executable, ['install', '--to', dir]);
  t.equal(first.status, 0, first.stderr);
  t.equal(first.stdout, `starrocks-agent ${VERSION} installed at ${installed}\n`);
  t.equal((await stat(installed)).size, (await stat(executable)).size, 'the whole executable copied');
  t.equal((await stat(installed)).mode & 0o777, 0o755);
  t.same((await readdir(dir)).sort(), [INSTALLED_NAME, VERSION_FILE].sort(), 'no temporary file left');
  const copied = await stat(installed);

  const second = runExecutable(executable, ['install', `--to=${dir}`]);
  t.equal(second.status, 0, second.stderr);
  t.equal(second.stdout, `starrocks-agent ${VERSION} is already installed at ${installed}; not copied\n`);
  t.equal((await stat(installed)).ino, copied.ino, 'the installed file untouched');

  const version = runExecutable(installed, ['--version']);
  t.equal(version.status, 0, version.stderr);
  t.equal(version.stdout, `starrocks-agent ${VERSION}\n`);
});
