/**
 * Keeps a world from outliving its Node process. Every process group the world starts is listed
 * in a file; a small watchdog shell polls the Node process once a second, and when it is gone
 * (killed by a test runner's timeout, a crash, SIGKILL) kills every listed group and removes the
 * world's folder. A normal stop ends the watchdog first.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Records the process groups of a world. */
export interface ProcessGroups {
  add(pid: number | undefined): void;
  remove(pid: number | undefined): void;
}

/** A running guard. */
export interface OrphanGuard extends ProcessGroups {
  /** Ends the watchdog (the world is stopping normally). */
  stop(): Promise<void>;
}

/** Starts the watchdog for the world in `dir`. */
export function startOrphanGuard(dir: string): OrphanGuard {
  const file = join(dir, 'process-groups');
  const groups = new Set<number>();
  const save = (): void => {
    try {
      writeFileSync(file, [...groups].join('\n') + '\n');
    } catch {
      // The folder is being removed: the world is stopping.
    }
  };
  save();
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `for g in $(cat '${file}' 2>/dev/null); do kill -KILL "-$g" 2>/dev/null; done`,
    `rm -rf '${dir}'`,
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const exited = new Promise<void>((resolve) => {
    if (watchdog.exitCode !== null) resolve();
    else watchdog.once('exit', () => resolve());
  });
  return {
    add(pid) {
      if (pid === undefined || pid <= 0) return;
      groups.add(pid);
      save();
    },
    remove(pid) {
      if (pid === undefined || !groups.delete(pid)) return;
      save();
    },
    async stop() {
      // Unreferenced so it never keeps Node alive; referenced again so its exit can be awaited.
      watchdog.ref();
      try {
        if (watchdog.pid !== undefined) process.kill(-watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
  };
}
