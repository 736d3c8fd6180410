/**
 * The cluster DNS zone as data, and the answer to one question as a pure function of it. The
 * rules follow CoreDNS's `kubernetes` plugin, which is what a pod asks in a real cluster:
 *
 * - a Service has endpoints: the pods it selects, published when ready, or always when it sets
 *   `publishNotReadyAddresses` (the headless `-search` services do);
 * - `<svc>.<ns>.svc.<domain>`: the cluster IP when modelled and not headless, otherwise every
 *   published endpoint address; no addresses means NXDOMAIN, as CoreDNS answers for an empty
 *   headless service;
 * - `<endpoint>.<svc>.<ns>.svc.<domain>`: a published endpoint, named by the pod's hostname when
 *   the pod's subdomain is that service, else by its IP with dashes;
 * - `_<port>._<proto>.<svc>.<ns>.svc.<domain>` and `<svc>.<ns>.svc.<domain>` SRV: one record per
 *   endpoint and port (headless) or per port (cluster IP), targets as above;
 * - PTR: the service name for a cluster IP, else one name per service endpoint with that IP (so
 *   a ready StatefulSet pod behind both its headless and its load-balanced service has two PTR
 *   records, as in a real cluster);
 * - other names under the domain: NXDOMAIN; a known name without records of the asked type:
 *   NODATA. Both carry the zone's SOA in the authority section. Names outside the domain and the
 *   reverse zones: REFUSED (this server forwards nowhere).
 *
 * @example
 * ```ts
 * let zone = emptyZone();
 * zone = withService(zone, { namespace: 'ns', name: 'sr-fe-search', headless: true, publishNotReadyAddresses: true, ports: [] });
 * zone = withPod(zone, { namespace: 'ns', service: 'sr-fe-search', hostname: 'sr-fe-0', ip: '127.64.0.2', ready: false });
 * answer(zone, { name: 'sr-fe-0.sr-fe-search.ns.svc.cluster.local', type: 'A' }, { domain: 'cluster.local', ttlSeconds: 5 });
 * ```
 */
import { isIP } from 'node:net';

/** A named Service port, as in a Service spec. */
export interface ServicePort {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

/** The parts of a Kubernetes Service that DNS depends on. */
export interface ServiceSpec {
  namespace: string;
  name: string;
  /** `clusterIP: None`. */
  headless: boolean;
  /** Endpoints include pods that are not ready. */
  publishNotReadyAddresses: boolean;
  ports: readonly ServicePort[];
  /** The virtual IP of a non-headless service; without it the service lists its ready pods. */
  clusterIp?: string | undefined;
}

/** The parts of a pod that DNS depends on. */
export interface PodSpec {
  namespace: string;
  /** `spec.hostname` (a StatefulSet sets the pod name). Unique in its namespace here. */
  hostname: string;
  /** `spec.subdomain`: the headless service that gives the pod its own name. */
  service: string;
  /** Other services whose selector picks the pod (for example the load-balanced one). */
  alsoIn?: readonly string[] | undefined;
  ip: string;
  ready: boolean;
}

/** Identifies a service. */
export interface ServiceKey {
  namespace: string;
  name: string;
}

/** Identifies a pod. */
export interface PodKey {
  namespace: string;
  hostname: string;
}

/** Every service and pod, keyed `<namespace>/<name>`. */
export interface Zone {
  readonly services: ReadonlyMap<string, ServiceSpec>;
  readonly pods: ReadonlyMap<string, PodSpec>;
}

/** One question, name as asked. */
export interface ZoneQuestion {
  name: string;
  /** Any type: unknown ones get NODATA or NXDOMAIN like the rest. */
  type: string;
}

/** A resource record in the shape dns-packet encodes. */
type ZoneRecord =
  | { type: 'A' | 'AAAA' | 'PTR'; name: string; ttl: number; data: string }
  | { type: 'SRV'; name: string; ttl: number; data: { priority: number; weight: number; port: number; target: string } }
  | {
      type: 'SOA';
      name: string;
      ttl: number;
      data: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
    };

/** The response code and sections of an answer. */
export interface ZoneAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED';
  answers: ZoneRecord[];
  authorities: ZoneRecord[];
  additionals: ZoneRecord[];
}

/** Zone-wide settings. */
export interface ZoneSettings {
  domain: string;
  ttlSeconds: number;
}

/** A zone with nothing in it. */
export function emptyZone(): Zone {
  return { services: new Map(), pods: new Map() };
}

/** The zone with `spec` added or replaced. */
export function withService(zone: Zone, spec: ServiceSpec): Zone {
  const services = new Map(zone.services);
  services.set(key(spec.namespace, spec.name), { ...spec, ports: [...spec.ports] });
  return { ...zone, services };
}

/** The zone without the service (its pods stay, as pods outlive services). */
export function withoutService(zone: Zone, which: ServiceKey): Zone {
  const services = new Map(zone.services);
  services.delete(key(which.namespace, which.name));
  return { ...zone, services };
}

