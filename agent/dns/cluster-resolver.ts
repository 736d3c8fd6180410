/**
 * The agent's view of cluster DNS: the few lookups it needs, behind an interface so decisions can
 * be tested with data. "No such name" and "no records of that type" are answers, returned as
 * values; only a lookup that got no answer (timeout, SERVFAIL, refused, unreachable server) is an
 * error, `AgentError('ERR_DNS')` naming the name and the server.
 *
 * @example
 * ```ts
 * const found = await resolver.lookupA(fqdn);
 * if (found.found) connect(found.records[0]);
 * else log.info({ fqdn, reason: found.reason }, 'not in DNS yet');
 * ```
 */

/** The result of a lookup that got an answer. */
export type DnsLookup<T> =
  | { found: true; records: readonly T[] }
  | {
      found: false;
      /** `NXDOMAIN`: the name does not exist; `NODATA`: it exists without records of this type. */
      reason: 'NXDOMAIN' | 'NODATA';
    };

/** One SRV record. */
export interface SrvRecord {
  /** Target host name, without trailing dot. */
  target: string;
  port: number;
  priority: number;
  weight: number;
}

/** The DNS lookups the agent makes. Names are fully qualified; no search list is applied. */
export interface ClusterResolver {
  /** Which server answers, for messages: `host:port`, or `/etc/resolv.conf (servers)`. */
  readonly server: string;
  /** IPv4 addresses of `name`. */
  lookupA(name: string): Promise<DnsLookup<string>>;
  /** IPv6 addresses of `name`. */
  lookupAaaa(name: string): Promise<DnsLookup<string>>;
  /** Names of `ip` (its PTR records), without trailing dots. */
  lookupPtr(ip: string): Promise<DnsLookup<string>>;
  /** SRV records at `name` (for example `_query-port._tcp.<service>.<ns>.svc.<domain>`). */
  lookupSrv(name: string): Promise<DnsLookup<SrvRecord>>;
}

/** Lower case without trailing dot: how DNS names are compared. */
export function normalizeDnsName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The records of a lookup, or none when it found nothing. */
export function recordsOf<T>(lookup: DnsLookup<T>): readonly T[] {
  return lookup.found ? lookup.records : [];
}
