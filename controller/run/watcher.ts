/**
 * List-then-watch of one kind, restarted on errors with back-off and relisted on 410 Gone, until
 * aborted: the controller's informer. Every full list is handed over, so the caller can resync.
 */
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { asString, dig } from '../json.ts';
import type { JsonObject } from '../json.ts';
import { httpStatusOf } from '../kube/kube-api.ts';
import type { KubeApi, WatchEvent } from '../kube/kube-api.ts';

/** Options of `runWatcher`. */
export interface WatcherOptions {
  api: KubeApi;
  log: Log;
  kind: string;
  namespace: string | undefined;
  labelSelector?: string;
  onList: (items: JsonObject[]) => void;
  onEvent: (event: WatchEvent) => void;
  signal: AbortSignal;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Runs until `signal` aborts. Never throws. */
export async function runWatcher(options: WatcherOptions): Promise<void> {
  const base = options.baseBackoffMs ?? 500;
  const max = options.maxBackoffMs ?? 30_000;
  let failures = 0;
  let resourceVersion: string | undefined;
  while (!options.signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const list = await options.api.list({ kind: options.kind, namespace: options.namespace, labelSelector: options.labelSelector });
        resourceVersion = list.resourceVersion;
        options.onList(list.items);
      }
      await options.api.watch({
        kind: options.kind,
        namespace: options.namespace,
        labelSelector: options.labelSelector,
        resourceVersion,
        signal: options.signal,
        onEvent: (event) => {
          resourceVersion = asString(dig(event.object, 'metadata', 'resourceVersion')) ?? resourceVersion;
          failures = 0;
          if (event.type !== 'BOOKMARK') options.onEvent(event);
        },
      });
    } catch (error) {
      if (options.signal.aborted) break;
      if (httpStatusOf(error) === 410) {
        resourceVersion = undefined;
        continue;
      }
      failures += 1;
      resourceVersion = undefined;
      const delay = Math.min(max, base * 2 ** Math.min(failures - 1, 16));
      options.log.warn({ kind: options.kind, err: describeError(error), retryInMs: delay }, 'watch failed; restarting');
      await sleep(delay, options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
