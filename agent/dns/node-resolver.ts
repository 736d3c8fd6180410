/**
 * {@link ClusterResolver} on `node:dns` (c-ares): asks the configured server
 * (`STARROCKS_AGENT_DNS_SERVER`) or the ones in /etc/resolv.conf, with a hard time limit per
 * lookup. Each lookup uses a fresh c-ares channel, so no answer (positive or negative) is cached
 * between lookups: a wait loop sees a DNS change on its next poll, and a timed-out lookup can be
 * cancelled without touching others.
 *
 * @example
 * ```ts
 * const resolver = createNodeResolver({ server: config.dnsServer, timeoutMs: 2000 });
 * await resolver.lookupPtr(config.podIp);
 * ```
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Endpoint } from '../config.ts';
import { isDnsSubdomain } from '../contract/dns-name.ts';
import { AgentError, isAgentError } from '../contract/errors.ts';
import { ENV } from '../contract/index.ts';
import { normalizeDnsName } from './cluster-resolver.ts';
import type { ClusterResolver, DnsLookup, SrvRecord } from './cluster-resolver.ts';

/** Options of {@link createNodeResolver}. */
export interface NodeResolverOptions {
  /** The server to ask; /etc/resolv.conf's servers when absent. */
  server?: Endpoint | undefined;
  /** Upper bound of one lookup, retries included; default 2000 ms. */
  timeoutMs?: number | undefined;
  /** Attempts within that bound (UDP may lose a packet); default 2. */
  tries?: number | undefined;
}

/** Default upper bound of one lookup. */
const DEFAULT_DNS_TIMEOUT_MS = 2000;

// c-ares codes that mean "answered: nothing there".
const NOT_FOUND: Record<string, 'NXDOMAIN' | 'NODATA'> = { ENOTFOUND: 'NXDOMAIN', ENODATA: 'NODATA' };
// c-ares codes of lookups that got no usable answer, in words.
const FAILURES: Record<string, string> = {
  ETIMEOUT: 'no answer (timeout)',
  ESERVFAIL: 'server failure (SERVFAIL)',
  EREFUSED: 'query refused (REFUSED)',
  ECONNREFUSED: 'connection refused',
  EBADRESP: 'malformed answer',
  EFORMERR: 'server could not parse the query (FORMERR)',
  ENOTIMP: 'query type not implemented (NOTIMP)',
  EBADNAME: 'not a valid DNS name',
};

/** A resolver asking `options.server` or the system's servers. */
export function createNodeResolver(options: NodeResolverOptions = {}): ClusterResolver {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const tries = Math.max(1, options.tries ?? 2);
  if (options.server !== undefined && isIP(options.server.host) === 0) {
    throw new AgentError(
      'ERR_ENV_ENDPOINT',
      `${ENV.DNS_SERVER} host "${options.server.host}" is not an IP address: give the DNS server as ip:port`,
    );
  }
  const serverSetting = options.server === undefined ? undefined : formatEndpoint(options.server);
  const server = serverSetting ?? `/etc/resolv.conf (${new Resolver().getServers().join(', ') || 'no servers'})`;

  async function lookup<T>(what: { type: string; name: string }, run: (r: Resolver) => Promise<T[]>): Promise<DnsLookup<T>> {
    const resolver = new Resolver({ timeout: Math.max(1, Math.ceil(timeoutMs / tries)), tries });
    if (serverSetting !== undefined) resolver.setServers([serverSetting]);
    let timedOut = false;
    const guard = setTimeout(() => {
      timedOut = true;
      resolver.cancel();
    }, timeoutMs);
    try {
      const records = await run(resolver);
      return records.length === 0 ? { found: false, reason: 'NODATA' } : { found: true, records };
    } catch (error) {
      if (isAgentError(error)) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const notFound = NOT_FOUND[code];
      if (notFound !== undefined && !timedOut) return { found: false, reason: notFound };
      const why = timedOut || code === 'ECANCELLED' ? `no answer within ${timeoutMs} ms` : (FAILURES[code] ?? `${code || 'error'}: ${(error as Error).message}`);
      throw new AgentError(
        'ERR_DNS',
        `DNS ${what.type} lookup of ${what.name} on ${server} failed: ${why}; check that the DNS server is up and serves the cluster domain`,
        { cause: error },
      );
    } finally {
      clearTimeout(guard);
    }
  }

  return {
    server,
    lookupA: (name) => lookup({ type: 'A', name }, (r) => r.resolve4(checkedName(name))),
    lookupAaaa: (name) => lookup({ type: 'AAAA', name }, (r) => r.resolve6(checkedName(name))),
    lookupPtr: (ip) =>
      lookup({ type: 'PTR', name: ip }, async (r) => {
        // resolvePtr, not reverse(): reverse() falls back to /etc/hosts and reports SERVFAIL and
        // timeouts as "not found", which would turn a DNS outage into an answer.
        return (await r.resolvePtr(reverseDnsName(ip))).map(normalizeDnsName);
      }),
    lookupSrv: (name) =>
      lookup({ type: 'SRV', name }, async (r): Promise<SrvRecord[]> =>
        (await r.resolveSrv(checkedName(name))).map((s) => ({ target: normalizeDnsName(s.name), port: s.port, priority: s.priority, weight: s.weight })),
      ),
  };
}

/** The PTR query name of an IP: `4.3.2.1.in-addr.arpa`, or 32 nibbles under `ip6.arpa`. */
export function reverseDnsName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (isIP(ip) !== 6) throw new AgentError('ERR_HOST_INVALID', `"${ip}" is not an IP address: cannot look up its PTR records`);
  let text = ip.toLowerCase().replace(/%.*$/, '');
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const hex = all.map((g) => g.padStart(4, '0')).join('');
  return `${hex.split('').reverse().join('.')}.ip6.arpa`;
}

/** `host:port`, IPv6 in brackets, as c-ares takes a server. */
export function formatEndpoint(endpoint: Endpoint): string {
  return isIP(endpoint.host) === 6 ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

// Names reach the wire as given: reject what is not a DNS name before asking anyone. The one
// DNS-name rule, on the lowercase name without its root dot; SRV labels (`_tcp`) may hold `_`.
function checkedName(name: string): string {
  if (!isDnsSubdomain(name.replace(/\.$/, '').toLowerCase().replaceAll('_', '0'))) {
    throw new AgentError('ERR_HOST_INVALID', `"${name}" is not a DNS name: cannot look it up`);
  }
  return name;
}
