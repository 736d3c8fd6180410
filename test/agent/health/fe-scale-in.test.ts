// FE scale-in 5 -> 3 through the real `prestop` command on the simulator (issue 6), with a fake
// Kubernetes API answering the StatefulSet's replicas, one pod at a time as the StatefulSet
// controller does: every step keeps a majority of the voters alive, and no dead member is left.
import t from 'tap';
import { runPrestop } from '../fixtures/health-pods.ts';
import type { FakeKubeCall, PrestopRun } from '../fixtures/health-pods.ts';
import { converged, dumpPods, startSimCluster } from '../fixtures/sim-pods.ts';
import type { ClusterView, SimPod } from '../fixtures/sim-pods.ts';

t.setTimeout(300_000);
const sim = await startSimCluster({ feVoters: 5 });
t.teardown(() => sim.stop());
const pods: SimPod[] = [0, 1, 2, 3, 4].map((ordinal) => sim.startPod('fe', ordinal));
const runs: PrestopRun[] = [];
t.teardown(() => {
  for (const run of runs) run.kill();
  if (!t.passing()) t.comment(`${dumpPods(pods)}\n${runs.map((r) => `--- prestop ${r.pid}\n${r.output().slice(-3000)}`).join('\n')}`);
});

// Quorum as the leader's view shows it: alive voters against a majority of all voters.
const quorum = (view: ClusterView): { voters: number; alive: number; kept: boolean } => {
  const voters = view.frontends.filter((f) => f.role !== 'OBSERVER');
  const alive = voters.filter((f) => f.alive).length;
  return { voters: voters.length, alive, kept: alive >= Math.floor(voters.length / 2) + 1 };
};

t.test('FE 5 -> 3: each leaving FE is dropped with quorum kept, no dead member left', async (t) => {
  await converged(sim, { fe: 5, be: 0, cn: 0 }, 150_000);
  const samples: Array<{ voters: number; alive: number; kept: boolean }> = [];
  let sampling = true;
  const sampler = (async () => {
    for (let i = 0; sampling && i < 2000; i++) {
      const view = await sim.view().catch(() => undefined);
      if (view !== undefined) samples.push(quorum(view));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  for (const replicas of [4, 3]) {
    const pod = pods[replicas] as SimPod;
    const run = runPrestop(pod, replicas);
    runs.push(run);
    const code = await Promise.race([run.exited, new Promise<number>((r) => setTimeout(() => r(-1), 120_000).unref())]);
    t.equal(code, 0, `${pod.name}: the preStop ended`);
    const events = run.calls().filter((c): c is Extract<FakeKubeCall, { call: 'emitEvent' }> => c.call === 'emitEvent');
    t.match(events, [{ reason: 'ScalingIn' }, { type: 'Normal', reason: 'Deregistered', message: /dropped FOLLOWER/ }], `${pod.name}: dropped as a follower`);
    t.equal(await pod.exited, 0, `${pod.name}: the pod stopped`);
    const view = await converged(sim, { fe: replicas, be: 0, cn: 0 }, 60_000);
    t.notOk(view.frontends.some((f) => f.host.startsWith(`${pod.name}.`)), `${pod.name} is no longer a member`);
  }
  sampling = false;
  await sampler;

  const lost = samples.filter((s) => !s.kept);
  t.ok(samples.length >= 5, `quorum sampled ${samples.length} times during the scale-in`);
  t.same(lost, [], 'a majority of the voters was alive at every sample');
  const view = await sim.view();
  t.equal(view?.frontends.length, 3, 'three FEs remain');
  t.ok(view?.frontends.every((f) => f.alive && f.join), 'all of them alive and joined: no dead member');
  t.equal(view?.frontends.filter((f) => f.role === 'LEADER').length, 1, 'one leader');
  t.equal(sim.world.clusterIdsCreated().length, 1, 'one cluster throughout');
});
