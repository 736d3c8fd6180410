// FE scale-in 5 -> 3 through the real `prestop` command on the simulator (issue 6), with a fake
// Kubernetes API answering the StatefulSet's replicas, both leaving pods at once as a StatefulSet
// with Parallel pod management deletes them: every step keeps a majority of the voters alive, and
// no dead member is left.
import t from 'tap';
import { runPrestop } from '../fixtures/health-pods.ts';
import type { FakeKubeCall, PrestopRun } from '../fixtures/health-pods.ts';
import { converged, dumpPods, startSimCluster } from '../fixtures/sim-pods.ts';
import type { ClusterView, SimPod } from '../fixtures/sim-pods.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

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

t.test('FE 5 -> 3 with Parallel pods (both preStops at once): one drop at a time, quorum kept, no dead member left', async (t) => {
  await converged(sim, { fe: 5, be: 0, cn: 0 }, 150_000);
  const samples: Array<{ voters: number; alive: number; kept: boolean }> = [];
  let sampling = true;
  const sampler = (async () => {
    for (let i = 0; sampling && i < 2000; i++) {
      const view = await sim.view().catch(() => undefined);
      if (view !== undefined) samples.push(quorum(view));
      await sleep(100);
    }
  })();

  // Parallel pod management: the StatefulSet deletes FE 3 and FE 4 at once, both preStops run
  // together. They must still drop one at a time, highest ordinal first (issue 11 item 4).
  const leaving = [pods[3], pods[4]] as SimPod[];
  const started = leaving.map((pod) => ({ pod, run: runPrestop(pod, 3) }));
  runs.push(...started.map((s) => s.run));
  for (const { pod, run } of started) {
    const code = await Promise.race([run.exited, new Promise<number>((r) => setTimeout(() => r(-1), 180_000).unref())]);
    t.equal(code, 0, `${pod.name}: the preStop ended`);
    const events = run.calls().filter((c): c is Extract<FakeKubeCall, { call: 'emitEvent' }> => c.call === 'emitEvent');
    t.match(events, [{ reason: 'ScalingIn' }, { type: 'Normal', reason: 'Deregistered', message: /dropped FOLLOWER/ }], `${pod.name}: dropped as a follower`);
    t.equal(await pod.exited, 0, `${pod.name}: the pod stopped`);
  }
  const drops = sim.world
    .statements()
    .filter((s) => s.result === 'ok' && /^ALTER SYSTEM DROP FOLLOWER/.test(s.sql))
    .map((s) => /"(sr-fe-\d+)\./.exec(s.sql)?.[1]);
  t.same(drops, ['sr-fe-4', 'sr-fe-3'], 'dropped one at a time, highest ordinal first');
  const after = await converged(sim, { fe: 3, be: 0, cn: 0 }, 60_000);
  t.notOk(after.frontends.some((f) => /^sr-fe-[34]\./.test(f.host)), 'FE 3 and FE 4 are no longer members');
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
