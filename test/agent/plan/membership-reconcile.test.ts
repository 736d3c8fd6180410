import t from 'tap';
import fc from 'fast-check';
import { parseBackends, parseComputeNodes } from '../../../agent/membership/nodes.ts';
import { aliveVoters, majority, voters } from '../../../agent/membership/queries.ts';
import { planMembershipReconcile, podOfHost, podsToCheck } from '../../../agent/plan/membership-reconcile.ts';
import type { ReconcileInput } from '../../../agent/plan/membership-reconcile.ts';
import { nodesResult } from '../fixtures/membership.ts';
import type { FeSpec, NodeSpec } from '../fixtures/membership.ts';
import { fe, rows } from '../fixtures/plan.ts';

const be = (i: number): string => `prod-be-${i}.prod-be-search.ns.svc.cluster.local`;
const cn = (i: number): string => `prod-cn-${i}.prod-cn-search.ns.svc.cluster.local`;
const backends = (specs: NodeSpec[]) => parseBackends(nodesResult(specs));
const computeNodes = (specs: NodeSpec[]) => parseComputeNodes(nodesResult(specs, { kind: 'cn' }));
const threeFe = rows([0, 1, 2].map((i) => ({ host: fe(i), role: i === 0 ? 'LEADER' : 'FOLLOWER' }) as FeSpec));

const NOW = 1_000_000;
const base: ReconcileInput = {
  cluster: 'prod',
  desired: { fe: 3, be: 3, cn: 1 },
  frontends: threeFe,
  backends: backends([0, 1, 2].map((i) => ({ host: be(i) }))),
  computeNodes: computeNodes([{ host: cn(0) }]),
  podExists: {},
  goneSince: {},
  now: NOW,
  graceMs: 60_000,
};

t.test('rows map to their pods by the FQDN; other clusters are not ours', async (t) => {
  t.same(podOfHost(be(4), 'prod'), { pod: 'prod-be-4', component: 'be', ordinal: 4 });
  t.same(podOfHost('prod-be-4', 'prod'), { pod: 'prod-be-4', component: 'be', ordinal: 4 });
  t.equal(podOfHost('prodx-be-4.prodx-be-search.ns.svc.cluster.local', 'prod'), undefined);
  t.equal(podOfHost('10.0.0.7', 'prod'), undefined);
  t.same(podsToCheck({ ...base, computeNodes: computeNodes([{ host: cn(0) }, { host: cn(1) }]), desired: { fe: 3, be: 3, cn: 0 } }), ['prod-cn-0', 'prod-cn-1']);
});

t.test('nothing to do when every row is backed by the desired state', async (t) => {
  t.same(planMembershipReconcile(base), { actions: [], waiting: [], gone: [], back: [] });
});

t.test('issue 11 item 3: CN spec removed: its rows are dropped once their pods are gone past the grace time', async (t) => {
  const input = { ...base, desired: { fe: 3, be: 3, cn: 0 }, computeNodes: computeNodes([{ host: cn(0) }, { host: cn(1) }]) };
  const first = planMembershipReconcile({ ...input, podExists: { 'prod-cn-0': false, 'prod-cn-1': true } });
  t.same(first.actions, [], 'inside the grace time');
  t.same(first.gone, ['prod-cn-0']);
  t.match(first.waiting, [{ pod: 'prod-cn-0', reason: /grace 60 s/ }]);
  const later = planMembershipReconcile({ ...input, podExists: { 'prod-cn-0': false, 'prod-cn-1': false }, goneSince: { 'prod-cn-0': NOW - 61_000, 'prod-cn-1': NOW - 1000 } });
  t.match(later.actions, [{ kind: 'drop-compute-node', target: { host: cn(0), port: 9050 } }]);
  t.equal(later.actions.length, 1);
});

t.test('a BE ghost is decommissioned, dropped only at zero tablets, never with data', async (t) => {
  const input = { ...base, desired: { fe: 3, be: 3, cn: 1 }, podExists: { 'prod-be-3': false }, goneSince: { 'prod-be-3': NOW - 120_000 } };
  const rowsWith = (spec: Omit<NodeSpec, 'host'>) => backends([...[0, 1, 2].map((i) => ({ host: be(i) })), { ...spec, host: be(3) }]);
  t.match(planMembershipReconcile({ ...input, backends: rowsWith({ tablets: 40 }) }).actions, [{ kind: 'decommission-backend', target: { host: be(3) } }]);
  const moving = planMembershipReconcile({ ...input, backends: rowsWith({ tablets: 12, decommissioned: true }) });
  t.same(moving.actions, []);
  t.match(moving.waiting, [{ pod: 'prod-be-3', reason: /12 tablet/ }]);
  t.same(planMembershipReconcile({ ...input, backends: rowsWith({ tablets: 'NULL', decommissioned: true }) }).actions, [], 'unknown tablets: no drop');
  t.match(planMembershipReconcile({ ...input, backends: rowsWith({ tablets: 0, decommissioned: true }) }).actions, [{ kind: 'drop-backend' }]);
});

