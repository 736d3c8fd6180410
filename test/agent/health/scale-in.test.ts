// Scale-in through the real `prestop` command on the simulator (issue 6), with a fake Kubernetes
// API answering the StatefulSet's replicas: a CN restart keeps the CN and a CN scale-in drops it;
// BE 4 -> 3 decommissions the highest ordinal, migrates every tablet and leaves no ghost; a
// decommission StarRocks refuses keeps the BE registered with the reason visible; an API server
// away for a moment is waited for; one that cannot be reached within the budget deregisters nothing.
import t from 'tap';
import { getAgent, runPrestop } from '../fixtures/health-pods.ts';
import type { FakeKubeCall, FakeReplicas, PrestopRun } from '../fixtures/health-pods.ts';
import { converged, dumpPods, eventually, startSimCluster } from '../fixtures/sim-pods.ts';
import type { SimPod } from '../fixtures/sim-pods.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

t.setTimeout(300_000);
const sim = await startSimCluster({ world: { tabletMovesPerRound: 4 } });
t.teardown(() => sim.stop());
const pods: SimPod[] = [];
const runs: PrestopRun[] = [];
t.teardown(() => {
  for (const run of runs) run.kill();
  if (!t.passing()) t.comment(`${dumpPods(pods)}\n${runs.map((r) => `--- prestop ${r.pid}\n${r.output().slice(-3000)}`).join('\n')}`);
});

pods.push(sim.startPod('fe', 0));
for (const ordinal of [0, 1, 2, 3]) pods.push(sim.startPod('be', ordinal));
pods.push(sim.startPod('cn', 0));
const [, be0, be1, be2, be3, cn0] = pods as [SimPod, SimPod, SimPod, SimPod, SimPod, SimPod];
await converged(sim, { fe: 1, be: 4, cn: 1 }, 100_000);
sim.world.createTable({ db: 'db1', table: 'orders', buckets: 12, replicationNum: 3 });

const prestop = (pod: SimPod, replicas: FakeReplicas): PrestopRun => {
  const run = runPrestop(pod, replicas);
  runs.push(run);
  return run;
};
const finished = (run: PrestopRun, what: string): Promise<number> =>
  Promise.race([run.exited, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`${what}: prestop still running`)), 120_000).unref())]);
const events = (run: PrestopRun): Array<Extract<FakeKubeCall, { call: 'emitEvent' }>> =>
  run.calls().filter((c): c is Extract<FakeKubeCall, { call: 'emitEvent' }> => c.call === 'emitEvent');
const statementsFor = (pattern: RegExp, host: string): string[] =>
  sim.world
    .statements()
    .map((s) => s.sql)
    .filter((sql) => pattern.test(sql) && sql.includes(host));
const fqdn = (pod: SimPod): string => `${pod.name}.sr-${pod.component}-search.data.svc.cluster.local`;

t.test('CN: a restart keeps it registered, a scale-in drops it', async (t) => {
  const restart = prestop(cn0, 1);
  t.equal(await finished(restart, 'CN restart'), 0, 'the restart preStop ended');
  t.match(events(restart), [{ type: 'Normal', reason: 'Restarting' }]);
  t.equal(await cn0.exited, 0, 'the CN pod stopped');
  const again = sim.startPod('cn', 0);
  pods.push(again);
  await converged(sim, { fe: 1, be: 4, cn: 1 }, 60_000);
  t.same(statementsFor(/DROP COMPUTE NODE/i, fqdn(cn0)), [], 'no DROP COMPUTE NODE for a restart');

  const scaleIn = prestop(again, 0);
  t.equal(await finished(scaleIn, 'CN scale-in'), 0, 'the scale-in preStop ended');
  t.match(events(scaleIn), [{ reason: 'ScalingIn' }, { type: 'Normal', reason: 'Deregistered' }]);
  const view = await sim.view();
  t.same(view?.computeNodes, [], 'no CN row is left behind');
  t.equal(statementsFor(/DROP COMPUTE NODE/i, fqdn(cn0)).length, 1, 'dropped once, with the host form it was added with');
});

t.test('CN scale-in with the API server away for 3 calls: the preStop waits for it and still drops the CN', async (t) => {
  const cn = sim.startPod('cn', 0);
  pods.push(cn);
  await converged(sim, { fe: 1, be: 4, cn: 1 }, 60_000);
  const scaleIn = prestop(cn, { unreachableCalls: 3, replicas: 0 });
  t.equal(await finished(scaleIn, 'CN scale-in after a blip'), 0, 'the scale-in preStop ended');
  t.same(
    scaleIn.calls().flatMap((c) => (c.call === 'statefulSetReplicas' ? [c.answer] : [])),
    ['unreachable', 'unreachable', 'unreachable', 0],
    'the StatefulSet was read again until the API server answered',
  );
  t.match(scaleIn.output(), /cannot be reached; trying again/, 'the log says it is waiting for the API server');
  t.match(events(scaleIn), [{ reason: 'ScalingIn' }, { type: 'Normal', reason: 'Deregistered' }]);
  t.same((await sim.view())?.computeNodes, [], 'no CN row is left behind');
});

