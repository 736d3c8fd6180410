/**
 * FE peer discovery through the headless `<cluster>-fe-search` service. That service publishes
 * not-ready pods too, so it lists every FE pod that exists, unlike the load-balanced
 * `-fe-service` the official scripts use (official-k8s-scripts.md W3), which hides exactly the FEs
 * that matter during a cluster restart.
 *
 * The SRV records of its named port (`_query-port._tcp`, as the official operator renders it)
 * give each pod's FQDN and query port in one query; when the service has no such port the
 * addresses of the service and their PTR records give the same list.
 *
 * @example
 * ```ts
 * const { peers } = await discoverFePeers(resolver, { cluster: 'sr', namespace: 'ns', domain: 'cluster.local' });
 * for (const peer of peers) await showFrontends(peer.ip ?? peer.fqdn, peer.queryPort);
 * ```
 */
import { PORTS, names, parseOrdinal, serviceFqdn } from '../contract/index.ts';
import { normalizeDnsName, recordsOf } from './cluster-resolver.ts';
import type { ClusterResolver, DnsLookup, SrvRecord } from './cluster-resolver.ts';

/** The query port's name on the FE search service. */
export const FE_SEARCH_QUERY_PORT_NAME = 'query-port';

/** One FE pod found in DNS. */
export interface FePeer {
  /** `<pod>.<cluster>-fe-search.<ns>.svc.<domain>`. */
  fqdn: string;
  /** The pod name (first label of the FQDN). */
  pod: string;
  ordinal: number | undefined;
  /** Its address, when the FQDN resolved (connect here: the system resolver may not know the name). */
  ip: string | undefined;
  queryPort: number;
}

/** The peers and how they were found. */
export interface FePeerDiscovery {
  /** `srv`: from the search service's SRV records; `address`: from its A records and PTR. */
  via: 'srv' | 'address';
  /** Sorted by ordinal. Empty when the service lists no pod. */
  peers: FePeer[];
  /** Addresses of the service that have no name under it (seen in the `address` path only). */
  unnamedIps: string[];
}

/** Where to look. */
export interface FePeerQuery {
  cluster: string;
  namespace: string;
  domain: string;
  /** Query port used when the SRV records do not give one; default 9030. */
  queryPort?: number | undefined;
}

/** The FE search service's FQDN. */
export function feSearchFqdn(query: Pick<FePeerQuery, 'cluster' | 'namespace' | 'domain'>): string {
  return normalizeDnsName(serviceFqdn(names(query.cluster).searchService('fe'), query.namespace, query.domain));
}

/** Peers from SRV records: targets under the search service, one per FQDN, by ordinal. */
export function peersFromSrv(records: readonly SrvRecord[], searchFqdn: string): FePeer[] {
  const byFqdn = new Map<string, FePeer>();
  for (const record of records) {
    const peer = peerOf(record.target, searchFqdn, record.port);
    if (peer !== undefined && !byFqdn.has(peer.fqdn)) byFqdn.set(peer.fqdn, peer);
  }
  return sortPeers([...byFqdn.values()]);
}

/** Peers from the service's addresses and their PTR names; addresses without a name under the service are returned apart. */
export function peersFromPtr(
  ptrByIp: ReadonlyMap<string, DnsLookup<string>>,
  input: { searchFqdn: string; queryPort: number },
): { peers: FePeer[]; unnamedIps: string[] } {
  const peers: FePeer[] = [];
  const unnamedIps: string[] = [];
  for (const [ip, lookup] of ptrByIp) {
    const named = recordsOf(lookup)
      .map((name) => peerOf(name, input.searchFqdn, input.queryPort))
      .filter((p): p is FePeer => p !== undefined);
    if (named.length === 0) unnamedIps.push(ip);
    for (const peer of named) peers.push({ ...peer, ip });
  }
  return { peers: sortPeers(peers), unnamedIps: unnamedIps.sort() };
}

/** List the FE pods behind the search service. Throws ERR_DNS when DNS does not answer. */
export async function discoverFePeers(resolver: ClusterResolver, query: FePeerQuery): Promise<FePeerDiscovery> {
  const searchFqdn = feSearchFqdn(query);
  const queryPort = query.queryPort ?? PORTS.fe.query;
  const srv = await resolver.lookupSrv(`_${FE_SEARCH_QUERY_PORT_NAME}._tcp.${searchFqdn}`);
  if (srv.found) {
    const peers = peersFromSrv(srv.records, searchFqdn);
    const addresses = await Promise.all(peers.map((p) => addressOf(resolver, p.fqdn)));
    return { via: 'srv', peers: peers.map((p, i) => ({ ...p, ip: addresses[i] })), unnamedIps: [] };
  }
  const ips = await addressesOf(resolver, searchFqdn);
  const ptr = await Promise.all(ips.map((ip) => resolver.lookupPtr(ip)));
  const byIp = new Map(ips.map((ip, i): [string, DnsLookup<string>] => [ip, ptr[i] ?? { found: false, reason: 'NXDOMAIN' }]));
  return { via: 'address', ...peersFromPtr(byIp, { searchFqdn, queryPort }) };
}

function peerOf(name: string, searchFqdn: string, queryPort: number): FePeer | undefined {
  const fqdn = normalizeDnsName(name);
  if (!fqdn.endsWith(`.${searchFqdn}`)) return undefined;
  const pod = fqdn.slice(0, -searchFqdn.length - 1);
  if (pod.includes('.') || pod === '') return undefined;
  return { fqdn, pod, ordinal: parseOrdinal(pod), ip: undefined, queryPort };
}

function sortPeers(peers: FePeer[]): FePeer[] {
  return peers.sort((a, b) => (a.ordinal ?? Infinity) - (b.ordinal ?? Infinity) || (a.fqdn < b.fqdn ? -1 : a.fqdn > b.fqdn ? 1 : 0));
}

async function addressesOf(resolver: ClusterResolver, name: string): Promise<string[]> {
  const v4 = await resolver.lookupA(name);
  if (v4.found) return [...v4.records];
  // NXDOMAIN means no pod at all; NODATA may mean an IPv6-only cluster.
  return v4.reason === 'NODATA' ? [...recordsOf(await resolver.lookupAaaa(name))] : [];
}

async function addressOf(resolver: ClusterResolver, name: string): Promise<string | undefined> {
  return (await addressesOf(resolver, name))[0];
}
