/**
 * The images ship StarRocks's default conf in `<home>/conf.image` and make `<home>/conf` a link
 * into the agent's state dir (an emptyDir), so the root filesystem can stay read-only (W13: the
 * official entrypoint writes symlinks into the image). Before StarRocks starts, the agent fills
 * that directory: the image's files, then the mounted ConfigMap's files over them.
 */
import { copyFile, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Options of materializeConf. */
export interface MaterializeConfOptions {
  /** The component's home, e.g. /opt/starrocks/fe (cn links to be). */
  home: string;
  stateDir: string;
  /** The mounted ConfigMap, when there is one. */
  configMapMountPath: string | undefined;
}

/** Fill `<stateDir>/conf/<home name>` when the image has `conf.image`; returns the dir, or undefined when the image has none. */
export async function materializeConf(options: MaterializeConfOptions): Promise<string | undefined> {
  const home = await realpath(options.home).catch(() => options.home);
  const imageConf = join(home, 'conf.image');
  if (!(await isDir(imageConf))) return undefined;
  const target = join(options.stateDir, 'conf', basename(home));
  await mkdir(target, { recursive: true });
  await copyFiles(imageConf, target);
  if (options.configMapMountPath !== undefined && (await isDir(options.configMapMountPath))) {
    await copyFiles(options.configMapMountPath, target);
  }
  return target;
}

// Regular files only; a ConfigMap volume's `..data` links and dot entries are skipped.
async function copyFiles(from: string, to: string): Promise<void> {
  for (const name of await readdir(from)) {
    if (name.startsWith('.')) continue;
    const source = join(from, name);
    const info = await stat(source).catch(() => undefined);
    if (info?.isFile() === true) await copyFile(source, join(to, name));
  }
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}