/** The zone with `spec` added or replaced. */
export function withPod(zone: Zone, spec: PodSpec): Zone {
  const pods = new Map(zone.pods);
  pods.set(key(spec.namespace, spec.hostname), { ...spec, alsoIn: [...(spec.alsoIn ?? [])] });
  return { ...zone, pods };
}

/** The zone without the pod. */
export function withoutPod(zone: Zone, which: PodKey): Zone {
  const pods = new Map(zone.pods);
  pods.delete(key(which.namespace, which.hostname));
  return { ...zone, pods };
}

/** Lower case, no trailing dot: the form names are compared in. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The dashed form of an IP used as an endpoint name without hostname (`127-64-0-2`). */
export function dashedIp(ip: string): string {
  return ip.replaceAll(/[.:]/g, '-');
}

/** The PTR query name of an IP (`2.0.64.127.in-addr.arpa`, or the ip6.arpa nibbles). */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  return `${expandIpv6(ip).split('').reverse().join('.')}.ip6.arpa`;
}

/** The answer to one question against `zone`. */
export function answer(zone: Zone, question: ZoneQuestion, settings: ZoneSettings): ZoneAnswer {
  const name = normalizeName(question.name);
  const domain = normalizeName(settings.domain);
  const type = question.type.toUpperCase();
  const ttl = settings.ttlSeconds;

  let apex: string;
  let records: ZoneRecord[] | undefined;
  if (name === 'in-addr.arpa' || name.endsWith('.in-addr.arpa') || name === 'ip6.arpa' || name.endsWith('.ip6.arpa')) {
    apex = name.endsWith('ip6.arpa') ? 'ip6.arpa' : 'in-addr.arpa';
    const ip = ipOfReverseName(name);
    records = ip === undefined ? undefined : ptrRecords(zone, { ip, domain, ttl, owner: question.name });
  } else if (name === domain || name.endsWith(`.${domain}`)) {
    apex = domain;
    records = forwardRecords(zone, { name, domain, ttl, owner: question.name });
  } else {
    return { rcode: 'REFUSED', answers: [], authorities: [], additionals: [] };
  }

  const soa = soaRecord(apex, ttl);
  if (records === undefined || records.length === 0) {
    // The apex itself exists (it has the SOA): NODATA, not NXDOMAIN.
    if (name === apex) return { rcode: 'NOERROR', answers: type === 'SOA' ? [soa] : [], authorities: type === 'SOA' ? [] : [soa], additionals: [] };
    return { rcode: 'NXDOMAIN', answers: [], authorities: [soa], additionals: [] };
  }
  const answers = records.filter((r) => type === 'ANY' || r.type === type);
  if (answers.length === 0) return { rcode: 'NOERROR', answers: [], authorities: [soa], additionals: [] };
  return { rcode: 'NOERROR', answers, authorities: [], additionals: glueFor(zone, answers, { domain, ttl }) };
}

function key(namespace: string, name: string): string {
  return `${namespace.toLowerCase()}/${name.toLowerCase()}`;
}

interface Endpoint {
  /** Endpoint label: the pod's hostname when its subdomain is the service, else the dashed IP. */
  label: string;
  ip: string;
}

