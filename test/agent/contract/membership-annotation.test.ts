import t from 'tap';
import { decodeMembership, encodeMembership, membershipHostText, sameMembership } from '../../../agent/contract/membership-annotation.ts';
import type { MembershipRecord } from '../../../agent/contract/membership-annotation.ts';
import { hostPort } from '../../../agent/sql/host-port.ts';

const AT = '2026-11-22T22:00:00.000Z';

t.test('membership records round-trip through the one codec', async (t) => {
  const records: MembershipRecord[] = [
    { component: 'fe', registeredAs: hostPort('fe-1.x', 9010), role: 'OBSERVER', clusterId: 1_234_567_890, at: AT },
    { component: 'fe', registeredAs: hostPort('fe-0.x', 9010), role: 'LEADER', clusterId: 7, at: AT },
    { component: 'be', registeredAs: hostPort('fd00::7', 9050), role: undefined, clusterId: undefined, at: AT },
    { component: 'cn', registeredAs: hostPort('10.0.0.3', 9050), role: undefined, clusterId: undefined, at: undefined },
  ];
  for (const record of records) t.same(decodeMembership(encodeMembership(record)), { kind: 'ok', record, ignored: [] }, encodeMembership(record));
  t.equal(encodeMembership(records[2] as MembershipRecord), `{"component":"be","registeredAs":"[fd00::7]:9050","at":"${AT}"}`, 'one line of JSON, IPv6 in brackets');
  t.equal(membershipHostText({ host: 'fd00::7', port: 9050 }), '[fd00::7]:9050');
});

t.test('sameMembership ignores when the record was written', async (t) => {
  const a: MembershipRecord = { component: 'fe', registeredAs: { host: 'fe-0.x', port: 9010 }, role: 'FOLLOWER', clusterId: 5, at: AT };
  t.ok(sameMembership(a, { ...a, at: undefined }));
  t.notOk(sameMembership(a, { ...a, role: 'LEADER' }), 'a new role is news');
  t.notOk(sameMembership(a, { ...a, registeredAs: { host: 'fe-0.x', port: 9011 } }), 'a new port is news');
});

t.test('hand edits: space, case, unknown keys and a string cluster id read; a bad optional field is dropped and named', async (t) => {
  const read = decodeMembership(`  {"component":" FE ","registeredAs":" Fe-0.X:9010 ","role":"leader","clusterId":"42","at":"${AT}","comment":"edited by hand"}\n`);
  t.same(read, { kind: 'ok', record: { component: 'fe', registeredAs: { host: 'Fe-0.X', port: 9010 }, role: 'LEADER', clusterId: 42, at: AT }, ignored: [] });
  const dropped = decodeMembership(JSON.stringify({ component: 'be', registeredAs: 'be-0.x:9050', role: 'BOSS', clusterId: -1, at: 'now' }));
  t.same(dropped, {
    kind: 'ok',
    record: { component: 'be', registeredAs: { host: 'be-0.x', port: 9050 }, role: undefined, clusterId: undefined, at: undefined },
    ignored: ['role "BOSS"', 'clusterId -1', 'at "now"'],
  });
});

t.test('absent and invalid annotations are told apart, never guessed at', async (t) => {
  t.same(decodeMembership(undefined), { kind: 'absent' });
  t.same(decodeMembership(''), { kind: 'absent' });
  t.same(decodeMembership('  '), { kind: 'absent' });
  const good = { component: 'cn', registeredAs: 'cn-0.x:9050', at: AT };
  const bad: [unknown, RegExp][] = [
    ['{', /not JSON/],
    ['[]', /not a JSON object/],
    [{ ...good, component: 'broker' }, /component "broker"/],
    [{ registeredAs: 'cn-0.x:9050' }, /component undefined/],
    [{ ...good, registeredAs: 'cn 0:9050' }, /registeredAs "cn 0:9050"/],
    [{ ...good, registeredAs: 'cn-0.x' }, /registeredAs "cn-0.x" is not host:port/],
    [{ ...good, registeredAs: 'cn-0.x:0' }, /registeredAs/],
    [{ ...good, registeredAs: 'cn-0.x:65536' }, /registeredAs/],
    [{ ...good, registeredAs: '[cn-0.x]:9050' }, /registeredAs/],
    [{ ...good, registeredAs: 'fd00::7:9050' }, /registeredAs/],
    [{ ...good, registeredAs: 9050 }, /registeredAs 9050/],
  ];
  for (const [value, reason] of bad) {
    const read = decodeMembership(typeof value === 'string' ? value : JSON.stringify(value));
    t.match(read, { kind: 'invalid', reason }, JSON.stringify(value));
  }
});
