// Issue 13: the agent image's init container copies the single executable into the emptyDir the
// StarRocks containers share (`starrocks-agent install --to DIR`): through a temporary file and a
// rename, mode 755, skipped when the same version is already there. The copy logic, on temp dirs.
import t from 'tap';
import type { Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALLED_NAME, VERSION_FILE, installExecutable, parseInstallArgs } from '../../../agent/commands/install.ts';
import { ERROR_CODES, isAgentError } from '../../../agent/contract/errors.ts';

async function scratch(t: Test): Promise<{ source: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'agent-install-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const source = join(root, 'source-executable');
  await writeFile(source, '#!/bin/sh\necho v1\n');
  await chmod(source, 0o700);
  return { source, dir: join(root, 'opt', 'starrocks-agent') };
}

t.test('the first install copies the executable, mode 755, and records the version next to it', async (t) => {
  const { source, dir } = await scratch(t);
  const result = await installExecutable({ source, dir, version: '1.2.3' });
  t.same(result, { path: join(dir, INSTALLED_NAME), skipped: false });
  t.equal(await readFile(result.path, 'utf8'), '#!/bin/sh\necho v1\n');
  t.equal((await stat(result.path)).mode & 0o777, 0o755);
  t.equal(await readFile(join(dir, VERSION_FILE), 'utf8'), 'starrocks-agent 1.2.3\n');
  t.same((await readdir(dir)).sort(), [INSTALLED_NAME, VERSION_FILE].sort(), 'no temporary file left');
});

t.test('the same version again is skipped without writing; another version or size is copied', async (t) => {
  const { source, dir } = await scratch(t);
  const first = await installExecutable({ source, dir, version: '1.2.3' });
  const before = await stat(first.path);
  const again = await installExecutable({ source, dir, version: '1.2.3' });
  t.equal(again.skipped, true);
  const after = await stat(first.path);
  t.equal(after.ino, before.ino, 'the same file: not replaced');
  t.equal(after.mtimeMs, before.mtimeMs, 'not rewritten');

  await writeFile(source, '#!/bin/sh\necho v2 longer\n');
  t.equal((await installExecutable({ source, dir, version: '1.2.4' })).skipped, false, 'a new version is copied');
  t.equal(await readFile(first.path, 'utf8'), '#!/bin/sh\necho v2 longer\n');
  t.equal(await readFile(join(dir, VERSION_FILE), 'utf8'), 'starrocks-agent 1.2.4\n');

  await writeFile(first.path, 'truncated');
  t.equal((await installExecutable({ source, dir, version: '1.2.4' })).skipped, false, 'a copy of another size is replaced although the marker matches');
  t.equal(await readFile(first.path, 'utf8'), '#!/bin/sh\necho v2 longer\n');

  await rm(join(dir, VERSION_FILE));
  t.equal((await installExecutable({ source, dir, version: '1.2.4' })).skipped, false, 'no marker (an interrupted install): copied again');
});

t.test('an executable that is busy or read-only is replaced by rename, not overwritten in place', async (t) => {
  const { source, dir } = await scratch(t);
  await mkdir(dir, { recursive: true });
  // A running executable cannot be opened for writing (ETXTBSY); a rename replaces it anyway.
  await writeFile(join(dir, INSTALLED_NAME), 'old');
  await chmod(join(dir, INSTALLED_NAME), 0o555);
  const before = await stat(join(dir, INSTALLED_NAME));
  await installExecutable({ source, dir, version: '1.2.3' });
  const after = await stat(join(dir, INSTALLED_NAME));
  t.not(after.ino, before.ino, 'a new file took the name');
  t.equal(await readFile(join(dir, INSTALLED_NAME), 'utf8'), '#!/bin/sh\necho v1\n');
});

t.test('a target that cannot be written is ERR_INSTALL (exit 89), naming both paths', async (t) => {
  const { source, dir } = await scratch(t);
  await mkdir(join(dir, '..'), { recursive: true });
  await writeFile(dir, 'a file where the folder should be');
  const error = await installExecutable({ source, dir, version: '1.2.3' }).catch((e: unknown) => e);
  t.ok(isAgentError(error, 'ERR_INSTALL'), String(error));
  t.equal(ERROR_CODES.ERR_INSTALL, 89);
  t.match((error as Error).message, new RegExp(`^cannot install ${source} as ${join(dir, INSTALLED_NAME)}: `));
});

t.test('--to DIR and --to=DIR; a missing or unknown argument is ERR_USAGE', async (t) => {
  t.equal(parseInstallArgs(['--to', '/opt/starrocks-agent']), '/opt/starrocks-agent');
  t.equal(parseInstallArgs(['--to=/opt/starrocks-agent/']), '/opt/starrocks-agent');
  t.throws(() => parseInstallArgs([]), { code: 'ERR_USAGE', message: /--to DIR is required, e.g. --to \/opt\/starrocks-agent$/ });
  t.throws(() => parseInstallArgs(['--to']), { code: 'ERR_USAGE' });
  t.throws(() => parseInstallArgs(['--into', '/x']), { code: 'ERR_USAGE', message: /unknown argument "--into"/ });
});

t.test('install run from the sources refuses with one line and exit code 79, touching nothing', async (t) => {
  const { dir } = await scratch(t);
  const result = spawnSync(process.execPath, ['agent/main.ts', 'install', '--to', dir], { encoding: 'utf8', timeout: 30_000 });
  t.equal(result.status, ERROR_CODES.ERR_INSTALL_SOURCE);
  t.equal(result.status, 79);
  const lines = result.stderr.trim().split('\n');
  t.equal(lines.length, 1, result.stderr);
  t.match(lines[0], /^starrocks-agent: ERR_INSTALL_SOURCE: install copies the agent's single executable, but this agent runs on Node from .*agent\/main\.ts: build it with npm run build/);
  t.equal(result.stdout, '');
  t.equal(await stat(dir).catch(() => undefined), undefined, 'the target folder was not created');
});
