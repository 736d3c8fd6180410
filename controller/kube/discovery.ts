/**
 * API discovery: the group/versions the API server serves (`GET /apis` through client-node's
 * ApisApi), read at start and again every refresh interval, since CRDs (the
 * prometheus-operator's) can be installed or removed while the controller runs. A failed read
 * keeps the last answer (`ASSUMED_SERVED` before the first).
 */
import { ApisApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeError } from '../../agent/contract/errors.ts';
import { sleep } from '../../agent/contract/backoff.ts';
import type { Log } from '../../agent/contract/log.ts';
import { plain, timeoutMiddleware } from './client-node-api.ts';
import { ASSUMED_SERVED, parseApiGroupList } from './served-apis.ts';
import type { ServedApis } from './served-apis.ts';

/** How often discovery is read again by default: a CRD installed later is used within it. */
export const DEFAULT_DISCOVERY_SECONDS = 30;

/** The discovered APIs, kept current. */
export interface ApiDiscovery {
  /** The last answer. */
  current(): ServedApis;
  /** Called when a read finds other group/versions than `current()` had (the assumed ones at first). */
  onChange(listener: (served: ServedApis) => void): void;
  /** Resolves after the first read (answered or failed). */
  ready: Promise<void>;
}

/** Options of `startApiDiscovery`. */
export interface ApiDiscoveryOptions {
  /** One discovery read. */
  read: () => Promise<ServedApis>;
  refreshMs: number;
  log: Log;
  /** Stops the refreshes. */
  signal: AbortSignal;
}

/** Read now, then every `refreshMs` until the signal aborts. */
export function startApiDiscovery(options: ApiDiscoveryOptions): ApiDiscovery {
  let served: ServedApis = ASSUMED_SERVED;
  const listeners: ((served: ServedApis) => void)[] = [];
  const refresh = async (): Promise<void> => {
    try {
      const next = await options.read();
      const before = served;
      served = next;
      if (next.groupVersions.join(' ') === before.groupVersions.join(' ')) return;
      const added = next.groupVersions.filter((g) => !before.groupVersions.includes(g));
      const removed = before.groupVersions.filter((g) => !next.groupVersions.includes(g));
      options.log.info({ added, removed }, 'API discovery changed');
      for (const listener of listeners) listener(next);
    } catch (error) {
      options.log.warn({ err: describeError(error) }, 'API discovery failed; keeping the last answer');
    }
  };
  const ready = refresh();
  void (async () => {
    await ready;
    while (!options.signal.aborted) {
      const slept = await sleep(options.refreshMs, options.signal).then(
        () => true,
        () => false,
      );
      if (!slept) return;
      await refresh();
    }
  })();
  return { current: () => served, onChange: (listener) => void listeners.push(listener), ready };
}

/** One discovery read through client-node (`GET /apis`), with a timeout. */
export function clientNodeDiscoveryRead(options: { kubeConfig: KubeConfig; timeoutMs: number }): () => Promise<ServedApis> {
  const apis = options.kubeConfig.makeApiClient(ApisApi);
  return async () => parseApiGroupList(plain(await apis.getAPIVersions({ middleware: [timeoutMiddleware(options.timeoutMs)], middlewareMergeStrategy: 'append' })));
}
