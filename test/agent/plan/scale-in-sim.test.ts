// The shutdown plans driven step by step against the StarRocks simulator: BE 4 -> 3 with a
// decommission that migrates every tablet, a decommission StarRocks refuses, a CN scale-in after
// a graceful stop, and an FE follower dropped through the leader. The agent's own path is used
// throughout: plans, FeClient statements, observations.
import t from 'tap';
import { observeFePeers, readNodeView } from '../../../agent/membership/observe.ts';
import { planFeStart } from '../../../agent/plan/fe-start-plan.ts';
import { planRegistration } from '../../../agent/plan/registration.ts';
import { planBeScaleIn, planCnScaleIn, planFeScaleIn } from '../../../agent/plan/shutdown.ts';
import { createFeClient } from '../../../agent/sql/fe-client.ts';
import type { FeClient } from '../../../agent/sql/fe-client.ts';
import { hostPort, hostPortText } from '../../../agent/sql/host-port.ts';
import type { HostPort } from '../../../agent/sql/host-port.ts';
import type { SqlFailure } from '../../../agent/sql/sql-error.ts';
import { addBackend, addComputeNode, addFrontend, decommissionBackend, dropBackend, dropComputeNode, dropFrontend } from '../../../agent/sql/statements.ts';
import { SimWorld } from '../../sim/world/sim-world.ts';

const world = await SimWorld.start({
  profile: '3.3',
  heartbeatIntervalMs: 150,
  heartbeatRetries: 2,
  joinPollMs: 150,
  tabletSchedulerIntervalMs: 60,
  tabletMovesPerRound: 4,
  backendGracefulExitMs: 300,
  feGracefulExitMs: 300,
  noLeaderTimeoutMs: 3000,
});
t.teardown(() => world.stop());
const clients: FeClient[] = [];
const client = (ip: string): FeClient => {
  const c = createFeClient({ host: ip, port: 9030, password: '', timeoutMs: 10_000 });
  clients.push(c);
  return c;
};
t.teardown(() => Promise.all(clients.map((c) => c.close())));

const fe0 = world.spawn({ component: 'fe' });
const bes = [0, 1, 2, 3].map(() => world.spawn({ component: 'be' }));
const cn = world.spawn({ component: 'cn' });
await world.waitOpen(fe0.ip);
for (const node of [...bes, cn]) await world.waitOpen(node.ip);
const leader = client(fe0.ip);

// Every node registers itself the way the agent does.
for (const node of [...bes, cn]) {
  const component = node.component === 'cn' ? 'cn' : 'be';
  const self = hostPort(node.ip, 9050);
  await world.waitFor(
    async () => {
      const decision = planRegistration({ component, self, view: await readNodeView(leader, component) });
      if (decision.kind === 'add') await leader.exec(component === 'be' ? addBackend(self) : addComputeNode(self));
      return decision.kind === 'registered';
    },
    { what: `${hostPortText(self)} registered`, timeoutMs: 90_000 },
  );
}
await world.waitFor(async () => {
  const view = await readNodeView(leader, 'be');
  return view.kind === 'rows' && view.rows.length === 4 && view.rows.every((r) => r.alive);
}, { what: '4 BEs alive' });
world.createTable({ db: 'db1', table: 'orders', buckets: 12, replicationNum: 3 });

t.test('BE 4 -> 3: decommission, every tablet migrates, the row goes, nothing lost', async (t) => {
  const self = hostPort((bes[3] as { ip: string }).ip, 9050);
  let tabletsAtStart: number | undefined;
  const steps: string[] = [];
  await world.waitFor(
    async () => {
      const step = planBeScaleIn({ self, view: await readNodeView(leader, 'be') });
      if (step.kind === 'wait-tablets' || step.kind === 'decommission') tabletsAtStart ??= step.tablets;
      if (steps.at(-1) !== step.kind) steps.push(step.kind);
      if (step.kind === 'decommission') await leader.exec(decommissionBackend(step.target));
      if (step.kind === 'drop') await leader.exec(dropBackend(step.target));
      if (step.kind === 'blocked') throw new Error(step.reason);
      return step.kind === 'done';
    },
    { what: `${hostPortText(self)} decommissioned and dropped`, timeoutMs: 90_000 },
  );
  t.equal(steps[0], 'decommission');
  t.ok(steps.includes('wait-tablets'), steps.join(' > '));
  t.equal(steps.at(-1), 'done');
  t.ok((tabletsAtStart ?? 0) > 0, `${tabletsAtStart} tablets at the start`);
  t.same(world.lostTablets(), [], 'zero lost tablets');
  t.same(world.underReplicatedTablets(), [], 'zero under-replicated tablets');
  const view = await readNodeView(leader, 'be');
  t.ok(view.kind === 'rows' && view.rows.length === 3 && !view.rows.some((r) => r.host === self.host), 'no ghost');
});

