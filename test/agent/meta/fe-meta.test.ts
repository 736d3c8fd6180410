import t from 'tap';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interpretFeMeta, parseNodeName, readFeMeta } from '../../../agent/meta/fe-meta.ts';
import { parseJavaProperties } from '../../../agent/meta/java-properties.ts';

const FQDN = 'kube-starrocks-fe-0.kube-starrocks-fe-search.default.svc.cluster.local';
const ROLE = `#Sun Nov 22 21:00:00 UTC 2026\nrole=FOLLOWER\nhostType=FQDN\nname=${FQDN}_9010_1760641496296\n`;
const VERSION = '#Sun Nov 22 21:00:00 UTC 2026\nclusterId=2098925161\ntoken=4b1b0e0f-2b5c-4a55-9b6f-0f4d6b0e1a22\nrunMode=shared_nothing\n';

t.test('Java properties as Properties.store writes them', async (t) => {
  const p = parseJavaProperties(
    ['#Sun Nov 22 21:00:00 UTC 2026', '! bang comment', 'role=OBSERVER', 'name=fd00\\:\\:7_9010_17', 'a : b', 'c d', 'u=\\u0041x', 'long=one\\', '   two', 'k=v1', 'k=v2', 'empty='].join('\n'),
  );
  t.equal(p.get('role'), 'OBSERVER');
  t.equal(p.get('name'), 'fd00::7_9010_17', 'escaped colons of an IPv6 host');
  t.equal(p.get('a'), 'b');
  t.equal(p.get('c'), 'd');
  t.equal(p.get('u'), 'Ax');
  t.equal(p.get('long'), 'onetwo', 'continuation lines');
  t.equal(p.get('k'), 'v2');
  t.equal(p.get('empty'), '');
  t.notOk(p.has('#Sun Nov 22 21:00:00 UTC 2026'));
});

t.test('node names give the recorded host and edit log port', async (t) => {
  t.same(parseNodeName(`${FQDN}_9010_1760641496296`), { host: FQDN, port: 9010 });
  t.same(parseNodeName('192.168.100.67_19010_1710931706732'), { host: '192.168.100.67', port: 19010 });
  t.same(parseNodeName('10.0.0.1_9010'), { host: '10.0.0.1', port: 9010 }, 'old style');
  t.same(parseNodeName('fd00::7_9010_17'), { host: 'fd00::7', port: 9010 });
  t.equal(parseNodeName('nonsense'), undefined);
  t.equal(parseNodeName('h_0_17'), undefined);
});

t.test('the four meta states', async (t) => {
  t.same(interpretFeMeta({ role: undefined, version: undefined }), { kind: 'empty' });
  t.same(interpretFeMeta({ role: ROLE, version: undefined }), { kind: 'partial', present: 'ROLE' });
  t.same(interpretFeMeta({ role: undefined, version: VERSION }), { kind: 'partial', present: 'VERSION' });
  const complete = interpretFeMeta({ role: ROLE, version: VERSION });
  t.same(complete, {
    kind: 'complete',
    role: 'FOLLOWER',
    name: `${FQDN}_9010_1760641496296`,
    host: FQDN,
    editLogPort: 9010,
    hostType: 'FQDN',
    clusterId: 2098925161,
    runMode: 'shared_nothing',
    hasToken: true,
  });
  t.notMatch(JSON.stringify(complete), /4b1b0e0f/, 'the token is never carried');
  const noHostType = interpretFeMeta({ role: 'role=OBSERVER\nname=10.0.0.1_9010_1', version: 'clusterId=5' });
  t.equal(noHostType.kind === 'complete' && noHostType.hostType, undefined);
  for (const [role, version, why] of [
    ['role=LEADER\nname=h_9010_1', VERSION, /role=/],
    ['role=FOLLOWER\nname=h', VERSION, /name=/],
    ['role=FOLLOWER\nname=h_9010_1\nhostType=DNS', VERSION, /hostType=/],
    [ROLE, 'clusterId=abc', /clusterId=/],
    [ROLE, 'token=x', /clusterId=/],
    [ROLE, 'clusterId=0', /clusterId=/],
  ] as const) {
    const meta = interpretFeMeta({ role, version });
    t.equal(meta.kind, 'unreadable');
    if (meta.kind === 'unreadable') t.match(meta.reason, why);
  }
});

t.test('readFeMeta reads the image folder and never throws', async (t) => {
  const dir = t.testdir({ meta: { image: { ROLE, VERSION } }, fresh: {}, half: { image: { VERSION } } });
  t.equal((await readFeMeta(join(dir, 'meta'))).kind, 'complete');
  t.equal((await readFeMeta(join(dir, 'fresh'))).kind, 'empty');
  t.equal((await readFeMeta(join(dir, 'nowhere'))).kind, 'empty', 'a meta dir not created yet is empty');
  t.same(await readFeMeta(join(dir, 'half')), { kind: 'partial', present: 'VERSION' });
  const scratch = await mkdtemp(join(tmpdir(), 'fe-meta-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const locked = join(scratch, 'locked');
  await mkdir(join(locked, 'image'), { recursive: true });
  await writeFile(join(locked, 'image', 'ROLE'), ROLE);
  await chmod(join(locked, 'image', 'ROLE'), 0o000);
  const unreadable = await readFeMeta(locked);
  // root reads anything; elsewhere the file is unreadable.
  t.ok(unreadable.kind === 'unreadable' || (process.getuid?.() === 0 && unreadable.kind === 'partial'), unreadable.kind);
  const asDir = join(scratch, 'dir-role');
  await mkdir(join(asDir, 'image', 'ROLE'), { recursive: true });
  t.equal((await readFeMeta(asDir)).kind, 'unreadable', 'ROLE that is a directory');
});
