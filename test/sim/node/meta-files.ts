/**
 * `meta/image/ROLE` and `meta/image/VERSION` in the FE's Java-properties format (reference
 * §5.2), so the agent's meta detection reads the same files a real FE writes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStarRocksConf } from '../../../agent/conf/starrocks-conf.ts';

/** Contents of `image/ROLE`. */
export interface RoleFile {
  role: 'FOLLOWER' | 'OBSERVER';
  name: string;
  hostType: 'IP' | 'FQDN';
}

/** Contents of `image/VERSION`. */
export interface VersionFile {
  clusterId: number;
  token: string;
  runMode: 'shared_nothing' | 'shared_data';
}

/** What a meta dir holds. */
export type MetaState = { kind: 'empty' } | { kind: 'partial' } | { kind: 'present'; role: RoleFile; version: VersionFile };

// Java's Date.toString(): `Sun Nov 22 22:05:00 UTC 2026`.
function javaDate(now: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[now.getUTCDay()]} ${months[now.getUTCMonth()]} ${p(now.getUTCDate())} ${p(now.getUTCHours())}:${p(now.getUTCMinutes())}:${p(now.getUTCSeconds())} UTC ${now.getUTCFullYear()}`;
}

/** ROLE file text. */
export function formatRoleFile(role: RoleFile, now: Date): string {
  return `#${javaDate(now)}\nrole=${role.role}\nhostType=${role.hostType}\nname=${role.name}\n`;
}

/** VERSION file text. */
export function formatVersionFile(version: VersionFile, now: Date): string {
  return `#${javaDate(now)}\nclusterId=${version.clusterId}\ntoken=${version.token}\nrunMode=${version.runMode}\n`;
}

/** Parse ROLE text; undefined when a key is missing or invalid. */
export function parseRoleFile(text: string): RoleFile | undefined {
  const conf = parseStarRocksConf(text);
  const role = conf.get('role');
  const name = conf.get('name');
  const hostType = conf.get('hostType') || 'IP';
  if ((role !== 'FOLLOWER' && role !== 'OBSERVER') || name === undefined || name === '') return undefined;
  if (hostType !== 'IP' && hostType !== 'FQDN') return undefined;
  return { role, name, hostType };
}

/** Parse VERSION text; undefined when a key is missing or invalid. */
export function parseVersionFile(text: string): VersionFile | undefined {
  const conf = parseStarRocksConf(text);
  const id = conf.get('clusterId');
  const token = conf.get('token');
  const runMode = conf.get('runMode') ?? 'shared_nothing';
  if (id === undefined || !/^\d+$/.test(id) || token === undefined) return undefined;
  if (runMode !== 'shared_nothing' && runMode !== 'shared_data') return undefined;
  return { clusterId: Number(id), token, runMode };
}

/** Read the meta dir's ROLE and VERSION. */
export function readMeta(metaDir: string): MetaState {
  const rolePath = join(metaDir, 'image', 'ROLE');
  const versionPath = join(metaDir, 'image', 'VERSION');
  const hasRole = existsSync(rolePath);
  const hasVersion = existsSync(versionPath);
  if (!hasRole && !hasVersion) return { kind: 'empty' };
  if (!hasRole || !hasVersion) return { kind: 'partial' };
  const role = parseRoleFile(readFileSync(rolePath, 'utf8'));
  const version = parseVersionFile(readFileSync(versionPath, 'utf8'));
  if (role === undefined || version === undefined) return { kind: 'partial' };
  return { kind: 'present', role, version };
}

/** Write ROLE and VERSION (VERSION first: ROLE is what "has meta" checks look at). */
export function writeMeta(metaDir: string, role: RoleFile, version: VersionFile, now = new Date()): void {
  const image = join(metaDir, 'image');
  mkdirSync(image, { recursive: true });
  writeFileSync(join(image, 'VERSION'), formatVersionFile(version, now));
  writeFileSync(join(image, 'ROLE'), formatRoleFile(role, now));
}
