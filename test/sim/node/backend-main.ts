/**
 * A simulated StarRocks BE or CN process (`--cn`), exec'd by the fake `start_be.sh` or
 * `start_cn.sh`: `/api/health` on its http port, a heartbeat port that applies the BE's own
 * checks (cluster id bound on first heartbeat, epoch, token, node type), and SIGTERM as graceful
 * exit with status SHUTDOWN (reference §7.2, §10.2).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { confPort } from '../../../agent/conf/starrocks-conf.ts';
import { PORTS } from '../../../agent/contract.ts';
import { claimPidFile, connectWorld, die, loadNodeEnv, logLine } from './node-env.ts';
import { BACKEND_HEALTH_BODY, checkHeartbeat } from './backend-heartbeat.ts';
import type { BoundMaster, HeartbeatRequest } from './backend-heartbeat.ts';

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
  let bound: BoundMaster | undefined;
  if (existsSync(masterFile)) {
    const [id, token] = readFileSync(masterFile, 'utf8').trim().split(/\s+/);
    if (id !== undefined && /^\d+$/.test(id) && token !== undefined) bound = { clusterId: Number(id), token, epoch: 0 };
  }
  const world = await connectWorld(C, env.world);
  const hello = await world.request('hello', { kind: C, ip: env.ip, pid: process.pid, ports });
  if (typeof hello.error === 'string') die(C, hello.error);
  const version = String(hello.version);
  const gracefulMs = Number(hello.gracefulExitMs ?? 1000);
  const rebootTime = Date.now();
  let shuttingDown = false;

  const http = createHttpServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === '/api/health') {
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
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      let request: HeartbeatRequest;
      try {
        request = JSON.parse(buffer.slice(0, newline)) as HeartbeatRequest;
      } catch {
        socket.destroy();
        return;
      }
      const verdict = checkHeartbeat({ request, bound, isCn, shuttingDown });
      if (verdict.ok) {
        if (bound === undefined) writeFileSync(masterFile, `${verdict.bound.clusterId} ${verdict.bound.token}\n`);
        bound = verdict.bound;
        socket.end(`${JSON.stringify({ status: 'OK', bePort: ports.be, httpPort: ports.http, brpcPort: ports.brpc, rebootTime, version })}\n`);
      } else {
        socket.end(`${JSON.stringify({ status: verdict.status, msg: verdict.message })}\n`);
      }
    });
  });
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
