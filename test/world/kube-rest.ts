/**
 * A small Kubernetes REST client for the world's own machinery (the pod runner plays kubelet and
 * needs only JSON requests, merge patches and watches). It speaks HTTPS to the loopback
 * kube-apiserver with the world's CA and admin token; tests of the project's code use
 * `@kubernetes/client-node` against the same server instead.
 */
import { request } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';

/** How to reach the API server. */
export interface KubeRestOptions {
  server: string;
  caPem: string;
  token: string;
  timeoutMs?: number;
}

/** A failed request: the HTTP status and the server's message. */
export class KubeRestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'KubeRestError';
    this.status = status;
  }
}

/** One event of a watch. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A running watch; `stop` ends it for good. */
export interface WatchHandle {
  stop(): void;
}

/** The client. Paths are absolute API paths (`/api/v1/...`). */
export interface KubeRest {
  get<T>(path: string): Promise<T>;
  /** Undefined on 404. */
  getOptional<T>(path: string): Promise<T | undefined>;
  post<T>(path: string, body: unknown): Promise<T>;
  mergePatch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string, body?: unknown): Promise<void>;
  /**
   * Lists `path` then watches it from the list's resourceVersion, restarting after errors and
   * expiries (relisting on 410), until stopped. `onList` gets every full list.
   */
  watch<T>(path: string, handlers: { onList(items: T[]): void; onEvent(event: WatchEvent<T>): void }): WatchHandle;
}

/** Creates a client for one API server. */
export function kubeRest(options: KubeRestOptions): KubeRest {
  const timeoutMs = options.timeoutMs ?? 15_000;

  const send = (method: string, path: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${options.server}${path}`,
        {
          method,
          ca: options.caPem,
          timeout: timeoutMs,
          headers: {
            authorization: `Bearer ${options.token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });

  const json = async <T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> => {
    const { status, text } = await send(method, path, body, contentType);
    if (status < 200 || status >= 300) throw new KubeRestError(status, `${method} ${path}: ${status} ${errorMessage(text)}`);
    return (text === '' ? {} : JSON.parse(text)) as T;
  };

  const watch = <T>(path: string, handlers: { onList(items: T[]): void; onEvent(event: WatchEvent<T>): void }): WatchHandle => {
    let stopped = false;
    let current: ClientRequest | undefined;
    let timer: NodeJS.Timeout | undefined;
    const separator = path.includes('?') ? '&' : '?';

    // 'expired': relist (410 or an ERROR event); 'failed': relist after a pause; 'ended': watch on.
    const watchFrom = (resourceVersion: string): Promise<'expired' | 'failed' | 'ended'> =>
      new Promise((resolve, reject) => {
        const req = request(
          `${options.server}${path}${separator}watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}&timeoutSeconds=300`,
          { method: 'GET', ca: options.caPem, headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' } },
          (res: IncomingMessage) => {
            if (res.statusCode !== 200) {
              res.resume();
              resolve(res.statusCode === 410 ? 'expired' : 'failed');
              return;
            }
            let buffer = '';
            let expired = false;
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              buffer += chunk;
              let newline = buffer.indexOf('\n');
              while (newline >= 0) {
                const line = buffer.slice(0, newline).trim();
                buffer = buffer.slice(newline + 1);
                newline = buffer.indexOf('\n');
                if (line === '') continue;
                try {
                  const event = JSON.parse(line) as WatchEvent<T & { metadata?: { resourceVersion?: string } }>;
                  if (event.type === 'ERROR') {
                    expired = true;
                    continue;
                  }
                  const rv = event.object.metadata?.resourceVersion;
                  if (rv !== undefined) resourceVersion = rv;
                  if (event.type !== 'BOOKMARK' && !stopped) handlers.onEvent(event);
                } catch {
                  // A line that is not an event (or a handler that threw): relist to be safe.
                  expired = true;
                }
              }
            });
            res.on('end', () => resolve(expired ? 'expired' : 'ended'));
            res.on('error', () => resolve('ended'));
            res.on('close', () => resolve(expired ? 'expired' : 'ended'));
          },
        );
        current = req;
        req.on('error', reject);
        req.end();
      }).then((outcome) => {
        lastResourceVersion = resourceVersion;
        return outcome as 'expired' | 'failed' | 'ended';
      });

    let lastResourceVersion = '';
    const loop = async (): Promise<void> => {
      let needList = true;
      for (let round = 0; !stopped && round < 1_000_000; round++) {
        try {
          if (needList) {
            const list = await json<{ items: T[]; metadata: { resourceVersion: string } }>('GET', path);
            if (stopped) return;
            handlers.onList(list.items);
            lastResourceVersion = list.metadata.resourceVersion;
          }
          const began = Date.now();
          const outcome = await watchFrom(lastResourceVersion);
          needList = outcome !== 'ended';
          // A refused or instantly closed watch is retried after a pause, never in a tight loop.
          if (outcome === 'failed' || Date.now() - began < 200) throw new Error('watch ended at once');
        } catch {
          needList = true;
          if (stopped) return;
          await new Promise((resolve) => {
            timer = setTimeout(resolve, 500);
          });
        }
      }
    };
    void loop();
    return {
      stop() {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        current?.destroy();
      },
    };
  };

  return {
    get: (path) => json('GET', path),
    async getOptional<T>(path: string) {
      const { status, text } = await send('GET', path, undefined);
      if (status === 404) return undefined;
      if (status < 200 || status >= 300) throw new KubeRestError(status, `GET ${path}: ${status} ${errorMessage(text)}`);
      return JSON.parse(text) as T;
    },
    post: (path, body) => json('POST', path, body),
    mergePatch: (path, body) => json('PATCH', path, body, 'application/merge-patch+json'),
    async delete(path, body) {
      const { status, text } = await send('DELETE', path, body);
      if (status === 404) return;
      if (status < 200 || status >= 300) throw new KubeRestError(status, `DELETE ${path}: ${status} ${errorMessage(text)}`);
    },
    watch,
  };
}

function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : text.slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}
