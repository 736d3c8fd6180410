/**
 * The parts of `fe.conf` / `be.conf` / `cn.conf` the agent needs: the FE's meta dir and ports, the
 * BE/CN's heartbeat and service ports. The conf comes from `CONFIGMAP_MOUNT_PATH` when that holds
 * the file, else from the image; it is only read, never copied or linked into the image (W13), so
 * a read-only root filesystem works. Parsing is the foundation's conf parser (W7: expansion,
 * comments, quotes), with `STARROCKS_HOME` = `<root>/<component>` as the start scripts set it.
 *
 * @example
 * ```ts
 * const conf = await loadNodeConf({ component: 'fe', starrocksRoot: '/opt/starrocks', configMapMountPath, env: process.env });
 * if (conf.component === 'fe') conf.ports.editLog;
 * ```
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { confPort, parseStarRocksConf } from '../contract/starrocks-conf.ts';
import type { StarRocksConf } from '../contract/starrocks-conf.ts';
import { PORTS, componentHome, confFileName } from '../contract/index.ts';
import type { Component } from '../contract/index.ts';
import { AgentError } from '../contract/errors.ts';

/** FE conf values. */
export interface FeNodeConf {
  readonly component: 'fe';
  /** The file read, or undefined when none exists (defaults apply). */
  readonly confPath: string | undefined;
  readonly home: string;
  readonly metaDir: string;
  readonly ports: { readonly editLog: number; readonly query: number; readonly http: number; readonly rpc: number };
}

/** BE/CN conf values. */
export interface BeNodeConf {
  readonly component: 'be' | 'cn';
  readonly confPath: string | undefined;
  readonly home: string;
  readonly ports: { readonly heartbeat: number; readonly http: number; readonly be: number; readonly brpc: number };
}

/** Conf values of any component. */
export type NodeConf = FeNodeConf | BeNodeConf;

/** FE values from a parsed fe.conf. Throws ERR_CONF_INVALID on a bad port. */
export function feNodeConf(conf: StarRocksConf, options: { home: string; confPath?: string | undefined }): FeNodeConf {
  const where = options.confPath ?? 'fe.conf';
  const rawMetaDir = conf.get('meta_dir');
  const metaDir = rawMetaDir === undefined || rawMetaDir === '' ? join(options.home, 'meta') : rawMetaDir;
  return {
    component: 'fe',
    confPath: options.confPath,
    home: options.home,
    metaDir: isAbsolute(metaDir) ? metaDir : resolve(options.home, metaDir),
    ports: {
      editLog: port(conf, 'edit_log_port', PORTS.fe.editLog, where),
      query: port(conf, 'query_port', PORTS.fe.query, where),
      http: port(conf, 'http_port', PORTS.fe.http, where),
      rpc: port(conf, 'rpc_port', PORTS.fe.rpc, where),
    },
  };
}

/** BE/CN values from a parsed be.conf or cn.conf. Throws ERR_CONF_INVALID on a bad port. */
export function beNodeConf(
  conf: StarRocksConf,
  options: { component: 'be' | 'cn'; home: string; confPath?: string | undefined },
): BeNodeConf {
  const where = options.confPath ?? confFileName(options.component);
  const defaults = PORTS[options.component];
  // `webserver_port` is the older name of `be_http_port`; the newer one wins when both are set.
  const httpKey = conf.has('be_http_port') ? 'be_http_port' : 'webserver_port';
  // CN's thrift port was once `thrift_port`; `be_port` is the current name.
  const beKey = conf.has('be_port') || options.component === 'be' ? 'be_port' : 'thrift_port';
  return {
    component: options.component,
    confPath: options.confPath,
    home: options.home,
    ports: {
      heartbeat: port(conf, 'heartbeat_service_port', defaults.heartbeat, where),
      http: port(conf, httpKey, defaults.http, where),
      be: port(conf, beKey, defaults.be, where),
      brpc: port(conf, 'brpc_port', defaults.brpc, where),
    },
  };
}

/** Options of loadNodeConf. */
export interface LoadNodeConfOptions {
  component: Component;
  starrocksRoot: string;
  configMapMountPath: string | undefined;
  /** Env for `${VAR}` expansion (STARROCKS_HOME is set from the root). */
  env: Readonly<Record<string, string | undefined>>;
}

/** Read and interpret the component's conf. Throws ERR_CONF_INVALID on unreadable or bad values. */
export async function loadNodeConf(options: LoadNodeConfOptions): Promise<NodeConf> {
  const home = componentHome(options.starrocksRoot, options.component);
  const file = confFileName(options.component);
  const candidates = [
    ...(options.configMapMountPath === undefined ? [] : [join(options.configMapMountPath, file)]),
    join(home, 'conf', file),
  ];
  let confPath: string | undefined;
  let text = '';
  for (const candidate of candidates) {
    const read = await readIfExists(candidate);
    if (read !== undefined) {
      confPath = candidate;
      text = read;
      break;
    }
  }
  const conf = parseStarRocksConf(text, { ...options.env, STARROCKS_HOME: home });
  return options.component === 'fe'
    ? feNodeConf(conf, { home, confPath })
    : beNodeConf(conf, { component: options.component, home, confPath });
}

function port(conf: StarRocksConf, key: string, fallback: number, where: string): number {
  const value = confPort(conf, key, fallback);
  if (value === undefined) {
    throw new AgentError('ERR_CONF_INVALID', `${where}: ${key} = ${JSON.stringify(conf.get(key))} is not a port: use a whole number from 1 to 65535`);
  }
  return value;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new AgentError('ERR_CONF_INVALID', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
