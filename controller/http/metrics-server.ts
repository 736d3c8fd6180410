/**
 * The controller's `/metrics` endpoint: a plain node:http server that serves one registry in the
 * Prometheus text format, and answers 404 to anything else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { Registry } from 'prom-client';
import { AgentError } from '../../agent/contract/errors.ts';

/** The default port, controller-runtime's metrics port. */
export const DEFAULT_METRICS_PORT = 8080;

/** Where the metrics server listens: a host and a port (0 picks a free one). */
export interface BindAddress {
  host: string;
  port: number;
}

/**
 * Parse `--metrics-bind-address`: `HOST:PORT`, `[IPv6]:PORT`, `:PORT` (on `defaultHost`), or `0`
 * for no metrics server (undefined), as controller-runtime spells it.
 */
export function parseBindAddress(raw: string, defaultHost: string): BindAddress | undefined {
  const value = raw.trim();
  if (value === '0') return undefined;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2] ?? '';
  if (match === null || port > 65535 || (match[1] !== undefined && isIP(host) !== 6)) {
    throw new AgentError('ERR_USAGE', `--metrics-bind-address=${raw} is not HOST:PORT: give one such as :${String(DEFAULT_METRICS_PORT)}, 127.0.0.1:${String(DEFAULT_METRICS_PORT)} or 0 (off)`);
  }
  return { host: host === '' ? defaultHost : host, port };
}

/** A listening metrics server. */
export interface MetricsServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** Serve `registry` at `/metrics` on `address` (unref'd); rejects when the address cannot be bound. */
export async function startMetricsServer(options: { address: BindAddress; registry: Registry }): Promise<MetricsServer> {
  const { registry } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the controller serves GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(request.method === 'HEAD' ? undefined : body),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`collecting metrics failed: ${String(error)}\n`),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.address.port, options.address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Never what keeps the process alive: a controller whose start failed still exits.
  server.unref();
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${String(bound.port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
