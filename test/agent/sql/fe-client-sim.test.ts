// The FeClient and the pure plans against the StarRocks simulator (test/sim), for every version
// profile: a bootstrap and a join decided by planFeStart and carried out with the client's
// statements, BE registration and recommission by planRegistration, and the FE's real error
// texts classified. IP mode, so no DNS is needed here; FQDN mode is the component tests' job.
import t from 'tap';
import { findLeader } from '../../../agent/membership/queries.ts';
import { planFeStart } from '../../../agent/plan/fe-start-plan.ts';
import type { FeStartInput } from '../../../agent/plan/fe-start-plan.ts';
import { observeFePeers, readNodeView } from '../../../agent/membership/observe.ts';
import { planRegistration } from '../../../agent/plan/registration.ts';
import { createFeClient } from '../../../agent/sql/fe-client.ts';
import type { FeClient, StatementRecord } from '../../../agent/sql/fe-client.ts';
import { hostPort, hostPortText } from '../../../agent/sql/host-port.ts';
import {
  addBackend,
  addComputeNode,
  addFrontend,
  cancelDecommissionBackend,
  decommissionBackend,
  dropBackend,
  dropFrontend,
  setFrontendConfig,
} from '../../../agent/sql/statements.ts';
import { SimWorld } from '../../sim/world/sim-world.ts';


