/**
 * `starrocks-agent install --to DIR`: the agent image's init container copies the agent's single
 * executable into DIR, an emptyDir the StarRocks containers share, so they run the user's stock
 * image unchanged with `DIR/starrocks-agent` as their command (issue 13).
 *
 * The copy lands under a temporary name in DIR and is renamed into place, so a container never
 * runs a half-written file. A `starrocks-agent.version` file next to it records what was copied:
 * when it names this version and the sizes match, the copy is skipped (an init container that runs
 * again after a pod restart finds the emptyDir filled). Reading that file and one stat is cheaper
 * than running the copy's `--version` or hashing 130 MB, and the marker is removed before a new
 * copy replaces the executable, so an interrupted install never leaves a marker that lies.
 */
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { AGENT_COMMANDS, PATHS } from '../contract/index.ts';
import { AgentError } from '../contract/errors.ts';
import { replaceFile, writeFileAtomic } from '../util/atomic-write.ts';

/** The executable's name in the target folder, as the pods run it. */
export const INSTALLED_NAME = basename(PATHS.agentBin);
/** The file next to the executable that records the installed version. */
export const VERSION_FILE = `${INSTALLED_NAME}.version`;

/** What `installExecutable` did. */
export interface InstallResult {
  /** The installed executable's path. */
  path: string;
  /** True when the same version was already there and nothing was copied. */
  skipped: boolean;
}

/** The target folder from `install`'s arguments: `--to DIR` or `--to=DIR`. */
export function parseInstallArgs(args: readonly string[]): string {
  let to: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--to') to = args[++i];
    else if (arg.startsWith('--to=')) to = arg.slice('--to='.length);
    else throw new AgentError('ERR_USAGE', `${AGENT_COMMANDS.install}: unknown argument "${arg}"; usage: starrocks-agent install --to DIR`);
  }
  if (to === undefined || to === '') throw new AgentError('ERR_USAGE', `${AGENT_COMMANDS.install}: --to DIR is required, e.g. --to ${PATHS.agentBin.slice(0, -INSTALLED_NAME.length - 1)}`);
  return resolve(to);
}

/** Copies `source` to `dir/starrocks-agent` (mode 755) unless `version` of the same size is there. */
export async function installExecutable(options: { source: string; dir: string; version: string }): Promise<InstallResult> {
  const path = join(options.dir, INSTALLED_NAME);
  const marker = join(options.dir, VERSION_FILE);
  const expected = `starrocks-agent ${options.version}\n`;
  try {
    const source = await stat(options.source);
    if (await isInstalled(path, marker, expected, source.size)) return { path, skipped: true };
    await mkdir(options.dir, { recursive: true });
    await rm(marker, { force: true });
    await replaceFile(path, (temp) => copyFile(options.source, temp), { mode: 0o755 });
    await writeFileAtomic(marker, expected, { mode: 0o644 });
    return { path, skipped: false };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentError('ERR_INSTALL', `cannot install ${options.source} as ${path}: ${reason}`, { cause: error });
  }
}

async function isInstalled(path: string, marker: string, expected: string, size: number): Promise<boolean> {
  const recorded = await readFile(marker, 'utf8').catch(() => undefined);
  if (recorded !== expected) return false;
  const installed = await stat(path).catch(() => undefined);
  return installed !== undefined && installed.isFile() && installed.size === size;
}


/**
 * Runs `install`. Only the single executable can copy itself: from the sources or the `.mjs`
 * bundle there is no one file that runs without Node, so it refuses before touching anything.
 */
export async function installCommand(args: readonly string[], version: string): Promise<number> {
  const dir = parseInstallArgs(args);
  if (!isSea()) {
    throw new AgentError(
      'ERR_INSTALL_SOURCE',
      `${AGENT_COMMANDS.install} copies the agent's single executable, but this agent runs on Node from ${process.argv[1] ?? 'a script'}: build it with npm run build and run dist/starrocks-agent ${AGENT_COMMANDS.install} --to ${dir}`,
    );
  }
  const result = await installExecutable({ source: process.execPath, dir, version });
  process.stdout.write(
    result.skipped ? `starrocks-agent ${version} is already installed at ${result.path}; not copied\n` : `starrocks-agent ${version} installed at ${result.path}\n`,
  );
  return 0;
}
