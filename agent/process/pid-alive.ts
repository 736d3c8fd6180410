/**
 * The one pid-alive check: signal 0 tests that a process exists without touching it. EPERM means
 * it exists but belongs to another user, so it is alive too.
 *
 * @example
 * ```ts
 * if (!isPidAlive(Number(await readFile(pidFile, 'utf8')))) await rm(lockFile);
 * ```
 */

/** True while a process with this pid exists. Not a positive whole number: false. */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
