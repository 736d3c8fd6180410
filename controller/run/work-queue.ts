/**
 * A work queue of cluster keys: a key queued many times is processed once; one key is never
 * processed by two workers at once (a key queued while it runs runs again after); a failed key
 * is retried after the one back-off (agent/contract/backoff.ts).
 */
import { backoffDelay } from '../../agent/contract/backoff.ts';
import type { RandomSource } from '../../agent/contract/backoff.ts';

/** Options of `createWorkQueue`. */
export interface WorkQueueOptions {
  concurrency: number;
  /** Processes one key; resolves to a delay after which to process it again, or undefined. */
  handle: (key: string) => Promise<number | undefined>;
  /** Called when `handle` throws; the key is retried after the returned back-off. */
  onError: (key: string, error: unknown) => void;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** The back-off's jitter (tests make it reproducible). */
  random?: RandomSource;
}

/** The queue. */
export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  /** Resolves when nothing is queued or running (delayed re-adds do not count). */
  idle(): Promise<void>;
  stop(): void;
  /** Keys processed so far (for benchmarks and tests). */
  readonly processed: number;
}

/** A work queue. */
export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const pending: string[] = [];
  const queued = new Set<string>();
  const running = new Set<string>();
  const again = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let idleWaiters: (() => void)[] = [];
  let stopped = false;
  let processed = 0;
  const base = options.baseBackoffMs ?? 500;
  const max = options.maxBackoffMs ?? 60_000;

  const checkIdle = (): void => {
    if (pending.length === 0 && running.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const pump = (): void => {
    while (!stopped && running.size < options.concurrency) {
      const index = pending.findIndex((k) => !running.has(k));
      if (index < 0) break;
      const [key] = pending.splice(index, 1);
      if (key === undefined) break;
      queued.delete(key);
      running.add(key);
      void options
        .handle(key)
        .then(
          (after) => {
            failures.delete(key);
            if (after !== undefined) queue.addAfter(key, after);
          },
          (error: unknown) => {
            options.onError(key, error);
            const n = (failures.get(key) ?? 0) + 1;
            failures.set(key, n);
            queue.addAfter(key, backoffDelay(n - 1, { baseMs: base, maxMs: max, random: options.random }));
          },
        )
        .finally(() => {
          processed += 1;
          running.delete(key);
          if (again.delete(key)) queue.add(key);
          pump();
          checkIdle();
        });
    }
  };

  const queue: WorkQueue = {
    add(key) {
      if (stopped) return;
      if (running.has(key)) {
        again.add(key);
        return;
      }
      if (queued.has(key)) return;
      queued.add(key);
      pending.push(key);
      pump();
    },
    addAfter(key, delayMs) {
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        queue.add(key);
      }, delayMs);
      timer.unref();
      timers.add(timer);
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    get processed() {
      return processed;
    },
  };
  return queue;
}
