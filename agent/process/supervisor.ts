/**
 * Runs the StarRocks start script in the foreground as the agent's child and stays with it:
 * signals sent to the agent reach the child (the official entrypoints swallow them, W8), the
 * child's exit code is passed through, and the agent does not exit while a preStop action is
 * still running (the race in StarRocks/starrocks#62915, where the entrypoint died first and
 * killed the hook).
 *
 * @example
 * ```ts
 * const child = startSupervised({ command: '/opt/starrocks/fe/bin/start_fe.sh', args: ['--host_type', 'FQDN'], env, signalMap: { SIGTERM: 'SIGUSR1' } });
 * process.exitCode = await child.exitCode;
 * ```
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Signals the agent relays to its child. */
export const RELAYED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT'] as const;
/** One of the relayed signals. */
export type RelayedSignal = (typeof RELAYED_SIGNALS)[number];

/** Options of startSupervised. */
export interface SuperviseOptions {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Signal to send the child when the agent receives a given one (default: the same signal). */
  signalMap?: Partial<Record<RelayedSignal, NodeJS.Signals>>;
  /** Called on each relayed signal, for logging. */
  onSignal?: (received: RelayedSignal, sent: NodeJS.Signals) => void;
  /** Resolves when it is safe to exit (no preStop action still running). */
  waitBeforeExit?: () => Promise<void>;
  /** Install process signal handlers (true in production; tests relay by calling `relay`). */
  installSignalHandlers?: boolean;
}

/** A running supervised child. */
export interface Supervised {
  readonly pid: number;
  /** The code to exit with: the child's, or 128 + signal number when a signal killed it. */
  readonly exitCode: Promise<number>;
  /** Resolves when the child itself has exited (before any preStop wait). */
  readonly childExited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Relay a signal as if the agent had received it. */
  relay(signal: RelayedSignal): void;
  /** True until the child has exited. */
  isAlive(): boolean;
}

/** The exit code a shell would report for a child's exit. */
export function exitCodeFor(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}

/** Start `command` in the foreground and supervise it. */
export function startSupervised(options: SuperviseOptions): Supervised {
  const child = spawn(options.command, [...options.args], {
    env: options.env,
    cwd: options.cwd,
    stdio: 'inherit',
  });
  let alive = true;
  const childExited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (error) => {
      alive = false;
      reject(error);
    });
    child.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
  });

  const relay = (received: RelayedSignal): void => {
    const sent = options.signalMap?.[received] ?? received;
    options.onSignal?.(received, sent);
    if (alive && child.pid !== undefined) {
      try {
        process.kill(child.pid, sent);
      } catch {
        // The child exited between the check and the kill: nothing left to signal.
      }
    }
  };

  const handlers = new Map<RelayedSignal, () => void>();
  if (options.installSignalHandlers === true) {
    for (const signal of RELAYED_SIGNALS) {
      const handler = (): void => relay(signal);
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  // The handlers stay installed until the agent exits: kubelet sends SIGTERM after the preStop
  // hook, often after StarRocks is already gone, and that signal must not kill the agent before
  // it has passed the child's exit code on. Signal handlers do not keep Node's event loop alive.
  const exitCode = childExited.then(async ({ code, signal }) => {
    await options.waitBeforeExit?.();
    return exitCodeFor(code, signal);
  });

  return {
    pid: child.pid ?? -1,
    exitCode,
    childExited,
    relay,
    isAlive: () => alive,
  };
}
