// The agent against the simulator: a fresh 3 FE / 3 BE / 1 CN cluster comes up with one cluster
// id, no node is added twice, and FE restarts rejoin without a new ADD.
import t from 'tap';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { addsByTarget, converged, eventually, startSimCluster, writeDump } from '../fixtures/sim-pods.ts';
import type { SimPod } from '../fixtures/sim-pods.ts';

// Many real processes on a shared 2-core machine: allow more than the default per-file time.
t.setTimeout(300_000);

// On the newest StarRocks line (4.1 columns and versions); fe-group-down runs 3.5, the world e2e 3.3.
t.test('4.1 profile: fresh cluster, FE restart with meta, FE with wiped meta', async (t) => {
  const sim = await startSimCluster({ profile: '4.1' });
  t.equal(sim.world.profile.name, '4.1', 'the world speaks 4.1');
  t.teardown(() => sim.stop());
  const pods: SimPod[] = [];
  for (const ordinal of [0, 1, 2]) pods.push(sim.startPod('fe', ordinal));
  for (const ordinal of [0, 1, 2]) pods.push(sim.startPod('be', ordinal));
  pods.push(sim.startPod('cn', 0));
  const view = await converged(sim, { fe: 3, be: 3, cn: 1 }, 150_000).catch((error: unknown) => {
    writeDump(pods, 'fresh-cluster');
    throw error;
  });
  t.equal(sim.world.clusterIdsCreated().length, 1, 'exactly one cluster was ever created');
  t.equal(view.frontends.filter((f) => f.role === 'LEADER').length, 1, 'one leader');
  t.ok(view.frontends.every((f) => f.host.endsWith('.sr-fe-search.data.svc.cluster.local')), 'FEs registered by FQDN');

  const adds = (): Map<string, number> => addsByTarget(sim.world);
  const before = adds();
  t.equal(before.size, 6, 'two followers, three BEs and one CN were added');
  t.ok([...before.values()].every((n) => n === 1), `no node was added twice: ${JSON.stringify([...before])}`);
  t.ok(pods.every((p) => !/ERR_/.test(p.output())), 'no agent error');

  // Restart FE 1 with its meta: graceful stop through preStop, start again, rejoin with no ADD.
  const fe1 = pods[1] as SimPod;
  const fe1code = await fe1.stop();
  t.equal(fe1code, 0, 'FE 1 stopped gracefully with exit code 0');
  if (fe1code !== 0) t.comment(fe1.output().slice(-6000));
  const fe1again = sim.startPod('fe', 1);
  await eventually(
    async () => {
      const v = await sim.view();
      const row = v?.frontends.find((f) => f.host.startsWith('sr-fe-1.'));
      // The row's Alive may still be the stopped process's: the new one must have opened its ports
      // too, or killing FE 2 next leaves the leader without a majority (and a deposed leader exits).
      return row !== undefined && row.alive && sim.world.isOpen(fe1again.ip) && (await fe1again.init) === 0;
    },
    { timeoutMs: 120_000, what: 'FE 1 back and alive' },
  );
  t.same(adds(), before, 'the restart sent no ADD');
  t.match(fe1again.output(), /restarting from meta, no helper/);

  // FE 2 loses its meta: it rejoins the existing cluster as a new member, never bootstraps.
  const fe2 = pods[2] as SimPod;
  fe2.kill();
  await fe2.exited;
  rmSync(join(fe2.root, 'fe', 'meta'), { recursive: true, force: true });
  const fe2again = sim.startPod('fe', 2);
  await eventually(
    async () => {
      const v = await sim.view();
      const row = v?.frontends.find((f) => f.host.startsWith('sr-fe-2.'));
      return row !== undefined && row.alive && row.join;
    },
    { timeoutMs: 120_000, what: 'FE 2 rejoined after losing its meta' },
  ).catch((error: unknown) => {
    t.comment(fe2again.output().slice(-4000));
    throw error;
  });
  t.equal(sim.world.clusterIdsCreated().length, 1, 'still exactly one cluster');
  t.notMatch(fe2again.output(), /bootstrapping a new cluster/);
});
