// The cluster data plane held to the StarRocks source (issue 10, items 6, 7 and 10), without
// processes: DROP BACKEND one at a time with the literal `<backends>` hint, DECOMMISSION's disk
// and replication checks, the leader-first DROP FOLLOWER check, 3.3's `Unexpected exception: `
// prefix, the rewrapped port error, the BE's heartbeat check order and host check, and
// SHOW PROC '/statistic' with replicas lost to a wiped storage and cloned back.
import t from 'tap';
import { checkBackendHost, checkHeartbeat } from './node/backend-heartbeat.ts';
import type { BoundMaster, HeartbeatRequest } from './node/backend-heartbeat.ts';
import { PROFILES } from './profile.ts';
import type { ProfileName } from './profile.ts';
import { parseStatement } from './sql/statement.ts';
import { Cluster, STATISTIC_COLUMNS } from './world/cluster.ts';
import type { ExecContext, NodeRow, SqlResult } from './world/cluster.ts';

const GIB = 1024 ** 3;

function ctxFor(profile: ProfileName): ExecContext {
  return { profile: PROFILES[profile], httpPort: 8030, hostType: 'IP', resolve: async (h) => (h === 'known.example' ? '10.0.0.99' : undefined), now: 1_700_000_000_000 };
}

async function run(cluster: Cluster, sql: string, profile: ProfileName = '3.3'): Promise<SqlResult> {
  return cluster.execute(parseStatement(sql), ctxFor(profile));
}

function beat(cluster: Cluster, row: NodeRow, storageId = `storage-${row.id}`): void {
  cluster.applyNodeHeartbeat(row, { ok: true, bePort: 9060, httpPort: 8040, brpcPort: 8060, rebootTime: 1, version: 'v', storageId }, { now: 1, retries: 3 });
}

/** A leader with `count` alive backends 10.0.1.1.. on port 9050. */
async function withBackends(count: number, setup: (c: Cluster) => void = () => undefined): Promise<Cluster> {
  const cluster = new Cluster({ clusterId: 42, token: 'tk' });
  cluster.addFirstFrontend('10.0.0.1', 9010, 1);
  cluster.electAmong(() => true);
  setup(cluster);
  const hosts = Array.from({ length: count }, (_, i) => `"10.0.1.${i + 1}:9050"`);
  await run(cluster, `ALTER SYSTEM ADD BACKEND ${hosts.join(', ')}`);
  for (const row of cluster.nodes) beat(cluster, row);
  return cluster;
}

function backendHosts(cluster: Cluster): string[] {
  return cluster.nodes.filter((n) => n.kind === 'backend').map((n) => n.host);
}

t.test('DROP BACKEND of several drops them one by one; the hint names <backends> literally', async (t) => {
  const cluster = await withBackends(3);
  cluster.createTable({ db: 'd', table: 'single', buckets: 1, replicationNum: 1 });
  t.equal(cluster.tablets[0]?.replicas[0], cluster.nodes[0]?.id, 'the single replica lives on 10.0.1.1');
  t.same(await run(cluster, 'ALTER SYSTEM DROP BACKEND "10.0.1.2:9050", "10.0.1.1:9050"'), {
    kind: 'error',
    code: 1064,
    state: 'HY000',
    message:
      'Unexpected exception: Tables such as [d.single] on the backend[10.0.1.1:9050] have only one replica. To avoid data loss, please change the replication_num of [d.single] to three. ALTER SYSTEM DROP BACKEND <backends> FORCE can be used to forcibly drop the backend. ',
  });
  t.same(backendHosts(cluster), ['10.0.1.1', '10.0.1.3'], 'the backend before the refusal stays dropped');
  t.match(await run(cluster, 'ALTER SYSTEM DROP BACKEND "10.0.1.3:9050", "10.0.9.9:9050"'), { message: 'Unexpected exception: backend does not exists[10.0.9.9:9050]' });
  t.same(backendHosts(cluster), ['10.0.1.1', '10.0.1.3'], 'existence is checked for all before any drop');
  t.same(await run(cluster, 'ALTER SYSTEM DROP BACKEND "10.0.1.1:9050" FORCE'), { kind: 'ok' });
  t.same(backendHosts(cluster), ['10.0.1.3']);
});

