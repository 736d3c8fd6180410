/**
 * Issue 11 items 1, 2, 3 and 4 in the Kubernetes world, on 3 FE, 3 BE and 1 CN:
 * - item 1: a BE image change with BE data on the default PVCs and one-replica tables: each
 *   re-created BE finds its storage again, nothing is forgotten or lost (the emptyDir rollout
 *   with 3 replicas is in safety-rollout-world.test.ts);
 * - item 2: the bootstrap fence deleted by hand comes back within one fence interval (six probe
 *   intervals), and the second record, `status.clusterId`, holds the one cluster id;
 * - item 4: `kubectl scale sts <c>-fe --replicas 1` is not a scale-in (the StarRocksCluster still
 *   says 3): no FE is dropped, the controller puts the replicas back, all 3 FEs end Alive;
 * - item 3: the CN spec removed from the StarRocksCluster deletes the CN StatefulSet, whose pod's
 *   preStop cannot tell a scale-in (the StatefulSet is gone): the FE leader's agent removes the
 *   CN row once the pod has been gone for the ghost grace time. No ghost.
 */
import t from 'tap';
import { CRD, ENV, names } from '../../agent/contract/index.ts';
import { fenceCheckIntervalMs } from '../../agent/commands/run.ts';
import { DATA_VOLUMES } from '../../controller/render/volumes.ts';
import { beImages, condition, sampledRollout, simStorageIds, storageIds } from './fixtures/be-rollout.ts';
import type { RawBePod } from './fixtures/be-rollout.ts';
import { unlessNotFound } from '../world/kube.ts';
import { waitFor } from '../world/wait.ts';
import { describeView, startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldCluster } from './fixtures/world-cluster.ts';
import { sleep } from '../../agent/contract/backoff.ts';

t.setTimeout(600_000);

const shape = { fe: 3, be: 3, cn: 1 };
/** The fixture's `spec.agent.probeIntervalMs`. */
const PROBE_INTERVAL_MS = 500;
const FENCE_INTERVAL_MS = fenceCheckIntervalMs(PROBE_INTERVAL_MS);
const GHOST_GRACE_SECONDS = 2;
const OLD_BE_IMAGE = 'starrocks-be-agent:3.3';
const NEW_BE_IMAGE = 'starrocks-be-agent:3.3.1';

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
});

const c = (cluster = await startWorldCluster({
  shape,
  graceSeconds: { fe: 30, be: 30, cn: 30 },
  agent: { probeIntervalMs: PROBE_INTERVAL_MS },
  components: { fe: { env: [{ name: ENV.GHOST_GRACE_SECONDS, value: String(GHOST_GRACE_SECONDS) }] } },
}));
const n = names(c.name);
await c.converged(shape, 300_000);
const clusterIds = c.sim.clusterIdsCreated();
const readCluster = async (): Promise<{ status?: { clusterId?: string } }> =>
  (await c.world.kube.custom.getNamespacedCustomObject({ group: CRD.group, version: CRD.version, namespace: c.namespace, plural: CRD.plural, name: c.name })) as {
    status?: { clusterId?: string };
  };
const readFence = () => unlessNotFound(c.world.kube.core.readNamespacedConfigMap({ namespace: c.namespace, name: n.fence }));

interface ControllerEvent {
  reason?: string;
  message?: string;
  source?: { component?: string };
}

const controllerEvents = async (): Promise<ControllerEvent[]> =>
  (await c.world.kube.core.listNamespacedEvent({ namespace: c.namespace })).items.filter((e) => e.source?.component === 'starrocks-controller');
const feStatements = (pattern: RegExp): string[] =>
  c.sim
    .statements()
    .map((s) => s.sql)
    .filter((sql) => pattern.test(sql));

