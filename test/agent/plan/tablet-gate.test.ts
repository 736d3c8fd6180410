import t from 'tap';
import fc from 'fast-check';
import { tabletGate } from '../../../agent/plan/tablet-gate.ts';
import type { TabletGateInput } from '../../../agent/plan/tablet-gate.ts';

const base: TabletGateInput = {
  applies: true,
  opened: false,
  startedAt: 1_000,
  now: 2_000,
  maxWaitMs: 60_000,
  selfAlive: true,
  othersAlive: true,
  health: { unhealthy: 0 },
  healthySince: 1_000,
  settleMs: 500,
};

t.test('a restarted BE waits while tablets are unhealthy and opens for good when healed', async (t) => {
  t.match(tabletGate({ ...base, health: { unhealthy: 7 } }), { kind: 'wait', unhealthy: 7, reason: /7 unhealthy tablet/ });
  t.match(tabletGate({ ...base, health: undefined }), { kind: 'wait', unhealthy: undefined });
  t.match(tabletGate({ ...base, selfAlive: false, health: { unhealthy: 0 } }), { kind: 'wait' }, 'not judged before the BE is alive');
  t.match(tabletGate(base), { kind: 'open', latch: true, timedOut: false });
  t.match(tabletGate({ ...base, opened: true, health: { unhealthy: 9 } }), { kind: 'open', latch: true }, 'latched: a later problem elsewhere does not flip it');
});

t.test('healthy must last settleMs: the FE reads 0 unhealthy until the wiped BE has reported its tablets', async (t) => {
  t.match(tabletGate({ ...base, healthySince: base.now - 100 }), { kind: 'wait', unhealthy: 0, reason: /waiting 1 s for this BE's tablet report to settle/ });
  t.match(tabletGate({ ...base, healthySince: undefined }), { kind: 'wait' }, 'no healthy reading yet');
  t.match(tabletGate({ ...base, healthySince: base.now - 500 }), { kind: 'open', latch: true });
});

t.test('a new BE (first start of a cluster, scale-out) never waits', async (t) => {
  t.match(tabletGate({ ...base, applies: false, health: { unhealthy: 50 } }), { kind: 'open', latch: true, timedOut: false });
});

t.test('the wait is bounded by maxWaitMs and says so', async (t) => {
  const verdict = tabletGate({ ...base, now: base.startedAt + base.maxWaitMs, health: { unhealthy: 4 } });
  t.match(verdict, { kind: 'open', latch: true, timedOut: true, reason: /gave up .* 60 s .* 4 unhealthy/ });
});

t.test('another BE not alive: readiness is not held, and the gate is not latched', async (t) => {
  t.match(tabletGate({ ...base, othersAlive: false, health: { unhealthy: 4 } }), { kind: 'open', latch: false });
  t.match(tabletGate({ ...base, othersAlive: undefined, health: { unhealthy: 4 } }), { kind: 'wait' }, 'unknown is not "not alive"');
});

t.test('property: the gate opens for good only when it applies not, was opened, healed or timed out', async () => {
  fc.assert(
    fc.property(
      fc.record({
        applies: fc.boolean(),
        opened: fc.boolean(),
        startedAt: fc.integer({ min: 0, max: 1e6 }),
        elapsed: fc.integer({ min: 0, max: 2e5 }),
        maxWaitMs: fc.integer({ min: 1, max: 1e5 }),
        selfAlive: fc.boolean(),
        othersAlive: fc.constantFrom(true, false, undefined),
        health: fc.option(fc.record({ unhealthy: fc.integer({ min: 0, max: 100 }) }), { nil: undefined }),
        healthyFor: fc.option(fc.integer({ min: 0, max: 2e5 }), { nil: undefined }),
        settleMs: fc.integer({ min: 0, max: 1e5 }),
      }),
      (r) => {
        const now = r.startedAt + r.elapsed;
        const input: TabletGateInput = { ...r, now, healthySince: r.healthyFor === undefined ? undefined : now - r.healthyFor };
        const verdict = tabletGate(input);
        const timedOut = r.elapsed >= r.maxWaitMs;
        const healed = r.selfAlive && r.othersAlive !== false && r.health?.unhealthy === 0 && (r.healthyFor ?? 0) >= r.settleMs;
        if (verdict.kind === 'open' && verdict.latch) return !r.applies || r.opened || timedOut || healed;
        if (verdict.kind === 'open') return r.applies && !r.opened && !timedOut && r.selfAlive && r.othersAlive === false;
        // A wait only while it applies, not opened, within the bound.
        return r.applies && !r.opened && !timedOut;
      },
    ),
    { numRuns: 5000 },
  );
});
