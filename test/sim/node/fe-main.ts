/**
 * A simulated StarRocks FE process, exec'd by the fake `fe/bin/start_fe.sh`. It owns what a real
 * FE owns locally (flags, conf, meta files, its FQDN check, the join poll over HTTP, its query and
 * http ports, signals) and asks the world coordinator everything that is cluster truth.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { confPort } from '../../../agent/conf/starrocks-conf.ts';
import { PORTS } from '../../../agent/contract.ts';
import { claimPidFile, connectWorld, die, EXIT_FATAL, loadNodeEnv, logLine } from './node-env.ts';
import { readMeta, writeMeta } from './meta-files.ts';
import type { RoleFile } from './meta-files.ts';
import { startMysqlServer } from './mysql-server.ts';
import type { MysqlServer } from './mysql-server.ts';
import type { SqlResult } from '../world/cluster.ts';
import type { Message } from '../wire/channel.ts';

const C = 'fe';

interface Flags {
  helpers: string[];
  hostType: 'IP' | 'FQDN' | undefined;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { helpers: [], hostType: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => inline ?? argv[++i] ?? die(C, `option ${name} needs a value`, 1);
    switch (name) {
      case '--helper':
      case '-helper':
        flags.helpers = value().split(',').map((s) => s.trim()).filter((s) => s !== '');
        break;
      case '--host_type':
      case '-host_type': {
        const t = value().toUpperCase();
        if (t !== 'IP' && t !== 'FQDN') die(C, `invalid host_type: ${t}`, 1);
        flags.hostType = t;
        break;
      }
      case '--logconsole':
      case '--daemon':
      case '--debug':
        break;
      default:
        die(C, `unknown option ${arg}`, 1);
    }
  }
  return flags;
}

/** FQDN mode: the name is the PTR of POD_IP, and it must resolve back to POD_IP. */
async function ownFqdn(ip: string, dns: { host: string; port: number } | undefined): Promise<string> {
  if (dns === undefined) die(C, 'FQDN mode needs STARROCKS_SIM_DNS (host:port of the cluster DNS)');
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`${dns.host}:${dns.port}`]);
  let name: string | undefined;
  try {
    name = (await resolver.reverse(ip))[0];
  } catch (error) {
    die(C, `Got a failure when trying to get canonical host name of ${ip}: ${String(error)}`);
  }
  if (name === undefined) die(C, `no PTR record for ${ip}`);
  try {
    const addresses = await resolver.resolve4(name);
    if (!addresses.includes(ip)) die(C, `${name} resolves to ${addresses.join(',')}, not to ${ip}`);
  } catch (error) {
    die(C, `unknown host ${name}: ${String(error)}`);
  }
  return name;
}