t.test('DECOMMISSION counts every OLAP table against the available backends that remain', async (t) => {
  const cluster = await withBackends(3);
  cluster.createTable({ db: 'd', table: 'pair', buckets: 1, replicationNum: 2 });
  const [first, second, third] = cluster.nodes as [NodeRow, NodeRow, NodeRow];
  t.same(cluster.tablets[0]?.replicas, [first.id, second.id], 'no replica on the third backend');
  cluster.applyNodeHeartbeat(first, { ok: false, shutdown: false, message: 'down' }, { now: 2, retries: 0 });
  t.equal(first.hb.alive, false);
  t.same(await run(cluster, 'ALTER SYSTEM DECOMMISSION BACKEND "10.0.1.3:9050"'), {
    kind: 'error',
    code: 1064,
    state: 'HY000',
    message: 'Unexpected exception: It will cause insufficient BE number if these BEs are decommissioned because the table d.pair requires 2 replicas.',
  });
  t.equal(third.decommissioned, false);
  t.same(await run(cluster, 'ALTER SYSTEM DECOMMISSION BACKEND "10.0.9.9:9050"'), {
    kind: 'error',
    code: 1064,
    state: 'HY000',
    message: 'Unexpected exception: Backend does not exist[10.0.9.9:9050]',
  });
});

t.test('DECOMMISSION is refused when the data would not fit on the remaining disks', async (t) => {
  const cluster = await withBackends(3, (c) => {
    c.backendDiskBytes = 10 * GIB;
    c.tabletBytes = GIB;
  });
  cluster.createTable({ db: 'd', table: 'big', buckets: 24, replicationNum: 1 });
  const third = cluster.nodes[2] as NodeRow;
  t.equal(cluster.dataUsedBytes(third), 8 * GIB, 'used grows with the tablets held');
  t.equal(cluster.availableBytes(third), 2 * GIB);
  const row = (cluster.show('backends', ctxFor('3.3')) as { columns: string[]; rows: string[][] }).rows[2] as string[];
  const columns = PROFILES['3.3'].backendColumns;
  t.equal(row[columns.indexOf('TotalCapacity')], '10.000 GB');
  t.equal(row[columns.indexOf('DataUsedCapacity')], '8.000 GB');
  t.equal(row[columns.indexOf('AvailCapacity')], '2.000 GB');
  t.same(await run(cluster, 'ALTER SYSTEM DECOMMISSION BACKEND "10.0.1.3:9050"'), {
    kind: 'error',
    code: 1064,
    state: 'HY000',
    message: 'Unexpected exception: It will cause insufficient disk space if these BEs are decommissioned.',
  });
  t.equal(third.decommissioned, false);
  for (const n of cluster.nodes) n.diskTotalBytes = 20 * GIB;
  t.same(await run(cluster, 'ALTER SYSTEM DECOMMISSION BACKEND "10.0.1.3:9050"'), { kind: 'ok' }, 'fits once the disks are larger');
  t.equal(third.decommissioned, true);
  t.same(await run(cluster, 'CANCEL DECOMMISSION BACKEND "10.0.9.9:9050"'), {
    kind: 'error',
    code: 1064,
    state: 'HY000',
    message: 'Unexpected exception: Backend does not exists[10.0.9.9]',
  });
});

t.test('DROP FOLLOWER/OBSERVER of the leader is refused before the existence and role checks', async (t) => {
  const cluster = await withBackends(0);
  t.same(await run(cluster, 'ALTER SYSTEM DROP OBSERVER "10.0.0.1:9010"'), { kind: 'error', code: 1064, state: 'HY000', message: 'Unexpected exception: can not drop current master node.' });
  t.same(await run(cluster, 'ALTER SYSTEM DROP FOLLOWER "10.0.0.1:9010"', '3.5'), { kind: 'error', code: 1064, state: 'HY000', message: 'can not drop current master node.' });
  await run(cluster, 'ALTER SYSTEM ADD OBSERVER "10.0.0.2:9010"');
  t.match(await run(cluster, 'ALTER SYSTEM DROP FOLLOWER "10.0.0.2:9010"'), { message: 'Unexpected exception: FOLLOWER does not exist[10.0.0.2:9010]' });
  t.match(await run(cluster, 'ALTER SYSTEM DROP FOLLOWER "10.0.0.3:9010"'), { message: 'Unexpected exception: frontend does not exist[10.0.0.3:9010]' });
});

