/**
 * The agent's only way to wait: try, and while not done, sleep a jittered back-off that starts at
 * a few milliseconds and grows to `maxBackoffMs`. When the reason for waiting changes (DNS now
 * answers, the FE now has a leader) the back-off starts over, so the next step follows quickly.
 * There is no deadline: a missing FE means waiting, not a crash loop (W9); the caller stops the
 * wait with an AbortSignal. The reason is reported when it changes and otherwise at most once per
 * `reportEveryMs`, so logs say why the agent waits without flooding.
 *
 * @example
 * ```ts
 * const plan = await pollUntil({
 *   attempt: async () => { const p = planFeStart(await observe()); return p.kind === 'wait' ? { done: false, reason: p.reason } : { done: true, value: p }; },
 *   maxBackoffMs: config.maxBackoffMs,
 *   onWait: (reason, info) => log.info({ attempts: info.attempts }, `waiting: ${reason}`),
 *   signal,
 * });
 * ```
 */
import { createBackoff, sleep } from '../contract/backoff.ts';
import type { RandomSource } from '../contract/backoff.ts';

/** One attempt's result. */
export type PollResult<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly reason: string };

/** Options of pollUntil. */
export interface PollOptions<T> {
  attempt: () => Promise<PollResult<T>>;
  maxBackoffMs: number;
  /** First back-off ceiling (default 5 ms). */
  baseMs?: number;
  random?: RandomSource;
  signal?: AbortSignal;
  /** Called when the reason changes, and otherwise at most once per reportEveryMs. */
  onWait?: (reason: string, info: { attempts: number; waitingMs: number; nextDelayMs: number }) => void;
  /** Default 30 s. */
  reportEveryMs?: number;
  /** Clock (default performance.now). */
  now?: () => number;
}

/** Poll until an attempt is done; rejects only when aborted or when an attempt throws. */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const now = options.now ?? (() => performance.now());
  const backoff = createBackoff({ maxMs: options.maxBackoffMs, baseMs: options.baseMs, random: options.random });
  const reportEveryMs = options.reportEveryMs ?? 30_000;
  const started = now();
  let lastReason: string | undefined;
  let lastReportAt = -Infinity;
  let attempts = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    attempts++;
    const result = await options.attempt();
    if (result.done) return result.value;
    if (result.reason !== lastReason) backoff.reset();
    const delay = backoff.next();
    const at = now();
    if (result.reason !== lastReason || at - lastReportAt >= reportEveryMs) {
      options.onWait?.(result.reason, { attempts, waitingMs: at - started, nextDelayMs: delay });
      lastReportAt = at;
    }
    lastReason = result.reason;
    await sleep(delay, options.signal);
  }
}
