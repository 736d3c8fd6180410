/**
 * Exponential back-off with full jitter, and an abortable sleep. Waits in the agent never use a
 * fixed interval: they start at a few milliseconds (so a peer that appears quickly is seen
 * quickly) and grow to `maxMs` (so a long outage costs little).
 *
 * @example
 * ```ts
 * const backoff = createBackoff({ maxMs: config.maxBackoffMs });
 * while (!(await ready())) await sleep(backoff.next(), signal);
 * ```
 */
/** A source of uniform numbers in [0, 1), injected so decisions stay reproducible in tests. */
export type RandomSource = () => number;

/** Back-off parameters. */
export interface BackoffOptions {
  /** First ceiling, in ms (default 5). */
  baseMs?: number;
  /** Largest ceiling, in ms. */
  maxMs: number;
  /** Growth factor per attempt (default 2). */
  factor?: number;
  /** Defaults to Math.random. */
  random?: RandomSource;
}

/** The ceiling of attempt `attempt` (0-based): base * factor^attempt, capped at maxMs. */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const base = options.baseMs ?? 5;
  const factor = options.factor ?? 2;
  // Exponent capped so the power never overflows to Infinity before the min().
  const ceiling = base * Math.pow(factor, Math.min(Math.max(attempt, 0), 64));
  return Math.min(options.maxMs, Number.isFinite(ceiling) ? ceiling : options.maxMs);
}

/** Full jitter: a whole number of ms uniform in [0, ceiling], at least 1 so a loop always yields. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = backoffCeiling(attempt, options);
  return Math.max(1, Math.min(ceiling, Math.round(random() * ceiling)));
}

/** A back-off sequence: `next()` gives the next delay, `reset()` starts over after progress. */
export interface Backoff {
  next(): number;
  reset(): void;
  /** Attempts made since the last reset. */
  readonly attempts: number;
}

/** A stateful back-off sequence over backoffDelay. */
export function createBackoff(options: BackoffOptions): Backoff {
  let attempt = 0;
  return {
    next: () => backoffDelay(attempt++, options),
    reset: () => {
      attempt = 0;
    },
    get attempts() {
      return attempt;
    },
  };
}

/** Resolve after `ms`, or reject with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** True when `error` is the rejection of an aborted sleep. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('wait aborted', 'AbortError');
}
