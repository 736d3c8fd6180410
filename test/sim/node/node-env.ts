/**
 * What every simulated node process reads at start: its loopback address (`POD_IP`), the world
 * (`STARROCKS_SIM_WORLD` or `sim_world` in the conf), the DNS server for FQDN mode
 * (`STARROCKS_SIM_DNS`), its conf file (`$STARROCKS_CONF_DIR` or `$STARROCKS_HOME/conf`) and its
 * pid file; plus the connection to the world.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseStarRocksConf } from '../../../agent/contract/starrocks-conf.ts';
import type { StarRocksConf } from '../../../agent/contract/starrocks-conf.ts';
import { Channel, parseEndpoint } from '../wire/channel.ts';
import { rewritePaths, sortMappings } from '../../world/pods/path-map.ts';
import type { PathMapping } from '../../world/pods/path-map.ts';
import { isPidAlive } from '../../../agent/process/pid-alive.ts';

/** Env names of the simulator's node processes. */
export const SIM_ENV = {
  world: 'STARROCKS_SIM_WORLD',
  dns: 'STARROCKS_SIM_DNS',
  confDir: 'STARROCKS_CONF_DIR',
  /** Fault injection: `after-role` makes an FE die by SIGKILL between writing ROLE and VERSION. */
  crash: 'STARROCKS_SIM_CRASH',
  /**
   * The pod's container paths and the host folders behind them (JSON, from the Kubernetes world):
   * container paths in the conf file are read through it.
   */
  pathMap: 'STARROCKS_SIM_PATH_MAP',
} as const;

/** Exit code of a JVM's System.exit(-1). */
export const EXIT_FATAL = 255;

/** The start context of a node process. */
export interface NodeEnv {
  home: string;
  ip: string;
  conf: StarRocksConf;
  world: { host: string; port: number };
  dns: { host: string; port: number } | undefined;
  pidFile: string;
}

/** Print one log line the way the scripts' `*.out` files collect them. */
export function logLine(component: string, message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${component} ${message}\n`);
}

/** Stop with a message and an exit code. */
export function die(component: string, message: string, code = EXIT_FATAL): never {
  logLine(component, message);
  process.exit(code);
}

/** Read env and conf; dies on a missing or bad value. */
export function loadNodeEnv(component: 'fe' | 'be' | 'cn'): NodeEnv {
  const env = process.env;
  const home = env.STARROCKS_HOME ?? die(component, 'STARROCKS_HOME is not set');
  const ip = env.POD_IP ?? die(component, 'POD_IP is not set: the simulated node needs its loopback address');
  if (isIP(ip) === 0) die(component, `POD_IP="${ip}" is not an IP address`);
  const confDir = env[SIM_ENV.confDir] || join(home, 'conf');
  const confPath = join(confDir, `${component}.conf`);
  const mappings = pathMap(component, env[SIM_ENV.pathMap]);
  const raw = existsSync(confPath) ? readFileSync(confPath, 'utf8') : '';
  const text = raw
    .split('\n')
    .map((line) => rewritePaths(line, mappings))
    .join('\n');
  const conf = parseStarRocksConf(text, { ...env, STARROCKS_HOME: home });
  const worldRaw = env[SIM_ENV.world] || conf.get('sim_world');
  const world = worldRaw === undefined ? undefined : parseEndpoint(worldRaw);
  if (world === undefined) die(component, `${SIM_ENV.world} (or sim_world in ${component}.conf) must be host:port of the simulator world, got "${worldRaw ?? ''}"`);
  const dnsRaw = env[SIM_ENV.dns];
  const dns = dnsRaw === undefined || dnsRaw === '' ? undefined : parseEndpoint(dnsRaw);
  const pidDir = conf.get('PID_DIR') || join(home, 'bin');
  const pidFile = join(pidDir, component === 'fe' ? 'fe.pid' : component === 'be' ? 'be.pid' : 'cn.pid');
  return { home, ip, conf, world, dns, pidFile };
}

/** Refuse to start over a live process, then write our pid (the JVM/BE binary writes its own). */
export function claimPidFile(component: string, pidFile: string): void {
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isPidAlive(pid)) {
      die(component, `${component === 'fe' ? 'Frontend' : component === 'be' ? 'Backend' : 'Compute node'} running as process ${pid}. Stop it first.`, 1);
    }
  }
  mkdirSync(join(pidFile, '..'), { recursive: true });
  writeFileSync(pidFile, `${process.pid}\n`);
}




/** Connect to the world; the process exits when the world goes away (it owns the truth). */
export async function connectWorld(component: string, world: { host: string; port: number }): Promise<Channel> {
  const socket = connect({ host: world.host, port: world.port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  }).catch((error: unknown) => die(component, `cannot reach the simulator world at ${world.host}:${world.port}: ${String(error)}`));
  const channel = new Channel(socket);
  // The world's only request is a liveness ping: a stopped (SIGSTOP) process cannot answer it.
  channel.onRequest(() => ({}));
  socket.on('close', () => die(component, 'the simulator world closed the connection', EXIT_FATAL));
  return channel;
}

// The world's path map; none outside a pod (the component tests run nodes on the host's paths).
function pathMap(component: string, raw: string | undefined): PathMapping[] {
  if (raw === undefined || raw === '') return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed) && parsed.every((m: unknown) => typeof m === 'object' && m !== null && typeof (m as PathMapping).containerPath === 'string' && typeof (m as PathMapping).hostPath === 'string')) {
      return sortMappings(parsed as PathMapping[]);
    }
  } catch {
    // Reported below.
  }
  return die(component, `${SIM_ENV.pathMap} must be a JSON list of {containerPath, hostPath}, got ${raw.slice(0, 80)}`);
}