t.test('a decommission StarRocks refuses leaves the BE registered, with the reason', async (t) => {
  const self = hostPort((bes[2] as { ip: string }).ip, 9050);
  let refusal: SqlFailure | undefined;
  for (let turn = 0; turn < 3; turn++) {
    const step = planBeScaleIn({ self, view: await readNodeView(leader, 'be'), refusal });
    if (step.kind === 'decommission') {
      const outcome = await leader.exec(decommissionBackend(step.target));
      if (!outcome.ok) refusal = outcome.failure;
      continue;
    }
    t.equal(step.kind, 'blocked');
    t.match(step.reason, /insufficient BE number .* requires 3 replicas/);
    break;
  }
  t.equal(refusal?.kind, 'insufficient_be_number');
  const view = await readNodeView(leader, 'be');
  const row = view.kind === 'rows' ? view.rows.find((r) => r.host === self.host) : undefined;
  t.ok(row !== undefined && !row.systemDecommissioned && row.tabletNum !== 0, 'still registered, not decommissioned, data kept');
});

t.test('CN scale-in: graceful stop, then DROP with the registered form; a re-run is done', async (t) => {
  const self = hostPort(cn.ip, 9050);
  t.equal(planCnScaleIn({ self, view: await readNodeView(leader, 'cn'), stopped: false }).kind, 'graceful-stop');
  const stopped = await world.stopScript(cn, ['-g']);
  t.equal(stopped.code, 0);
  const step = planCnScaleIn({ self, view: await readNodeView(leader, 'cn'), stopped: true });
  t.ok(step.kind === 'drop' && hostPortText(step.target) === `${cn.ip}:9050`);
  if (step.kind === 'drop') t.same(await leader.exec(dropComputeNode(step.target)), { ok: true, value: undefined });
  t.equal(planCnScaleIn({ self, view: await readNodeView(leader, 'cn'), stopped: true }).kind, 'done');
  const view = await readNodeView(leader, 'cn');
  t.ok(view.kind === 'rows' && view.rows.length === 0, 'no CN row behind');
});

t.test('FE scale-in: a follower is dropped through the leader, keeping the majority', async (t) => {
  // Two followers join the way the agent joins them.
  const followers: HostPort[] = [];
  for (let i = 0; i < 2; i++) {
    const ip = world.addresses.next();
    const self = hostPort(ip, 9010);
    const plan = planFeStart({
      ordinal: i + 1,
      self,
      hostType: 'IP',
      voters: 3,
      selfResolves: true,
      meta: { kind: 'empty' },
      fence: { kind: 'absent' }, record: { kind: 'absent' },
      peers: await observeFePeers([{ fqdn: 'fe-0.sim', ip: fe0.ip, queryPort: 9030 }], () => leader),
    });
    t.ok(plan.kind === 'join' && plan.needsAdd && plan.role === 'FOLLOWER', plan.kind);
    if (plan.kind !== 'join') return;
    t.same(await leader.exec(addFrontend(plan.role, self)), { ok: true, value: undefined });
    world.spawn({ component: 'fe', ip, args: ['--helper', hostPortText(plan.helper)] });
    await world.waitOpen(ip);
    followers.push(self);
  }
  await world.waitFor(async () => {
    const r = await leader.showFrontends();
    return r.ok && r.value.length === 3 && r.value.every((f) => f.alive);
  }, { what: '3 FEs alive' });
  const leaving = followers[1] as HostPort;
  const view = await leader.showFrontends();
  t.ok(view.ok);
  if (!view.ok) return;
  const step = planFeScaleIn({ self: leaving, view: { kind: 'rows', rows: view.value }, stopped: false, higher: [] });
  t.ok(step.kind === 'drop' && step.role === 'FOLLOWER' && step.via.host === fe0.ip, step.kind);
  if (step.kind !== 'drop') return;
  t.same(await leader.exec(dropFrontend(step.role, step.target)), { ok: true, value: undefined });
  const after = await leader.showFrontends();
  t.ok(after.ok && after.value.length === 2);
  if (after.ok) {
    t.equal(planFeScaleIn({ self: leaving, view: { kind: 'rows', rows: after.value }, stopped: false, higher: [] }).kind, 'done', 'a re-run is done');
    // Two voters left, both alive: dropping the follower leaves one alive voter, a majority of one.
    const next = planFeScaleIn({ self: followers[0] as HostPort, view: { kind: 'rows', rows: after.value }, stopped: false, higher: [] });
    t.equal(next.kind, 'drop', 'one voter remaining, alive: still a majority');
  }
});
