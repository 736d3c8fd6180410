/**
 * The agent's own minimal Kubernetes client: get, create and server-side apply of the five kinds
 * it touches, over plain HTTP(S). It lives inside `agent/` so the agent never imports the
 * controller (the layering rule in eslint.config.js); why it is not `@kubernetes/client-node`:
 * README, "The agent's Kubernetes client".
 *
 * Credentials: the in-cluster ServiceAccount when `KUBERNETES_SERVICE_HOST` is set and no
 * `KUBECONFIG` is, otherwise the kubeconfig named by `KUBECONFIG` (the local world) with a token,
 * token file or client certificate. Exec and auth-provider plugins are refused: the agent runs in a
 * pod, where its token file is the credential.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { CRD } from '../contract/index.ts';
import { AgentError } from '../contract/errors.ts';

/** Where Kubernetes mounts a pod's ServiceAccount credentials. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How to reach and authenticate to the API server. */
export interface KubeConnection {
  /** `https://host:port` (or `http://`). */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  headers: Record<string, string>;
  rejectUnauthorized: boolean;
  /** A bearer token file re-read every minute (in a pod the kubelet rotates it). */
  tokenFile?: string;
}

/** A JSON object as the API server sends it, read field by field at the use site. */
type KubeObject = Record<string, unknown>;

/** A failed API call: ERR_KUBERNETES with the HTTP status (0 when the server was not reached). */
export class KubeCallError extends AgentError {
  readonly httpStatus: number;
  constructor(httpStatus: number, message: string, options?: { cause?: unknown }) {
    super('ERR_KUBERNETES', message, options);
    this.httpStatus = httpStatus;
  }
}

/** The HTTP status of a failed call, when the error came from the API server. */
export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof KubeCallError ? error.httpStatus : undefined;
}

/**
 * Whether a failed call may succeed when tried again: the server not reached (status 0), 429 or
 * 5xx, on the error or any error in its `cause` chain (AgentKube wraps the call's error).
 */
export function isTransientKubeError(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++, e = e.cause) {
    if (e instanceof KubeCallError) return e.httpStatus === 0 || e.httpStatus === 429 || e.httpStatus >= 500;
  }
  return false;
}

/** The metadata of an object the agent writes: its namespace always, its name or generateName. */
interface WriteMetadata {
  namespace: string;
  name?: string;
  [key: string]: unknown;
}

/** The calls the agent makes. */
export interface AgentRest {
  /** The object, or undefined when it does not exist. */
  get(kind: AgentKind, namespace: string, name: string): Promise<KubeObject | undefined>;
  create(object: KubeObject & { kind: AgentKind; metadata: WriteMetadata }): Promise<KubeObject>;
  /** Server-side apply with this client's field manager, forced. */
  apply(object: KubeObject & { kind: AgentKind; metadata: WriteMetadata & { name: string } }): Promise<KubeObject>;
}

/** The API resources the agent touches, with their REST paths: a fixed table instead of discovery. */
const RESOURCES = {
  Pod: { apiVersion: 'v1', plural: 'pods' },
  ConfigMap: { apiVersion: 'v1', plural: 'configmaps' },
  Event: { apiVersion: 'v1', plural: 'events' },
  StatefulSet: { apiVersion: 'apps/v1', plural: 'statefulsets' },
  [CRD.kind]: { apiVersion: `${CRD.group}/${CRD.version}`, plural: CRD.plural },
} as const;

/** A kind the agent reads or writes. */
type AgentKind = keyof typeof RESOURCES;

function collectionPath(kind: AgentKind, namespace: string): string {
  const r = RESOURCES[kind];
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
}

