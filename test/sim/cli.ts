/**
 * `npm run sim -- fe [--host 127.0.0.1] [--port 9030] [--http-port 8030] [--profile 3.3|3.5|4.1]
 * [--password P]`: a standalone single-FE world in the foreground, for poking with any MySQL
 * client. SIGINT or SIGTERM stops it. The password may also come from MYSQL_PWD (preferred: it
 * stays out of the process list), the profile from STARROCKS_SIM_PROFILE.
 */
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { isProfileName, PROFILE_NAMES } from './profile.ts';
import { SimWorld } from './world/sim-world.ts';

const USAGE = `usage: npm run sim -- fe [--host 127.0.0.1] [--port 9030] [--http-port 8030] [--profile ${PROFILE_NAMES.join('|')}] [--password P]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function port(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) fail(`${name} must be a port (1-65535), got "${raw}"`);
  return Number(raw);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string' },
        'http-port': { type: 'string' },
        profile: { type: 'string', default: process.env.STARROCKS_SIM_PROFILE ?? '3.3' },
        password: { type: 'string' },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'fe') fail('the only world is "fe"');
  const host = values.host;
  if (isIP(host) !== 4 || !host.startsWith('127.')) fail(`--host must be an IPv4 loopback address, got "${host}"`);
  const profile = values.profile;
  if (!isProfileName(profile)) fail(`--profile must be one of ${PROFILE_NAMES.join(', ')}, got "${profile}"`);
  const queryPort = port(values.port, 9030, '--port');
  const httpPort = port(values['http-port'], 8030, '--http-port');
  const password = values.password ?? process.env.MYSQL_PWD ?? '';

  const subnet = host.split('.').slice(0, 3).join('.');
  const world = await SimWorld.start({ profile, rootPassword: password, subnet });
  const fe = world.spawn({ component: 'fe', ip: host, conf: { query_port: String(queryPort), http_port: String(httpPort) }, args: ['--logconsole'] });
  fe.child.stdout?.pipe(process.stdout);
  fe.child.stderr?.pipe(process.stderr);
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    await world.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  void fe.exited.then(async (exit) => {
    if (stopping) return;
    process.stderr.write(`the FE exited (code ${String(exit.code)}, signal ${String(exit.signal)})\n`);
    await world.stop();
    process.exit(1);
  });
  await world.waitOpen(host, 60_000);
  process.stdout.write(
    `StarRocks ${profile} simulator: FE ready. mysql: mariadb -h ${host} -P ${queryPort} -u root${password === '' ? '' : ' -p'}; http: http://${host}:${httpPort}/api/health; Ctrl-C stops it.\n`,
  );
}

void main();
