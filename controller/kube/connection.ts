/**
 * Where the controller finds the API server: in a pod, its ServiceAccount (explicitly, never a
 * stray kubeconfig); elsewhere, the kubeconfig named by `--kubeconfig` or `KUBECONFIG`, or
 * `~/.kube/config`. Kubeconfigs with tokens, token files and client certificates are supported;
 * exec and auth-provider plugins are not (use a token). Parsed here, at the edge, with `yaml`,
 * which keeps client-node (18 MB bundled) out of the controller.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { AgentError } from '../../agent/contract/errors.ts';
import { asBoolean, asString, dig, isObject } from '../json.ts';
import type { RestConnection } from './rest-api.ts';

/** Where Kubernetes mounts a pod's ServiceAccount credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Options of `loadConnection`. */
export interface ConnectionOptions {
  kubeconfig: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/** The connection to the API server. */
export function loadConnection(options: ConnectionOptions): RestConnection {
  const file = options.kubeconfig ?? firstPath(options.env.KUBECONFIG);
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
  const path = file ?? join(homedir(), '.kube', 'config');
  return connectionFromKubeconfig(readFileSync(path, 'utf8'), dirname(path));
}

/** A connection from kubeconfig text; relative file paths resolve against `baseDir`. */
export function connectionFromKubeconfig(text: string, baseDir: string): RestConnection {
  const config: unknown = parse(text);
  const contextName = asString(dig(config, 'current-context'));
  const named = (list: string, name: string | undefined, key: string): unknown => {
    const items = dig(config, list);
    const item = Array.isArray(items) ? items.find((i) => isObject(i) && i.name === name) : undefined;
    return dig(item, key);
  };
  const context = named('contexts', contextName, 'context');
  const cluster = named('clusters', asString(dig(context, 'cluster')), 'cluster');
  const user = named('users', asString(dig(context, 'user')), 'user') ?? {};
  const server = asString(dig(cluster, 'server'));
  if (server === undefined) {
    throw new AgentError('ERR_KUBERNETES', `the kubeconfig's current context "${contextName ?? ''}" names no cluster server`);
  }
  if (dig(user, 'exec') !== undefined || dig(user, 'auth-provider') !== undefined) {
    throw new AgentError('ERR_KUBERNETES', 'kubeconfig exec and auth-provider plugins are not supported: use a token or client certificate');
  }
  const file = (p: string): string => (isAbsolute(p) ? p : join(baseDir, p));
  const data = (obj: unknown, key: string): Buffer | undefined => {
    const inline = asString(dig(obj, `${key}-data`));
    if (inline !== undefined) return Buffer.from(inline, 'base64');
    const path = asString(dig(obj, key));
    return path === undefined ? undefined : readFileSync(file(path));
  };
  const headers: Record<string, string> = {};
  const token = asString(dig(user, 'token'));
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const tokenFile = asString(dig(user, 'tokenFile'));
  return {
    server,
    ca: data(cluster, 'certificate-authority'),
    cert: data(user, 'client-certificate'),
    key: data(user, 'client-key'),
    headers,
    rejectUnauthorized: asBoolean(dig(cluster, 'insecure-skip-tls-verify')) !== true,
    tokenFile: tokenFile === undefined ? undefined : file(tokenFile),
  };
}

function firstPath(list: string | undefined): string | undefined {
  const first = list?.split(':').find((p) => p !== '');
  return first === undefined || first === '' ? undefined : first;
}
