/**
 * A background job that runs every interval, one round at a time (a slow round delays the next
 * instead of overlapping it), and never throws: a failed round is reported and the next one runs
 * as planned. The agent's keepers (fence, membership) and loops use it.
 *
 * @example
 * ```ts
 * const job = every({ intervalMs: 30_000, immediate: true, round: () => keepFence(), onError: (e) => log.warn(e) });
 * job.stop();
 * ```
 */

/** A running periodic job. */
export interface Periodic {
  stop(): void;
}

/** Options of every. */
export interface PeriodicOptions {
  intervalMs: number;
  /** Run the first round at once instead of after one interval. */
  immediate: boolean;
  round: () => Promise<void>;
  onError: (error: unknown) => void;
}

/** Run `round` every `intervalMs` until stopped. */
export function every(options: PeriodicOptions): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = (): void => {
    if (stopped) return;
    options
      .round()
      .catch(options.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.intervalMs);
      });
  };
  if (options.immediate) loop();
  else timer = setTimeout(loop, options.intervalMs);
  return {
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
