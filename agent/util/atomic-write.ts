/**
 * The one atomic write: a file is filled under a temporary name in its own folder, flushed to
 * disk (fsync), and renamed into place, so a reader (another container, a process restarted
 * after a crash or a power loss) sees the old file or the new one, never half of one. The
 * temporary file never outlives a failure.
 *
 * @example
 * ```ts
 * await writeFileAtomic(join(stateDir, 'plan.json'), serializePlanFile(plan));
 * await replaceFile(target, (temp) => copyFile(source, temp), { mode: 0o755 });
 * ```
 */
import { chmod, open, rename, rm, writeFile } from 'node:fs/promises';

/** Fill `<path>.<pid>.tmp` with `fill`, set its mode, fsync it, and rename it to `path`. */
export async function replaceFile(path: string, fill: (temp: string) => Promise<void>, options: { mode?: number } = {}): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await fill(temp);
    if (options.mode !== undefined) await chmod(temp, options.mode);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Write `data` to `path` atomically (replaceFile). */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  return replaceFile(path, (temp) => writeFile(temp, data), options);
}
