/**
 * Issue 11 item 1 in the Kubernetes world: an image change of BEs whose data is on an emptyDir
 * (the CR asks for it) loses no tablet. Every re-created BE comes back wiped (a fresh emptyDir,
 * a new storage id the simulator sees, its replicas forgotten), and its agent holds readiness
 * until StarRocks re-cloned what it lost, so the StatefulSet rolls the next BE only on a healthy
 * cluster. The simulator re-clones slowly (4 replicas a second): healing a wiped BE takes about
 * 30 s, longer than a BE takes to restart and report Ready, so a rollout that did not wait would
 * take the last copy of tablets down (with the wait off, `spec.agent.tabletHealthMaxWaitSeconds: 0`,
 * one run of this rollout lost 70 of the 120 tablets).
 * The same rollout on PVCs with one-replica tables is in safety-world.test.ts.
 */
import { join } from 'node:path';
import t from 'tap';
import { ANNOTATIONS, DATA_PATHS } from '../../agent/contract/index.ts';
import { STORAGE_CLASS_EMPTY_DIR } from '../../controller/cr/defaults.ts';
import { DATA_VOLUMES } from '../../controller/render/volumes.ts';
import { beImages, condition, sampledRollout, simStorageIds, storageIds } from './fixtures/be-rollout.ts';
import type { RawBePod } from './fixtures/be-rollout.ts';
import { describeView, startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldCluster } from './fixtures/world-cluster.ts';

t.setTimeout(600_000);

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
});

const shape = { fe: 1, be: 3, cn: 0 };
const OLD_IMAGE = 'starrocks-be-agent:3.3';
const NEW_IMAGE = 'starrocks-be-agent:3.3.1';
const BUCKETS = 120;

t.test('issue 11 item 1: 3 BEs on emptyDir, replication 3, BE image change: zero lost tablets, the rollout waited for tablet health', async (t) => {
  const c = (cluster = await startWorldCluster({
    shape,
    graceSeconds: { fe: 30, be: 30 },
    // 120 replicas to re-clone per wiped BE at 2 per 500 ms round: about 30 s of healing.
    sim: { tabletMovesPerRound: 2, tabletSchedulerIntervalMs: 500 },
    components: { be: { spec: { storageVolumes: [{ name: DATA_VOLUMES.be, mountPath: DATA_PATHS.beStorage, storageClassName: STORAGE_CLASS_EMPTY_DIR }] } } },
  }));
  await c.converged(shape, 300_000);
  const ephemeral = await condition(c, 'DataOnEphemeralStorage');
  t.equal(ephemeral?.status, 'True', `the controller warns that BE data is on an emptyDir: ${ephemeral?.message ?? 'no condition'}`);
  t.same(await beImages(c), [OLD_IMAGE, OLD_IMAGE, OLD_IMAGE], `the BEs start from ${OLD_IMAGE}`);
  const tablets = c.sim.createTable({ db: 'db1', table: 'orders', buckets: BUCKETS, replicationNum: 3 });
  t.equal(c.sim.unhealthyTablets().length, 0, `${tablets.length} tablets, 3 replicas each, all healthy`);

  // The be-data mount is the pod's emptyDir folder, and the BE keeps its storage id there.
  const emptyDir = (pod: RawBePod): string => join(c.world.dir, 'pods', pod.metadata.uid, 'volumes', DATA_VOLUMES.be);
  const before = await storageIds(c, emptyDir);
  const simBefore = simStorageIds(c);
  for (const [pod, { storageId }] of before) {
    t.ok(storageId !== undefined && storageId === simBefore.get(pod), `${pod}: the simulator knows the storage id kept in the pod's emptyDir (${storageId ?? 'none'})`);
  }

  const { took, samples } = await sampledRollout(c, NEW_IMAGE, shape.be);
  const view = await c.converged(shape, 60_000);
  const waiting = samples.waitingConditions;
  t.comment(`rollout took ${took} ms; ${samples.samples} samples: lost max ${samples.maxLost}, forgotten max ${samples.maxForgotten}, unhealthy max ${samples.maxUnhealthy}`);
  t.comment(`unhealthy stretches (a BE down, then re-cloning its replicas) in ms: ${samples.unhealthyStretches.join(', ')}`);
  t.comment(`tablet-health annotations: ${[...samples.annotations].map(([pod, note]) => `${pod} ${note}`).join('; ')}`);
  t.comment(`Progressing WaitingForTabletHealth, ${waiting.length} messages, first: ${waiting[0] ?? 'none'}; last: ${waiting.at(-1) ?? 'none'}`);
  t.equal(samples.maxLost, 0, 'zero lost tablets at every sample (each tablet kept a replica on a live BE)');
  t.equal(samples.maxForgotten, 0, 'no tablet ever lost every replica in the meta');

  const after = await storageIds(c, emptyDir);
  const simAfter = simStorageIds(c);
  for (const [pod, { uid, storageId }] of after) {
    const old = before.get(pod);
    t.ok(old !== undefined && old.uid !== uid && storageId !== undefined && storageId !== old.storageId, `${pod} was re-created on a fresh emptyDir: storage id ${old?.storageId ?? '?'} -> ${storageId ?? 'none'}`);
    t.equal(simAfter.get(pod), storageId, `${pod}: the simulator saw the new storage id (its replicas were forgotten and re-cloned)`);
  }
  t.ok(samples.maxUnhealthy > 0, 'the wiped BEs left tablets unhealthy for a while');
  t.ok(samples.unhealthyStretches.length >= shape.be, `the cluster was healthy again between the BE restarts: ${samples.unhealthyStretches.length} separate unhealthy stretches`);
  t.ok(samples.annotations.size > 0, `a BE pod carried ${ANNOTATIONS.tabletHealth} while it waited`);
  t.ok(waiting.length > 0, 'the StarRocksCluster showed Progressing WaitingForTabletHealth');
  const events = await c.agentEvents();
  const waited = events.filter((e) => e.reason === 'WaitingForTabletHealth');
  t.ok(waited.length > 0, `WaitingForTabletHealth events: ${waited.map((e) => `${e.pod}: ${e.message}`).join('; ')}`);
  t.ok(events.some((e) => e.reason === 'TabletsHealthy'), 'and TabletsHealthy once StarRocks healed them');
  t.notOk(events.some((e) => e.reason === 'TabletHealthWaitExceeded'), 'no BE gave up waiting');

  t.same(c.sim.unhealthyTablets(), [], "no unhealthy tablet at the end (SHOW PROC '/statistic' reports 0)");
  t.same(c.sim.lostTablets(), [], 'zero lost tablets at the end');
  t.ok(view.backends.length === 3 && view.backends.every((b) => b.alive), `all 3 BEs alive: ${describeView(view)}`);
  t.same(await beImages(c), [NEW_IMAGE, NEW_IMAGE, NEW_IMAGE], `all 3 BEs run ${NEW_IMAGE}`);
});
