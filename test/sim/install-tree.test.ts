// The fake install tree's scripts: --daemon, the pid-file guard, STARROCKS_CONF_DIR, the stop
// script's graceful signal, --timeout with kill -9, and SQL latency injection.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import mysql from 'mysql2/promise';
import { SimWorld } from './world/sim-world.ts';

t.test('start and stop scripts', async (t) => {
  const world = await SimWorld.start({ heartbeatIntervalMs: 200, feGracefulExitMs: 300 });
  t.teardown(() => world.stop());
  const root = world.createTree('fe');
  const ip = world.addresses.next();
  const confDir = join(world.baseDir, 'mounted-conf');
  mkdirSync(confDir, { recursive: true });
  writeFileSync(join(confDir, 'fe.conf'), `query_port = 9033\nmeta_dir = ${join(world.baseDir, 'fe-meta')}\n`);

  const daemon = world.spawn({ component: 'fe', root, ip, args: ['--daemon'], env: { STARROCKS_CONF_DIR: confDir } });
  t.same(await daemon.exited, { code: 0, signal: null }, 'the script returns at once with --daemon');
  await world.waitOpen(ip);
  const pidFile = join(root, 'fe', 'bin', 'fe.pid');
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  t.equal(pid, world.pidOf(ip));
  t.ok(existsSync(join(world.baseDir, 'fe-meta', 'image', 'ROLE')), 'meta_dir from the mounted conf');
  const conn = await mysql.createConnection({ host: ip, port: 9033, user: 'root' });

  t.test('SQL latency injection', async (t) => {
    world.setSqlLatency(ip, 400);
    const started = Date.now();
    await conn.query('SELECT 1');
    t.ok(Date.now() - started >= 400, 'the statement waited');
    world.setSqlLatency(ip, 0);
  });
  await conn.end();

  const twice = world.spawn({ component: 'fe', root, ip, args: ['--logconsole'], env: { STARROCKS_CONF_DIR: confDir } });
  t.equal((await twice.exited).code, 1);
  t.match(twice.output(), new RegExp(`Frontend running as process ${pid}\\. Stop it first\\.`));

  world.pause(ip);
  const stopped = await world.stopScript({ root, component: 'fe' }, ['--timeout', '1']);
  t.equal(stopped.code, 0);
  t.match(stopped.output, /graceful exit timeout, forced termination of the process/);
  t.notOk(existsSync(pidFile));
  t.same(await world.stopScript({ root, component: 'fe' }), { code: 0, output: '' }, 'no pid file: nothing to do');

  const again = world.spawn({ component: 'fe', root, ip, env: { STARROCKS_CONF_DIR: confDir } });
  await world.waitOpen(ip);
  const graceful = await world.stopScript({ root, component: 'fe' }, ['-g', '--timeout', '60']);
  t.equal(graceful.code, 0);
  t.same(await again.exited, { code: 0, signal: null }, 'SIGUSR1: graceful exit with 0');
  const term = world.spawn({ component: 'fe', root, ip, env: { STARROCKS_CONF_DIR: confDir } });
  await world.waitOpen(ip);
  // Bounded: the real script would wait forever for a process that ignores SIGTERM.
  await world.stopScript({ root, component: 'fe' }, ['--timeout', '60']);
  t.same(await term.exited, { code: null, signal: 'SIGTERM' }, 'the default stop is SIGTERM');
});
