import t from 'tap';
import fc from 'fast-check';
import { parseBackends } from '../../../agent/membership/nodes.ts';
import { frontendMembership, liveness, nodeMembership, readiness, startup } from '../../../agent/plan/probe-state.ts';
import type { ProbeState, SelfMembership } from '../../../agent/plan/probe-state.ts';
import { hostPort } from '../../../agent/sql/host-port.ts';
import { nodesResult } from '../fixtures/membership.ts';
import { fe, rows } from '../fixtures/plan.ts';

const timing = { wedgeAfterMs: 30_000, probeWindowMs: 15_000 };
const NOW = 1_000_000;
const healthy: ProbeState = {
  processRunning: true,
  loopTickAt: NOW - 100,
  healthEverOk: true,
  healthOk: true,
  membership: { at: NOW - 1000, self: 'alive' },
  lastAliveAt: NOW - 1000,
  draining: false,
};

t.test('liveness: process running and the agent loop not wedged; draining does not kill', async (t) => {
  t.ok(liveness(healthy, NOW, timing).ok);
  t.ok(liveness({ ...healthy, draining: true, healthOk: false }, NOW, timing).ok);
  t.match(liveness({ ...healthy, loopTickAt: NOW - 31_000 }, NOW, timing), { ok: false, reason: /31000 ms/ });
  t.match(liveness({ ...healthy, processRunning: false }, NOW, timing), { ok: false });
});

t.test('startup: until the health endpoint first answers', async (t) => {
  t.match(startup({ ...healthy, healthEverOk: false, healthOk: false, membership: undefined }), { ok: false, reason: /first time/ });
  t.ok(startup({ ...healthy, healthOk: false }).ok, 'answered once is enough');
  t.notOk(startup({ ...healthy, processRunning: false }).ok);
});

t.test('readiness: false at once while draining, true when Alive in the leader view', async (t) => {
  t.ok(readiness(healthy, NOW, timing).ok);
  t.match(readiness({ ...healthy, draining: true }, NOW, timing), { ok: false, reason: /draining/ });
  t.match(readiness({ ...healthy, healthOk: false }, NOW, timing), { ok: false, reason: /health/ });
  t.match(readiness({ ...healthy, membership: undefined, lastAliveAt: undefined }, NOW, timing), { ok: false, reason: /not read yet/ });
  t.match(readiness({ ...healthy, membership: { at: NOW, self: 'absent' } }, NOW, timing), { ok: false, reason: /not registered/ });
  t.match(readiness({ ...healthy, membership: { at: NOW, self: 'decommissioning' } }, NOW, timing), { ok: false, reason: /decommissioning/ });
  t.match(readiness({ ...healthy, membership: { at: NOW, self: 'not-joined' }, lastAliveAt: undefined }, NOW, timing), { ok: false, reason: /not joined/ });
});

t.test('readiness of a restarted BE waits for its tablet-health gate, whatever the membership says', async (t) => {
  const waiting = { open: false, reason: '3 unhealthy tablet(s) in the cluster: waiting for StarRocks to heal them' };
  t.match(readiness({ ...healthy, tabletGate: waiting }, NOW, timing), { ok: false, reason: /waiting for tablet health: 3 unhealthy/ });
  t.match(readiness({ ...healthy, tabletGate: waiting, lastAliveAt: NOW }, NOW, timing), { ok: false }, 'not even within the probe window');
  t.ok(readiness({ ...healthy, tabletGate: { open: true, reason: 'healed' } }, NOW, timing).ok);
  t.match(readiness({ ...healthy, draining: true, tabletGate: { open: true, reason: 'healed' } }, NOW, timing), { ok: false, reason: /draining/ });
});

t.test('readiness holds through a leader change shorter than the window, not longer', async (t) => {
  // Membership read every second: alive, then the FE view is unavailable (re-election), then alive.
  let state: ProbeState = healthy;
  const readings: SelfMembership[] = ['alive', 'alive', 'unavailable', 'not-alive', 'unavailable', 'unavailable', 'alive', 'alive'];
  readings.forEach((self, i) => {
    const at = NOW + i * 1000;
    state = { ...state, membership: { at, self }, lastAliveAt: self === 'alive' ? at : state.lastAliveAt, loopTickAt: at };
    t.ok(readiness(state, at, timing).ok, `t+${i}s ${self}`);
  });
  const longOutage = { ...healthy, membership: { at: NOW + 20_000, self: 'unavailable' as const, detail: 'no leader' } };
  t.match(readiness(longOutage, NOW + 20_000, timing), { ok: false, reason: /cannot be read: no leader/ });
  const stale = { ...healthy, membership: { at: NOW, self: 'alive' as const }, lastAliveAt: NOW };
  t.match(readiness(stale, NOW + 16_000, timing), { ok: false, reason: /not refreshed for 16000 ms/ });
});

t.test('property: never ready while draining or unhealthy; ready only on a recent Alive', async (t) => {
  const self = fc.constantFrom<SelfMembership>('alive', 'not-alive', 'not-joined', 'decommissioning', 'absent', 'unavailable');
  fc.assert(
    fc.property(
      fc.record({
        processRunning: fc.boolean(),
        healthOk: fc.boolean(),
        draining: fc.boolean(),
        self,
        age: fc.nat(40_000),
        aliveAge: fc.option(fc.nat(40_000), { nil: undefined }),
      }),
      (r) => {
        const state: ProbeState = {
          processRunning: r.processRunning,
          loopTickAt: NOW,
          healthEverOk: true,
          healthOk: r.healthOk,
          membership: { at: NOW - r.age, self: r.self },
          lastAliveAt: r.aliveAge === undefined ? undefined : NOW - r.aliveAge,
          draining: r.draining,
        };
        const ready = readiness(state, NOW, timing).ok;
        if (!ready) return true;
        const recentAlive = (r.self === 'alive' && r.age <= timing.probeWindowMs) || (r.aliveAge !== undefined && r.aliveAge <= timing.probeWindowMs);
        const definiteNo = r.age <= timing.probeWindowMs && (r.self === 'absent' || r.self === 'decommissioning');
        return !r.draining && r.processRunning && r.healthOk && recentAlive && !definiteNo;
      },
    ),
    { numRuns: 3000 },
  );
  t.pass('holds');
});

t.test('own membership from the rows', async (t) => {
  const frontends = rows([
    { host: fe(0), role: 'LEADER' },
    { host: fe(1), alive: false, join: true },
    { host: fe(2), alive: false, join: false },
  ]);
  t.equal(frontendMembership(frontends, { host: fe(0) }), 'alive');
  t.equal(frontendMembership(frontends, { host: fe(1) }), 'not-alive');
  t.equal(frontendMembership(frontends, { host: fe(2) }), 'not-joined');
  t.equal(frontendMembership(frontends, { host: fe(3) }), 'absent');
  const backends = parseBackends(nodesResult([{ host: 'be-0' }, { host: 'be-1', decommissioned: true }, { host: 'be-2', alive: false }]));
  t.equal(nodeMembership(backends, hostPort('be-0', 9050), 'be'), 'alive');
  t.equal(nodeMembership(backends, hostPort('be-1', 9050), 'be'), 'decommissioning');
  t.equal(nodeMembership(backends, hostPort('be-1', 9050), 'cn'), 'alive');
  t.equal(nodeMembership(backends, hostPort('be-2', 9050), 'be'), 'not-alive');
  t.equal(nodeMembership(backends, hostPort('be-0', 9051), 'be'), 'absent');
});
