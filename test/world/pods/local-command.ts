/**
 * Which local program a container's command runs. Containers run as local processes, never
 * images: a command naming the agent runs the agent from this repository on this Node; any other
 * command runs the program of that name from this machine's PATH (or the container path it
 * names, once mapped to the host). Pure apart from the `exists` check passed in.
 */
import { basename, join } from 'node:path';

/** The agent's program name; `/opt/starrocks-agent/starrocks-agent` and `starrocks-agent` both match. */
export const AGENT_PROGRAM = 'starrocks-agent';

/** What resolving needs. */
export interface LocalCommandInput {
  /** `command` then `args`, after `$(VAR)` expansion and path rewriting. */
  argv: readonly string[];
  /** This Node's executable and the repository root (for the agent). */
  nodePath: string;
  repoRoot: string;
  /** The PATH to search. */
  searchPath: string;
  exists(path: string): boolean;
}

/** The program and arguments to spawn, or why the container cannot start. */
export type LocalCommand = { file: string; args: string[] } | { error: string };

/** Resolves a container's argv to a local program. */
export function resolveLocalCommand(input: LocalCommandInput): LocalCommand {
  const [first, ...rest] = input.argv;
  if (first === undefined || first === '') {
    return { error: 'no command: the local pod runner runs commands, not image entrypoints; set command in the container' };
  }
  if (basename(first) === AGENT_PROGRAM) {
    return { file: input.nodePath, args: [join(input.repoRoot, 'agent', 'main.ts'), ...rest] };
  }
  if (first.includes('/')) {
    if (input.exists(first)) return { file: first, args: rest };
    // An image path such as /usr/bin/python3 that this machine keeps elsewhere.
    const found = searchPath(basename(first), input);
    return found === undefined ? { error: `executable "${first}" not found on this machine` } : { file: found, args: rest };
  }
  const found = searchPath(first, input);
  return found === undefined ? { error: `executable "${first}" not found in PATH` } : { file: found, args: rest };
}

function searchPath(name: string, input: LocalCommandInput): string | undefined {
  for (const dir of input.searchPath.split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (input.exists(candidate)) return candidate;
  }
  return undefined;
}
