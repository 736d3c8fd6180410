/**
 * Container paths on the host. A local process sees the host's file system, not a container's,
 * so every mount (and the StarRocks tree at its container root) becomes a host folder, and
 * container paths in env values, command lines and probe commands are rewritten to it, longest
 * mount first. Pure.
 */

/** One container path and the host folder or file behind it. */
export interface PathMapping {
  containerPath: string;
  hostPath: string;
}

/** Sorts mappings longest container path first, so nested mounts win over their parents. */
export function sortMappings(mappings: readonly PathMapping[]): PathMapping[] {
  return [...mappings].map((m) => ({ ...m, containerPath: trimSlash(m.containerPath) })).sort((a, b) => b.containerPath.length - a.containerPath.length);
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The host path of one container path, or the path unchanged when no mapping covers it. */
export function toHostPath(path: string, mappings: readonly PathMapping[]): string {
  for (const m of mappings) {
    if (path === m.containerPath) return m.hostPath;
    if (path.startsWith(`${m.containerPath}/`)) return m.hostPath + path.slice(m.containerPath.length);
  }
  return path;
}

/**
 * Rewrites every container path inside a string (`--dir=/data/x`, `a:/opt/starrocks/fe`): any
 * occurrence of a mapped path that starts a path (at the start, or after `=`, `:`, space or a
 * quote) and ends at a path boundary.
 */
export function rewritePaths(value: string, mappings: readonly PathMapping[]): string {
  let out = value;
  for (const m of mappings) {
    if (m.containerPath === '/') continue;
    const escaped = m.containerPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(^|[=: '"])${escaped}(?=$|[/ :'"])`, 'g');
    out = out.replace(pattern, (_match, lead: string) => `${lead}${m.hostPath}`);
  }
  return out;
}
