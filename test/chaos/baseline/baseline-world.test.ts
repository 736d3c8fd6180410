/**
 * The baseline (a model of the official operator's container scripts, test/chaos/baseline) runs
 * in the pods our controller renders, through the world's BASELINE images: a 3 FE / 2 BE / 1 CN
 * cluster converges the official way (FE 0 waits its 30 s for a leader, then bootstraps; the
 * others join through the load-balanced FE service; BE and CN register themselves with ADD on
 * start, and again on every restart), and a BE scale-in behaves as the official stack does: a
 * graceful stop with no DECOMMISSION and no DROP, so the BE's row stays behind dead and the tablets
 * it held alone are lost.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { names } from '../../../agent/contract/index.ts';
import { unlessNotFound } from '../../world/kube.ts';
import { waitFor } from '../../world/wait.ts';
import { describeView, startWorldCluster } from '../../e2e/fixtures/world-cluster.ts';
import type { WorldCluster } from '../../e2e/fixtures/world-cluster.ts';

t.setTimeout(480_000);

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
});

const shape = { fe: 3, be: 2, cn: 1 };
const started = Date.now();
const c = (cluster = await startWorldCluster({
  shape,
  graceSeconds: { fe: 30, be: 30, cn: 30 },
  components: {
    fe: { spec: { image: 'starrocks-fe-baseline:3.3' } },
    be: { spec: { image: 'starrocks-be-baseline:3.3' } },
    cn: { spec: { image: 'starrocks-be-baseline:3.3' } },
  },
}));
const n = names(c.name);
const sql = (pattern: RegExp): string[] =>
  c.sim
    .statements()
    .filter((s) => pattern.test(s.sql))
    .map((s) => s.sql);

t.test('3 FE / 2 BE / 1 CN converge through the official scripts: one cluster, every member added by the scripts', async (t) => {
  const view = await c.converged(shape, 300_000);
  t.comment(`converged ${Math.round((Date.now() - started) / 1000)} s after the world started (FE 0 waits 30 s before it bootstraps)`);
  t.equal(c.sim.clusterIdsCreated().length, 1, `one cluster id: ${c.sim.clusterIdsCreated().join(', ')}`);
  t.equal(view.frontends.filter((f) => f.role === 'LEADER').length, 1, 'one leader');
  t.equal(view.frontends.find((f) => f.role === 'LEADER')?.host, c.fqdn('fe', 0), 'FE 0 bootstrapped and leads');
  for (const i of [1, 2]) {
    t.ok(sql(/^ALTER SYSTEM ADD FOLLOWER/).includes(`ALTER SYSTEM ADD FOLLOWER "${c.fqdn('fe', i)}:9010";`), `FE ${i} added itself as the script does`);
  }
  for (const i of [0, 1]) {
    t.ok(sql(/^ALTER SYSTEM ADD BACKEND/).includes(`ALTER SYSTEM ADD BACKEND "${c.fqdn('be', i)}:9050";`), `BE ${i} added itself as the script does`);
  }
  t.ok(sql(/^ALTER SYSTEM ADD COMPUTE NODE/).includes(`ALTER SYSTEM ADD COMPUTE NODE "${c.fqdn('cn', 0)}:9050";`), 'the CN added itself as the script does');
  t.same(sql(/CREATE USER|SET PASSWORD|DECOMMISSION|DROP/i), [], 'no statement of our agent (no agent user, no password, no deregistration)');
  const fe0 = await c.pod(n.pod('fe', 0));
  const fe0Log = readFileSync(join(c.world.dir, 'pods', fe0?.uid ?? '', 'logs', 'fe.log'), 'utf8');
  t.match(fe0Log, /Timed out, no members detected ever, assume myself is the first node/, 'W2: FE 0 bootstrapped because it found no leader within its 30 s');
  const fence = await unlessNotFound(c.world.kube.core.readNamespacedConfigMap({ namespace: c.namespace, name: n.fence }));
  t.equal(fence, undefined, 'no bootstrap fence: the official stack has none');
});

t.test('a restart of FE 1 and BE 0 sends their ADD statements again: the scripts register on every start', async (t) => {
  const count = (statement: string): number => sql(/^ALTER SYSTEM ADD /).filter((s) => s === statement).length;
  const addFe1 = `ALTER SYSTEM ADD FOLLOWER "${c.fqdn('fe', 1)}:9010";`;
  const addBe0 = `ALTER SYSTEM ADD BACKEND "${c.fqdn('be', 0)}:9050";`;
  const before = { fe1: count(addFe1), be0: count(addBe0) };
  await c.restartPod(n.pod('fe', 1));
  await c.restartPod(n.pod('be', 0));
  const view = await c.converged(shape, 180_000);
  t.equal(c.sim.clusterIdsCreated().length, 1, 'still one cluster id');
  t.ok(count(addBe0) > before.be0, `BE 0 sent ADD BACKEND again (${before.be0} -> ${count(addBe0)})`);
  // W7: the sim's fe.conf says `meta_dir = ${STARROCKS_HOME}/meta`, which the script does not
  // expand, so FE 1 finds no ROLE file and takes the first-start path although its meta is there.
  t.ok(count(addFe1) > before.fe1, `FE 1 sent ADD FOLLOWER again (${before.fe1} -> ${count(addFe1)})`);
  t.equal(view.frontends.filter((f) => f.host === c.fqdn('fe', 1)).length, 1, 'FE 1 is listed once');
});

t.test('BE 2 -> 1: stopped without DECOMMISSION or DROP, its row stays dead, its single-replica tablets are lost', async (t) => {
  const tablets = c.sim.createTable({ db: 'db1', table: 'orders', buckets: 8, replicationNum: 1 });
  const beOneId = (await c.view())?.backends.find((b) => b.host === c.fqdn('be', 1))?.id;
  const onBeOne = tablets.filter((tablet) => tablet.replicas.some((r) => String(r) === String(beOneId)));
  t.ok(onBeOne.length > 0, `BE 1 holds ${onBeOne.length} of the ${tablets.length} tablets alone`);
  const addsBefore = sql(/^ALTER SYSTEM ADD BACKEND/).length;
  await c.patchSpec({ starRocksBeSpec: { replicas: 1 } });
  await waitFor(async () => ((await c.pods('be')).length === 1 ? true : undefined), { what: 'BE 1 pod gone', timeoutMs: 120_000, intervalMs: 500 });
  let last = '';
  const view = await waitFor(
    async () => {
      const v = await c.view();
      last = v === undefined ? 'no leader view' : describeView(v);
      return v?.backends.some((b) => b.host === c.fqdn('be', 1) && !b.alive) === true ? v : undefined;
    },
    { what: 'BE 1 row dead', timeoutMs: 60_000, intervalMs: 500 },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last: ${last}`, { cause: error });
  });
  t.equal(view.backends.length, 2, `the ghost row stays: ${describeView(view)}`);
  t.same(sql(/DECOMMISSION|DROP BACKEND/i), [], 'no DECOMMISSION and no DROP was ever sent');
  t.equal(sql(/^ALTER SYSTEM ADD BACKEND/).length, addsBefore, 'nothing registered meanwhile');
  const lost = c.sim.lostTablets();
  t.equal(lost.length, onBeOne.length, `the ${onBeOne.length} tablets BE 1 held alone are lost`);
});