t.test('a pod that exists (restarting, crash looping, Pending) is never a ghost; one that came back is forgotten', async (t) => {
  const input = { ...base, desired: { fe: 3, be: 3, cn: 0 }, podExists: { 'prod-cn-0': true }, goneSince: { 'prod-cn-0': NOW - 600_000 } };
  const plan = planMembershipReconcile(input);
  t.same(plan.actions, []);
  t.same(plan.back, ['prod-cn-0']);
  t.same(planMembershipReconcile({ ...base, podExists: { 'prod-be-1': false }, goneSince: { 'prod-be-1': 0 } }).actions, [], 'below the desired count: a restart, never touched');
});

t.test('FE ghosts: one at a time, highest ordinal first, never breaking the majority, never the leader', async (t) => {
  const five = rows([0, 1, 2, 3, 4].map((i) => ({ host: fe(i), role: i === 0 ? 'LEADER' : 'FOLLOWER', alive: i < 3 }) as FeSpec));
  const input = { ...base, frontends: five, podExists: { 'prod-fe-3': false, 'prod-fe-4': false }, goneSince: { 'prod-fe-3': 0, 'prod-fe-4': 0 } };
  const plan = planMembershipReconcile(input);
  t.match(plan.actions, [{ kind: 'drop-frontend', role: 'FOLLOWER', target: { host: fe(4) } }]);
  t.equal(plan.actions.length, 1);
  t.match(plan.waiting, [{ pod: 'prod-fe-3', reason: /one at a time/ }]);
  // 3 voters, two alive, one a dead ghost above desired 2: dropping it leaves 2 voters, 2 alive.
  const dead = rows([0, 1, 2].map((i) => ({ host: fe(i), role: i === 0 ? 'LEADER' : 'FOLLOWER', alive: i !== 2 }) as FeSpec));
  t.match(planMembershipReconcile({ ...base, desired: { fe: 2, be: 3, cn: 1 }, frontends: dead, podExists: { 'prod-fe-2': false }, goneSince: { 'prod-fe-2': 0 } }).actions, [{ kind: 'drop-frontend' }]);
  // Majority would break: 3 voters, only the leader alive.
  const lonely = rows([0, 1, 2].map((i) => ({ host: fe(i), role: i === 0 ? 'LEADER' : 'FOLLOWER', alive: i === 0 }) as FeSpec));
  const held = planMembershipReconcile({ ...base, desired: { fe: 2, be: 3, cn: 1 }, frontends: lonely, podExists: { 'prod-fe-2': false }, goneSince: { 'prod-fe-2': 0 } });
  t.same(held.actions, []);
  t.match(held.waiting, [{ pod: 'prod-fe-2', reason: /below the majority/ }]);
});

t.test('property: a follower drop always leaves a majority of the remaining voters alive; a BE is dropped only at zero tablets', async () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ alive: fc.boolean(), observer: fc.boolean(), exists: fc.boolean() }), { minLength: 1, maxLength: 7 }),
      fc.integer({ min: 0, max: 7 }),
      fc.array(fc.record({ tablets: fc.constantFrom(0, 5, 'NULL' as const), decommissioned: fc.boolean(), exists: fc.boolean() }), { maxLength: 5 }),
      fc.integer({ min: 0, max: 5 }),
      (fes, desiredFe, bes, desiredBe) => {
        const frontends = rows(fes.map((f, i) => ({ host: fe(i), role: i === 0 ? 'LEADER' : f.observer ? 'OBSERVER' : 'FOLLOWER', alive: i === 0 || f.alive }) as FeSpec));
        const backendRows = backends(bes.map((b, i) => ({ host: be(i), tablets: b.tablets, decommissioned: b.decommissioned })));
        const podExists: Record<string, boolean> = {};
        fes.forEach((f, i) => (podExists[`prod-fe-${i}`] = i === 0 || f.exists));
        bes.forEach((b, i) => (podExists[`prod-be-${i}`] = b.exists));
        const goneSince = Object.fromEntries(Object.keys(podExists).map((p) => [p, 0]));
        const plan = planMembershipReconcile({ ...base, desired: { fe: desiredFe, be: desiredBe, cn: 1 }, frontends, backends: backendRows, computeNodes: [], podExists, goneSince });
        for (const action of plan.actions) {
          if (action.kind === 'drop-frontend') {
            const after = frontends.filter((r) => r.host !== action.target.host);
            if (after.length === frontends.length) return false;
            // An observer does not vote: its drop leaves the voters as they were.
            const dropped = frontends.find((r) => r.host === action.target.host);
            if (dropped?.role === 'OBSERVER' && action.role !== 'OBSERVER') return false;
            if (dropped?.role !== 'OBSERVER' && aliveVoters(after).length < majority(voters(after).length)) return false;
            if (frontends.find((r) => r.host === action.target.host)?.role === 'LEADER') return false;
          }
          if (action.kind === 'drop-backend') {
            const row = backendRows.find((r) => r.host === action.target.host);
            if (row?.tabletNum !== 0 || !row.systemDecommissioned) return false;
          }
        }
        return plan.actions.filter((a) => a.kind === 'drop-frontend').length <= 1;
      },
    ),
    { numRuns: 3000 },
  );
});
