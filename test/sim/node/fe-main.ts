/**
 * A simulated StarRocks FE process, exec'd by the fake `fe/bin/start_fe.sh`. It owns what a real
 * FE owns locally (flags, conf, meta files, its FQDN check, the join poll over HTTP, its query and
 * http ports, signals) and asks the world coordinator everything that is cluster truth.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { confPort } from '../../../agent/contract/starrocks-conf.ts';
import { PORTS } from '../../../agent/contract/index.ts';
import { claimPidFile, connectWorld, die, EXIT_FATAL, loadNodeEnv, logLine, SIM_ENV } from './node-env.ts';
import { parseVersionFile, readMeta, storeVersionBytes, writeRoleFile, writeVersionFile } from './meta-files.ts';
import type { MetaState, VersionFile } from './meta-files.ts';
import { startMysqlServer } from './mysql-server.ts';
import type { MysqlServer } from './mysql-server.ts';
import type { LoginRecord } from '../world/accounts.ts';
import type { SqlResult } from '../world/cluster.ts';
import type { Message } from '../wire/channel.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

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
  if (meta.kind === 'unreadable') die(C, meta.reason);
  const roleOnDisk = meta.kind === 'present' || meta.kind === 'role-only' ? meta.role : undefined;
  const hostType = flags.hostType ?? (roleOnDisk === undefined || roleOnDisk.hostType === '' ? 'IP' : roleOnDisk.hostType);
  const host = hostType === 'FQDN' ? await ownFqdn(env.ip, env.dns) : env.ip;
  const self = `${host}:${ports.editLog}`;
  const helpers = flags.helpers;
  // NodeMgr.getHelperNodes refuses a helper equal to the node itself before it looks at the meta.
  if (helpers.includes(self)) {
    die(C, 'Do not specify the helper node to FE itself. Please specify it to the existing running Leader or Follower FE');
  }
  // NodeMgr.getClusterIdAndRoleOnStartup: without a helper the local path checks both files.
  if ((meta.kind === 'role-only' || meta.kind === 'version-only') && helpers.length === 0) {
    die(C, 'role file and version file must both exist or both not exist. please specific one helper node to recover. will exit.');
  }
  const confClusterId = env.conf.get('cluster_id');

  const world = await connectWorld(C, env.world);
  let http: Server | undefined;
  let mysqlServer: MysqlServer | undefined;

  const openPorts = async (serverVersion: string): Promise<void> => {
    try {
      http = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        world
          .request('http', {
            method: req.method ?? 'GET',
            path: url.pathname,
            // The raw query: a redirect carries it on unchanged.
            search: url.search,
            query: Object.fromEntries(url.searchParams),
            remote: req.socket.remoteAddress ?? '',
            authorization: req.headers.authorization ?? '',
            expect: req.headers.expect ?? '',
          })
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
        // Users live in the cluster's meta: every login asks it (any FE sees every user).
        login: async (user, clientIp) => {
          const answer = await world.request('login', { user, clientIp });
          return (answer.account ?? undefined) as LoginRecord | undefined;
        },
        onQuery: async (sql, client, session) => {
          const answer = await world.request('query', { sql, client, session });
          return answer.result as SqlResult;
        },
      });
    } catch (error) {
      die(C, `failed to open ports on ${env.ip}: ${String(error)}`);
    }
    logLine(C, `ready: query port ${env.ip}:${ports.query}, http port ${env.ip}:${ports.http}`);
    saveStartType(metaDir, hostType);
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
    // The very first start: ROLE first, then VERSION (NodeMgr.getClusterIdAndRoleOnStartup).
    writeRoleFile(metaDir, { role: 'FOLLOWER', name: String(hello.name), hostType: '' });
    crashPoint();
    writeVersionFile(metaDir, { clusterId: Number(hello.clusterId), token: String(hello.token), runMode: 'shared_nothing' });
    logLine(C, `the very first time to start the first node: cluster id ${String(hello.clusterId)}, name ${String(hello.name)}`);
  } else if (action === 'restart') {
    if (helpers.length > 0) logLine(C, `find ROLE and VERSION file in local, ignore helper nodes: [${helpers.join(', ')}]`);
  } else if (action === 'join') {
    const pollMs = Number(hello.joinPollMs ?? 5000);
    const found = await pollHelpers({ helpers, httpPort: ports.http, host, editLogPort: ports.editLog, pollMs, dns: env.dns, localAddress: env.ip });
    const version = await metaFromHelper({ metaDir, meta, found, httpPort: ports.http, dns: env.dns, localAddress: env.ip });
    const joined = await world.request('joined', { helper: found.helper, role: found.role, name: found.name, clusterId: version.clusterId });
    if (typeof joined.error === 'string') die(C, joined.error);
    logLine(C, `joined cluster ${version.clusterId} as ${found.role} through helper ${found.helper}`);
  }
  metaWritten();
}

/** The test hook for a crash between Storage's two writes. */
function crashPoint(): void {
  if (process.env[SIM_ENV.crash] === 'after-role') process.kill(process.pid, 'SIGKILL');
}

