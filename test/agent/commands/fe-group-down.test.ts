// The 3.5 profile end to end (1 FE + 1 BE + 1 CN), and nodes started while the FE group is down:
// a new FE (an observer) and a new BE wait in their init containers, without exiting, until the
// FE comes back from its meta, then join; nothing is added twice.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { addsByTarget, converged, eventually, startSimCluster, writeDump } from '../fixtures/sim-pods.ts';
import type { SimPod } from '../fixtures/sim-pods.ts';

const SRV = '_query-port._tcp.sr-fe-search.data.svc.cluster.local';

// Many real processes on a shared 2-core machine: allow more than the default per-file time.
t.setTimeout(300_000);

t.test('3.5 profile: converge, then FE and BE started while the FE group is down wait and join', async (t) => {
  // A root password: the agents get it (MYSQL_PWD), the StarRocks processes they start must not.
  const password = 'Root-pw-7f3';
  const sim = await startSimCluster({ profile: '3.5', feVoters: 1, world: { rootPassword: password } });
  const withPassword = { env: { MYSQL_PWD: password } };
  t.teardown(() => sim.stop());
  const began = Date.now();
  const phase = (what: string): void => t.comment(`${what} after ${((Date.now() - began) / 1000).toFixed(1)} s`);
  const pods: SimPod[] = [sim.startPod('fe', 0, withPassword), sim.startPod('be', 0, withPassword), sim.startPod('cn', 0, withPassword)];
  const fail = (error: unknown): never => {
    writeDump(pods, 'group-down');
    throw error;
  };
  const first = await converged(sim, { fe: 1, be: 1, cn: 1 }, 150_000).catch(fail);
  phase('1 FE, 1 BE, 1 CN converged');
  t.equal(sim.world.profile.name, '3.5', 'the world speaks 3.5');
  t.equal(sim.world.clusterIdsCreated().length, 1, 'one cluster');
  t.equal(first.frontends[0]?.role, 'LEADER', 'FE 0 leads');
  t.ok(first.backends[0]?.host.startsWith('sr-be-0.sr-be-search.'), 'the BE registered by FQDN');
  t.ok(first.computeNodes[0]?.host.startsWith('sr-cn-0.sr-cn-search.'), 'the CN registered by FQDN');
  // Issue 12: nothing secret in the environment of a StarRocks process (/proc/<pid>/environ).
  for (const pod of pods) {
    const pid = sim.world.pidOf(pod.ip);
    t.ok(pid !== undefined, `${pod.name}: its StarRocks process runs`);
    const environ = readFileSync(`/proc/${String(pid)}/environ`, 'utf8');
    t.ok(environ.includes('POD_IP='), `${pod.name}: its environ was read`);
    t.notOk(environ.includes(password) || environ.includes('MYSQL_PWD='), `${pod.name}: no root password in the StarRocks process's environment`);
    t.notOk(pod.output().includes(password), `${pod.name}: no root password in the agent's output`);
  }

  // The FE group goes down (graceful stop of its only FE).
  const fe0 = pods[0] as SimPod;
  const fe0code = await fe0.stop();
  t.equal(fe0code, 0, 'FE 0 stopped with exit code 0');
  if (fe0code !== 0) t.comment(fe0.output().slice(-6000));
  phase('FE 0 stopped');

  // A new FE (ordinal 1: an observer, since there is one voter) and a new BE start meanwhile.
  const queriesBefore = sim.dns.queryCount(SRV, 'SRV');
  const fe1 = sim.startPod('fe', 1, withPassword);
  const be1 = sim.startPod('be', 1, withPassword);
  pods.push(fe1, be1);
  const settled = { fe1: false, be1: false };
  void fe1.init.then(() => (settled.fe1 = true));
  void be1.init.then(() => (settled.be1 = true));
  await eventually(
    async () => /"waiting"/.test(fe1.output()) && /"waiting"/.test(be1.output()) && sim.dns.queryCount(SRV, 'SRV') - queriesBefore >= 8,
    { timeoutMs: 120_000, what: 'the new FE and BE to look for the FE group several times' },
  ).catch(fail);
  phase('the new FE and BE waited');
  t.notOk(settled.fe1, 'the new FE waits in init (no exit, no crash loop)');
  t.notOk(settled.be1, 'the new BE waits in init (no exit, no crash loop)');
  t.match(fe1.output(), /bootstrap fence/, 'the new FE waits for the fenced cluster');
  t.match(be1.output(), /no FE answers as leader/, 'the BE says why it waits');

  // The FE comes back from its meta: both join.
  const fe0again = sim.startPod('fe', 0, withPassword);
  pods.push(fe0again);
  const view = await converged(sim, { fe: 2, be: 2, cn: 1 }, 150_000).catch(fail);
  phase('all joined');
  t.equal(await fe0again.init, 0, 'FE 0 restarted from meta');
  t.match(fe0again.output(), /restarting from meta, no helper/);
  t.equal(await fe1.init, 0, 'the new FE joined: its init exited 0, once');
  t.equal(await be1.init, 0, 'the new BE registered: its init exited 0, once');
  t.equal(view.frontends.find((f) => f.host.startsWith('sr-fe-1.'))?.role, 'OBSERVER', 'FE 1 joined as an observer');
  t.equal(sim.world.clusterIdsCreated().length, 1, 'still exactly one cluster');

  const adds = addsByTarget(sim.world);
  t.same(
    [...adds.keys()].map((k) => k.split('.')[0]).sort(),
    ['sr-be-0', 'sr-be-1', 'sr-cn-0', 'sr-fe-1'],
    'added: both BEs, the CN and the observer',
  );
  t.ok([...adds.values()].every((n) => n === 1), `no node was added twice: ${JSON.stringify([...adds])}`);
  t.ok(pods.every((p) => !/ERR_/.test(p.output())), 'no agent error');
});