t.test('DDL errors carry the 3.3 prefix; analysis errors never do', async (t) => {
  const cluster = await withBackends(1);
  t.match(await run(cluster, 'ALTER SYSTEM ADD BACKEND "10.0.1.1:9050"'), { message: 'Unexpected exception: Backend already exists with same host 10.0.1.1 and port 9050' });
  t.match(await run(cluster, 'ALTER SYSTEM ADD BACKEND "10.0.1.1:9050"', '3.5'), { message: 'Backend already exists with same host 10.0.1.1 and port 9050' });
  t.match(await run(cluster, 'ADMIN SET FRONTEND CONFIG ("no_such_key" = "1")'), { message: "Unexpected exception: Config 'no_such_key' does not exist or is not mutable" });
  const portError = 'Getting analyzing error. Detail message: Encounter unknown exception: Getting analyzing error. Detail message: Port is out of range: 0..';
  t.same(await run(cluster, 'ALTER SYSTEM ADD BACKEND "10.0.1.9:0"'), { kind: 'error', code: 1064, state: 'HY000', message: portError });
  t.same(await run(cluster, 'ALTER SYSTEM DROP FOLLOWER "10.0.0.9:70000"', '3.5'), {
    kind: 'error',
    code: 1064,
    state: 'HY000',
    message: 'Getting analyzing error. Detail message: Encounter unknown exception: Getting analyzing error. Detail message: Port is out of range: 70000..',
  });
  t.match(await run(cluster, 'ALTER SYSTEM ADD BACKEND "10.0.1.9:x"'), { message: 'Getting analyzing error. Detail message: Encounter unknown exception: For input string: "x".' });
  t.match(
    await run(cluster, 'ALTER SYSTEM ADD BACKEND "nowhere.example:0"'),
    { message: 'Getting analyzing error. Detail message: Unknown host: nowhere.example: Name or service not known.' },
    'the name is resolved before the port is read',
  );
});

t.test('the BE checks a heartbeat in the order of compare_master_info', async (t) => {
  const req = (over: Partial<HeartbeatRequest> = {}): HeartbeatRequest => ({ clusterId: 7, token: 'tk', epoch: 3, host: '10.0.0.5', nodeType: 'backend', ...over });
  const bound: BoundMaster = { clusterId: 7, token: 'tk', epoch: 3 };
  const check = (request: HeartbeatRequest, b: BoundMaster | undefined = bound, isCn = false): ReturnType<typeof checkHeartbeat> =>
    checkHeartbeat({ request, bound: b, isCn, shuttingDown: false });
  t.match(check(req({ clusterId: 8, nodeType: 'compute_node' })), { ok: false, message: 'Unmatched cluster id' }, 'cluster id before node type');
  t.match(check(req({ clusterId: 8, epoch: 2 })), { ok: false, message: 'Out-dated epoch' }, 'epoch before cluster id');
  t.match(check(req({ clusterId: 8, token: 'other' })), { ok: false, message: 'Unmatched token' }, 'token before cluster id');
  t.match(checkHeartbeat({ request: req({ epoch: 1 }), bound, isCn: false, shuttingDown: true }), { status: 'SHUTDOWN', message: 'BE is shutting down' }, 'shutdown first');
  const restarted: BoundMaster = { clusterId: 7, token: undefined, epoch: 0 };
  t.match(check(req({ token: 'new', epoch: 1 }), restarted), { ok: true, bound: { clusterId: 7, token: 'new', epoch: 1 } }, 'after a restart only the cluster id is kept');
  t.match(check(req({ clusterId: 9 }), restarted), { ok: false, message: 'Unmatched cluster id' });
});

