/**
 * Does the pod's own FQDN resolve forward to the pod and back to the FQDN? An FE in FQDN mode
 * exits at start otherwise (official-k8s-scripts.md W10), and peers cannot reach a node whose name
 * does not resolve, so the init container waits for this before anything else.
 *
 * The verdict is a pure function of the lookups ({@link judgeSelfResolution}); the shell
 * ({@link checkSelfResolution}) makes them.
 *
 * @example
 * ```ts
 * const verdict = await checkSelfResolution(resolver, { fqdn, ownIps: [config.podIp] });
 * if (!verdict.ok) log.info({ reason: verdict.reason }, verdict.message);
 * ```
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import { normalizeDnsName } from './cluster-resolver.ts';
import type { ClusterResolver, DnsLookup } from './cluster-resolver.ts';

/** Why the FQDN does not resolve to the pod yet. */
export type SelfResolutionReason =
  /** The FQDN has no address (not yet published, or a typo in the service). */
  | 'forward-missing'
  /** The FQDN has addresses, and some are not the pod's (stale record, another pod). */
  | 'forward-other-ip'
  /** The pod's IP has no PTR record. */
  | 'reverse-missing'
  /** The pod's IP has PTR records, none of them the FQDN. */
  | 'reverse-other-name';

/** The outcome of the check. */
export type SelfResolutionVerdict =
  | {
      ok: true;
      fqdn: string;
      /** The pod's addresses the FQDN resolved to. */
      ips: readonly string[];
      /** PTR names besides the FQDN (a ready pod also has one under its load-balanced service). */
      otherNames: readonly string[];
    }
  | { ok: false; reason: SelfResolutionReason; message: string };

/** What the lookups found. */
export interface SelfResolutionFacts {
  fqdn: string;
  /** The pod's own addresses (POD_IP, or the interfaces' when it is not set). */
  ownIps: readonly string[];
  /** Forward lookups of the FQDN, one per address family asked. */
  forward: readonly DnsLookup<string>[];
  /** PTR lookups, by IP, of the addresses the FQDN resolved to. */
  reverse: ReadonlyMap<string, DnsLookup<string>>;
}

/** The verdict on the facts: ok only when every forward address is the pod's and reverses to the FQDN. */
export function judgeSelfResolution(facts: SelfResolutionFacts): SelfResolutionVerdict {
  const fqdn = normalizeDnsName(facts.fqdn);
  const own = new Set(facts.ownIps.map(canonicalIp));
  const addresses = [...new Set(facts.forward.flatMap((l) => (l.found ? l.records : [])))];
  if (addresses.length === 0) {
    const reasons = facts.forward.map((l) => (l.found ? 'empty' : l.reason)).join('/');
    return { ok: false, reason: 'forward-missing', message: `${fqdn} does not resolve yet (${reasons || 'not asked'})` };
  }
  const foreign = addresses.filter((ip) => !own.has(canonicalIp(ip)));
  if (foreign.length > 0) {
    return {
      ok: false,
      reason: 'forward-other-ip',
      message: `${fqdn} resolves to ${addresses.join(', ')}, and ${foreign.join(', ')} is not this pod (${facts.ownIps.join(', ') || 'no own address'})`,
    };
  }
  const otherNames = new Set<string>();
  for (const ip of addresses) {
    const reverse = facts.reverse.get(ip);
    if (reverse === undefined || !reverse.found) {
      return { ok: false, reason: 'reverse-missing', message: `${ip} (from ${fqdn}) has no PTR record yet (${reverse?.reason ?? 'not asked'})` };
    }
    const names = reverse.records.map(normalizeDnsName);
    if (!names.includes(fqdn)) {
      return { ok: false, reason: 'reverse-other-name', message: `${ip} reverse-resolves to ${names.join(', ')}, not to ${fqdn}` };
    }
    for (const name of names) if (name !== fqdn) otherNames.add(name);
  }
  return { ok: true, fqdn, ips: addresses, otherNames: [...otherNames].sort() };
}

/** Look up the FQDN and its addresses' PTR records, and judge. Throws ERR_DNS when DNS does not answer. */
export async function checkSelfResolution(
  resolver: ClusterResolver,
  input: { fqdn: string; ownIps: readonly string[] },
): Promise<SelfResolutionVerdict> {
  // Ask the families the pod has; both when it does not know its address.
  const v4 = input.ownIps.length === 0 || input.ownIps.some((ip) => isIP(ip) === 4);
  const v6 = input.ownIps.some((ip) => isIP(ip) === 6);
  const forward = await Promise.all([
    ...(v4 ? [resolver.lookupA(input.fqdn)] : []),
    ...(v6 ? [resolver.lookupAaaa(input.fqdn)] : []),
  ]);
  const own = new Set(input.ownIps.map(canonicalIp));
  // Only the pod's own addresses need a PTR lookup; a foreign one already fails the check.
  const addresses = [...new Set(forward.flatMap((l) => (l.found ? l.records : [])))];
  const reverse = new Map<string, DnsLookup<string>>();
  if (addresses.every((ip) => own.has(canonicalIp(ip)))) {
    const lookups = await Promise.all(addresses.map((ip) => resolver.lookupPtr(ip)));
    addresses.forEach((ip, i) => {
      const lookup = lookups[i];
      if (lookup !== undefined) reverse.set(ip, lookup);
    });
  }
  return judgeSelfResolution({ fqdn: input.fqdn, ownIps: input.ownIps, forward, reverse });
}

/** The pod's own addresses: POD_IP when set, else every interface address (what the FE accepts as local). */
export function ownAddresses(
  podIp: string | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (podIp !== undefined) return [podIp];
  return Object.values(interfaces).flatMap((list) => (list ?? []).map((i) => i.address));
}

// One spelling per address, so `::1` and `0:0::1` compare equal.
function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname;
  } catch {
    return ip.toLowerCase();
  }
}
