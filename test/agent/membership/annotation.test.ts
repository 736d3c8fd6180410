import t from 'tap';
import { parseMembership, serializeMembership } from '../../../agent/membership/annotation.ts';
import type { MembershipRecord } from '../../../agent/membership/annotation.ts';
import { hostPort } from '../../../agent/sql/host-port.ts';

t.test('membership records round-trip through the annotation', async (t) => {
  const records: MembershipRecord[] = [
    { component: 'fe', registeredAs: hostPort('fe-1.x', 9010), role: 'OBSERVER', clusterId: 1_234_567_890, at: '2026-11-22T22:00:00.000Z' },
    { component: 'be', registeredAs: hostPort('fd00::7', 9050), role: undefined, clusterId: undefined, at: '2026-11-22T22:00:00.000Z' },
  ];
  for (const record of records) t.same(parseMembership(serializeMembership(record)), { kind: 'ok', record });
  t.equal(serializeMembership(records[1] as MembershipRecord), '{"component":"be","registeredAs":"[fd00::7]:9050","at":"2026-11-22T22:00:00.000Z"}');
});

t.test('absent and invalid annotations are told apart, never guessed at', async (t) => {
  t.same(parseMembership(undefined), { kind: 'absent' });
  t.same(parseMembership(''), { kind: 'absent' });
  const good = { component: 'cn', registeredAs: 'cn-0.x:9050', at: '2026-11-22T22:00:00.000Z' };
  for (const bad of ['{', '[]', { ...good, component: 'broker' }, { ...good, registeredAs: 'cn 0:9050' }, { ...good, registeredAs: 9050 }, { ...good, role: 'LEADER' }, { ...good, clusterId: '5' }, { ...good, at: 'now' }]) {
    const parsed = parseMembership(typeof bad === 'string' ? bad : JSON.stringify(bad));
    t.equal(parsed.kind, 'invalid', JSON.stringify(bad));
  }
});