t.test('the BE checks the host the FE stored for it', async (t) => {
  const self = { localhost: '10.0.0.5', addresses: ['10.0.0.5'] };
  const resolve = async (name: string): Promise<string | undefined> => ({ 'be-0.svc': '10.0.0.5', 'be-1.svc': '10.0.0.6' })[name];
  t.same(await checkBackendHost('10.0.0.5', self, resolve), { ok: true, localhost: '10.0.0.5' });
  t.same(await checkBackendHost('10.0.0.6', self, resolve), { ok: false, message: 'FE saved address not match backend address' });
  t.same(await checkBackendHost('be-1.svc', self, resolve), { ok: false, message: 'Unmatched backend ip' });
  t.same(await checkBackendHost('gone.svc', self, resolve), { ok: false, message: 'failed to get ipv4 from host: gone.svc, err: Name or service not known' });
  t.same(await checkBackendHost('be-0.svc', self, resolve), { ok: true, localhost: 'be-0.svc' }, 'a matching FQDN becomes the localhost');
  t.same(await checkBackendHost('10.0.0.5', { localhost: 'be-0.svc', addresses: ['10.0.0.5'] }, resolve), { ok: true, localhost: '10.0.0.5' });
});

t.test("SHOW PROC '/statistic': per database, then Total; a wiped storage is unhealthy until cloned", async (t) => {
  const cluster = await withBackends(3);
  const statistic = (): string[][] => (cluster.show('statistic', ctxFor('3.3')) as { rows: string[][] }).rows;
  t.same((cluster.show('statistic', ctxFor('3.3')) as { columns: string[] }).columns, [
    'DbId', 'DbName', 'TableNum', 'PartitionNum', 'IndexNum', 'TabletNum', 'ReplicaNum', 'UnhealthyTabletNum',
    'InconsistentTabletNum', 'CloningTabletNum', 'ErrorStateTabletNum',
  ]);
  t.same([...STATISTIC_COLUMNS].length, 11);
  t.same(statistic(), [['Total', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0']], 'only the Total row without databases');
  cluster.createTable({ db: 'zdb', table: 't1', buckets: 6, replicationNum: 2 });
  cluster.createTable({ db: 'adb', table: 't2', buckets: 3, replicationNum: 3 });
  cluster.createTable({ db: 'zdb', table: 't3', buckets: 2, replicationNum: 1 });
  const rows = statistic();
  t.same(rows.map((r) => r.slice(1)), [
    ['adb', '1', '1', '1', '3', '9', '0', '0', '0', '0'],
    ['zdb', '2', '2', '2', '8', '14', '0', '0', '0', '0'],
    ['2', '3', '3', '3', '11', '23', '0', '0', '0', '0'],
  ]);
  t.match(rows[0]?.[0], /^\d+$/);
  t.equal(rows[2]?.[0], 'Total');
  const third = cluster.nodes[2] as NodeRow;
  const held = cluster.tabletCount(third.id);
  const singleOnThird = cluster.tablets.filter((x) => x.replicationNum === 1 && x.replicas.includes(third.id)).length;
  beat(cluster, third, 'wiped');
  t.equal(cluster.tabletCount(third.id), 0, 'the wiped backend reports none of its replicas');
  const unhealthy = cluster.unhealthyTablets().length;
  t.equal(unhealthy, held, 'every tablet it held is unhealthy');
  t.equal(statistic().at(-1)?.[7], String(unhealthy), 'Total UnhealthyTabletNum matches the truth');
  let rounds = 0;
  while (cluster.unhealthyTablets().length > singleOnThird && rounds < 50) {
    const before = cluster.unhealthyTablets().length;
    cluster.scheduleTablets(2);
    rounds++;
    t.ok(before - cluster.unhealthyTablets().length <= 2, 'at most the clone rate per round');
  }
  t.equal(cluster.unhealthyTablets().length, singleOnThird, 'everything with a surviving copy is cloned back');
  t.ok(rounds >= Math.ceil((held - singleOnThird) / 2), `took ${rounds} rounds`);
  t.ok(
    cluster.unhealthyTablets().every((x) => x.replicas.length === 0),
    'what stays unhealthy lost its only replica',
  );
  cluster.scheduleTablets(100);
  t.equal(cluster.unhealthyTablets().length, singleOnThird, 'no clone without a live source');
});
