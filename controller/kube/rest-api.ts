/**
 * `KubeApi` over plain HTTP(S) requests to the API server: JSON in and out, server-side apply
 * with one field manager, line-delimited watch streams. A timeout on every request (watches: on
 * silence). Connection details (server, CA, client certificate, token) come from `connection.ts`.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AgentError } from '../../agent/contract/errors.ts';
import { asJsonObject, asString, dig } from '../json.ts';
import type { JsonObject } from '../json.ts';
import type { KubernetesObject } from '../render/objects.ts';
import type { KubeApi, WatchEvent } from './kube-api.ts';
import { collectionPath, objectPath } from './resources.ts';

/** How to reach and authenticate to the API server. */
export interface RestConnection {
  /** `https://host:port` (or `http://`). */
  server: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  headers: Record<string, string>;
  rejectUnauthorized: boolean;
  /** A bearer token file re-read every minute (in a pod the kubelet rotates it). */
  tokenFile?: string;
}

/** A failed API call: ERR_KUBERNETES with the HTTP status (0 when the server was not reached). */
export class KubeCallError extends AgentError {
  readonly httpStatus: number;
  constructor(httpStatus: number, message: string, options?: { cause?: unknown }) {
    super('ERR_KUBERNETES', message, options);
    this.httpStatus = httpStatus;
  }
}

/** Options of `restKubeApi`. */
export interface RestKubeApiOptions {
  connection: RestConnection;
  fieldManager: string;
  /** Timeout of every request, in milliseconds. */
  timeoutMs: number;
  /** A watch with no data (not even a bookmark) for this long is restarted. */
  watchIdleMs?: number;
}

interface Response {
  status: number;
  body: string;
}