t.test('issue 11 item 1: 3 BEs on their default PVCs, one-replica tables, BE image change: nothing lost', async (t) => {
  const ephemeral = await condition(c, 'DataOnEphemeralStorage');
  t.equal(ephemeral?.status, 'False', `no ephemeral-storage warning: BE data is on PVCs by default (${ephemeral?.message ?? 'no condition'})`);
  t.same(await beImages(c), [OLD_BE_IMAGE, OLD_BE_IMAGE, OLD_BE_IMAGE], `the BEs start from ${OLD_BE_IMAGE}`);
  const tablets = [
    ...c.sim.createTable({ db: 'db1', table: 'events', buckets: 12, replicationNum: 1 }),
    ...c.sim.createTable({ db: 'db1', table: 'users', buckets: 6, replicationNum: 1 }),
  ];
  // The claim's folder outlives the pod: the same storage id comes back.
  const claim = (pod: RawBePod): string => c.world.runner.claimDir(c.namespace, `${DATA_VOLUMES.be}-${pod.metadata.name}`);
  const before = await storageIds(c, claim);
  const simBefore = simStorageIds(c);
  for (const [pod, { storageId }] of before) {
    t.ok(storageId !== undefined && storageId === simBefore.get(pod), `${pod}: the simulator knows the storage id kept in its PVC (${storageId ?? 'none'})`);
  }
  const replicasBefore = new Map(c.sim.tablets().map((tablet) => [tablet.id, tablet.replicas.join(',')]));

  const { took, samples } = await sampledRollout(c, NEW_BE_IMAGE, shape.be);
  await c.converged(shape, 60_000);
  t.comment(`rollout took ${took} ms; ${samples.samples} samples: forgotten max ${samples.maxForgotten}, unavailable (their BE restarting) max ${samples.maxLost}`);
  t.equal(samples.maxForgotten, 0, 'no tablet ever lost its replica in the meta (a one-replica tablet is only unavailable while its BE restarts)');
  const after = await storageIds(c, claim);
  for (const [pod, { uid, storageId }] of after) {
    const old = before.get(pod);
    t.ok(old !== undefined && old.uid !== uid && storageId === old.storageId, `${pod} was re-created with its storage: storage id ${storageId ?? 'none'} kept`);
  }
  const moved = c.sim.tablets().filter((tablet) => tablet.replicas.join(',') !== replicasBefore.get(tablet.id));
  t.same(moved.map((tablet) => tablet.id), [], `all ${tablets.length} one-replica tablets kept their replica where it was`);
  t.same(c.sim.lostTablets(), [], 'zero lost tablets at the end');
  t.same(c.sim.unhealthyTablets(), [], 'zero unhealthy tablets at the end');
  t.same(await beImages(c), [NEW_BE_IMAGE, NEW_BE_IMAGE, NEW_BE_IMAGE], `all 3 BEs run ${NEW_BE_IMAGE}`);
});

t.test('issue 11 item 2: the fence deleted by hand is re-created within one interval; status.clusterId holds the cluster id', async (t) => {
  t.equal(clusterIds.length, 1, `one cluster id was ever created: ${clusterIds.join(', ')}`);
  const clusterId = String(clusterIds[0]);
  const statusId = await waitFor(
    async () => (await readCluster()).status?.clusterId,
    { what: 'status.clusterId', timeoutMs: 60_000, intervalMs: 500 },
  );
  t.comment(`cluster ids: simulator ${clusterIds.join(', ')}, status.clusterId ${statusId}`);
  t.equal(statusId, clusterId, 'status.clusterId is the cluster id the simulator created');

  const before = await readFence();
  t.equal(before?.data?.clusterId, clusterId, 'the fence holds the cluster id');
  await c.world.kube.core.deleteNamespacedConfigMap({ namespace: c.namespace, name: n.fence });
  const deletedAt = Date.now();
  // Bounded by one interval plus the round trips of a check and a create.
  const bound = FENCE_INTERVAL_MS + 2_000;
  const back = await waitFor(
    async () => {
      const fence = await readFence();
      return fence?.data === undefined ? undefined : fence.data;
    },
    { what: 'the fence re-created', timeoutMs: bound, intervalMs: 100 },
  );
  const took = Date.now() - deletedAt;
  t.comment(`fence re-created ${took} ms after its deletion (fence interval ${FENCE_INTERVAL_MS} ms) by ${back.bootstrappedBy ?? '?'}`);
  t.ok(took <= bound, `re-created within one interval (${took} ms <= ${bound} ms)`);
  t.equal(back.clusterId, clusterId, 'the re-created fence holds the same cluster id');
  t.ok([0, 1, 2].some((i) => back.bootstrappedBy === n.pod('fe', i)), `written by a running FE (${back.bootstrappedBy ?? '?'})`);
  t.same(c.sim.clusterIdsCreated(), clusterIds, 'still one cluster id');
});

