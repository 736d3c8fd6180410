import t from 'tap';
import fc from 'fast-check';
import { parseBackends, parseComputeNodes } from '../../../agent/membership/nodes.ts';
import type { NodeRow } from '../../../agent/membership/nodes.ts';
import { findNode } from '../../../agent/membership/queries.ts';
import { judgeAddOutcome } from '../../../agent/plan/add-outcome.ts';
import { planRegistration } from '../../../agent/plan/registration.ts';
import { hostPort, sameHost } from '../../../agent/sql/host-port.ts';
import type { HostPort } from '../../../agent/sql/host-port.ts';
import { nodesResult } from '../fixtures/membership.ts';
import type { NodeSpec, Profile } from '../fixtures/membership.ts';

const be = (i: number): string => `prod-be-${i}.prod-be-search.ns.svc.cluster.local`;
const bes = (specs: NodeSpec[], profile: Profile = '3.3'): NodeRow[] => parseBackends(nodesResult(specs, { profile }));
const cns = (specs: NodeSpec[], profile: Profile = '3.3'): NodeRow[] => parseComputeNodes(nodesResult(specs, { kind: 'cn', profile }));
const self = hostPort(be(1), 9050);

t.test('add when absent, registered when present, in both column sets', async (t) => {
  for (const profile of ['3.3', '3.5'] as const) {
    const absent = planRegistration({ component: 'be', self, view: { kind: 'rows', rows: bes([{ host: be(0) }], profile) } });
    t.same(absent, { kind: 'add', target: self, reason: absent.reason }, profile);
    const present = planRegistration({ component: 'be', self, view: { kind: 'rows', rows: bes([{ host: be(0) }, { host: be(1), alive: false }], profile) } });
    t.ok(present.kind === 'registered' && present.row.id === '10002', `${profile}: registered, even while not alive yet`);
  }
  t.equal(planRegistration({ component: 'cn', self, view: { kind: 'rows', rows: cns([]) } }).kind, 'add');
  t.match(planRegistration({ component: 'be', self, view: { kind: 'unavailable', reason: 'no leader' } }), { kind: 'wait', reason: /no leader/ });
});

t.test('the host form is the registered one, so DROP later uses it', async (t) => {
  const ipSelf = hostPort('::ffff:10.0.0.7', 9050);
  const decision = planRegistration({ component: 'cn', self: ipSelf, view: { kind: 'rows', rows: cns([{ host: '0:0:0:0:0:ffff:a00:7' }]) } });
  t.ok(decision.kind === 'registered' && decision.as.host === '0:0:0:0:0:ffff:a00:7');
});

t.test('a BE found decommissioning is recommissioned, never added twice', async (t) => {
  const decision = planRegistration({ component: 'be', self, view: { kind: 'rows', rows: bes([{ host: be(1), decommissioned: true, tablets: 3 }]) } });
  t.same(decision, { kind: 'recommission', target: self, reason: decision.reason });
  const cn = planRegistration({ component: 'cn', self, view: { kind: 'rows', rows: cns([{ host: be(1), decommissioned: true }]) } });
  t.equal(cn.kind, 'registered', 'a CN cannot be decommissioned: it is registered');
});

t.test('refusals: wrong kind, changed heartbeat port, changed pod IP', async (t) => {
  t.match(
    planRegistration({ component: 'be', self, view: { kind: 'rows', rows: [], otherKindRows: cns([{ host: be(1) }]) } }),
    { kind: 'refuse', reason: /registered as a CN/ },
  );
  t.match(planRegistration({ component: 'be', self, view: { kind: 'rows', rows: bes([{ host: be(1), heartbeatPort: 9051 }]) } }), {
    kind: 'refuse',
    reason: /heartbeat port 9051/,
  });
  const ipNow = hostPort('10.0.0.8', 9050);
  const ipBefore = hostPort('10.0.0.7', 9050);
  t.match(planRegistration({ component: 'be', self: ipNow, previous: ipBefore, view: { kind: 'rows', rows: bes([{ host: '10.0.0.7', alive: false }]) } }), {
    kind: 'refuse',
    reason: /ghost BE holding tablets/,
    fix: /HOST_TYPE=FQDN/,
  });
  t.equal(planRegistration({ component: 'be', self: ipNow, previous: ipBefore, view: { kind: 'rows', rows: bes([]) } }).kind, 'add', 'the old entry is gone');
  t.equal(planRegistration({ component: 'be', self, previous: self, view: { kind: 'rows', rows: bes([]) } }).kind, 'add');
});

const hostArb = fc.constantFrom(be(0), be(1), be(2), '10.0.0.7');
const nodeArb = fc.record({
  host: hostArb,
  heartbeatPort: fc.constantFrom(9050, 9051),
  decommissioned: fc.boolean(),
  alive: fc.boolean(),
}) as fc.Arbitrary<NodeSpec>;

t.test('property: ADD only when no row has this host; recommission only for a decommissioning BE row', async (t) => {
  fc.assert(
    fc.property(fc.array(nodeArb, { maxLength: 5 }), fc.constantFrom('be', 'cn') as fc.Arbitrary<'be' | 'cn'>, fc.constantFrom(9050, 9051), (specs, component, port) => {
      const me = hostPort(be(1), port);
      const rows = component === 'be' ? bes(specs) : cns(specs);
      const decision = planRegistration({ component, self: me, view: { kind: 'rows', rows } });
      const mine = findNode(rows, me);
      switch (decision.kind) {
        case 'add':
          return rows.every((r) => !sameHost(r.host, me.host));
        case 'recommission':
          return component === 'be' && mine?.systemDecommissioned === true;
        case 'registered':
          return mine !== undefined && !(component === 'be' && mine.systemDecommissioned);
        case 'refuse':
          return mine === undefined && rows.some((r) => sameHost(r.host, me.host));
        case 'wait':
          return false;
      }
    }),
    { numRuns: 2000 },
  );
  t.pass('holds');
});

t.test('simulated FE: lost answers and "already exists" never add a node twice', async (t) => {
  // The FE applies the ADD but the answer is lost (timeout) or says "already exists" on a retry;
  // the agent re-reads the view each turn. Over many schedules, exactly one row results.
  fc.assert(
    fc.property(fc.array(fc.constantFrom('ok', 'lost', 'unavailable'), { minLength: 1, maxLength: 8 }), (schedule) => {
      const registered: HostPort[] = [];
      let adds = 0;
      for (const event of [...schedule, 'ok', 'ok']) {
        const rows = bes(registered.map((r) => ({ host: r.host, heartbeatPort: r.port })));
        const view = event === 'unavailable' ? ({ kind: 'unavailable', reason: 'leader change' } as const) : ({ kind: 'rows', rows } as const);
        const decision = planRegistration({ component: 'be', self, view });
        if (decision.kind === 'registered') break;
        if (decision.kind !== 'add') continue;
        adds++;
        const exists = registered.some((r) => sameHost(r.host, self.host) && r.port === self.port);
        if (!exists) registered.push(self);
        const outcome = exists
          ? { ok: false as const, failure: { kind: 'already_exists' as const, message: 'Backend already exists with same host', errno: 1064 } }
          : event === 'lost'
            ? { ok: false as const, failure: { kind: 'timeout' as const, message: 'lost', errno: undefined } }
            : { ok: true as const };
        if (judgeAddOutcome(outcome).kind !== 'reobserve') return false;
      }
      return registered.length === 1 && adds === 1;
    }),
  );
  t.pass('holds');
});
