// Conformance of the FE group and join protocol to StarRocks' source (issue 10): a deposed
// leader exits (StateChangeExecutor), a follower forwards to the leader it last knew
// (LeaderOpExecutor), the meta HTTP actions authorise by source address (MetaBaseAction,
// NodeMgr.getFeByHost), ROLE and VERSION are written as Storage writes them, and the join checks
// of NodeMgr.getClusterIdAndRoleOnStartup and BDBEnvironment.ensureHelperInLocal.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import mysql from 'mysql2/promise';
import { podFqdn } from '../../agent/contract/index.ts';
import { startClusterDns } from './dns/cluster-dns.ts';
import { starrocksPod, starrocksServices } from './dns/starrocks-services.ts';
import { SIM_ENV } from './node/node-env.ts';
import { SimWorld } from './world/sim-world.ts';
import type { SimProcess } from './world/sim-world.ts';

type Row = Record<string, string>;

const QUERY_TIMEOUT_MS = 3000;
const THRIFT_RPC_TIMEOUT_MS = 500;
const FORWARD_TIMEOUT_MS = QUERY_TIMEOUT_MS + THRIFT_RPC_TIMEOUT_MS;

const world = await SimWorld.start({
  heartbeatIntervalMs: 150,
  heartbeatRetries: 2,
  heartbeatTimeoutMs: 400,
  joinPollMs: 150,
  queryTimeoutMs: QUERY_TIMEOUT_MS,
  thriftRpcTimeoutMs: THRIFT_RPC_TIMEOUT_MS,
  feGracefulExitMs: 600,
});
t.teardown(() => world.stop());

async function sql(fe: { ip: string }, statement: string): Promise<Row[]> {
  const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root', connectTimeout: 10_000 });
  try {
    return (await conn.query({ sql: statement, timeout: 20_000 }))[0] as Row[];
  } finally {
    await conn.end();
  }
}

/** The MySQL error of a statement and how long it took; undefined fields when it succeeded. */
async function attempt(fe: { ip: string }, statement: string): Promise<{ errno: unknown; sqlState: unknown; message: unknown; ms: number }> {
  const started = Date.now();
  try {
    await sql(fe, statement);
    return { errno: undefined, sqlState: undefined, message: undefined, ms: Date.now() - started };
  } catch (error) {
    const e = error as { errno?: unknown; sqlState?: unknown; sqlMessage?: unknown };
    return { errno: e.errno, sqlState: e.sqlState, message: e.sqlMessage, ms: Date.now() - started };
  }
}

