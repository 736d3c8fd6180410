/**
 * A simulated StarRocks BE or CN process (`--cn`), exec'd by the fake `start_be.sh` or
 * `start_cn.sh`: `/api/health` on its http port, a heartbeat port that applies the BE's own
 * checks (epoch, token, cluster id bound on first heartbeat, node type, the stored host), a
 * storage id that changes when the storage dir is wiped, and SIGTERM as graceful exit with
 * status SHUTDOWN (reference §7.2, §10.2).
 */
import { randomUUID } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { confPort } from '../../../agent/contract/starrocks-conf.ts';
import { PORTS } from '../../../agent/contract/index.ts';
import { claimPidFile, connectWorld, die, loadNodeEnv, logLine } from './node-env.ts';
import { BACKEND_HEALTH_BODY, checkBackendHost, checkHeartbeat } from './backend-heartbeat.ts';
import type { BackendSelf, BoundMaster, HeartbeatRequest } from './backend-heartbeat.ts';
import { countRows, streamLoadFailure, streamLoadSuccess, streamLoadTarget } from './stream-load.ts';
import type { StreamLoadRecord } from './stream-load.ts';

async function main(): Promise<void> {
  const isCn = process.argv.includes('--cn');
  const C = isCn ? 'cn' : 'be';
  for (const arg of process.argv.slice(2)) {
    if (!['--cn', '--be', '--logconsole', '--daemon'].includes(arg)) die(C, `unknown option ${arg}`, 1);
  }
  const env = loadNodeEnv(C);
  claimPidFile(C, env.pidFile);
  const ports = {
    be: confPort(env.conf, isCn ? 'thrift_port' : 'be_port', PORTS.be.be) ?? die(C, 'bad be_port'),
    http: confPort(env.conf, 'be_http_port', confPort(env.conf, 'webserver_port', PORTS.be.http) ?? PORTS.be.http) ?? die(C, 'bad be_http_port'),
    heartbeat: confPort(env.conf, 'heartbeat_service_port', PORTS.be.heartbeat) ?? die(C, 'bad heartbeat_service_port'),
    brpc: confPort(env.conf, 'brpc_port', PORTS.be.brpc) ?? die(C, 'bad brpc_port'),
  };
  const storage = (env.conf.get('storage_root_path') || join(env.home, 'storage')).split(/[;,]/)[0] as string;
  mkdirSync(storage, { recursive: true });
  const masterFile = join(storage, 'cluster_id');
  // Only the cluster id outlives a restart: token and epoch come back with the next heartbeat.
  let bound: BoundMaster | undefined;
  if (existsSync(masterFile)) {
    const id = readFileSync(masterFile, 'utf8').trim().split(/\s+/)[0];
    if (id !== undefined && /^\d+$/.test(id)) bound = { clusterId: Number(id), token: undefined, epoch: 0 };
  }
  // Stands in for the tablet report: a new id tells the FE this storage holds none of its replicas.
  const storageIdFile = join(storage, 'storage_id');
  if (!existsSync(storageIdFile)) writeFileSync(storageIdFile, `${randomUUID()}\n`);
  const storageId = readFileSync(storageIdFile, 'utf8').trim();
  const self: BackendSelf = { localhost: env.ip, addresses: [env.ip] };
  const resolve = async (name: string): Promise<string | undefined> => {
    if (env.dns === undefined) return undefined;
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`${env.dns.host}:${env.dns.port}`]);
    try {
      return (await resolver.resolve4(name))[0];
    } catch {
      return undefined;
    }
  };
  const world = await connectWorld(C, env.world);
  const hello = await world.request('hello', { kind: C, ip: env.ip, pid: process.pid, ports });
  if (typeof hello.error === 'string') die(C, hello.error);
  const version = String(hello.version);
  const gracefulMs = Number(hello.gracefulExitMs ?? 1000);
  const rebootTime = Date.now();
  let shuttingDown = false;

  const http = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const target = streamLoadTarget(url.pathname);
    if (target !== undefined && req.method === 'PUT') {
      // StreamLoadAction: the rows are read, the coordinator checks the user and records the load.
      const started = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const label = req.headers.label?.toString() ?? randomUUID();
        void world
          .request('streamLoad', {
            ...target,
            label,
            rows: countRows(body.toString('utf8'), req.headers.row_delimiter?.toString() ?? '\n'),
            bytes: body.length,
            authorization: req.headers.authorization ?? '',
            remote: req.socket.remoteAddress ?? '',
          })
          .then((answer) => {
            res.writeHead(200, { 'Content-Type': 'application/json' });
            res.end(typeof answer.error === 'string' ? streamLoadFailure(label, answer.error) : streamLoadSuccess(answer.record as StreamLoadRecord, Date.now() - started));
          })
          .catch(() => {
            res.writeHead(500);
            res.end();
          });
      });
    } else if (url.pathname === '/api/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(BACKEND_HEALTH_BODY);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
    }
  });
  const heartbeat = createTcpServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    let buffer = '';
    let answered = false;
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0 || answered) return;
      answered = true;
      let request: HeartbeatRequest;
      try {
        request = JSON.parse(buffer.slice(0, newline)) as HeartbeatRequest;
      } catch {
        socket.destroy();
        return;
      }
      void answerHeartbeat(request).then((answer) => socket.end(`${JSON.stringify(answer)}\n`));
    });
  });
  const answerHeartbeat = async (request: HeartbeatRequest): Promise<Record<string, unknown>> => {
    const verdict = checkHeartbeat({ request, bound, isCn, shuttingDown });
    if (!verdict.ok) return { status: verdict.status, msg: verdict.message };
    const host = await checkBackendHost(request.host, self, resolve);
    if (!host.ok) return { status: 'ERROR', msg: host.message };
    self.localhost = host.localhost;
    if (bound === undefined) writeFileSync(masterFile, `${verdict.bound.clusterId}\n`);
    bound = verdict.bound;
    return { status: 'OK', bePort: ports.be, httpPort: ports.http, brpcPort: ports.brpc, rebootTime, version, storageId };
  };
  const listen = (server: { listen(port: number, host: string, cb: () => void): unknown; once(e: string, l: (e: Error) => void): unknown }, port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, env.ip, () => resolve());
    });
  try {
    await listen(heartbeat, ports.heartbeat);
    await listen(http, ports.http);
  } catch (error) {
    die(C, `failed to open ports on ${env.ip}: ${String(error)}`);
  }
  logLine(C, `started: heartbeat ${env.ip}:${ports.heartbeat}, http ${env.ip}:${ports.http}`);
  world.send({ t: 'opened' });

  process.on('SIGTERM', () => {
    if (shuttingDown) return;
    shuttingDown = true;
    logLine(C, 'received SIGTERM: graceful shutdown');
    setTimeout(() => process.exit(0), gracefulMs);
  });
}

main().catch((error: unknown) => die(process.argv.includes('--cn') ? 'cn' : 'be', `fatal: ${String(error)}`));