// Published endpoints of a service, in a stable order (by label).
function endpointsOf(zone: Zone, service: ServiceSpec): Endpoint[] {
  const out: Endpoint[] = [];
  const serviceName = service.name.toLowerCase();
  for (const pod of zone.pods.values()) {
    if (pod.namespace.toLowerCase() !== service.namespace.toLowerCase()) continue;
    const subdomain = pod.service.toLowerCase() === serviceName;
    const selected = subdomain || (pod.alsoIn ?? []).some((s) => s.toLowerCase() === serviceName);
    if (!selected || !(pod.ready || service.publishNotReadyAddresses)) continue;
    out.push({ label: subdomain ? pod.hostname.toLowerCase() : dashedIp(pod.ip), ip: pod.ip });
  }
  return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

function addressRecord(owner: string, ip: string, ttl: number): ZoneRecord {
  return { type: isIP(ip) === 6 ? 'AAAA' : 'A', name: owner, ttl, data: ip };
}

function serviceFqdn(service: ServiceSpec, domain: string): string {
  return `${service.name}.${service.namespace}.svc.${domain}`.toLowerCase();
}

// All records at a forward name, or undefined when the name does not exist.
function forwardRecords(
  zone: Zone,
  input: { name: string; domain: string; ttl: number; owner: string },
): ZoneRecord[] | undefined {
  const relative = input.name === input.domain ? [] : input.name.slice(0, -input.domain.length - 1).split('.');
  if (relative.at(-1) !== 'svc' || relative.length < 3) return undefined;
  const [namespace, serviceName] = [relative.at(-2) ?? '', relative.at(-3) ?? ''];
  const service = zone.services.get(key(namespace, serviceName));
  if (service === undefined) return undefined;
  const endpoints = endpointsOf(zone, service);
  const { ttl, owner, domain } = input;
  const svcName = serviceFqdn(service, domain);
  const clusterIp = service.headless ? undefined : service.clusterIp;
  const endpointTarget = (e: Endpoint): string => `${e.label}.${svcName}`;

  if (relative.length === 3) {
    const addresses = clusterIp !== undefined ? [clusterIp] : [...new Set(endpoints.map((e) => e.ip))];
    if (addresses.length === 0) return undefined;
    const srv = service.ports.flatMap((p) =>
      clusterIp !== undefined ? [srvRecord(owner, { port: p.port, target: svcName, ttl, of: 1 })] : endpoints.map((e) => srvRecord(owner, { port: p.port, target: endpointTarget(e), ttl, of: endpoints.length })),
    );
    return [...addresses.map((ip) => addressRecord(owner, ip, ttl)), ...srv];
  }
  if (relative.length === 4) {
    const label = relative[0];
    const matching = endpoints.filter((e) => e.label === label);
    if (matching.length === 0) return undefined;
    return matching.map((e) => addressRecord(owner, e.ip, ttl));
  }
  if (relative.length === 5) {
    const [portLabel, protoLabel] = relative;
    if (!portLabel?.startsWith('_') || !protoLabel?.startsWith('_')) return undefined;
    const port = service.ports.find(
      (p) => p.name.toLowerCase() === portLabel.slice(1) && p.protocol.toLowerCase() === protoLabel.slice(1),
    );
    if (port === undefined) return undefined;
    if (clusterIp !== undefined) return [srvRecord(owner, { port: port.port, target: svcName, ttl, of: 1 })];
    if (endpoints.length === 0) return undefined;
    return endpoints.map((e) => srvRecord(owner, { port: port.port, target: endpointTarget(e), ttl, of: endpoints.length }));
  }
  return undefined;
}

function srvRecord(owner: string, input: { port: number; target: string; ttl: number; of: number }): ZoneRecord {
  // CoreDNS spreads weight evenly over the records of one priority.
  return { type: 'SRV', name: owner, ttl: input.ttl, data: { priority: 0, weight: Math.floor(100 / input.of), port: input.port, target: input.target } };
}

function ptrRecords(zone: Zone, input: { ip: string; domain: string; ttl: number; owner: string }): ZoneRecord[] | undefined {
  const sameIp = (a: string): boolean => isIP(a) !== 0 && canonicalIp(a) === canonicalIp(input.ip);
  const services = [...zone.services.values()].sort((a, b) => (key(a.namespace, a.name) < key(b.namespace, b.name) ? -1 : 1));
  const byClusterIp = services.filter((s) => !s.headless && s.clusterIp !== undefined && sameIp(s.clusterIp));
  if (byClusterIp.length > 0) return byClusterIp.map((s) => ptr(input.owner, serviceFqdn(s, input.domain), input.ttl));
  const names = services.flatMap((s) =>
    endpointsOf(zone, s)
      .filter((e) => sameIp(e.ip))
      .map((e) => `${e.label}.${serviceFqdn(s, input.domain)}`),
  );
  return names.length === 0 ? undefined : names.map((n) => ptr(input.owner, n, input.ttl));
}

function ptr(owner: string, target: string, ttl: number): ZoneRecord {
  return { type: 'PTR', name: owner, ttl, data: target };
}

// Address records of SRV targets, as CoreDNS puts them in the additional section.
function glueFor(zone: Zone, answers: readonly ZoneRecord[], input: { domain: string; ttl: number }): ZoneRecord[] {
  const out: ZoneRecord[] = [];
  const seen = new Set<string>();
  for (const record of answers) {
    if (record.type !== 'SRV' || seen.has(record.data.target)) continue;
    seen.add(record.data.target);
    const records = forwardRecords(zone, { name: record.data.target, domain: input.domain, ttl: input.ttl, owner: record.data.target });
    out.push(...(records ?? []).filter((r) => r.type === 'A' || r.type === 'AAAA'));
  }
  return out;
}

function soaRecord(apex: string, ttl: number): ZoneRecord {
  // The shape CoreDNS serves for its zones; minimum = TTL bounds negative caching.
  return {
    type: 'SOA',
    name: apex,
    ttl,
    data: { mname: `ns.dns.${apex}`, rname: `hostmaster.${apex}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl },
  };
}

function ipOfReverseName(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const octets = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (octets.length !== 4 || !octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255)) return undefined;
    return octets.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    return hex.match(/.{4}/g)?.join(':');
  }
  return undefined;
}

function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? expandIpv6(ip) : ip;
}

// 32 lower-case hex digits of an IPv6 address. The WHATWG URL parser canonicalizes first (it
// turns an embedded IPv4 tail into hex groups), so every spelling of an address agrees.
function expandIpv6(ip: string): string {
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const parts = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.map((g) => g.padStart(4, '0')).join('');
}
