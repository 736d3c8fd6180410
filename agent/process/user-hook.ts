/**
 * Runs a command of the user's inside the agent's preStop (a CR's `lifecycle.preStop.exec.command`)
 * with a deadline: kubelet allows one preStop hook, so the agent's hook runs the user's first,
 * and the deadline keeps the rest of the grace period for the agent's own step. The command and
 * whatever it starts run in their own process group, killed together at the deadline.
 *
 * @example
 * ```ts
 * const outcome = await runUserHook({ command: ['/bin/sh', '-c', 'flush'], env: childEnv(process.env), timeoutMs: 60_000 });
 * ```
 */
import { spawn } from 'node:child_process';
import { exitCodeFor } from './supervisor.ts';

/** Options of `runUserHook`. */
export interface UserHookOptions {
  command: readonly string[];
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** How the user's command ended. */
export type UserHookOutcome =
  | { kind: 'exited'; code: number }
  | { kind: 'timed-out'; timeoutMs: number }
  | { kind: 'not-started'; message: string };

/** Runs the command to its end or its deadline; never rejects. */
export function runUserHook(options: UserHookOptions): Promise<UserHookOutcome> {
  const [file, ...args] = options.command;
  if (file === undefined || file === '') return Promise.resolve({ kind: 'not-started', message: 'empty command' });
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: options.env, stdio: 'inherit', detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        // The whole group: a shell's children would otherwise outlive it.
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ kind: 'not-started', message: `${file}: ${error.message}` });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ kind: 'timed-out', timeoutMs: options.timeoutMs });
      else resolve({ kind: 'exited', code: exitCodeFor(code, signal) });
    });
  });
}
