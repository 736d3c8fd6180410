// FE ordinal 0 never bootstraps while a peer holds a cluster, however slow or broken DNS is: a
// running 3-FE cluster, FE 0 loses its meta and comes back while the FE search service does not
// answer. With the fence it waits; with the fence lost it still waits, because a DNS failure is
// doubt, not "nobody there". Once DNS answers (slowly) it joins the existing cluster.
import t from 'tap';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { names } from '../../../agent/contract/index.ts';
import { addsByTarget, converged, eventually, startSimCluster, writeDump } from '../fixtures/sim-pods.ts';
import type { SimCluster, SimPod } from '../fixtures/sim-pods.ts';

const SRV = '_query-port._tcp.sr-fe-search.data.svc.cluster.local';

// Many real processes on a shared 2-core machine: allow more than the default per-file time.
t.setTimeout(300_000);

t.test('FE 0 with wiped meta waits through DNS failures and joins, never bootstraps', async (t) => {
  const sim = await startSimCluster();
  t.teardown(() => sim.stop());
  const began = Date.now();
  const phase = (what: string): void => t.comment(`${what} after ${((Date.now() - began) / 1000).toFixed(1)} s`);
  const pods: SimPod[] = [0, 1, 2].map((ordinal) => sim.startPod('fe', ordinal));
  const fail = (error: unknown): never => {
    writeDump(pods, 'fe0');
    throw error;
  };
  await converged(sim, { fe: 3, be: 0, cn: 0 }, 150_000).catch(fail);
  phase('3 FEs converged');
  t.equal(sim.world.clusterIdsCreated().length, 1, 'one cluster');
  const fencePath = join(sim.fenceDir, `${names(sim.cluster).fence}.json`);
  await eventually(async () => existsSync(fencePath), { timeoutMs: 30_000, what: 'the bootstrap fence' });

  /** Kill FE 0, wipe its meta, and start it again under a DNS fault; check it waits. */
  const restartFe0Under = async (what: string, fault: Parameters<SimCluster['dns']['setFault']>[0]): Promise<SimPod> => {
    const old = pods[0] as SimPod;
    old.kill();
    await old.exited;
    rmSync(join(old.root, 'fe', 'meta'), { recursive: true, force: true });
    const clearFault = sim.dns.setFault(fault);
    const queriesBefore = sim.dns.queryCount(SRV, 'SRV');
    const fe0 = sim.startPod('fe', 0);
    pods[0] = fe0;
    let initDone = false;
    void fe0.init.then(() => (initDone = true));
    // Several full observations, each ending in a DNS failure: enough chances to go wrong.
    await eventually(async () => sim.dns.queryCount(SRV, 'SRV') - queriesBefore >= 4, {
      timeoutMs: 120_000,
      what: `FE 0 to ask DNS for its peers several times (${what})`,
    }).catch(fail);
    phase(`${what}: FE 0 waited`);
    t.notOk(initDone, `${what}: FE 0's init is still waiting (no exit, no crash loop)`);
    t.equal(sim.world.clusterIdsCreated().length, 1, `${what}: no second cluster`);
    t.match(fe0.output(), /waiting/, `${what}: FE 0 says it waits`);
    t.notMatch(fe0.output(), /bootstrapping a new cluster/, `${what}: FE 0 did not plan a bootstrap`);
    clearFault();
    return fe0;
  };

  const joined = async (fe0: SimPod, what: string): Promise<void> => {
    const view = await converged(sim, { fe: 3, be: 0, cn: 0 }, 150_000).catch(fail);
    phase(`${what}: FE 0 joined`);
    t.ok(view.frontends.some((f) => f.host.startsWith('sr-fe-0.') && f.alive), `${what}: FE 0 is back and alive`);
    t.equal(await fe0.init, 0, `${what}: FE 0's init exited 0 after joining`);
    t.equal(sim.world.clusterIdsCreated().length, 1, `${what}: still exactly one cluster`);
    t.notMatch(fe0.output(), /bootstrapping a new cluster/, `${what}: FE 0 never bootstrapped`);
  };

  // 1. The fence is there; the search service's SRV queries go unanswered (a DNS timeout), then
  //    DNS answers again, slowly.
  const a = await restartFe0Under('fence present, DNS drops', { match: SRV, kind: 'drop', types: ['SRV'] });
  const slow = sim.dns.setFault({ match: SRV, kind: 'delay', delayMs: 300, types: ['SRV'] });
  await joined(a, 'fence present, DNS drops');
  slow();

  // 2. The fence is lost too and DNS answers SERVFAIL: with no peer list, FE 0 must not take the
  //    silence for an empty cluster.
  rmSync(fencePath);
  const b = await restartFe0Under('fence lost, DNS SERVFAIL', { match: SRV, kind: 'servfail', types: ['SRV'] });
  await joined(b, 'fence lost, DNS SERVFAIL');

  const adds = addsByTarget(sim.world);
  t.equal(adds.size, 2, `two followers were added, FE 0 never (it stayed in the group): ${JSON.stringify([...adds])}`);
  t.ok([...adds.values()].every((n) => n === 1), 'no node was added twice');
});