function objectPath(kind: AgentKind, namespace: string, name: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

/** Options of `loadConnection`. */
export interface ConnectionOptions {
  env: Readonly<Record<string, string | undefined>>;
}

/** The connection to the API server, from env (see the module comment). */
export function loadConnection(options: ConnectionOptions): KubeConnection {
  const file = options.env.KUBECONFIG?.split(':').find((p) => p !== '');
  const host = options.env.KUBERNETES_SERVICE_HOST;
  if (file === undefined && host !== undefined) {
    const port = options.env.KUBERNETES_SERVICE_PORT ?? '443';
    return {
      server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
      ca: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt')),
      headers: {},
      rejectUnauthorized: true,
      tokenFile: join(SERVICE_ACCOUNT_DIR, 'token'),
    };
  }
  if (file === undefined) {
    throw new AgentError('ERR_KUBERNETES', 'neither KUBERNETES_SERVICE_HOST nor KUBECONFIG is set: run the agent in a pod, or set KUBECONFIG');
  }
  return connectionFromKubeconfig(readFileSync(file, 'utf8'), dirname(file));
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A connection from kubeconfig text; relative file paths resolve against `baseDir`. */
export function connectionFromKubeconfig(source: string, baseDir: string): KubeConnection {
  const config: unknown = parse(source);
  const contextName = text(field(config, 'current-context'));
  const named = (list: string, name: string | undefined, key: string): unknown => {
    const items = field(config, list);
    return field(Array.isArray(items) ? items.find((i) => field(i, 'name') === name) : undefined, key);
  };
  const context = named('contexts', contextName, 'context');
  const cluster = named('clusters', text(field(context, 'cluster')), 'cluster');
  const user = named('users', text(field(context, 'user')), 'user') ?? {};
  const server = text(field(cluster, 'server'));
  if (server === undefined) {
    throw new AgentError('ERR_KUBERNETES', `the kubeconfig's current context "${contextName ?? ''}" names no cluster server`);
  }
  if (field(user, 'exec') !== undefined || field(user, 'auth-provider') !== undefined) {
    throw new AgentError('ERR_KUBERNETES', 'kubeconfig exec and auth-provider plugins are not supported by the agent: use a token or client certificate');
  }
  const file = (p: string): string => (isAbsolute(p) ? p : join(baseDir, p));
  const data = (obj: unknown, key: string): Buffer | undefined => {
    const inline = text(field(obj, `${key}-data`));
    if (inline !== undefined) return Buffer.from(inline, 'base64');
    const path = text(field(obj, key));
    return path === undefined ? undefined : readFileSync(file(path));
  };
  const headers: Record<string, string> = {};
  const token = text(field(user, 'token'));
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const tokenFile = text(field(user, 'tokenFile'));
  return {
    server,
    ca: data(cluster, 'certificate-authority'),
    cert: data(user, 'client-certificate'),
    key: data(user, 'client-key'),
    headers,
    rejectUnauthorized: field(cluster, 'insecure-skip-tls-verify') !== true,
    tokenFile: tokenFile === undefined ? undefined : file(tokenFile),
  };
}

/** Options of `agentRest`. */
export interface AgentRestOptions {
  connection: KubeConnection;
  fieldManager: string;
  /** Timeout of every request, in milliseconds. */
  timeoutMs: number;
}

interface Response {
  status: number;
  body: string;
}

/** The agent's client over HTTP(S), with one field manager. */
export function agentRest(options: AgentRestOptions): AgentRest {
  const { connection } = options;
  const base = new URL(connection.server);
  const https = base.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  // Kept-alive connections: `run` writes annotations for the pod's whole life.
  const agentOptions = { keepAlive: true, maxSockets: 4 };
  const pooled = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);

  let token: { value: string; readAt: number } | undefined;
  const bearer = (): Record<string, string> => {
    if (connection.tokenFile === undefined) return {};
    if (token === undefined || Date.now() - token.readAt > 60_000) {
      token = { value: readFileSync(connection.tokenFile, 'utf8').trim(), readAt: Date.now() };
    }
    return { Authorization: `Bearer ${token.value}` };
  };

  const call = (method: string, path: string, body?: { text: string; contentType: string }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...connection.headers, ...bearer(), Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = body.contentType;
      const request: RequestOptions & Record<string, unknown> = {
        method,
        hostname: base.hostname.replace(/^\[|\]$/g, ''),
        port: base.port === '' ? undefined : Number(base.port),
        path: `${base.pathname.replace(/\/$/, '')}${path}`,
        headers,
        ca: connection.ca,
        cert: connection.cert,
        key: connection.key,
        rejectUnauthorized: connection.rejectUnauthorized,
        agent: pooled,
      };
      const req = send(request, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', (error) => reject(new KubeCallError(0, `${method} ${path} failed: ${error.message}`, { cause: error })));
      req.end(body?.text);
    });

  const expectObject = async (method: string, path: string, body: { text: string; contentType: string }): Promise<KubeObject> => {
    const res = await call(method, path, body);
    if (res.status < 200 || res.status >= 300) throw callError(method, path, res);
    return parseObject(res.body, `${method} ${path}`);
  };
  const manager = `fieldManager=${encodeURIComponent(options.fieldManager)}`;

  return {
    async get(kind, namespace, name) {
      const path = objectPath(kind, namespace, name);
      const res = await call('GET', path);
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw callError('GET', path, res);
      return parseObject(res.body, `GET ${path}`);
    },
    async create(object) {
      const path = `${collectionPath(object.kind, object.metadata.namespace)}?${manager}`;
      return expectObject('POST', path, { text: JSON.stringify(object), contentType: 'application/json' });
    },
    async apply(object) {
      const path = `${objectPath(object.kind, object.metadata.namespace, object.metadata.name)}?${manager}&force=true`;
      // JSON is YAML: the apply content type takes either.
      return expectObject('PATCH', path, { text: JSON.stringify(object), contentType: 'application/apply-patch+yaml' });
    },
  };
}

function parseObject(body: string, what: string): KubeObject {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new KubeCallError(0, `${what}: the API server sent something that is not JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KubeCallError(0, `${what}: the API server sent no JSON object`);
  return value as KubeObject;
}

function callError(method: string, path: string, res: Response): KubeCallError {
  let message = res.body.slice(0, 500);
  try {
    message = text(field(JSON.parse(res.body), 'message')) ?? message;
  } catch {
    // Not a Status object: keep the raw text.
  }
  return new KubeCallError(res.status, `${method} ${path.split('?')[0] ?? path}: HTTP ${res.status}: ${message}`);
}
