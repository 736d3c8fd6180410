/**
 * Issue 11 item 3 in the Kubernetes world, with a fault: a BE whose container crash-loops (its
 * StarRocks process killed each time it starts, so the world backs off restarting it) is scaled
 * away while it waits in CrashLoopBackOff. A container that is not running runs no preStop, so
 * nothing in the pod decommissions it: the FE leader's agent must, once the pod has been gone for
 * the ghost grace time, and drop the row only once StarRocks moved its tablets away.
 * And the HPA scaling CNs down (the StarRocksCluster's scale subresource) in the middle of a CN
 * rollout, after the rolled CN's preStop judged its deletion a restart: the FE leader's agent
 * drops that CN's row once its pod has been gone for the grace, and no other CN.
 * And issue 11 item 2's timeline: the fence's create fails at bootstrap (an admission policy
 * refuses it), later FE 0 loses its meta while FE 1 and 2 crash-loop (their ports closed): FE 0
 * must wait on the second record of the cluster id instead of bootstrapping a second cluster.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { CRD, ENV, names } from '../../agent/contract/index.ts';
import { fenceCheckIntervalMs } from '../../agent/commands/run.ts';
import { DATA_VOLUMES } from '../../controller/render/volumes.ts';
import { unlessNotFound, wire } from '../world/kube.ts';
import { waitFor } from '../world/wait.ts';
import { describeView, startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldCluster } from './fixtures/world-cluster.ts';
import { sleep } from '../../agent/contract/backoff.ts';

t.setTimeout(600_000);

const shape = { fe: 1, be: 4, cn: 0 };
const PROBE_INTERVAL_MS = 500;
const KEEPER_INTERVAL_MS = fenceCheckIntervalMs(PROBE_INTERVAL_MS);
const GHOST_GRACE_SECONDS = 2;

const NEW_CN_IMAGE = 'starrocks-be-agent:3.3.1';

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
});

// Each test runs its own cluster: the next one starts on a quiet machine.
async function stopCluster(t: Test): Promise<void> {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  const c = cluster;
  cluster = undefined;
  await c?.stop();
}

interface RawContainerPod {
  status?: { podIP?: string; containerStatuses?: { name: string; restartCount?: number; state?: { waiting?: { reason?: string } } }[] };
}


t.test('issue 11 item 3: a crash-looping BE scaled away: no ghost within the grace time, no tablet lost', async (t) => {
  const c = (cluster = await startWorldCluster({
    shape,
    graceSeconds: { fe: 30, be: 30 },
    agent: { probeIntervalMs: PROBE_INTERVAL_MS },
    components: { fe: { env: [{ name: ENV.GHOST_GRACE_SECONDS, value: String(GHOST_GRACE_SECONDS) }] } },
  }));
  const n = names(c.name);
  await c.converged(shape, 300_000);
  const clusterIds = c.sim.clusterIdsCreated();
  const tablets = c.sim.createTable({ db: 'db1', table: 'orders', buckets: 24, replicationNum: 3 });
  const be3 = n.pod('be', 3);
  const be3Host = c.fqdn('be', 3);
  const readBe3 = async (): Promise<RawContainerPod> => wire(await c.world.kube.core.readNamespacedPod({ namespace: c.namespace, name: be3 })) as RawContainerPod;
  t.equal(tablets.length, 24, '24 tablets, 3 replicas each on 4 BEs');

  let stopped = false;
  const samples = { count: 0, maxLost: 0 };
  const sampler = (async () => {
    for (let i = 0; i < 3_000 && !stopped; i++) {
      samples.count++;
      samples.maxLost = Math.max(samples.maxLost, c.sim.lostTablets().length);
      await sleep(100);
    }
  })();
  try {
    // Crash-loop BE 3: kill its StarRocks process each time it comes up (the agent exits with it
    // and the world restarts the container after 1, 2, 4, 8 s) until it waits 8 s or more.
    let kills = 0;
    const backingOff = async (): Promise<boolean> => {
      const raw = await readBe3();
      const be = raw.status?.containerStatuses?.find((s) => s.name === 'be');
      return be?.state?.waiting?.reason === 'CrashLoopBackOff' && (be.restartCount ?? 0) >= 3;
    };
    for (let i = 0; i < 600 && !(await backingOff()); i++) {
      const ip = (await readBe3()).status?.podIP;
      if (ip !== undefined && c.sim.pidOf(ip) !== undefined) {
        try {
          c.sim.kill(ip);
          kills++;
        } catch {
          // It died between the look-up and the signal.
        }
      }
      await sleep(100);
    }
    t.ok(await backingOff(), `BE 3 is in CrashLoopBackOff after ${kills} kills`);
    const scaledAt = Date.now();
    await c.patchSpec({ starRocksBeSpec: { replicas: 3 } });
    const podGoneAt = await waitFor(async () => ((await c.pod(be3)) === undefined ? Date.now() : undefined), {
      what: `${be3} deleted`,
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    let decommissionedSeen = false;
    let last = '';
    const rowGoneAt = await waitFor(
      async () => {
        const v = await c.view();
        if (v === undefined) return undefined;
        last = describeView(v);
        const row = v.backends.find((b) => b.host === be3Host);
        if (row?.systemDecommissioned === true) decommissionedSeen = true;
        return row === undefined ? Date.now() : undefined;
      },
      { what: 'the BE 3 row gone from SHOW BACKENDS', timeoutMs: 120_000, intervalMs: 200 },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; last seen: ${last}`, { cause: error });
    });
    // The grace, the keeper's rounds to see it and to decommission, then StarRocks moving the tablets.
    const bound = GHOST_GRACE_SECONDS * 1000 + 3 * KEEPER_INTERVAL_MS + 30_000;
    t.ok(rowGoneAt - podGoneAt <= bound, `the row went within the grace, the keeper's rounds and the tablet moves (${rowGoneAt - podGoneAt} ms <= ${bound} ms)`);
    t.comment(`${kills} kills; pod gone ${podGoneAt - scaledAt} ms after the scale; BE 3 row gone ${rowGoneAt - podGoneAt} ms after its pod (grace ${GHOST_GRACE_SECONDS} s, keeper interval ${KEEPER_INTERVAL_MS} ms)`);
    const statements = c.sim.statements().map((s) => s.sql);
    const decommissions = statements.filter((sql) => /^ALTER SYSTEM DECOMMISSION BACKEND/i.test(sql) && sql.includes(be3Host));
    const drops = statements.filter((sql) => /^ALTER SYSTEM DROP BACKEND/i.test(sql));
    t.comment(`decommission statements: ${decommissions.join('; ')}; drops: ${drops.join('; ') || 'none'}; decommissioning row seen: ${decommissionedSeen}`);
    t.ok(decommissions.length > 0, 'BE 3 was decommissioned');
    t.ok(drops.every((sql) => sql.includes(be3Host)), 'no other BE was dropped');
    const removed = (await c.agentEvents()).filter((e) => e.reason === 'GhostRemoved');
    t.ok(removed.some((e) => e.message.includes(be3)), `the FE leader's agent removed it: ${removed.map((e) => `${e.pod}: ${e.message}`).join('; ')}`);
    t.notOk((await c.agentEvents()).some((e) => e.pod === be3 && e.reason === 'ScalingIn'), 'BE 3 ran no scale-in preStop');
    await waitFor(async () => (c.sim.unhealthyTablets().length === 0 ? true : undefined), { what: 'no under-replicated tablet', timeoutMs: 60_000, intervalMs: 200 });
    const view = await c.converged({ ...shape, be: 3 }, 60_000);
    t.equal(view.backends.length, 3, `3 BE rows at the end: ${describeView(view)}`);
  } finally {
    stopped = true;
    await sampler;
  }
  t.comment(`${samples.count} samples: lost tablets max ${samples.maxLost}`);
  t.equal(samples.maxLost, 0, 'zero lost tablets at every sample');
  t.same(c.sim.lostTablets(), [], 'zero lost tablets at the end');
  t.same(c.sim.unhealthyTablets(), [], 'zero under-replicated tablets at the end');
  t.same(c.sim.clusterIdsCreated(), clusterIds, `one cluster id: ${clusterIds.join(', ')}`);
  t.equal(clusterIds.length, 1, 'exactly one cluster id ever created');
  await stopCluster(t);
});

t.test('issue 11 item 3: the HPA scales a CN down during a CN rollout: no ghost', async (t) => {
  const cnShape = { fe: 1, be: 1, cn: 2 };
  const c = (cluster = await startWorldCluster({
    shape: cnShape,
    graceSeconds: { fe: 30, be: 30, cn: 30 },
    agent: { probeIntervalMs: PROBE_INTERVAL_MS },
    components: {
      fe: { env: [{ name: ENV.GHOST_GRACE_SECONDS, value: String(GHOST_GRACE_SECONDS) }] },
      cn: { spec: { autoScalingPolicy: { version: 'v2', minReplicas: 1, maxReplicas: 2 } } },
    },
  }));
  const n = names(c.name);
  await c.converged(cnShape, 300_000);
  const clusterIds = c.sim.clusterIdsCreated();
  const cn0Host = c.fqdn('cn', 0);
  const cn1Host = c.fqdn('cn', 1);
  const cn1Before = await c.pod(n.pod('cn', 1));
  // The StatefulSet rolls the highest ordinal first: CN 1 is the one the HPA removes mid-rollout.
  await c.patchSpec({ starRocksCnSpec: { image: NEW_CN_IMAGE } });
  // The timeline of the issue: CN 1's preStop has judged its deletion a restart (the rollout's),
  // then the HPA scales down, so no preStop of CN 1 will ever see the scale-in.
  const rolling = await waitFor(
    async () => ((await c.agentEvents()).some((e) => e.pod === n.pod('cn', 1) && e.reason === 'Restarting') ? Date.now() : undefined),
    { what: "CN 1's preStop judging the rollout a restart", timeoutMs: 60_000, intervalMs: 100 },
  );
  t.ok((await c.pod(n.pod('cn', 1)))?.uid === cn1Before?.uid, 'the scale lands while the old CN 1 pod is still terminating');
  // What an HPA does: write the StarRocksCluster's scale subresource.
  await c.kubectl('scale', `${CRD.plural}.${CRD.group}/${c.name}`, '--replicas', '1', '-n', c.namespace);
  const scaledAt = Date.now();
  const podGoneAt = await waitFor(async () => ((await c.pod(n.pod('cn', 1))) === undefined ? Date.now() : undefined), {
    what: 'CN 1 gone',
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  const bound = GHOST_GRACE_SECONDS * 1000 + 2 * KEEPER_INTERVAL_MS + 5_000;
  let last = '';
  const rowGoneAt = await waitFor(
    async () => {
      const v = await c.view();
      last = v === undefined ? 'no leader view' : describeView(v);
      return v !== undefined && !v.computeNodes.some((row) => row.host === cn1Host) ? Date.now() : undefined;
    },
    { what: 'the CN 1 row gone', timeoutMs: Math.max(bound, 30_000), intervalMs: 200 },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last seen: ${last}`, { cause: error });
  });
  const gone = Math.max(0, rowGoneAt - podGoneAt);
  t.comment(`rollout touched CN 1 ${scaledAt - rolling} ms before the scale; CN 1 pod gone ${podGoneAt - scaledAt} ms after it; its row ${rowGoneAt - podGoneAt} ms after the pod (bound ${bound} ms)`);
  t.ok(gone <= bound, `the CN 1 row went within the grace and two intervals (${gone} ms <= ${bound} ms)`);
  // A ghost would come back with the next heartbeat round or reconcile: look again.
  await sleep(2 * KEEPER_INTERVAL_MS);
  const view = await c.converged({ ...cnShape, cn: 1 }, 180_000);
  t.same(view.computeNodes.map((row) => row.host), [cn0Host], `only CN 0 is left: ${describeView(view)}`);
  const drops = c.sim
    .statements()
    .map((s) => s.sql)
    .filter((sql) => /^ALTER SYSTEM DROP COMPUTE NODE/i.test(sql));
  const cn1Events = (await c.agentEvents()).filter((e) => e.message.includes(n.pod('cn', 1)) || e.pod === n.pod('cn', 1));
  t.comment(`drops: ${drops.join('; ')}; CN 1 events: ${cn1Events.map((e) => `${e.pod} ${e.reason}: ${e.message}`).join('; ')}`);
  t.ok(cn1Events.some((e) => e.reason === 'GhostRemoved'), "the FE leader's agent dropped the ghost");
  t.notOk(drops.some((sql) => sql.includes(cn0Host)), 'CN 0 was never dropped');
  t.ok(drops.length >= 1 && drops.every((sql) => sql.includes(cn1Host)), 'CN 1 was dropped');
  const sts = await c.world.kube.apps.readNamespacedStatefulSet({ namespace: c.namespace, name: n.statefulSet('cn') });
  t.equal(sts.spec?.replicas, 1, 'the CN StatefulSet has 1 replica');
  t.same(c.sim.clusterIdsCreated(), clusterIds, `one cluster id: ${clusterIds.join(', ')}`);
  await stopCluster(t);
});


// Every log file of a pod (container logs and StarRocks' own), the tail of each: why it did what it did.
function podFiles(c: WorldCluster, pod: string): string {
  const out: string[] = [];
  const podsDir = join(c.world.dir, 'pods');
  const walk = (dir: string, depth: number): void => {
    if (depth > 6) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (/\.(log|out|warn)$/.test(entry.name)) {
        const text = readFileSync(path, 'utf8');
        if (text.includes(pod) || path.includes('starrocks')) out.push(`--- ${path}\n${text.trimEnd().split('\n').slice(-25).join('\n')}`);
      }
    }
  };
  walk(podsDir, 0);
  return out.join('\n');
}

// An API fault for one object: a ValidatingAdmissionPolicy refusing the create of the fence.
const fenceFault = (fence: string): string => `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: fault-fence-create
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: ['']
        apiVersions: ['v1']
        operations: ['CREATE']
        resources: ['configmaps']
  validations:
    - expression: "object.metadata.name != '${fence}'"
      message: 'fault injected by the test: the bootstrap fence cannot be created'
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: fault-fence-create
spec:
  policyName: fault-fence-create
  validationActions: [Deny]
`;

t.test('issue 11 item 2: the fence create fails at bootstrap, later FE 0 is wiped while FE 1/2 refuse connections: no second cluster id', async (t) => {
  const feShape = { fe: 3, be: 1, cn: 0 };
  let faultFile = '';
  const c = (cluster = await startWorldCluster({
    shape: feShape,
    graceSeconds: { fe: 30, be: 30 },
    agent: { probeIntervalMs: PROBE_INTERVAL_MS },
    beforeApply: async (kubectl) => {
      faultFile = join(tmpdir(), `fence-fault-${process.pid}.yaml`);
      writeFileSync(faultFile, fenceFault(names('sr').fence));
      await kubectl('apply', '-f', faultFile);
      // A policy takes effect once the API server has loaded it: probe with a dry-run create.
      await waitFor(
        async () => {
          try {
            await kubectl('create', 'configmap', names('sr').fence, '-n', 'e2e', '--dry-run=server');
            return undefined;
          } catch (error) {
            return /fault injected/.test(String(error)) ? true : undefined;
          }
        },
        { what: 'the fence fault armed', timeoutMs: 30_000, intervalMs: 200 },
      );
    },
  }));
  const n = names(c.name);
  const readFence = () => unlessNotFound(c.world.kube.core.readNamespacedConfigMap({ namespace: c.namespace, name: n.fence }));
  const readCluster = async (): Promise<{ status?: { clusterId?: string } }> =>
    (await c.world.kube.custom.getNamespacedCustomObject({ group: CRD.group, version: CRD.version, namespace: c.namespace, plural: CRD.plural, name: c.name })) as {
      status?: { clusterId?: string };
    };
  await c.converged(feShape, 300_000);
  const clusterIds = c.sim.clusterIdsCreated();
  t.equal(clusterIds.length, 1, `one cluster bootstrapped: ${clusterIds.join(', ')}`);
  t.equal(await readFence(), undefined, 'the fence was never created (its create is refused)');
  const statusId = await waitFor(async () => (await readCluster()).status?.clusterId, {
    what: 'status.clusterId, the second record',
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  t.equal(statusId, String(clusterIds[0]), 'the controller recorded the cluster id in status');

  const ipOf = async (ordinal: number): Promise<string | undefined> => (await c.pod(n.pod('fe', ordinal)))?.ip;
  const killIfUp = async (ordinal: number): Promise<boolean> => {
    const ip = await ipOf(ordinal);
    if (ip === undefined || c.sim.pidOf(ip) === undefined) return false;
    try {
      c.sim.kill(ip);
      return true;
    } catch {
      return false; // It died between the look-up and the signal.
    }
  };
  // FE 1 and 2 crash-loop: each StarRocks start is killed within 100 ms, so their ports refuse.
  let crashLooping = true;
  let kills = 0;
  const crashLoop = (async () => {
    for (let i = 0; i < 1_200 && crashLooping; i++) {
      for (const ordinal of [1, 2]) if (await killIfUp(ordinal)) kills++;
      await sleep(100);
    }
  })();
  const fe0 = await c.pod(n.pod('fe', 0));
  if (fe0 === undefined) throw new Error('FE 0 has no pod');
  const fe0Log = (): string => {
    try {
      return readFileSync(join(c.world.dir, 'pods', fe0.uid, 'logs', 'fe.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const waitsBefore = (fe0Log().match(/recorded in/g) ?? []).length;
  try {
    await sleep(2_000);
    // FE 0 loses its meta volume and its StarRocks: the container restarts over an empty folder.
    const claim = c.world.runner.claimDir(c.namespace, `${DATA_VOLUMES.fe}-${n.pod('fe', 0)}`);
    // (Without a quorum its StarRocks may have exited already, as a leader that lost its
    // majority does; its container then restarts over the wiped folder all the same.)
    const restartsBefore = fe0.restarts;
    for (const entry of readdirSync(claim)) rmSync(join(claim, entry), { recursive: true, force: true });
    await killIfUp(0);
    const wipedAt = Date.now();
    let maxIds = 0;
    for (let i = 0; i < 200 && Date.now() - wipedAt < 20_000; i++) {
      maxIds = Math.max(maxIds, c.sim.clusterIdsCreated().length);
      await sleep(100);
    }
    const waited = (fe0Log().match(/recorded in/g) ?? []).length - waitsBefore;
    t.comment(`FE 1/2 killed ${kills} times; FE 0 wiped and restarted; over 20 s: cluster ids max ${maxIds}, FE 0 logged ${waited} waits on the record`);
    const fe0After = await c.pod(n.pod('fe', 0));
    t.ok(fe0After?.uid === fe0.uid && fe0After.restarts > restartsBefore, `FE 0's container restarted over the wiped meta (restarts ${restartsBefore} -> ${fe0After?.restarts ?? '?'})`);
    t.equal(maxIds, 1, 'no second cluster id while FE 0 is wiped and FE 1/2 refuse connections');
    t.ok(waited > 0, `FE 0 waits on the recorded cluster id: ${fe0Log().split('\n').filter((l) => l.includes('recorded in')).slice(-1).join('')}`);
  } finally {
    crashLooping = false;
    await crashLoop;
  }
  // FE 1 and 2 come back, elect a leader, and FE 0 rejoins the one cluster with an empty meta.
  const healed = Date.now();
  const view = await c.converged(feShape, 240_000).catch((error: unknown) => {
    for (const ordinal of [0, 1]) t.comment(podFiles(c, n.pod('fe', ordinal)));
    throw error;
  });
  t.comment(`converged ${Date.now() - healed} ms after the crash loop stopped: ${describeView(view)}`);
  t.same(c.sim.clusterIdsCreated(), clusterIds, `still one cluster id: ${clusterIds.join(', ')}`);
  t.equal(view.frontends.filter((f) => f.alive).length, 3, 'all 3 FEs alive in one group');

  // The fault lifted: the fence is created, with the one cluster id (creation is retried).
  await c.kubectl('delete', '-f', faultFile);
  rmSync(faultFile, { force: true });
  const lifted = Date.now();
  const fence = await waitFor(async () => (await readFence())?.data, {
    what: 'the fence created once its create is admitted',
    timeoutMs: 3 * KEEPER_INTERVAL_MS + 10_000,
    intervalMs: 200,
  });
  t.comment(`fence created ${Date.now() - lifted} ms after the fault was lifted, by ${fence.bootstrappedBy ?? '?'}`);
  t.equal(fence.clusterId, String(clusterIds[0]), 'the fence holds the one cluster id');
  await stopCluster(t);
});
