/**
 * Which local program a container's argv runs. Containers run as local processes: a program the
 * container's image holds (see image-table.ts: the agent, the controller's Node, tini) runs its
 * local stand-in; a path inside a mount or the StarRocks tree runs the host file behind it; a
 * system tool (`sh`, `/usr/bin/python3`) runs this machine's. Pure apart from the `exists` check
 * passed in.
 */
import { basename, join } from 'node:path';
import type { ImageHost, WorldImage } from './image-table.ts';
import { rewritePaths, toHostPath } from './path-map.ts';
import type { PathMapping } from './path-map.ts';

/** What resolving needs. */
export interface LocalCommandInput extends ImageHost {
  /** The container's argv (entrypoint or `command`, then args), after `$(VAR)` expansion. */
  argv: readonly string[];
  /** The container's image. */
  image: WorldImage;
  /** The pod's path map (mounts, the StarRocks tree, the image's files). */
  mappings: readonly PathMapping[];
  /** The PATH to search. */
  searchPath: string;
  exists(path: string): boolean;
}

/** The program and arguments to spawn, or why the container cannot start. */
export type LocalCommand = { file: string; args: string[] } | { error: string };

// Where images keep system tools; a tool there runs this machine's copy, wherever it keeps it.
const SYSTEM_DIRS = ['/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/', '/usr/local/bin/', '/usr/local/sbin/'];

/** Resolves a container's argv to a local program. */
export function resolveLocalCommand(input: LocalCommandInput): LocalCommand {
  let argv = input.argv;
  // Wrappers (tini, entrypoint scripts) hand over to another program; a few hops at most.
  for (let hop = 0; hop < 4; hop++) {
    const [first, ...rest] = argv;
    if (first === undefined || first === '') return { error: 'no command specified' };
    const args = rest.map((a) => rewritePaths(a, input.mappings));
    const program = input.image.programs[first];
    if (program !== undefined) {
      const run = program(args, input);
      if ('file' in run) return run;
      argv = run.exec;
      continue;
    }
    if (!first.includes('/')) {
      const found = searchPath(first, input);
      return found === undefined ? { error: `exec: "${first}": executable file not found in $PATH` } : { file: found, args };
    }
    const hostPath = toHostPath(first, input.mappings);
    if (hostPath !== first || !SYSTEM_DIRS.some((dir) => first.startsWith(dir))) {
      return input.exists(hostPath) ? { file: hostPath, args } : { error: `exec: "${first}": stat ${first}: no such file or directory` };
    }
    if (input.exists(first)) return { file: first, args };
    const found = searchPath(basename(first), input);
    return found === undefined ? { error: `exec: "${first}": stat ${first}: no such file or directory` } : { file: found, args };
  }
  return { error: `exec: "${input.argv[0] ?? ''}": too many wrapper hops` };
}

function searchPath(name: string, input: LocalCommandInput): string | undefined {
  for (const dir of input.searchPath.split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (input.exists(candidate)) return candidate;
  }
  return undefined;
}
