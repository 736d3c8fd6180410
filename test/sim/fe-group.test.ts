// A replicated FE group: bootstrap, the join protocol over /role, forwarding, quorum loss and
// re-election, graceful exit, the restart rules with meta, and split-brain recording.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import mysql from 'mysql2/promise';
import { SimWorld } from './world/sim-world.ts';
import type { SimProcess } from './world/sim-world.ts';
import { sleep } from '../../agent/contract/backoff.ts';

type Row = Record<string, string>;

const world = await SimWorld.start({
  heartbeatIntervalMs: 150,
  heartbeatRetries: 2,
  joinPollMs: 150,
  queryTimeoutMs: 1000,
  thriftRpcTimeoutMs: 500,
  feGracefulExitMs: 600,
});
t.teardown(() => world.stop());

async function sql(fe: SimProcess, statement: string): Promise<Row[]> {
  const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root', connectTimeout: 10_000 });
  try {
    return (await conn.query({ sql: statement, timeout: 20_000 }))[0] as Row[];
  } finally {
    await conn.end();
  }
}

/** GET `/role` on `feIp` from source address `from` (the helper authorises by source address). */
function role(feIp: string, query: string, from: string): Promise<{ status: number; role: string | undefined; name: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: feIp, port: 8030, path: `/role?${query}`, localAddress: from, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const h = (n: string): string | undefined => (typeof res.headers[n] === 'string' ? (res.headers[n] as string) : undefined);
        resolve({ status: res.statusCode ?? 0, role: h('role'), name: h('name'), body });
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

const all: SimProcess[] = [];
const track = (p: SimProcess): SimProcess => {
  all.push(p);
  return p;
};
const leaderProc = (): SimProcess => {
  const host = world.leader()?.host;
  const found = [...all].reverse().find((p) => p.ip === host);
  if (found === undefined) throw new Error('no leader process');
  return found;
};

const fe0 = track(world.spawn({ component: 'fe' }));
await world.waitOpen(fe0.ip);
const fe1Ip = world.addresses.next();
const fe2Ip = world.addresses.next();
let fe1: SimProcess;
let fe2: SimProcess;

t.test('a joining FE stays unready until it is added on the leader', async (t) => {
  fe1 = track(world.spawn({ component: 'fe', ip: fe1Ip, args: ['--helper', `${fe0.ip}:9010`] }));
  await world.waitFor(() => log(fe1).includes('current node is not added to the group. please add it first.'), { what: 'the join poll' });
  await world.waitFor(() => log(fe1).split('current node is not added').length > 3, { what: 'several join polls' });
  t.notOk(world.isOpen(fe1Ip), 'no query port before ADD');
  const refused = await role(fe0.ip, `host=${fe1Ip}&port=9010`, fe1Ip);
  t.equal(refused.status, 400);
  t.equal(refused.body, 'invalid client host.');
  await sql(fe0, `ALTER SYSTEM ADD FOLLOWER "${fe1Ip}:9010"`);
  await world.waitOpen(fe1Ip);
  t.match(readFileSync(join(fe1.root, 'fe', 'meta', 'image', 'ROLE'), 'utf8'), /\nrole=FOLLOWER\n/);
  t.match(readFileSync(join(fe1.root, 'fe', 'meta', 'image', 'VERSION'), 'utf8'), new RegExp(`clusterId=${world.clusterIdsCreated()[0]}\\n`));
});

t.test('a 3-FE group elects one leader and non-leaders forward', async (t) => {
  await sql(fe1, `ALTER SYSTEM ADD FOLLOWER "${fe2Ip}:9010"`);
  fe2 = track(world.spawn({ component: 'fe', ip: fe2Ip, args: ['--helper', `${fe1Ip}:9010`] }));
  await world.waitOpen(fe2Ip);
  await world.waitFor(async () => (await sql(fe2, 'SHOW FRONTENDS')).every((r) => r.Alive === 'true' && r.Join === 'true'), { what: 'three alive FEs' });
  const rows = await sql(fe2, 'SHOW FRONTENDS');
  t.equal(rows.length, 3);
  t.same(rows.filter((r) => r.Role === 'LEADER').map((r) => r.IP), [fe0.ip]);
  t.same(rows.map((r) => r.IsHelper), ['true', 'true', 'true']);
  for (const r of rows) t.match(r, { QueryPort: '9030', RpcPort: '9020', HttpPort: '8030', ErrMsg: '' });
  t.equal(world.clusterIdsCreated().length, 1);
  const statement = world.statements().find((s) => s.sql.startsWith(`ALTER SYSTEM ADD FOLLOWER "${fe2Ip}`));
  t.equal(statement?.fe, fe1Ip, 'the statement log names the receiving FE');
});

t.test('--helper at the node itself is an error, with or without meta', async (t) => {
  const selfIp = world.addresses.next();
  const bad = world.spawn({ component: 'fe', args: ['--helper', `${selfIp}:9010`, '--logconsole'], ip: selfIp });
  const exit = await bad.exited;
  t.equal(exit.code, 255);
  t.match(bad.output(), /Do not specify the helper node to FE itself\. Please specify it to the existing running Leader or Follower FE/);
  t.equal(world.clusterIdsCreated().length, 1, 'the refused FE created nothing');
  const own = world.spawn({ component: 'fe', ip: world.addresses.next(), args: ['--logconsole'] });
  await world.waitOpen(own.ip);
  t.equal(world.clusterIdsCreated().length, 2, 'the second empty-meta FE without helper created a second cluster id');
  t.not(world.clusterIdsCreated()[0], world.clusterIdsCreated()[1]);
  world.kill(own.ip);
  await own.exited;
  // NodeMgr.getHelperNodes throws before the meta is read.
  const again = world.spawn({ component: 'fe', root: own.root, ip: own.ip, args: ['--helper', `${own.ip}:9010`, '--logconsole'] });
  t.match(await ended(again), { code: 255 });
  t.match(again.output(), /Do not specify the helper node to FE itself/);
  t.equal(world.clusterIdsCreated().length, 2, 'a restart with meta creates nothing');
});

t.test('a follower that has not replayed the ADD answers UNKNOWN', async (t) => {
  world.partition(fe2Ip);
  const newcomer = world.addresses.next();
  await sql(fe0, `ALTER SYSTEM ADD OBSERVER "${newcomer}:9010"`);
  const lagging = await role(fe2Ip, `host=${newcomer}&port=9010`, newcomer);
  t.equal(lagging.status, 400, 'the lagging follower does not know the newcomer as an FE either');
  const laggingFromFe = await role(fe2Ip, `host=${newcomer}&port=9010`, fe1Ip);
  t.equal(laggingFromFe.status, 200);
  t.equal(laggingFromFe.role, 'UNKNOWN');
  const leader = await role(fe0.ip, `host=${newcomer}&port=9010`, newcomer);
  t.equal(leader.role, 'OBSERVER');
  t.match(leader.name, new RegExp(`^${newcomer.replaceAll('.', '\\.')}_9010_\\d+$`));
  t.notOk(world.frontendsSeenBy(fe2Ip).some((n) => n.startsWith(newcomer)));
  t.ok(world.frontendsSeenBy(fe0.ip).some((n) => n.startsWith(newcomer)));
  world.heal(fe2Ip);
  await world.waitFor(() => world.frontendsSeenBy(fe2Ip).some((n) => n.startsWith(newcomer)), { what: 'fe2 to replay the ADD' });
  const caughtUp = await role(fe2Ip, `host=${newcomer}&port=9010`, newcomer);
  t.equal(caughtUp.role, 'OBSERVER');
  await sql(fe0, `ALTER SYSTEM DROP OBSERVER "${newcomer}:9010"`);
});

t.test('the group survives the loss of one follower; without a majority the leader exits and rejoins from meta', async (t) => {
  world.kill(fe2Ip);
  await fe2.exited;
  t.equal(world.leader()?.host, fe0.ip);
  await sql(fe1, 'ALTER SYSTEM ADD BACKEND "127.0.0.3:9050"');
  await world.waitFor(async () => (await sql(fe0, 'SHOW FRONTENDS')).find((r) => r.IP === fe2Ip)?.Alive === 'false', { what: 'fe2 seen dead' });
  world.pause(fe1Ip);
  // StateChangeExecutor: LEADER -> UNKNOWN is System.exit(-1).
  t.same(await ended(fe0), { code: 255, signal: null });
  t.match(log(fe0), /transfer FE type from LEADER to UNKNOWN\. exit/);
  t.equal(world.leader(), undefined);
  const back = track(world.spawn({ component: 'fe', root: fe0.root, ip: fe0.ip }));
  await sleep(600);
  t.notOk(world.isOpen(fe0.ip), 'no query port while no majority elects a leader');
  world.resume(fe1Ip);
  await world.waitFor(() => world.leader() !== undefined, { what: 'a leader again' });
  await world.waitOpen(fe0.ip);
  await sql(back, 'ALTER SYSTEM DROP BACKEND "127.0.0.3:9050"');
  fe2 = track(world.spawn({ component: 'fe', root: fe2.root, ip: fe2Ip }));
  await world.waitOpen(fe2Ip);
  await world.waitFor(async () => (await sql(back, 'SHOW FRONTENDS')).every((r) => r.Alive === 'true'), { what: 'fe2 back' });
});

t.test('when the leader dies another follower is elected with a higher epoch', async (t) => {
  const cluster = world.cluster();
  const epoch = cluster?.epoch ?? 0;
  const be = world.spawn({ component: 'be' });
  await world.waitOpen(be.ip);
  await sql(fe1, `ALTER SYSTEM ADD BACKEND "${be.ip}:9050"`);
  await world.waitFor(async () => (await sql(fe1, 'SHOW BACKENDS'))[0]?.Alive === 'true', { what: 'BE alive' });
  const dying = leaderProc();
  world.kill(dying.ip);
  await dying.exited;
  const leader = await world.waitFor(() => world.leader(), { what: 'a new leader' });
  t.not(leader.host, dying.ip);
  t.ok((cluster?.epoch ?? 0) > epoch, 'the epoch went up');
  const survivor = leaderProc();
  const rows = await sql(survivor, 'SHOW FRONTENDS');
  t.same(rows.filter((r) => r.Role === 'LEADER').map((r) => r.IP), [leader.host]);
  await sleep(600);
  t.match((await sql(survivor, 'SHOW BACKENDS'))[0], { Alive: 'true', ErrMsg: '' }, 'the BE accepts the new epoch');
  const restarted = track(world.spawn({ component: 'fe', root: dying.root, ip: dying.ip }));
  await world.waitOpen(restarted.ip);
  await world.waitFor(async () => (await sql(survivor, 'SHOW FRONTENDS')).every((r) => r.Alive === 'true'), { what: 'all three alive again' });
});

t.test('a restart whose helper is not in its local group fails with bad environment', async (t) => {
  const leader = leaderProc();
  const follower = [...all].reverse().find((p) => p.ip !== leader.ip && world.isOpen(p.ip)) as SimProcess;
  world.kill(follower.ip);
  await follower.exited;
  const fe3Ip = world.addresses.next();
  await sql(leader, `ALTER SYSTEM ADD FOLLOWER "${fe3Ip}:9010"`);
  const fe3 = track(world.spawn({ component: 'fe', ip: fe3Ip, args: ['--helper', `${leader.ip}:9010`] }));
  await world.waitOpen(fe3.ip);
  const back = world.spawn({ component: 'fe', root: follower.root, ip: follower.ip, args: ['--helper', `${fe3Ip}:9010`, '--logconsole'] });
  const exit = await back.exited;
  t.equal(exit.code, 255);
  t.match(back.output(), new RegExp(`bad environment .*/meta/bdb! helper host ${fe3Ip.replaceAll('.', '\\.')}:9010 not in local \\[`));
  const plain = track(world.spawn({ component: 'fe', root: follower.root, ip: follower.ip }));
  await world.waitOpen(plain.ip);
  t.equal(world.cluster()?.voters().length, 4);
});

t.test('graceful exit: health 500 at once, leadership moves, exit 0', async (t) => {
  const leaving = leaderProc();
  const stop = world.stopScript(leaving, ['-g']);
  await world.waitFor(async () => (await fetch(`http://${leaving.ip}:8030/api/health`)).status === 500, { what: 'health 500' });
  const next = await world.waitFor(() => (world.leader()?.host !== leaving.ip ? world.leader() : undefined), { what: 'leadership to move' });
  t.not(next.host, leaving.ip);
  t.equal((await stop).code, 0);
  t.same(await leaving.exited, { code: 0, signal: null });
  t.equal(world.clusterIdsCreated().length, 2, 'no cluster created by any of this');
});
