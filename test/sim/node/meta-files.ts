/**
 * `meta/image/ROLE` and `meta/image/VERSION` in the FE's Java-properties format (reference
 * §5.2), written the way Storage.java writes them, so the agent's meta detection reads the same
 * files a real FE leaves behind, crashes included.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStarRocksConf } from '../../../agent/contract/starrocks-conf.ts';

/** Contents of `image/ROLE`; `hostType` stays empty until the FE is ready (Storage.writeFeStartFeHostType). */
export interface RoleFile {
  role: 'FOLLOWER' | 'OBSERVER';
  name: string;
  hostType: 'IP' | 'FQDN' | '';
}

/** Contents of `image/VERSION`. */
export interface VersionFile {
  clusterId: number;
  token: string;
  runMode: 'shared_nothing' | 'shared_data';
}

/**
 * What a meta dir holds. `role-only`/`version-only` are what a crash between Storage's two
 * writes (or a lost file) leaves: NodeMgr.getClusterIdAndRoleOnStartup recovers them only
 * through a helper.
 */
export type MetaState =
  | { kind: 'empty' }
  | { kind: 'role-only'; role: RoleFile }
  | { kind: 'version-only'; version: VersionFile }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'present'; role: RoleFile; version: VersionFile };

// Java's Date.toString(): `Sun Nov 22 22:05:00 UTC 2026`.
function javaDate(now: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[now.getUTCDay()]} ${months[now.getUTCMonth()]} ${p(now.getUTCDate())} ${p(now.getUTCHours())}:${p(now.getUTCMinutes())}:${p(now.getUTCSeconds())} UTC ${now.getUTCFullYear()}`;
}

// Properties.store(out, null) on JDK 11/17: the date comment, then the keys in the order of the
// backing ConcurrentHashMap's bins (role, hostType, name; clusterId, runMode, token), checked
// against `java` 17's output.

/** ROLE file text. */
export function formatRoleFile(role: RoleFile, now: Date): string {
  return `#${javaDate(now)}\nrole=${role.role}\nhostType=${role.hostType}\nname=${role.name}\n`;
}

/** VERSION file text. */
export function formatVersionFile(version: VersionFile, now: Date): string {
  return `#${javaDate(now)}\nclusterId=${version.clusterId}\nrunMode=${version.runMode}\ntoken=${version.token}\n`;
}

/** Parse ROLE text; undefined when a key is missing or invalid. */
export function parseRoleFile(text: string): RoleFile | undefined {
  const conf = parseStarRocksConf(text);
  const role = conf.get('role');
  const name = conf.get('name');
  const hostType = conf.get('hostType') ?? '';
  if ((role !== 'FOLLOWER' && role !== 'OBSERVER') || name === undefined || name === '') return undefined;
  if (hostType !== 'IP' && hostType !== 'FQDN' && hostType !== '') return undefined;
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

const rolePath = (metaDir: string): string => join(metaDir, 'image', 'ROLE');
const versionPath = (metaDir: string): string => join(metaDir, 'image', 'VERSION');

/** Read the meta dir's ROLE and VERSION. */
export function readMeta(metaDir: string): MetaState {
  const hasRole = existsSync(rolePath(metaDir));
  const hasVersion = existsSync(versionPath(metaDir));
  if (!hasRole && !hasVersion) return { kind: 'empty' };
  const role = hasRole ? parseRoleFile(readFileSync(rolePath(metaDir), 'utf8')) : undefined;
  const version = hasVersion ? parseVersionFile(readFileSync(versionPath(metaDir), 'utf8')) : undefined;
  if (hasRole && role === undefined) return { kind: 'unreadable', reason: `${rolePath(metaDir)} is not a valid ROLE file` };
  if (hasVersion && version === undefined) return { kind: 'unreadable', reason: `${versionPath(metaDir)} is not a valid VERSION file` };
  if (role !== undefined && version !== undefined) return { kind: 'present', role, version };
  if (role !== undefined) return { kind: 'role-only', role };
  return { kind: 'version-only', version: version as VersionFile };
}

/** Write ROLE (Storage.writeFrontendRoleAndNodeName / writeFeStartFeHostType). */
export function writeRoleFile(metaDir: string, role: RoleFile, now = new Date()): void {
  mkdirSync(join(metaDir, 'image'), { recursive: true });
  writeFileSync(rolePath(metaDir), formatRoleFile(role, now));
}

/** Write VERSION (Storage.writeVersionFile). */
export function writeVersionFile(metaDir: string, version: VersionFile, now = new Date()): void {
  mkdirSync(join(metaDir, 'image'), { recursive: true });
  writeFileSync(versionPath(metaDir), formatVersionFile(version, now));
}

/** Store VERSION as downloaded from a helper's `/version`: the helper's bytes (NodeMgr.getVersionFileFromHelper). */
export function storeVersionBytes(metaDir: string, text: string): void {
  mkdirSync(join(metaDir, 'image'), { recursive: true });
  writeFileSync(versionPath(metaDir), text);
}

/** The raw VERSION text of a meta dir, for a helper's `/version` answer; undefined when absent. */
export function versionText(metaDir: string): string | undefined {
  try {
    return readFileSync(versionPath(metaDir), 'utf8');
  } catch {
    return undefined;
  }
}