async function main(): Promise<void> {
  const env = loadNodeEnv(C);
  const flags = parseFlags(process.argv.slice(2));
  claimPidFile(C, env.pidFile);
  const ports = {
    http: confPort(env.conf, 'http_port', PORTS.fe.http) ?? die(C, 'bad http_port'),
    rpc: confPort(env.conf, 'rpc_port', PORTS.fe.rpc) ?? die(C, 'bad rpc_port'),
    query: confPort(env.conf, 'query_port', PORTS.fe.query) ?? die(C, 'bad query_port'),
    editLog: confPort(env.conf, 'edit_log_port', PORTS.fe.editLog) ?? die(C, 'bad edit_log_port'),
  };
  const metaDir = env.conf.get('meta_dir') || `${env.home}/meta`;
  const meta = readMeta(metaDir);
  if (meta.kind === 'partial') {
    die(C, 'role file and version file must both exist or both not exist. please specific one helper node to recover. will exit.');
  }
  const hostType = flags.hostType ?? (meta.kind === 'present' ? meta.role.hostType : 'IP');
  const host = hostType === 'FQDN' ? await ownFqdn(env.ip, env.dns) : env.ip;
  const self = `${host}:${ports.editLog}`;
  const helpers = flags.helpers;
  if (meta.kind === 'empty' && helpers.includes(self)) {
    die(C, 'Do not specify the helper node to FE itself. Please specify it to the existing running Leader or Follower FE');
  }
  const confClusterId = env.conf.get('cluster_id');

  const world = await connectWorld(C, env.world);
  let http: Server | undefined;
  let mysqlServer: MysqlServer | undefined;
  let stage2 = '';

  const openPorts = async (serverVersion: string): Promise<void> => {
    try {
      http = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        world
          .request('http', { path: url.pathname, query: Object.fromEntries(url.searchParams), remote: req.socket.remoteAddress ?? '' })
          .then((answer) => {
            const headers = (answer.headers ?? {}) as Record<string, string>;
            res.writeHead(Number(answer.status ?? 500), { 'Content-Type': 'application/json', ...headers });
            res.end(String(answer.body ?? ''));
          })
          .catch(() => {
            res.writeHead(500);
            res.end();
          });
      });
      await new Promise<void>((resolve, reject) => {
        http?.once('error', reject);
        http?.listen(ports.http, env.ip, () => resolve());
      });
      mysqlServer = await startMysqlServer({
        host: env.ip,
        port: ports.query,
        serverVersion,
        passwordStage2: () => stage2,
        onQuery: async (sql, client) => {
          const answer = await world.request('query', { sql, client });
          return answer.result as SqlResult;
        },
      });
    } catch (error) {
      die(C, `failed to open ports on ${env.ip}: ${String(error)}`);
    }
    logLine(C, `ready: query port ${env.ip}:${ports.query}, http port ${env.ip}:${ports.http}`);
    world.send({ t: 'opened' });
  };

  // A real FE is ready only after ROLE and VERSION are on disk: the world may say "open" first.
  let metaWritten: () => void = () => undefined;
  const metaReady = new Promise<void>((resolve) => (metaWritten = resolve));
  world.onPush((message: Message) => {
    if (message.t === 'open') {
      void metaReady.then(() => openPorts(String(message.serverVersion)));
    } else if (message.t === 'exit') {
      die(C, String(message.message), Number(message.code ?? EXIT_FATAL));
    } else if (message.t === 'password') {
      stage2 = String(message.stage2 ?? '');
    }
  });

  const hello = await world.request('hello', {
    kind: 'fe',
    ip: env.ip,
    pid: process.pid,
    host,
    hostType,
    ports,
    helpers,
    metaDir,
    meta: meta.kind === 'present' ? { role: meta.role, version: meta.version } : undefined,
    confClusterId: confClusterId === undefined || confClusterId === '' ? undefined : Number(confClusterId),
  });
  if (typeof hello.error === 'string') die(C, hello.error);
  stage2 = String(hello.stage2 ?? '');
  const gracefulMs = Number(hello.gracefulExitMs ?? 15_000);

  process.on('SIGUSR1', () => {
    logLine(C, 'received SIGUSR1: graceful exit');
    world.send({ t: 'graceful' });
    setTimeout(() => {
      void Promise.all([mysqlServer?.close(), new Promise<void>((r) => (http === undefined ? r() : http.close(() => r())))]).finally(() =>
        process.exit(0),
      );
      setTimeout(() => process.exit(0), 1000).unref();
    }, gracefulMs);
  });

  const action = String(hello.action);
  if (action === 'exit') die(C, String(hello.message), Number(hello.code ?? EXIT_FATAL));
  if (action === 'new-cluster') {
    const role: RoleFile = { role: 'FOLLOWER', name: String(hello.name), hostType };
    writeMeta(metaDir, role, { clusterId: Number(hello.clusterId), token: String(hello.token), runMode: 'shared_nothing' });
    logLine(C, `the very first time to start the first node: cluster id ${String(hello.clusterId)}, name ${role.name}`);
  } else if (action === 'restart') {
    if (meta.kind === 'present' && helpers.length > 0) logLine(C, 'find ROLE and VERSION file in local, ignore helper nodes');
  } else if (action === 'join') {
    const pollMs = Number(hello.joinPollMs ?? 5000);
    const found = await pollHelpers({ helpers, httpPort: ports.http, host, editLogPort: ports.editLog, pollMs, dns: env.dns });
    const joined = await world.request('joined', { helper: found.helper, role: found.role, name: found.name });
    if (typeof joined.error === 'string') die(C, joined.error);
    writeMeta(metaDir, { role: found.role, name: found.name, hostType }, { clusterId: Number(joined.clusterId), token: String(joined.token), runMode: 'shared_nothing' });
    logLine(C, `joined cluster ${String(joined.clusterId)} as ${found.role} through helper ${found.helper}`);
  }
  metaWritten();
}

/** Poll each helper's `/role` until one knows this node (reference §5.3 helper path). */
async function pollHelpers(options: {
  helpers: string[];
  httpPort: number;
  host: string;
  editLogPort: number;
  pollMs: number;
  /** The cluster DNS: a helper given by FQDN is resolved there, as the FE's JVM resolves it in a pod. */
  dns: { host: string; port: number } | undefined;
}): Promise<{
  helper: string;
  role: 'FOLLOWER' | 'OBSERVER';
  name: string;
}> {
  for (;;) {
    for (const helper of options.helpers) {
      const helperHost = await resolveHelper(helper.slice(0, helper.lastIndexOf(':')), options.dns);
      const url = `http://${helperHost}:${options.httpPort}/role?host=${encodeURIComponent(options.host)}&port=${options.editLogPort}`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(1000, options.pollMs)) });
        await res.arrayBuffer();
        const role = res.headers.get('role');
        const name = res.headers.get('name');
        if (res.status === 200 && (role === 'FOLLOWER' || role === 'OBSERVER') && name !== null) return { helper, role, name };
      } catch {
        // helper down or not ready: try the next one
      }
    }
    logLine(
      C,
      `current node is not added to the group. please add it first. sleep ${Math.round(options.pollMs / 1000)} seconds and retry, current helper nodes: [${options.helpers.join(', ')}]`,
    );
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}

// A helper named by FQDN resolves through the cluster DNS (the system resolver does not know it).
async function resolveHelper(host: string, dns: { host: string; port: number } | undefined): Promise<string> {
  if (isIP(host) !== 0 || dns === undefined) return host.includes(':') ? `[${host}]` : host;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`${dns.host}:${dns.port}`]);
  try {
    return (await resolver.resolve4(host))[0] ?? host;
  } catch {
    return host;
  }
}

main().catch((error: unknown) => die(C, `fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
