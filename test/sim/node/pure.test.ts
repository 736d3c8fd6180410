// Pure parts of the node processes: meta files and the BE heartbeat checks.
import t from 'tap';
import { checkHeartbeat } from './backend-heartbeat.ts';
import type { HeartbeatRequest } from './backend-heartbeat.ts';
import { formatRoleFile, formatVersionFile, parseRoleFile, parseVersionFile } from './meta-files.ts';
import { passwordHashStage2, verifyNativePassword } from './mysql-auth.ts';
import { createHash } from 'node:crypto';

t.test('ROLE and VERSION round-trip in the Java properties format', async (t) => {
  const now = new Date(Date.UTC(2026, 10, 22, 22, 5, 0));
  const role = { role: 'FOLLOWER' as const, name: 'fe-0.x.svc.cluster.local_9010_1760641496296', hostType: 'FQDN' as const };
  t.equal(formatRoleFile(role, now), '#Sun Nov 22 22:05:00 UTC 2026\nrole=FOLLOWER\nhostType=FQDN\nname=fe-0.x.svc.cluster.local_9010_1760641496296\n');
  t.same(parseRoleFile(formatRoleFile(role, now)), role);
  const version = { clusterId: 2098925161, token: '7b2c2c5e-0c1a-4d4f-9a53-3f3b8f3f1a11', runMode: 'shared_nothing' as const };
  t.equal(formatVersionFile(version, now), '#Sun Nov 22 22:05:00 UTC 2026\nclusterId=2098925161\nrunMode=shared_nothing\ntoken=7b2c2c5e-0c1a-4d4f-9a53-3f3b8f3f1a11\n');
  t.same(parseVersionFile(formatVersionFile(version, now)), version);
  t.equal(parseRoleFile('role=LEADER\nname=x\n'), undefined);
  t.equal(parseVersionFile('clusterId=abc\ntoken=t\n'), undefined);
  t.same(parseRoleFile('role=OBSERVER\nname=n\n'), { role: 'OBSERVER', name: 'n', hostType: '' });
  t.equal(formatRoleFile({ role: 'FOLLOWER', name: 'n', hostType: '' }, now), '#Sun Nov 22 22:05:00 UTC 2026\nrole=FOLLOWER\nhostType=\nname=n\n');
});

t.test('BE heartbeat checks', async (t) => {
  const req = (over: Partial<HeartbeatRequest> = {}): HeartbeatRequest => ({ clusterId: 7, token: 'tk', epoch: 3, host: 'h', nodeType: 'backend', ...over });
  t.same(checkHeartbeat({ request: req(), bound: undefined, isCn: false, shuttingDown: false }), { ok: true, bound: { clusterId: 7, token: 'tk', epoch: 3 } });
  const bound = { clusterId: 7, token: 'tk', epoch: 3 };
  t.match(checkHeartbeat({ request: req({ clusterId: 8 }), bound, isCn: false, shuttingDown: false }), { ok: false, message: 'Unmatched cluster id' });
  t.match(checkHeartbeat({ request: req({ epoch: 2 }), bound, isCn: false, shuttingDown: false }), { ok: false, message: 'Out-dated epoch' });
  t.match(checkHeartbeat({ request: req({ token: 'x' }), bound, isCn: false, shuttingDown: false }), { ok: false, message: 'Unmatched token' });
  t.match(checkHeartbeat({ request: req({ epoch: 4 }), bound, isCn: false, shuttingDown: false }), { ok: true, bound: { epoch: 4 } });
  t.match(checkHeartbeat({ request: req(), bound, isCn: true, shuttingDown: false }), { message: 'expect to be BE but actually CN,Unmatched node type!' });
  t.match(checkHeartbeat({ request: req({ nodeType: 'compute_node' }), bound, isCn: false, shuttingDown: false }), { message: 'expect to be CN but actually BE,Unmatched node type!' });
  t.match(checkHeartbeat({ request: req(), bound, isCn: false, shuttingDown: true }), { ok: false, status: 'SHUTDOWN', message: 'BE is shutting down' });
});

t.test('mysql_native_password verification', async (t) => {
  const scramble = Buffer.from('0123456789abcdefghij');
  const sha1 = (b: Buffer): Buffer => createHash('sha1').update(b).digest();
  const stage1 = sha1(Buffer.from('pw'));
  const mask = createHash('sha1').update(scramble).update(sha1(stage1)).digest();
  const token = Buffer.from(stage1.map((b, i) => b ^ (mask[i] as number)));
  t.ok(verifyNativePassword({ scramble, token, stage2Hex: passwordHashStage2('pw') }));
  t.notOk(verifyNativePassword({ scramble, token, stage2Hex: passwordHashStage2('other') }));
  t.ok(verifyNativePassword({ scramble, token: Buffer.alloc(0), stage2Hex: passwordHashStage2('') }));
  t.notOk(verifyNativePassword({ scramble, token, stage2Hex: '' }));
});
