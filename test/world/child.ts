/**
 * A child process of the world: its own process group (so that stopping it also stops whatever
 * it started), stdout and stderr appended to one log file, and a stop that escalates from
 * SIGTERM to SIGKILL after a grace period.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { ProcessGroups } from './orphan-guard.ts';

/** How to start a child. */
export interface ChildOptions {
  /** Shown in errors. */
  name: string;
  command: string;
  args: readonly string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the child's process group is recorded while it runs. */
  groups?: ProcessGroups;
}

/** A running child. `exited` settles with the exit code (or signal name) once it is gone. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<number | string>;
  /** True until the process has exited. */
  running(): boolean;
  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<number | string>;
}

/** Starts a child in its own process group with its output in `logFile`. */
export function startChild(options: ChildOptions): Child {
  const fd = openSync(options.logFile, 'a');
  let proc: ChildProcess;
  try {
    proc = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  options.groups?.add(proc.pid);
  let alive = true;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('error', (error) => {
      alive = false;
      resolve(`spawn error: ${error.message}`);
    });
    proc.once('exit', (code, signal) => {
      alive = false;
      options.groups?.remove(proc.pid);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const pid = proc.pid ?? -1;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid <= 0) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    running: () => alive,
    signal: signalGroup,
    async stop(graceMs = 10_000) {
      if (alive) signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      // Grandchildren that ignored SIGTERM must not outlive their parent.
      signalGroup('SIGKILL');
      return result;
    },
  };
}
