import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { replaceFile, writeFileAtomic } from '../../../agent/util/atomic-write.ts';

const dir = await mkdtemp(join(tmpdir(), 'atomic-write-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

t.test('the file is replaced whole, with its mode, and no temporary file stays', async (t) => {
  const path = join(dir, 'plan.json');
  await writeFileAtomic(path, '{"old":true}');
  await writeFileAtomic(path, '{"new":true}', { mode: 0o640 });
  t.equal(await readFile(path, 'utf8'), '{"new":true}');
  t.equal((await stat(path)).mode & 0o777, 0o640);
  t.same(await readdir(dir), ['plan.json']);
});

t.test('a failed fill leaves the old file as it was and no temporary file', async (t) => {
  const path = join(dir, 'shutdown.json');
  await writeFile(path, 'before');
  await t.rejects(
    replaceFile(path, async (temp) => {
      await writeFile(temp, 'half of it');
      throw new Error('disk full');
    }),
    /disk full/,
  );
  t.equal(await readFile(path, 'utf8'), 'before');
  t.notOk((await readdir(dir)).some((name) => name.endsWith('.tmp')), 'the temporary file is removed');
});
