// BE and CN processes against the simulated leader: health body, heartbeats over the network,
// the retry rule, graceful SHUTDOWN, cluster-id binding, decommission with tablet migration,
// the refusals of the reference, data loss when a BE holding single replicas dies, the BE's own
// heartbeat checks, and SHOW PROC '/statistic' around a BE restarted on a wiped storage.
import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import mysql from 'mysql2/promise';
import { BACKEND_HEALTH_BODY } from './node/backend-heartbeat.ts';
import type { HeartbeatRequest } from './node/backend-heartbeat.ts';
import { STATISTIC_COLUMNS } from './world/cluster.ts';
import { SimWorld } from './world/sim-world.ts';
import { sleep } from '../../agent/contract/backoff.ts';

type Row = Record<string, string>;

t.test('backends, compute nodes and tablets (profile 3.5)', async (t) => {
  const world = await SimWorld.start({
    profile: '3.5',
    heartbeatIntervalMs: 150,
    heartbeatRetries: 2,
    tabletSchedulerIntervalMs: 60,
    tabletMovesPerRound: 3,
    backendGracefulExitMs: 1500,
  });
  t.teardown(() => world.stop());
  const fe = world.spawn({ component: 'fe' });
  const bes = [0, 1, 2].map(() => world.spawn({ component: 'be' }));
  const cn = world.spawn({ component: 'cn' });
  await world.waitOpen(fe.ip);
  for (const node of [...bes, cn]) await world.waitOpen(node.ip);
  const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root' });
  t.teardown(() => conn.end());
  const backends = async (): Promise<Row[]> => (await conn.query('SHOW BACKENDS'))[0] as Row[];
  const computeNodes = async (): Promise<Row[]> => (await conn.query('SHOW COMPUTE NODES'))[0] as Row[];
  const backendRow = async (ip: string): Promise<Row | undefined> => (await backends()).find((r) => r.IP === ip);

  t.test('health answers before the node is added', async (t) => {
    for (const node of [bes[0], cn]) {
      const res = await fetch(`http://${node?.ip}:8040/api/health`);
      t.equal(res.status, 200);
      t.equal(res.headers.get('content-type'), 'application/json');
      t.equal(await res.text(), BACKEND_HEALTH_BODY);
    }
    t.equal(BACKEND_HEALTH_BODY, '{"status": "OK","msg": "To Be Added"}');
  });

  t.test('added nodes become alive through heartbeats', async (t) => {
    await conn.query(`ALTER SYSTEM ADD BACKEND ${bes.map((b) => `"${b.ip}:9050"`).join(', ')}`);
    await conn.query(`ALTER SYSTEM ADD COMPUTE NODE "${cn.ip}:9050"`);
    await world.waitFor(async () => (await backends()).every((r) => r.Alive === 'true') && (await computeNodes())[0]?.Alive === 'true', { what: 'all nodes alive' });
    const rows = await backends();
    t.same(rows.map((r) => r.IP), [...bes.map((b) => b.ip)].sort());
    for (const r of rows) {
      t.match(r, { HeartbeatPort: '9050', BePort: '9060', HttpPort: '8040', BrpcPort: '8060', Alive: 'true', ErrMsg: '', StatusCode: 'OK', Version: '3.5.6-5ba0c4e' });
      t.match(r.LastStartTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    }
    const health = await (await fetch(`http://${fe.ip}:8030/api/health`)).text();
    t.equal(health, '{"online_backend_num":3,"total_backend_num":3,"status":"OK"}');
  });

  t.test('refusals around tablets', async (t) => {
    world.createTable({ db: 'db1', table: 'two', buckets: 9, replicationNum: 2 });
    world.createTable({ db: 'db1', table: 'one', buckets: 6, replicationNum: 1 });
    world.createTable({ db: 'db1', table: 'three', buckets: 1, replicationNum: 3 });
    const target = bes[2]?.ip as string;
    t.same(await failure(conn.query(`ALTER SYSTEM DECOMMISSION BACKEND "${target}:9050"`)), {
      errno: 1064,
      message: 'It will cause insufficient BE number if these BEs are decommissioned because the table db1.three requires 3 replicas.',
    });
    world.cluster()?.tablets.splice(world.cluster()?.tablets.findIndex((x) => x.table === 'three') ?? -1, 1);
    t.same(await failure(conn.query(`ALTER SYSTEM DROP BACKEND "${target}:9050"`)), {
      errno: 1064,
      message: `Tables such as [db1.one] on the backend[${target}:9050] have only one replica. To avoid data loss, please change the replication_num of [db1.one] to three. ALTER SYSTEM DROP BACKEND <backends> FORCE can be used to forcibly drop the backend. `,
    });
  });

  t.test('decommission migrates every tablet before the row disappears', async (t) => {
    const target = bes[2]?.ip as string;
    const before = Number((await backendRow(target))?.TabletNum);
    t.ok(before > 0, `the BE holds ${before} tablets`);
    await conn.query(`ALTER SYSTEM DECOMMISSION BACKEND "${target}:9050"`);
    t.equal((await backendRow(target))?.SystemDecommissioned, 'true');
    const seen: number[] = [];
    await world.waitFor(
      async () => {
        const row = await backendRow(target);
        t.same(world.lostTablets(), [], 'no tablet is lost while migrating');
        if (row !== undefined) seen.push(Number(row.TabletNum));
        return row === undefined;
      },
      { what: 'the decommissioned row to disappear' },
    );
    t.ok(seen.length >= 1, `TabletNum seen while decommissioning: ${seen.join(',')}`);
    t.match(world.cluster()?.autoDropped, [{ host: target, heartbeatPort: 9050, tabletsAtDrop: 0 }], 'dropped only once empty');
    for (let i = 1; i < seen.length; i++) t.ok((seen[i] as number) <= (seen[i - 1] as number), 'TabletNum never grows');
    t.same(world.lostTablets(), []);
    t.same(world.underReplicatedTablets(), []);
    const remaining = new Set((await backends()).map((r) => Number(r.BackendId)));
    for (const tablet of world.tablets()) t.ok(tablet.replicas.every((id) => remaining.has(id)), `tablet ${tablet.id} lives on remaining BEs`);
    t.same(await failure(conn.query(`ALTER SYSTEM DECOMMISSION BACKEND "${bes[1]?.ip}:9050"`)), {
      errno: 1064,
      message: 'It will cause insufficient BE number if these BEs are decommissioned because the table db1.two requires 2 replicas.',
    });
  });

  t.test('with drop_backend_after_decommission=false the row stays at TabletNum 0', async (t) => {
    const extra = world.spawn({ component: 'be' });
    await world.waitOpen(extra.ip);
    await conn.query(`ALTER SYSTEM ADD BACKEND "${extra.ip}:9050"`);
    await world.waitFor(async () => (await backendRow(extra.ip))?.Alive === 'true', { what: 'extra BE alive' });
    await conn.query('ADMIN SET FRONTEND CONFIG ("drop_backend_after_decommission" = "false")');
    await conn.query(`ALTER SYSTEM DECOMMISSION BACKEND "${extra.ip}:9050"`);
    await world.waitFor(async () => (await backendRow(extra.ip))?.TabletNum === '0', { what: 'TabletNum 0' });
    await sleep(300);
    t.match(await backendRow(extra.ip), { SystemDecommissioned: 'true', TabletNum: '0' });
    await conn.query(`CANCEL DECOMMISSION BACKEND "${extra.ip}:9050"`);
    t.equal((await backendRow(extra.ip))?.SystemDecommissioned, 'false');
    await conn.query(`ALTER SYSTEM DROP BACKEND "${extra.ip}:9050"`);
    t.equal(await backendRow(extra.ip), undefined);
    await conn.query('ADMIN SET FRONTEND CONFIG ("drop_backend_after_decommission" = "true")');
  });

  t.test('graceful CN stop shows SHUTDOWN at once, then the pid file is gone', async (t) => {
    const pidFile = join(cn.root, 'cn', 'bin', 'cn.pid');
    t.ok(existsSync(pidFile));
    const stopping = world.stopScript(cn, ['-g']);
    await world.waitFor(async () => (await computeNodes())[0]?.StatusCode === 'SHUTDOWN', { what: 'SHUTDOWN status' });
    t.match((await computeNodes())[0], { Alive: 'false', ErrMsg: 'BE is shutting down', StatusCode: 'SHUTDOWN' });
    const stopped = await stopping;
    t.equal(stopped.code, 0);
    t.same(await cn.exited, { code: 0, signal: null });
    t.notOk(existsSync(pidFile));
    await world.waitFor(async () => (await computeNodes())[0]?.StatusCode === 'DISCONNECTED', { what: 'DISCONNECTED after more failures' });
  });

  t.test('killing a BE with single-replica tablets is reported as data loss', async (t) => {
    const victim = bes[0]?.ip as string;
    const id = Number((await backendRow(victim))?.BackendId);
    const single = world.tablets().filter((x) => x.replicationNum === 1 && x.replicas.includes(id));
    t.ok(single.length > 0, 'the victim holds single-replica tablets');
    t.same(world.lostTablets(), []);
    world.kill(victim);
    await world.waitFor(async () => (await backendRow(victim))?.Alive === 'false', { what: 'victim dead' });
    const lost = world.lostTablets().map((x) => x.id);
    t.same(lost.sort(), single.map((x) => x.id).sort());
    t.ok(world.underReplicatedTablets().length >= lost.length);
    t.match((await backendRow(victim))?.ErrMsg, /Connection refused/);
  });
});

t.test('a BE bound to one cluster refuses another cluster', async (t) => {
  const world = await SimWorld.start({ heartbeatIntervalMs: 150, heartbeatRetries: 1 });
  t.teardown(() => world.stop());
  const fe1 = world.spawn({ component: 'fe' });
  const fe2 = world.spawn({ component: 'fe' });
  const be = world.spawn({ component: 'be' });
  for (const n of [fe1, fe2, be]) await world.waitOpen(n.ip);
  t.equal(world.clusterIdsCreated().length, 2, 'two empty-meta FEs without helper make two clusters');
  const c1 = await mysql.createConnection({ host: fe1.ip, port: 9030, user: 'root' });
  const c2 = await mysql.createConnection({ host: fe2.ip, port: 9030, user: 'root' });
  t.teardown(async () => {
    await c1.end();
    await c2.end();
  });
  await c1.query(`ALTER SYSTEM ADD BACKEND "${be.ip}:9050"`);
  await world.waitFor(async () => ((await c1.query('SHOW BACKENDS'))[0] as Row[])[0]?.Alive === 'true', { what: 'BE alive in cluster 1' });
  await c2.query(`ALTER SYSTEM ADD BACKEND "${be.ip}:9050"`);
  // compare_master_info checks the token before the cluster id: a BE that took cluster 1's
  // heartbeats since it started knows that cluster's token (a freshly restarted one would not).
  await world.waitFor(async () => ((await c2.query('SHOW BACKENDS'))[0] as Row[])[0]?.ErrMsg === 'Unmatched token', { what: 'Unmatched token' });
  t.equal(((await c2.query('SHOW BACKENDS'))[0] as Row[])[0]?.Alive, 'false');
  await c1.query(`ALTER SYSTEM ADD COMPUTE NODE "${be.ip}:9051"`);
  t.equal(((await c1.query('SHOW BACKENDS'))[0] as Row[])[0]?.Alive, 'true');
  await c2.query(`ALTER SYSTEM DROP BACKEND "${be.ip}:9050"`);
  // A CN row pointing at a BE's heartbeat port gets the node-type refusal.
  await c1.query(`ALTER SYSTEM DROP COMPUTE NODE "${be.ip}:9051"`);
  await c1.query(`ALTER SYSTEM DROP BACKEND "${be.ip}:9050"`);
  await c1.query(`ALTER SYSTEM ADD COMPUTE NODE "${be.ip}:9050"`);
  await world.waitFor(async () => ((await c1.query('SHOW COMPUTE NODES'))[0] as Row[])[0]?.ErrMsg === 'expect to be CN but actually BE,Unmatched node type!', {
    what: 'node type refusal',
  });
});

t.test('the BE process checks heartbeats in compare_master_info order, host last', async (t) => {
  const world = await SimWorld.start({ heartbeatIntervalMs: 150, heartbeatRetries: 1 });
  t.teardown(() => world.stop());
  const fe = world.spawn({ component: 'fe' });
  const [be, other] = [world.spawn({ component: 'be' }), world.spawn({ component: 'be' })];
  for (const n of [fe, be, other]) await world.waitOpen(n.ip);
  const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root' });
  t.teardown(() => conn.end());
  await conn.query(`ALTER SYSTEM ADD BACKEND "${be.ip}:9050"`);
  await world.waitFor(async () => ((await conn.query('SHOW BACKENDS'))[0] as Row[])[0]?.Alive === 'true', { what: 'BE alive' });
  const cluster = world.cluster();
  if (cluster === undefined) throw new Error('no cluster');
  const valid: HeartbeatRequest = { clusterId: cluster.clusterId, token: cluster.token, epoch: cluster.epoch, host: be.ip, nodeType: 'backend' };
  t.match(await rawHeartbeat(be.ip, valid), { status: 'OK', bePort: 9060 });
  t.same(await rawHeartbeat(be.ip, { ...valid, clusterId: 1, nodeType: 'compute_node' }), { status: 'ERROR', msg: 'Unmatched cluster id' }, 'cluster id before node type');
  t.same(await rawHeartbeat(be.ip, { ...valid, clusterId: 1, epoch: cluster.epoch - 1 }), { status: 'ERROR', msg: 'Out-dated epoch' }, 'epoch first');
  t.same(await rawHeartbeat(be.ip, { ...valid, host: other.ip }), { status: 'ERROR', msg: 'FE saved address not match backend address' });
  t.same(await rawHeartbeat(be.ip, { ...valid, host: 'be-9.nowhere.invalid' }), {
    status: 'ERROR',
    msg: 'failed to get ipv4 from host: be-9.nowhere.invalid, err: Name or service not known',
  });
  t.equal(((await conn.query('SHOW BACKENDS'))[0] as Row[])[0]?.Alive, 'true', 'refused probes change nothing for the leader');
});

t.test("a BE restarted on a wiped storage is unhealthy in SHOW PROC '/statistic' until cloned back", async (t) => {
  const world = await SimWorld.start({ heartbeatIntervalMs: 150, heartbeatRetries: 1, tabletSchedulerIntervalMs: 300, tabletMovesPerRound: 1 });
  t.teardown(() => world.stop());
  const fe = world.spawn({ component: 'fe' });
  const bes = [0, 1, 2].map(() => world.spawn({ component: 'be' }));
  for (const n of [fe, ...bes]) await world.waitOpen(n.ip);
  const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root' });
  t.teardown(() => conn.end());
  const backends = async (): Promise<Row[]> => (await conn.query('SHOW BACKENDS'))[0] as Row[];
  const total = async (): Promise<Row | undefined> => ((await conn.query("SHOW PROC '/statistic'"))[0] as Row[]).find((r) => r.DbId === 'Total');
  await conn.query(`ALTER SYSTEM ADD BACKEND ${bes.map((b) => `"${b.ip}:9050"`).join(', ')}`);
  await world.waitFor(async () => (await backends()).filter((r) => r.Alive === 'true').length === 3, { what: 'three BEs alive' });
  world.createTable({ db: 'app', table: 'events', buckets: 6, replicationNum: 2 });
  const [rows, fields] = (await conn.query("SHOW PROC '/statistic'")) as unknown as [Row[], { name: string }[]];
  t.same(fields.map((f) => f.name), [...STATISTIC_COLUMNS]);
  t.match(rows, [{ DbName: 'app', TableNum: '1', TabletNum: '6', ReplicaNum: '12', UnhealthyTabletNum: '0' }, { DbId: 'Total', DbName: '1', UnhealthyTabletNum: '0' }]);

  const restart = async (index: number, wipe: boolean): Promise<void> => {
    const node = bes[index];
    if (node === undefined) throw new Error('no such BE');
    world.kill(node.ip);
    await node.exited;
    if (wipe) rmSync(join(node.root, 'be', 'storage'), { recursive: true, force: true });
    bes[index] = world.spawn({ component: 'be', ip: node.ip, root: node.root });
    await world.waitOpen(node.ip);
  };
  const intact = bes[1]?.ip as string;
  const heldIntact = Number((await backends()).find((r) => r.IP === intact)?.TabletNum);
  await restart(1, false);
  await world.waitFor(async () => (await backends()).find((r) => r.IP === intact)?.Alive === 'true' && world.unhealthyTablets().length === 0, { what: 'intact BE back' });
  t.equal(Number((await backends()).find((r) => r.IP === intact)?.TabletNum), heldIntact, 'an intact storage keeps its replicas');

  const wiped = bes[2]?.ip as string;
  const held = Number((await backends()).find((r) => r.IP === wiped)?.TabletNum);
  t.ok(held >= 3, `the BE to wipe holds ${held} tablets`);
  await restart(2, true);
  const seen = await world.waitFor(
    async () => {
      const row = (await backends()).find((r) => r.IP === wiped);
      const unhealthy = Number((await total())?.UnhealthyTabletNum);
      return row?.Alive === 'true' && row.TabletNum !== String(held) && unhealthy > 0 && unhealthy === world.unhealthyTablets().length ? unhealthy : undefined;
    },
    { what: 'the wiped BE back with its replicas missing' },
  );
  t.ok(seen >= 1 && seen <= held, `UnhealthyTabletNum ${seen} while its ${held} replicas are re-cloned`);
  t.same(world.lostTablets(), [], 'every tablet kept a copy elsewhere');
  await world.waitFor(async () => (await total())?.UnhealthyTabletNum === '0', { what: 'all tablets healthy again' });
  t.same(world.unhealthyTablets(), []);
  t.match(await total(), { TabletNum: '6', ReplicaNum: '12', UnhealthyTabletNum: '0', CloningTabletNum: '0' });
});

/** One heartbeat sent straight to a BE's heartbeat port, as the leader sends it. */
function rawHeartbeat(ip: string, request: HeartbeatRequest): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port: 9050 });
    let buffer = '';
    const timer = setTimeout(() => socket.destroy(new Error('heartbeat timed out')), 5000);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (buffer += chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffer) as Record<string, unknown>);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<{ errno: unknown; message: unknown } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    const e = error as { errno?: unknown; sqlMessage?: unknown };
    return { errno: e.errno, message: e.sqlMessage };
  }
}