/** FrontendOptions.saveStartType: once ready, the FE records its host type in ROLE. */
function saveStartType(metaDir: string, hostType: 'IP' | 'FQDN'): void {
  const meta = readMeta(metaDir);
  if (meta.kind === 'present' && meta.role.hostType !== hostType) writeRoleFile(metaDir, { ...meta.role, hostType });
}

/**
 * The helper path after `/role` answered (NodeMgr.getClusterIdAndRoleOnStartup): write ROLE
 * when it is absent or differs, then download VERSION from the helper, or, when VERSION is
 * already there, check cluster id, token and run mode against the helper's `/check`.
 */
async function metaFromHelper(options: {
  metaDir: string;
  meta: MetaState;
  found: { helper: string; role: 'FOLLOWER' | 'OBSERVER'; name: string };
  httpPort: number;
  dns: { host: string; port: number } | undefined;
  localAddress: string;
}): Promise<VersionFile> {
  const { metaDir, meta, found } = options;
  const existing = meta.kind === 'role-only' ? meta.role : undefined;
  if (existing === undefined || existing.role !== found.role || existing.name !== found.name) {
    writeRoleFile(metaDir, { role: found.role, name: found.name, hostType: existing?.hostType ?? '' });
  }
  crashPoint();
  const helperHost = found.helper.slice(0, found.helper.lastIndexOf(':'));
  const address = await resolveHelper(helperHost, options.dns);
  if (meta.kind !== 'version-only') {
    const url = `http://${helperHost}:${options.httpPort}/version`;
    const res = await httpGet({ host: address, port: options.httpPort, path: '/version', localAddress: options.localAddress, timeoutMs: 5000 });
    const version = res.status === 200 ? parseVersionFile(res.body) : undefined;
    if (version === undefined) die(C, `Fail to download version file from ${url}:${res.status === 0 ? res.body : `Server returned HTTP response code: ${res.status} for URL: ${url}`}`);
    storeVersionBytes(metaDir, res.body);
    return version;
  }
  const local = meta.version;
  const res = await httpGet({ host: address, port: options.httpPort, path: '/check', localAddress: options.localAddress, timeoutMs: 2000 });
  const remoteClusterId = header(res.headers, 'cluster_id');
  if (res.status === 0 || remoteClusterId === undefined || !/^-?\d+$/.test(remoteClusterId)) die(C, 'fail to check cluster_id and token with helper node.');
  if (Number(remoteClusterId) !== local.clusterId) die(C, `cluster id is not equal with helper node ${helperHost}. will exit.`);
  if (header(res.headers, 'token') !== local.token) die(C, `token is not equal with helper node ${helperHost}. will exit.`);
  const remoteRunMode = header(res.headers, 'run_mode') || 'shared_nothing';
  if (remoteRunMode.toLowerCase() !== local.runMode) die(C, `Unmatched run mode with helper node ${helperHost}: ${local.runMode} vs ${remoteRunMode}, will exit .`);
  return local;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * One GET from this FE's own address: the helper authorises FE-to-FE calls by their source
 * address (MetaBaseAction.isFromValidFe), so it must be POD_IP, not the loopback default.
 * Status 0 means no answer, with the Java-style reason in `body`.
 */
function httpGet(options: { host: string; port: number; path: string; localAddress: string; timeoutMs: number }): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: options.host, port: options.port, path: options.path, localAddress: options.localAddress, timeout: options.timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', () => resolve({ status: 0, headers: {}, body: 'java.net.SocketException: Connection reset' }));
    });
    req.on('timeout', () => req.destroy(new Error('Read timed out')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, headers: {}, body: error.code === 'ECONNREFUSED' ? 'Connection refused' : error.message }),
    );
    req.end();
  });
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
  localAddress: string;
}): Promise<{
  helper: string;
  role: 'FOLLOWER' | 'OBSERVER';
  name: string;
}> {
  for (;;) {
    for (const helper of options.helpers) {
      const helperHost = await resolveHelper(helper.slice(0, helper.lastIndexOf(':')), options.dns);
      const path = `/role?host=${encodeURIComponent(options.host)}&port=${options.editLogPort}`;
      const res = await httpGet({ host: helperHost, port: options.httpPort, path, localAddress: options.localAddress, timeoutMs: Math.max(1000, options.pollMs) });
      const role = header(res.headers, 'role');
      const name = header(res.headers, 'name');
      if (res.status === 200 && (role === 'FOLLOWER' || role === 'OBSERVER') && name !== undefined) return { helper, role, name };
      // UNKNOWN (not added yet) ends this round; a failing helper passes to the next one.
      if (res.status === 200 && role === 'UNKNOWN') break;
    }
    logLine(
      C,
      `current node is not added to the group. please add it first. sleep ${Math.round(options.pollMs / 1000)} seconds and retry, current helper nodes: [${options.helpers.join(', ')}]`,
    );
    await sleep(options.pollMs);
  }
}

// A helper named by FQDN resolves through the cluster DNS (the system resolver does not know it).
async function resolveHelper(host: string, dns: { host: string; port: number } | undefined): Promise<string> {
  if (isIP(host) !== 0 || dns === undefined) return host;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`${dns.host}:${dns.port}`]);
  try {
    return (await resolver.resolve4(host))[0] ?? host;
  } catch {
    return host;
  }
}

main().catch((error: unknown) => die(C, `fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