for (const profile of ['3.3', '3.5', '4.1'] as const) {
  t.test(`profile ${profile}`, async (t) => {
    const world = await SimWorld.start({ profile, heartbeatIntervalMs: 200, joinPollMs: 150, noLeaderTimeoutMs: 3000 });
    t.teardown(() => world.stop());
    const records: StatementRecord[] = [];
    const clients: FeClient[] = [];
    const client = (ip: string, timeoutMs = 10_000, password = ''): FeClient => {
      const c = createFeClient({ host: ip, port: 9030, password, timeoutMs, onStatement: (r) => records.push(r) });
      clients.push(c);
      return c;
    };
    t.teardown(() => Promise.all(clients.map((c) => c.close())));

    const ip0 = world.addresses.next();
    const ip1 = world.addresses.next();
    const base = (ip: string, ordinal: number): FeStartInput => ({
      ordinal,
      self: hostPort(ip, 9010),
      hostType: 'IP',
      voters: 3,
      selfResolves: true,
      meta: { kind: 'empty' },
      fence: { kind: 'absent' }, record: { kind: 'absent' },
      peers: [],
    });

    // Peers as DNS discovery gives them; fe-2's name does not resolve yet.
    const c0 = client(ip0);
    const c1 = client(ip1);
    const byIp = new Map([[ip0, c0], [ip1, c1]]);
    const peers = [
      { fqdn: 'fe-0.sim', ip: ip0, queryPort: 9030 },
      { fqdn: 'fe-1.sim', ip: ip1, queryPort: 9030 },
      { fqdn: 'fe-2.sim', ip: undefined, queryPort: 9030 },
    ];
    const observe = () => observeFePeers(peers, (p) => byIp.get(p.ip) as FeClient);

    // fe-0: nothing listens at fe-1 yet and fe-2 does not exist, so it bootstraps.
    const before = await observe();
    t.same(before.map((o) => o.result.kind === 'failed' ? o.result.failure.kind : o.result.kind), ['connection_refused', 'connection_refused', 'unresolved']);
    const first = planFeStart({ ...base(ip0, 0), peers: before });
    t.equal(first.kind, 'bootstrap', 'reason' in first ? first.reason : '');
    const fe0 = world.spawn({ component: 'fe', ip: ip0 });
    await world.waitOpen(fe0.ip);

    // fe-1: the leader answers for itself (matched by its address); ADD FOLLOWER on it, then start with its helper.
    const second = planFeStart({ ...base(ip1, 1), peers: await observe() });
    t.ok(second.kind === 'join' && second.needsAdd && second.role === 'FOLLOWER' && second.leader.host === 'fe-0.sim', second.kind);
    if (second.kind !== 'join') return;
    t.equal(hostPortText(second.helper), `${ip0}:9010`);
    t.same(await c0.exec(addFrontend(second.role, hostPort(ip1, 9010))), { ok: true, value: undefined });
    const again = await c0.exec(addFrontend(second.role, hostPort(ip1, 9010)));
    t.ok(!again.ok && again.failure.kind === 'already_exists', 'a second ADD is "already exists"');
    const rerun = planFeStart({ ...base(ip1, 1), peers: await observe() });
    t.ok(rerun.kind === 'join' && !rerun.needsAdd, 'a re-run after the ADD does not add again (W1)');
    const fe1 = world.spawn({ component: 'fe', ip: ip1, args: ['--helper', hostPortText(second.helper)] });
    await world.waitOpen(fe1.ip);
    const view = await c1.showFrontends();
    t.ok(view.ok);
    if (view.ok) {
      t.equal(view.value.length, 2);
      t.equal(findLeader(view.value)?.host, ip0, 'forwarded to the leader: same view from a follower');
      t.equal(new Set(view.value.map((r) => r.clusterId)).size, 1, 'one cluster id');
      t.same(world.clusterIdsCreated().length, 1);
      t.equal(view.value.find((r) => r.host === ip1)?.id !== undefined, profile !== '3.3', 'Id column from 3.5 on');
    }

    // BE registration: absent, add, registered; decommission, then recommission.
    const be = hostPort('127.0.0.9', 9050);
    const registration = async () => planRegistration({ component: 'be', self: be, view: await readNodeView(c0, 'be') });
    t.equal((await registration()).kind, 'add');
    t.same(await c0.exec(addBackend(be)), { ok: true, value: undefined });
    const dup = await c1.exec(addBackend(be));
    t.ok(!dup.ok && dup.failure.kind === 'already_exists', 'through a follower too');
    t.equal((await registration()).kind, 'registered');
    // An empty BE would be dropped by the FE as soon as it is decommissioned: keep the row.
    t.same(await c0.exec(setFrontendConfig('drop_backend_after_decommission', 'false')), { ok: true, value: undefined });
    t.equal(world.cluster()?.dropBackendAfterDecommission, false);
    t.same(await c0.exec(decommissionBackend(be)), { ok: true, value: undefined });
    const decommissioning = await registration();
    t.equal(decommissioning.kind, 'recommission');
    if (decommissioning.kind === 'recommission') t.same(await c0.exec(cancelDecommissionBackend(decommissioning.target)), { ok: true, value: undefined });
    t.equal((await registration()).kind, 'registered');
    const cnHost = hostPort('127.0.0.8', 9050);
    t.same(await c0.exec(addComputeNode(cnHost)), { ok: true, value: undefined });
    t.match(planRegistration({ component: 'be', self: cnHost, view: await readNodeView(c0, 'be') }), { kind: 'refuse', reason: /registered as a CN/ });
    t.equal(planRegistration({ component: 'cn', self: cnHost, view: await readNodeView(c0, 'cn') }).kind, 'registered');

    // The FE's own error texts.
    const unknown = await c0.exec(dropBackend(hostPort('127.0.0.10', 9050)));
    t.ok(!unknown.ok && unknown.failure.kind === 'does_not_exist', !unknown.ok ? unknown.failure.message : '');
    const leaderDrop = await c0.exec(dropFrontend('FOLLOWER', hostPort(ip0, 9010)));
    t.ok(!leaderDrop.ok && leaderDrop.failure.kind === 'cannot_drop_leader', !leaderDrop.ok ? leaderDrop.failure.message : '');

    // Auth and deadline.
    const denied = await client(ip0, 10_000, 'not-the-password').showFrontends();
    t.ok(!denied.ok && denied.failure.kind === 'auth' && denied.failure.errno === 1045);
    const slow = client(ip0, 300);
    world.setSqlLatency(ip0, 5000);
    const late = await slow.showBackends();
    t.ok(!late.ok && late.failure.kind === 'timeout', 'a slow FE is cut at the deadline');
    world.setSqlLatency(ip0, 0);
    t.ok((await slow.showBackends()).ok, 'and the next statement reconnects');

    // What the FE received is exactly what the builders produced.
    const received = world.statements().filter((s) => s.sql.startsWith('ALTER') || s.sql.startsWith('CANCEL') || s.sql.startsWith('ADMIN'));
    t.same(received.map((s) => s.sql), [
      `ALTER SYSTEM ADD FOLLOWER "${ip1}:9010"`,
      `ALTER SYSTEM ADD FOLLOWER "${ip1}:9010"`,
      'ALTER SYSTEM ADD BACKEND "127.0.0.9:9050"',
      'ALTER SYSTEM ADD BACKEND "127.0.0.9:9050"',
      'ADMIN SET FRONTEND CONFIG ("drop_backend_after_decommission" = "false")',
      'ALTER SYSTEM DECOMMISSION BACKEND "127.0.0.9:9050"',
      'CANCEL DECOMMISSION BACKEND "127.0.0.9:9050"',
      'ALTER SYSTEM ADD COMPUTE NODE "127.0.0.8:9050"',
      'ALTER SYSTEM DROP BACKEND "127.0.0.10:9050"',
      `ALTER SYSTEM DROP FOLLOWER "${ip0}:9010"`,
    ]);
    t.ok(records.some((r) => r.kind === 'show_frontends' && r.outcome === 'connection_refused'), 'metrics record the refused peer');
  });
}