t.test('BE 4 -> 3: the highest ordinal decommissions, every tablet migrates, no ghost', async (t) => {
  const run = prestop(be3, 3);
  t.equal(await finished(run, 'BE 3 scale-in'), 0, 'the preStop ended');
  t.match(run.calls().find((c) => c.call === 'statefulSetReplicas'), { name: 'sr-be', answer: 3 }, 'the replicas were read from the BE StatefulSet');
  t.ok(statementsFor(/DECOMMISSION BACKEND/i, fqdn(be3)).length >= 1, 'DECOMMISSION BACKEND was sent for BE 3');
  t.same(sim.world.lostTablets(), [], 'zero lost tablets');
  t.same(sim.world.underReplicatedTablets(), [], 'zero under-replicated tablets');
  const view = await sim.view();
  t.same(
    view?.backends.map((b) => b.host).sort(),
    [be0, be1, be2].map(fqdn).sort(),
    'BE 3 is gone from SHOW BACKENDS, the others stay',
  );
  const progress = run
    .calls()
    .flatMap((c) => (c.call === 'annotateSelf' ? [c.annotations['starrocks.com/agent-decommission']] : []))
    .filter((v): v is string => typeof v === 'string');
  t.ok(progress.some((p) => /wait-tablets|decommission/.test(p)), `decommission progress recorded in the pod annotation: ${progress.join(' | ')}`);
  t.match(events(run).at(-1), { type: 'Normal', reason: 'Decommissioned' });
  t.equal(await be3.exited, 0, 'the BE pod then stopped');
});

t.test('a decommission StarRocks refuses keeps the BE registered, the reason visible', async (t) => {
  // Three BEs are left for a table with three replicas: StarRocks refuses to decommission one.
  const run = prestop(be2, 2);
  const refused = await eventually(async () => events(run).find((e) => e.reason === 'DecommissionRefused'), {
    timeoutMs: 60_000,
    what: 'the DecommissionRefused event',
  });
  t.match(refused, { type: 'Warning', message: /insufficient BE number/ });
  const status = JSON.parse((await getAgent(be2, '/status')).body) as Record<string, unknown>;
  t.match(status, { draining: true, shutdown: { step: 'blocked', reason: /insufficient BE number/ } }, '/status shows the refusal');
  t.equal((await getAgent(be2, '/readyz')).status, 503, 'not ready: it is leaving');
  // It keeps trying until the grace period ends, and never drops a BE that holds data.
  await sleep(1500);
  t.equal(await Promise.race([run.exited.then(() => 'exited'), Promise.resolve('running')]), 'running', 'the preStop waits for the grace period');
  run.kill();
  const view = await sim.view();
  const row = view?.backends.find((b) => b.host === fqdn(be2));
  t.ok(row !== undefined && row.alive && !row.systemDecommissioned && (row.tabletNum ?? 0) > 0, 'BE 2 stays registered, alive, with its tablets');
  t.same(statementsFor(/DROP BACKEND/i, fqdn(be2)), [], 'never dropped');
  t.same(sim.world.underReplicatedTablets(), [], 'nothing under-replicated');
});

t.test('an unreachable API server: assume a restart, deregister nothing', async (t) => {
  const run = prestop(be1, 'unreachable');
  t.equal(await finished(run, 'BE 1 restart'), 0, 'the preStop ended after a graceful stop');
  t.match(events(run), [
    { type: 'Warning', reason: 'ScaleInUnknown', message: /assuming a restart/ },
    { type: 'Normal', reason: 'Restarting', message: /nothing is deregistered on doubt/ },
  ]);
  t.match(run.output(), /assuming a restart/, 'the log says so');
  const reads = run.calls().filter((c) => c.call === 'statefulSetReplicas').length;
  t.ok(reads > 3, `the StatefulSet read was tried again for the budget before doubt won (${reads} reads)`);
  t.same(statementsFor(/DECOMMISSION|DROP/i, fqdn(be1)), [], 'no DECOMMISSION or DROP for BE 1');
  t.equal(await be1.exited, 0, 'the BE stopped (a restart)');
  const view = await sim.view();
  t.ok(view?.backends.some((b) => b.host === fqdn(be1)), 'BE 1 is still registered');
});
