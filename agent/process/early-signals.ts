/**
 * Signals that arrive before the supervisor has its handlers: `run` starts its HTTP server and
 * monitor first, and a SIGTERM in that window (kubelet deleting a pod that is still starting)
 * would otherwise kill Node with exit 143 and skip the graceful path. Captured here instead; the
 * caller decides: a stop request before StarRocks started means StarRocks is not started at all.
 *
 * @example
 * ```ts
 * const early = captureEarlySignals();
 * // ... set up ...
 * if (early.stopRequested()) return 0;
 * early.release(); // the supervisor's handlers take over
 * ```
 */
import { RELAYED_SIGNALS } from './supervisor.ts';
import type { RelayedSignal } from './supervisor.ts';

/** Signals that ask the pod to stop. */
const STOP_SIGNALS: readonly RelayedSignal[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];

/** Signals captured so far. */
export interface EarlySignals {
  /** Every relayed signal received, in order. */
  received(): readonly RelayedSignal[];
  /** True when a stop signal (TERM, INT, QUIT) was received. */
  stopRequested(): boolean;
  /** Aborted when a stop signal arrives: ends waits that come before StarRocks starts. */
  readonly stopSignal: AbortSignal;
  /** Remove the handlers (call once the supervisor has installed its own). */
  release(): void;
}

/** Start capturing the relayed signals. */
export function captureEarlySignals(): EarlySignals {
  const received: RelayedSignal[] = [];
  const stop = new AbortController();
  const handlers = RELAYED_SIGNALS.map((signal) => {
    const handler = (): void => {
      received.push(signal);
      if (STOP_SIGNALS.includes(signal)) stop.abort(new Error(`${signal} received before StarRocks started`));
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    received: () => [...received],
    stopRequested: () => received.some((signal) => STOP_SIGNALS.includes(signal)),
    stopSignal: stop.signal,
    release: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
