/**
 * The FE's local state: `meta/image/ROLE` (role, node name, host type) and `meta/image/VERSION`
 * (cluster id, token, run mode). Both present is a member restarting; both absent is a fresh node;
 * one without the other is the state StarRocks itself refuses to start from (protocol §5.2).
 *
 * @example
 * ```ts
 * const meta = await readFeMeta(conf.metaDir);
 * if (meta.kind === 'complete') meta.clusterId;
 * ```
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HOST_TYPES } from '../contract/index.ts';
import type { HostType } from '../contract/index.ts';
import { parseJavaProperties } from './java-properties.ts';

/** What the meta directory says about this FE. */
export type FeMeta =
  | { readonly kind: 'empty' }
  | {
      readonly kind: 'complete';
      readonly role: 'FOLLOWER' | 'OBSERVER';
      /** BDB-JE node name, `<host>_<edit_log_port>_<ms>`. */
      readonly name: string;
      /** The host recorded in the node name. */
      readonly host: string;
      /** The edit log port recorded in the node name. */
      readonly editLogPort: number;
      /** Undefined when ROLE has no hostType (older FEs: StarRocks then uses IP). */
      readonly hostType: HostType | undefined;
      readonly clusterId: number;
      readonly runMode: string | undefined;
      /** The token itself is a cluster credential and is never carried around. */
      readonly hasToken: boolean;
    }
  | { readonly kind: 'partial'; readonly present: 'ROLE' | 'VERSION' }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** Interpret the two files' text (undefined: the file does not exist). */
export function interpretFeMeta(files: { role: string | undefined; version: string | undefined }): FeMeta {
  if (files.role === undefined && files.version === undefined) return { kind: 'empty' };
  if (files.role === undefined) return { kind: 'partial', present: 'VERSION' };
  if (files.version === undefined) return { kind: 'partial', present: 'ROLE' };
  const role = parseJavaProperties(files.role);
  const version = parseJavaProperties(files.version);
  const roleValue = role.get('role');
  if (roleValue !== 'FOLLOWER' && roleValue !== 'OBSERVER') {
    return { kind: 'unreadable', reason: `image/ROLE has role=${JSON.stringify(roleValue ?? '')}, expected FOLLOWER or OBSERVER` };
  }
  const name = role.get('name') ?? '';
  const parsedName = parseNodeName(name);
  if (parsedName === undefined) {
    return { kind: 'unreadable', reason: `image/ROLE has name=${JSON.stringify(name)}, expected <host>_<edit_log_port>_<ms>` };
  }
  const hostTypeValue = role.get('hostType');
  const hostType = hostTypeValue === undefined || hostTypeValue === '' ? undefined : hostTypeValue.toUpperCase();
  if (hostType !== undefined && !(HOST_TYPES as readonly string[]).includes(hostType)) {
    return { kind: 'unreadable', reason: `image/ROLE has hostType=${JSON.stringify(hostTypeValue)}, expected FQDN or IP` };
  }
  const clusterIdText = version.get('clusterId') ?? '';
  const clusterId = Number(clusterIdText);
  if (!/^-?[0-9]{1,10}$/.test(clusterIdText) || clusterId === 0) {
    return { kind: 'unreadable', reason: `image/VERSION has clusterId=${JSON.stringify(clusterIdText)}, expected a non-zero integer` };
  }
  return {
    kind: 'complete',
    role: roleValue,
    name,
    host: parsedName.host,
    editLogPort: parsedName.port,
    hostType: hostType as HostType | undefined,
    clusterId,
    runMode: version.get('runMode'),
    hasToken: (version.get('token') ?? '') !== '',
  };
}

/**
 * Host and port from a node name `<host>_<port>_<ms>` (new) or `<host>_<port>` (old). A valid
 * host has no underscore, so the parts are unambiguous.
 */
export function parseNodeName(name: string): { host: string; port: number } | undefined {
  const parts = name.split('_');
  if (parts.length < 2 || parts.length > 3 || !parts.slice(1).every((p) => /^[0-9]+$/.test(p))) return undefined;
  const port = Number(parts[1]);
  const host = parts[0] as string;
  return host !== '' && port >= 1 && port <= 65535 ? { host, port } : undefined;
}

/** Read `<metaDir>/image/ROLE` and `VERSION`. Never throws: a read error is `unreadable`. */
export async function readFeMeta(metaDir: string): Promise<FeMeta> {
  try {
    const [role, version] = await Promise.all([readIfExists(join(metaDir, 'image', 'ROLE')), readIfExists(join(metaDir, 'image', 'VERSION'))]);
    return interpretFeMeta({ role, version });
  } catch (error) {
    return { kind: 'unreadable', reason: `cannot read ${join(metaDir, 'image')}: ${(error as Error).message}` };
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
