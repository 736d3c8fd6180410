// FQDN mode against the simulated cluster DNS: an FE names itself by the PTR of its address and
// refuses to start when its name does not resolve both ways; hosts are stored as FQDNs and the
// leader reaches FQDN-registered nodes through DNS.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import mysql from 'mysql2/promise';
import { podFqdn } from '../../agent/contract/index.ts';
import { startClusterDns } from './dns/cluster-dns.ts';
import { starrocksPod, starrocksServices } from './dns/starrocks-services.ts';
import { SimWorld } from './world/sim-world.ts';

type Row = Record<string, string>;

t.test('FQDN mode', async (t) => {
  const dns = await startClusterDns({ ttlSeconds: 0 });
  t.teardown(() => dns.stop());
  const world = await SimWorld.start({ heartbeatIntervalMs: 150, heartbeatRetries: 2, dns: dns.address });
  t.teardown(() => world.stop());
  const namespace = 'sim';
  const cluster = 'kube';
  for (const service of starrocksServices({ namespace, cluster })) dns.setService(service);
  const fqdn = (component: 'fe' | 'be', ordinal: number): string => podFqdn({ pod: `${cluster}-${component}-${ordinal}`, cluster, component, namespace, domain: 'cluster.local' });
  const fe0Ip = world.addresses.next();
  dns.setPod(starrocksPod({ namespace, cluster, component: 'fe', ordinal: 0, ip: fe0Ip, ready: false }));
  await dns.settled();

  const fe0 = world.spawn({ component: 'fe', ip: fe0Ip, args: ['--host_type', 'FQDN'] });
  await world.waitOpen(fe0.ip);
  const conn = await mysql.createConnection({ host: fe0.ip, port: 9030, user: 'root' });
  t.teardown(() => conn.end());
  const [rows] = await conn.query('SHOW FRONTENDS');
  const row = (rows as Row[])[0] as Row;
  t.equal(row.IP, fqdn('fe', 0));
  t.match(row.Name, new RegExp(`^${fqdn('fe', 0).replaceAll('.', '\\.')}_9010_\\d{13}$`));
  t.match(readFileSync(join(fe0.root, 'fe', 'meta', 'image', 'ROLE'), 'utf8'), /\nhostType=FQDN\n/);

  t.test('ADD FOLLOWER of a name that does not resolve', async (t) => {
    const error = await conn.query(`ALTER SYSTEM ADD FOLLOWER "${fqdn('fe', 1)}:9010"`).then(
      () => undefined,
      (e: { errno?: number; sqlMessage?: string }) => ({ errno: e.errno, sqlMessage: e.sqlMessage }),
    );
    // The default profile is 3.3, whose handleDdlStmt prefixes DdlException texts.
    t.same(error, { errno: 1064, sqlMessage: `Unexpected exception: unknown fqdn host: ${fqdn('fe', 1)}` });
  });

  t.test('a BE registered by FQDN is reached through DNS', async (t) => {
    const be = world.spawn({ component: 'be' });
    dns.setPod(starrocksPod({ namespace, cluster, component: 'be', ordinal: 0, ip: be.ip, ready: false }));
    await dns.settled();
    await world.waitOpen(be.ip);
    await conn.query(`ALTER SYSTEM ADD BACKEND "${fqdn('be', 0)}:9050"`);
    await world.waitFor(async () => ((await conn.query('SHOW BACKENDS'))[0] as Row[])[0]?.Alive === 'true', { what: 'the BE alive by FQDN' });
    t.equal(((await conn.query('SHOW BACKENDS'))[0] as Row[])[0]?.IP, fqdn('be', 0));
  });

  t.test('an FE whose own name does not resolve exits at start', async (t) => {
    const stray = world.spawn({ component: 'fe', args: ['--host_type', 'FQDN', '--logconsole'] });
    const exit = await stray.exited;
    t.equal(exit.code, 255);
    t.match(stray.output(), /canonical host name|no PTR/);
    t.equal(world.clusterIdsCreated().length, 1, 'it created no cluster');
  });

  t.test('a restart without --host_type keeps FQDN from ROLE', async (t) => {
    world.kill(fe0.ip);
    await fe0.exited;
    const again = world.spawn({ component: 'fe', root: fe0.root, ip: fe0.ip });
    await world.waitOpen(again.ip);
    const c = await mysql.createConnection({ host: again.ip, port: 9030, user: 'root' });
    t.equal(((await c.query('SHOW FRONTENDS'))[0] as Row[])[0]?.IP, fqdn('fe', 0));
    await c.end();
  });
});
