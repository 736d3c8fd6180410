import t from 'tap';
import { leaseAction, leaseView, microTime } from '../../../controller/run/lease.ts';

t.test('lease decisions', async (t) => {
  const now = Date.parse('2026-11-22T22:00:00Z');
  t.equal(leaseAction({ lease: undefined, identity: 'a', nowMs: now }), 'create');
  t.equal(leaseAction({ lease: { holder: 'a', renewTimeMs: now - 60_000, durationSeconds: 15 }, identity: 'a', nowMs: now }), 'renew');
  t.equal(leaseAction({ lease: { holder: 'b', renewTimeMs: now - 5_000, durationSeconds: 15 }, identity: 'a', nowMs: now }), 'wait');
  t.equal(leaseAction({ lease: { holder: 'b', renewTimeMs: now - 15_000, durationSeconds: 15 }, identity: 'a', nowMs: now }), 'takeover');
  t.equal(leaseAction({ lease: { holder: '', renewTimeMs: now, durationSeconds: 15 }, identity: 'a', nowMs: now }), 'takeover');
  t.equal(leaseAction({ lease: { holder: 'b', renewTimeMs: undefined, durationSeconds: undefined }, identity: 'a', nowMs: now }), 'takeover');
});

t.test('lease times are MicroTime and parse back', async (t) => {
  const ms = Date.parse('2026-11-22T22:00:01.234Z');
  t.equal(microTime(ms), '2026-11-22T22:00:01.234000Z');
  t.same(leaseView({ spec: { holderIdentity: 'x', renewTime: microTime(ms), leaseDurationSeconds: 15 } }), { holder: 'x', renewTimeMs: ms, durationSeconds: 15 });
  t.same(leaseView({}), { holder: undefined, renewTimeMs: undefined, durationSeconds: undefined });
});