/** A KubeApi over HTTP(S). */
export function restKubeApi(options: RestKubeApiOptions): KubeApi {
  const { connection } = options;
  const base = new URL(connection.server);
  const https = base.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  // Kept-alive connections: a TLS handshake per call would dominate a reconcile's time.
  const agentOptions = { keepAlive: true, maxSockets: 16 };
  const pooled = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);

  let token: { value: string; readAt: number } | undefined;
  const bearer = (): Record<string, string> => {
    if (connection.tokenFile === undefined) return {};
    if (token === undefined || Date.now() - token.readAt > 60_000) {
      token = { value: readFileSync(connection.tokenFile, 'utf8').trim(), readAt: Date.now() };
    }
    return { Authorization: `Bearer ${token.value}` };
  };

  const requestOptions = (method: string, path: string, contentType?: string, dedicated = false): RequestOptions & Record<string, unknown> => {
    const headers: Record<string, string> = { ...connection.headers, ...bearer(), Accept: 'application/json' };
    if (contentType !== undefined) headers['Content-Type'] = contentType;
    const prefix = base.pathname.replace(/\/$/, '');
    return {
      method,
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port === '' ? undefined : Number(base.port),
      path: `${prefix}${path}`,
      headers,
      ca: connection.ca,
      cert: connection.cert,
      key: connection.key,
      rejectUnauthorized: connection.rejectUnauthorized,
      // A watch holds its connection for minutes: it gets its own instead of a pooled one.
      agent: dedicated ? false : pooled,
    };
  };

  const call = (method: string, path: string, body?: { text: string; contentType: string }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const req = send(requestOptions(method, path, body?.contentType), (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', (error) => reject(new KubeCallError(0, `${method} ${path} failed: ${error.message}`, { cause: error })));
      req.end(body?.text);
    });

  const expectJson = async (method: string, path: string, body?: { text: string; contentType: string }): Promise<JsonObject> => {
    const res = await call(method, path, body);
    if (res.status < 200 || res.status >= 300) throw callError(method, path, res);
    return parseJson(res.body, `${method} ${path}`);
  };

  const json = (value: unknown): { text: string; contentType: string } => ({
    text: JSON.stringify(value),
    contentType: 'application/json',
  });
  const manager = `fieldManager=${encodeURIComponent(options.fieldManager)}`;

  return {
    async get(kind, namespace, name) {
      const path = objectPath(kind, namespace, name);
      const res = await call('GET', path);
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw callError('GET', path, res);
      return parseJson(res.body, `GET ${path}`);
    },
    async list(list) {
      const path = `${collectionPath(list.kind, list.namespace)}${query({ labelSelector: list.labelSelector, fieldSelector: list.fieldSelector })}`;
      const result = await expectJson('GET', path);
      const items = dig(result, 'items');
      return {
        items: Array.isArray(items) ? items.map((i) => asJsonObject(i)).filter((i) => i !== undefined) : [],
        resourceVersion: asString(dig(result, 'metadata', 'resourceVersion')) ?? '',
      };
    },
    async apply(object: KubernetesObject) {
      const path = `${objectPath(object.kind, object.metadata.namespace, object.metadata.name)}?${manager}&force=true`;
      // JSON is YAML: the apply content type takes either.
      return expectJson('PATCH', path, { text: JSON.stringify(object), contentType: 'application/apply-patch+yaml' });
    },
    async applyStatus(input) {
      const path = `${objectPath('StarRocksCluster', input.namespace, input.name)}/status?${manager}&force=true`;
      const body = {
        apiVersion: 'starrocks.com/v1',
        kind: 'StarRocksCluster',
        metadata: { name: input.name, namespace: input.namespace },
        status: input.status,
      };
      await expectJson('PATCH', path, { text: JSON.stringify(body), contentType: 'application/apply-patch+yaml' });
    },
    async create(object) {
      const namespace = asString(dig(object, 'metadata', 'namespace'));
      return expectJson('POST', `${collectionPath(object.kind, namespace)}?${manager}`, json(object));
    },
    async replace(object) {
      const namespace = asString(dig(object, 'metadata', 'namespace')) ?? '';
      const name = asString(dig(object, 'metadata', 'name')) ?? '';
      return expectJson('PUT', `${objectPath(object.kind, namespace, name)}?${manager}`, json(object));
    },
    async delete(kind, namespace, name) {
      const path = objectPath(kind, namespace, name);
      const res = await call('DELETE', path, json({ propagationPolicy: 'Background' }));
      if (res.status === 404) return;
      if (res.status < 200 || res.status >= 300) throw callError('DELETE', path, res);
    },
    watch(watch) {
      const path = `${collectionPath(watch.kind, watch.namespace)}${query({
        labelSelector: watch.labelSelector,
        watch: '1',
        resourceVersion: watch.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: '300',
      })}`;
      const idleMs = options.watchIdleMs ?? 330_000;
      return new Promise<void>((resolve, reject) => {
        const req = send(requestOptions('GET', path, undefined, true), (res) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => reject(callError('WATCH', path, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })));
            return;
          }
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let newline = buffer.indexOf('\n');
            while (newline >= 0) {
              const line = buffer.slice(0, newline).trim();
              buffer = buffer.slice(newline + 1);
              newline = buffer.indexOf('\n');
              if (line === '') continue;
              const event = parseWatchEvent(line);
              if (event === undefined) continue;
              if (event.type === 'ERROR') {
                const code = dig(event.object, 'code');
                req.destroy();
                reject(new KubeCallError(typeof code === 'number' ? code : 500, `watch ${path}: ${asString(dig(event.object, 'message')) ?? 'error event'}`));
                return;
              }
              watch.onEvent(event);
            }
          });
          res.on('end', () => resolve());
          res.on('error', (error) => reject(new KubeCallError(0, `watch ${path}: ${error.message}`, { cause: error })));
        });
        req.setTimeout(idleMs, () => req.destroy(new Error(`watch silent for ${idleMs} ms`)));
        req.on('error', (error) => {
          if (watch.signal.aborted) resolve();
          else reject(new KubeCallError(0, `watch ${path}: ${error.message}`, { cause: error }));
        });
        const abort = (): void => {
          req.destroy();
          resolve();
        };
        if (watch.signal.aborted) abort();
        else watch.signal.addEventListener('abort', abort, { once: true });
        req.end();
      });
    },
  };
}

function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

function parseJson(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new KubeCallError(0, `${what}: the API server sent something that is not JSON`, { cause: error });
  }
  const object = asJsonObject(value);
  if (object === undefined) throw new KubeCallError(0, `${what}: the API server sent no JSON object`);
  return object;
}

function parseWatchEvent(line: string): WatchEvent | undefined {
  try {
    const value = asJsonObject(JSON.parse(line));
    const type = asString(value?.type);
    const object = asJsonObject(value?.object);
    if (object === undefined) return undefined;
    if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' || type === 'BOOKMARK' || type === 'ERROR') {
      return { type, object };
    }
  } catch {
    // A malformed line is skipped; the resync catches anything missed.
  }
  return undefined;
}

function callError(method: string, path: string, res: Response): KubeCallError {
  let message = res.body.slice(0, 500);
  try {
    message = asString(dig(JSON.parse(res.body), 'message')) ?? message;
  } catch {
    // Not a Status object: keep the raw text.
  }
  return new KubeCallError(res.status, `${method} ${path.split('?')[0] ?? path}: HTTP ${res.status}: ${message}`);
}