t.test('issue 11 item 4: kubectl scale sts sr-fe --replicas 1 drops no FE; the controller restores 3 replicas, all 3 FEs alive', async (t) => {
  const uidsBefore = new Map((await c.pods('fe')).map((p) => [p.name, p.uid]));
  const dropsBefore = feStatements(/DROP (FOLLOWER|OBSERVER)/i).length;
  const clusterId = clusterIds[0];
  // Voters in the simulator's truth: registered (never dropped) and alive.
  const voters = (): { registered: number; alive: number } => {
    const truth = c.sim.cluster(clusterId);
    const members = (truth?.members() ?? []).filter((m) => m.role === 'FOLLOWER');
    return { registered: members.length, alive: members.filter((m) => m.hb.alive || m.name === truth?.leaderName).length };
  };
  let stopped = false;
  const samples = { count: 0, minRegistered: Number.POSITIVE_INFINITY, minAlive: Number.POSITIVE_INFINITY };
  const sampler = (async () => {
    for (let i = 0; i < 3_000 && !stopped; i++) {
      const v = voters();
      samples.count++;
      samples.minRegistered = Math.min(samples.minRegistered, v.registered);
      samples.minAlive = Math.min(samples.minAlive, v.alive);
      await sleep(100);
    }
  })();
  const scaledAt = Date.now();
  try {
    await c.kubectl('scale', 'statefulset', n.statefulSet('fe'), '--replicas', '1', '-n', c.namespace);
    const restored = await waitFor(
      async () => ((await c.world.kube.apps.readNamespacedStatefulSet({ namespace: c.namespace, name: n.statefulSet('fe') })).spec?.replicas === 3 ? Date.now() : undefined),
      { what: 'the controller to restore 3 FE replicas', timeoutMs: 60_000, intervalMs: 200 },
    );
    t.comment(`replicas restored ${restored - scaledAt} ms after kubectl scale`);
    const view = await c.converged(shape, 240_000);
    t.comment(`converged ${Date.now() - scaledAt} ms after kubectl scale: ${describeView(view)}`);
    t.equal(view.frontends.filter((f) => f.alive && (f.role === 'LEADER' || f.role === 'FOLLOWER')).length, 3, 'all 3 FEs alive and voting at the end');
  } finally {
    stopped = true;
    await sampler;
  }
  const replaced = (await c.pods('fe')).filter((p) => uidsBefore.get(p.name) !== p.uid).map((p) => p.name);
  t.comment(`${samples.count} samples: voters registered min ${samples.minRegistered}, voters alive min ${samples.minAlive}; FE pods re-created: ${replaced.join(', ') || 'none'}`);
  t.same(feStatements(/DROP (FOLLOWER|OBSERVER)/i).slice(dropsBefore), [], 'no DROP FOLLOWER or DROP OBSERVER in the statement log');
  t.equal(samples.minRegistered, 3, 'three voters registered at every sample');
  const events = await c.agentEvents();
  for (const pod of replaced) {
    t.ok(events.some((e) => e.pod === pod && e.reason === 'Restarting'), `${pod}'s preStop stopped it as a restart`);
  }
  t.notOk(events.some((e) => e.reason === 'ScalingIn' && e.pod.startsWith(`${n.statefulSet('fe')}-`)), 'no FE saw a scale-in');
  const drift = (await controllerEvents()).filter((e) => e.reason === 'DriftRepaired');
  t.ok(drift.length > 0, `the controller repaired the hand edit: ${drift.map((e) => e.message ?? '').join('; ')}`);
  t.same(c.sim.clusterIdsCreated(), clusterIds, 'still one cluster id');
});

t.test('issue 11 item 3: the CN spec removed from the CR: the CN row disappears within the ghost grace, no ghost', async (t) => {
  const cnHost = c.fqdn('cn', 0);
  const before = await c.view();
  t.ok(before?.computeNodes.some((row) => row.host === cnHost), 'CN 0 is registered');
  const removedAt = Date.now();
  await c.patchSpec({ starRocksCnSpec: null });
  const podGoneAt = await waitFor(async () => ((await c.pods('cn')).length === 0 ? Date.now() : undefined), {
    what: 'the CN pod gone',
    timeoutMs: 120_000,
    intervalMs: 200,
  });
  // The leader's agent drops it once the pod has been gone for the grace, checked every interval.
  const bound = GHOST_GRACE_SECONDS * 1000 + 2 * FENCE_INTERVAL_MS + 5_000;
  let last = '';
  const rowGoneAt = await waitFor(
    async () => {
      const v = await c.view();
      last = v === undefined ? 'no leader view' : describeView(v);
      return v !== undefined && !v.computeNodes.some((row) => row.host === cnHost) ? Date.now() : undefined;
    },
    { what: 'the CN row gone from SHOW COMPUTE NODES', timeoutMs: Math.max(bound, 30_000), intervalMs: 200 },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last seen: ${last}`, { cause: error });
  });
  t.comment(`CN pod gone ${podGoneAt - removedAt} ms after the spec was removed; CN row gone ${rowGoneAt - podGoneAt} ms after the pod (grace ${GHOST_GRACE_SECONDS} s, bound ${bound} ms)`);
  t.ok(rowGoneAt - podGoneAt <= bound, `the row went within the grace and two intervals (${rowGoneAt - podGoneAt} ms <= ${bound} ms)`);
  // A ghost would come back with the next heartbeat round or the next reconcile: look again.
  await sleep(2 * FENCE_INTERVAL_MS);
  const view = await c.converged({ ...shape, cn: 0 }, 60_000);
  t.same(view.computeNodes, [], `no CN row left (ghosts: ${view.computeNodes.length})`);
  const drops = feStatements(/^ALTER SYSTEM DROP COMPUTE NODE/i).filter((sql) => sql.includes(cnHost));
  t.equal(drops.length, 1, `dropped once: ${drops.join('; ')}`);
  const removed = (await c.agentEvents()).filter((e) => e.reason === 'GhostRemoved');
  t.ok(removed.some((e) => e.message.includes(n.pod('cn', 0))), `the FE leader's agent removed it: ${removed.map((e) => `${e.pod}: ${e.message}`).join('; ')}`);
  t.equal(await unlessNotFound(c.world.kube.apps.readNamespacedStatefulSet({ namespace: c.namespace, name: n.statefulSet('cn') })), undefined, 'the CN StatefulSet is gone');
  t.same(c.sim.clusterIdsCreated(), clusterIds, 'still one cluster id');
});