/** GET on an FE's http port from source address `from`. */
function get(feIp: string, path: string, from: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: feIp, port: 8030, path, localAddress: from, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** How a process ended, or `still running` after `ms`: a regression must fail, not hang. */
async function ended(p: SimProcess, ms = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const log = (fe: SimProcess): string => {
  try {
    return readFileSync(join(fe.root, 'fe', 'log', 'fe.out'), 'utf8');
  } catch {
    return '';
  }
};
const imageFile = (fe: { root: string }, name: 'ROLE' | 'VERSION'): string => join(fe.root, 'fe', 'meta', 'image', name);
const read = (path: string): string => readFileSync(path, 'utf8');
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const JAVA_DATE = '#[A-Z][a-z]{2} [A-Z][a-z]{2} \\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\d{4}\\n';

const all: SimProcess[] = [];
const track = (p: SimProcess): SimProcess => {
  all.push(p);
  return p;
};
/** The latest process at an address. */
const at = (ip: string): SimProcess => {
  const found = [...all].reverse().find((p) => p.ip === ip);
  if (found === undefined) throw new Error(`no process at ${ip}`);
  return found;
};
const leaderIp = (): string => {
  const host = world.leader()?.host;
  if (host === undefined) throw new Error('no leader');
  return host;
};
const allAlive = async (via: string, count: number): Promise<boolean> => {
  const rows = await sql({ ip: via }, 'SHOW FRONTENDS');
  return rows.length === count && rows.every((r) => r.Alive === 'true');
};

const fe0 = track(world.spawn({ component: 'fe' }));
await world.waitOpen(fe0.ip);
const fe1Ip = world.addresses.next();
const fe2Ip = world.addresses.next();
await sql(fe0, `ALTER SYSTEM ADD FOLLOWER "${fe1Ip}:9010"`);
await sql(fe0, `ALTER SYSTEM ADD FOLLOWER "${fe2Ip}:9010"`);
track(world.spawn({ component: 'fe', ip: fe1Ip, args: ['--helper', `${fe0.ip}:9010`] }));
track(world.spawn({ component: 'fe', ip: fe2Ip, args: ['--helper', `${fe0.ip}:9010`] }));
await world.waitOpen(fe1Ip);
await world.waitOpen(fe2Ip);
await world.waitFor(() => allAlive(fe0.ip, 3), { what: 'three alive FEs' });

t.test('ROLE then VERSION, in Properties.store form; hostType stays empty until ready', async (t) => {
  t.match(read(imageFile(fe0, 'ROLE')), new RegExp(`^${JAVA_DATE}role=FOLLOWER\\nhostType=IP\\nname=${esc(fe0.ip)}_9010_\\d{13}\\n$`));
  t.match(read(imageFile(fe0, 'VERSION')), new RegExp(`^${JAVA_DATE}clusterId=${world.clusterIdsCreated()[0]}\\nrunMode=shared_nothing\\ntoken=[0-9a-f-]{36}\\n$`));
  t.equal(read(imageFile(at(fe1Ip), 'VERSION')), read(imageFile(fe0, 'VERSION')), "a joiner's VERSION is its helper's file, downloaded from /version");

  const crashed = world.spawn({ component: 'fe', args: ['--logconsole'], env: { [SIM_ENV.crash]: 'after-role' } });
  t.match(await ended(crashed), { signal: 'SIGKILL' });
  t.match(read(imageFile(crashed, 'ROLE')), new RegExp(`^${JAVA_DATE}role=FOLLOWER\\nhostType=\\nname=${esc(crashed.ip)}_9010_\\d{13}\\n$`));
  t.notOk(existsSync(imageFile(crashed, 'VERSION')), 'a crash between the writes leaves ROLE without VERSION');
  const again = world.spawn({ component: 'fe', root: crashed.root, ip: crashed.ip, args: ['--logconsole'] });
  t.match(await ended(again), { code: 255 });
  t.match(again.output(), /role file and version file must both exist or both not exist\. please specific one helper node to recover\. will exit\./);
});

t.test('/role, /check and /version answer only callers whose source address is a registered FE', async (t) => {
  const stranger = world.addresses.next();
  const refused = await get(fe0.ip, `/role?host=${fe1Ip}&port=9010`, stranger);
  t.same({ status: refused.status, body: refused.body }, { status: 400, body: 'invalid client host.' }, 'the host parameter is not trusted');
  t.equal((await get(fe0.ip, '/check', stranger)).status, 400);
  t.equal((await get(fe0.ip, '/version', stranger)).status, 400);
  const known = await get(fe0.ip, `/role?host=${fe1Ip}&port=9010`, fe2Ip);
  t.equal(known.status, 200);
  t.equal(known.headers.role, 'FOLLOWER');
  const check = await get(fe0.ip, '/check', fe2Ip);
  t.match(check.headers, { cluster_id: String(world.clusterIdsCreated()[0]), run_mode: 'shared_nothing' });
  t.equal((await get(fe0.ip, '/version', fe2Ip)).body, read(imageFile(fe0, 'VERSION')));
});

t.test('with VERSION and no ROLE the joiner checks cluster id, token and run mode with /check', async (t) => {
  const ip = world.addresses.next();
  await sql(fe0, `ALTER SYSTEM ADD OBSERVER "${ip}:9010"`);
  const root = world.createTree('fe');
  const image = join(root, 'fe', 'meta', 'image');
  mkdirSync(image, { recursive: true });
  const good = read(imageFile(fe0, 'VERSION'));
  const clusterId = String(world.clusterIdsCreated()[0]);
  const token = /token=(.*)\n/.exec(good)?.[1] ?? '';
  const cases: [string, RegExp][] = [
    [`clusterId=1\nrunMode=shared_nothing\ntoken=${token}\n`, new RegExp(`cluster id is not equal with helper node ${esc(fe0.ip)}\\. will exit\\.`)],
    [`clusterId=${clusterId}\nrunMode=shared_nothing\ntoken=other\n`, new RegExp(`token is not equal with helper node ${esc(fe0.ip)}\\. will exit\\.`)],
    [`clusterId=${clusterId}\nrunMode=shared_data\ntoken=${token}\n`, new RegExp(`Unmatched run mode with helper node ${esc(fe0.ip)}: shared_data vs shared_nothing, will exit \\.`)],
  ];
  for (const [version, message] of cases) {
    rmSync(join(image, 'ROLE'), { force: true });
    writeFileSync(join(image, 'VERSION'), version);
    const fe = world.spawn({ component: 'fe', root, ip, args: ['--helper', `${fe0.ip}:9010`, '--logconsole'] });
    t.match(await ended(fe), { code: 255 });
    t.match(fe.output(), message);
  }
  rmSync(join(image, 'ROLE'), { force: true });
  writeFileSync(join(image, 'VERSION'), good);
  const fe = track(world.spawn({ component: 'fe', root, ip, args: ['--helper', `${fe0.ip}:9010`] }));
  await world.waitOpen(ip);
  t.match(read(imageFile(fe, 'ROLE')), /\nrole=OBSERVER\nhostType=IP\n/);
  world.kill(ip);
  await fe.exited;
  await sql(fe0, `ALTER SYSTEM DROP OBSERVER "${ip}:9010"`);
});

t.test('a joiner exits when its helper cannot serve /version', async (t) => {
  const ip = world.addresses.next();
  await sql(fe0, `ALTER SYSTEM ADD OBSERVER "${ip}:9010"`);
  await world.waitFor(async () => (await get(fe2Ip, `/role?host=${ip}&port=9010`, ip)).headers.role === 'OBSERVER', { what: 'fe2 to replay the ADD' });
  const helperVersion = imageFile(at(fe2Ip), 'VERSION');
  renameSync(helperVersion, `${helperVersion}.aside`);
  try {
    const fe = world.spawn({ component: 'fe', ip, args: ['--helper', `${fe2Ip}:9010`, '--logconsole'] });
    t.match(await ended(fe), { code: 255 });
    t.match(fe.output(), new RegExp(`Fail to download version file from http://${esc(fe2Ip)}:8030/version`));
  } finally {
    renameSync(`${helperVersion}.aside`, helperVersion);
  }
  await sql(fe0, `ALTER SYSTEM DROP OBSERVER "${ip}:9010"`);
});

t.test('a joiner that crashed between ROLE and VERSION recovers through its helper, and only through one', async (t) => {
  const ip = world.addresses.next();
  await sql(fe0, `ALTER SYSTEM ADD OBSERVER "${ip}:9010"`);
  const crashed = world.spawn({ component: 'fe', ip, args: ['--helper', `${fe0.ip}:9010`], env: { [SIM_ENV.crash]: 'after-role' } });
  t.match(await ended(crashed), { signal: 'SIGKILL' });
  t.match(read(imageFile(crashed, 'ROLE')), /\nrole=OBSERVER\nhostType=\nname=/);
  t.notOk(existsSync(imageFile(crashed, 'VERSION')));
  const alone = world.spawn({ component: 'fe', root: crashed.root, ip, args: ['--logconsole'] });
  t.match(await ended(alone), { code: 255 });
  t.match(alone.output(), /role file and version file must both exist or both not exist/);
  const recovered = track(world.spawn({ component: 'fe', root: crashed.root, ip, args: ['--helper', `${fe0.ip}:9010`] }));
  await world.waitOpen(ip);
  t.equal(read(imageFile(recovered, 'VERSION')), read(imageFile(fe0, 'VERSION')));
  t.match(read(imageFile(recovered, 'ROLE')), /\nrole=OBSERVER\nhostType=IP\n/);
  world.kill(ip);
  await recovered.exited;
  await sql(fe0, `ALTER SYSTEM DROP OBSERVER "${ip}:9010"`);
});

t.test('a follower forwards to the leader it last knew: refused at once when that process is gone', async (t) => {
  t.equal(leaderIp(), fe0.ip);
  world.partition(fe2Ip);
  world.kill(fe0.ip);
  await fe0.exited;
  t.equal(world.leader(), undefined, 'one voter of three cannot elect');
  for (const statement of ['SHOW FRONTENDS', 'ALTER SYSTEM ADD BACKEND "127.0.0.3:9050"']) {
    const failed = await attempt({ ip: fe1Ip }, statement);
    t.match(failed, { errno: 1064, sqlState: 'HY000', message: 'java.net.ConnectException: Connection refused' }, statement);
    t.ok(failed.ms < QUERY_TIMEOUT_MS, `${statement} failed without waiting (${failed.ms} ms)`);
  }
  world.heal(fe2Ip);
  await world.waitFor(() => world.leader(), { what: 'a new leader' });
  t.not(leaderIp(), fe0.ip);
  t.equal((await sql({ ip: fe1Ip }, 'SHOW FRONTENDS')).length, 3, 'the follower now forwards to the new leader');
  track(world.spawn({ component: 'fe', root: fe0.root, ip: fe0.ip }));
  await world.waitOpen(fe0.ip);
  await world.waitFor(() => allAlive(fe1Ip, 3), { what: 'fe0 back as a follower' });
});

t.test('a paused leader: the forward hangs until query_timeout plus the thrift timeout, though a new leader is elected meanwhile; on resume the old leader exits', async (t) => {
  const paused = at(leaderIp());
  const follower = [fe0.ip, fe1Ip, fe2Ip].find((ip) => ip !== paused.ip) as string;
  world.pause(paused.ip);
  const failed = await attempt({ ip: follower }, 'SHOW FRONTENDS');
  t.match(failed, { errno: 1064, sqlState: 'HY000', message: 'java.net.SocketTimeoutException: Read timed out' });
  t.ok(failed.ms >= FORWARD_TIMEOUT_MS - 100, `it hung for ${failed.ms} ms`);
  const next = await world.waitFor(() => world.leader(), { what: 'a new leader' });
  t.not(next.host, paused.ip);
  t.equal((await sql({ ip: follower }, 'SHOW FRONTENDS')).filter((r) => r.Role === 'LEADER').length, 1);
  world.resume(paused.ip);
  t.same(await ended(paused), { code: 255, signal: null });
  t.match(log(paused), /transfer FE type from LEADER to FOLLOWER\. exit/);
  track(world.spawn({ component: 'fe', root: paused.root, ip: paused.ip }));
  await world.waitOpen(paused.ip);
  await world.waitFor(() => allAlive(follower, 3), { what: 'the old leader back as a follower' });
});

t.test('a leader cut off from its group exits', async (t) => {
  const cut = at(leaderIp());
  const other = [fe0.ip, fe1Ip, fe2Ip].find((ip) => ip !== cut.ip) as string;
  world.partition(cut.ip);
  t.same(await ended(cut), { code: 255, signal: null });
  t.match(log(cut), /transfer FE type from LEADER to UNKNOWN\. exit/);
  world.heal(cut.ip);
  await world.waitFor(() => world.leader(), { what: 'a new leader' });
  track(world.spawn({ component: 'fe', root: cut.root, ip: cut.ip }));
  await world.waitOpen(cut.ip);
  await world.waitFor(() => allAlive(other, 3), { what: 'the old leader back' });
});

t.test('a graceful exit hands leadership over without the deposed-leader exit', async (t) => {
  const leaving = at(leaderIp());
  const logBefore = log(leaving).length;
  const stop = world.stopScript(leaving, ['-g']);
  await world.waitFor(() => (world.leader()?.host !== leaving.ip ? world.leader() : undefined), { what: 'leadership to move' });
  t.equal((await stop).code, 0);
  t.same(await ended(leaving), { code: 0, signal: null });
  t.notMatch(log(leaving).slice(logBefore), /transfer FE type from LEADER/);
  track(world.spawn({ component: 'fe', root: leaving.root, ip: leaving.ip }));
  await world.waitOpen(leaving.ip);
});

t.test('ensureHelperInLocal: observers are not in the local group, and an observer skips the check', async (t) => {
  const leader = leaderIp();
  const observerIp = world.addresses.next();
  await sql({ ip: leader }, `ALTER SYSTEM ADD OBSERVER "${observerIp}:9010"`);
  const observer = track(world.spawn({ component: 'fe', ip: observerIp, args: ['--helper', `${leader}:9010`] }));
  await world.waitOpen(observerIp);
  const follower = at([fe0.ip, fe1Ip, fe2Ip].find((ip) => ip !== leader) as string);
  await world.waitFor(async () => (await get(follower.ip, `/role?host=${observerIp}&port=9010`, observerIp)).headers.role === 'OBSERVER', { what: 'the follower to replay the observer' });
  world.kill(follower.ip);
  await follower.exited;
  const refused = world.spawn({ component: 'fe', root: follower.root, ip: follower.ip, args: ['--helper', `${observerIp}:9010`, '--logconsole'] });
  t.match(await ended(refused), { code: 255 });
  t.match(refused.output(), new RegExp(`bad environment .*/meta/bdb! helper host ${esc(observerIp)}:9010 not in local \\[`));
  track(world.spawn({ component: 'fe', root: follower.root, ip: follower.ip }));
  await world.waitOpen(follower.ip);

  world.kill(observerIp);
  await observer.exited;
  const newcomerIp = world.addresses.next();
  await sql({ ip: leader }, `ALTER SYSTEM ADD FOLLOWER "${newcomerIp}:9010"`);
  track(world.spawn({ component: 'fe', ip: newcomerIp, args: ['--helper', `${leader}:9010`] }));
  await world.waitOpen(newcomerIp);
  const back = track(world.spawn({ component: 'fe', root: observer.root, ip: observerIp, args: ['--helper', `${newcomerIp}:9010`, '--logconsole'] }));
  await world.waitOpen(observerIp);
  t.match(back.output(), /find ROLE and VERSION file in local, ignore helper nodes/);
});

t.test('FQDN mode: the helper resolves registered names to authorise a caller; ADD FOLLOWER compares resolved addresses', async (t) => {
  const dns = await startClusterDns({ ttlSeconds: 0 });
  t.teardown(() => dns.stop());
  const fqdnWorld = await SimWorld.start({ heartbeatIntervalMs: 150, heartbeatRetries: 2, joinPollMs: 150, dns: dns.address });
  t.teardown(() => fqdnWorld.stop());
  const namespace = 'sim';
  const cluster = 'strict';
  for (const service of starrocksServices({ namespace, cluster })) dns.setService(service);
  const fqdn = (ordinal: number): string => podFqdn({ pod: `${cluster}-fe-${ordinal}`, cluster, component: 'fe', namespace, domain: 'cluster.local' });
  const ips = [fqdnWorld.addresses.next(), fqdnWorld.addresses.next()];
  ips.forEach((ip, ordinal) => dns.setPod(starrocksPod({ namespace, cluster, component: 'fe', ordinal, ip, ready: false })));
  await dns.settled();
  const first = fqdnWorld.spawn({ component: 'fe', ip: ips[0], args: ['--host_type', 'FQDN'] });
  await fqdnWorld.waitOpen(first.ip);

  const duplicate = await attempt(first, `ALTER SYSTEM ADD FOLLOWER "${first.ip}:9011"`);
  t.match(duplicate.message, new RegExp(`FE with the same host: ${esc(first.ip)} already exists$`), 'the IP of an FE registered by name is the same host');

  await sql(first, `ALTER SYSTEM ADD FOLLOWER "${fqdn(1)}:9010"`);
  const refused = await get(first.ip, `/role?host=${fqdn(1)}&port=9010`, fqdnWorld.addresses.next());
  t.equal(refused.status, 400);
  const second = fqdnWorld.spawn({ component: 'fe', ip: ips[1], args: ['--host_type', 'FQDN', '--helper', `${fqdn(0)}:9010`] });
  await fqdnWorld.waitOpen(second.ip);
  const rows = await sql(first, 'SHOW FRONTENDS');
  t.same(rows.map((r) => r.IP).sort(), [fqdn(0), fqdn(1)].sort());
});
