/**
 * The simulated cluster DNS: a real DNS server (UDP, and TCP for answers that do not fit a
 * datagram) on a loopback address, answering from a Kubernetes-shaped zone (see zone.ts) with a
 * configurable TTL, an endpoint propagation delay, injected faults and a log of the queries it got.
 *
 * @example
 * ```ts
 * const dns = await startClusterDns({ propagationDelayMs: 200 });
 * dns.setService({ namespace: 'ns', name: 'sr-fe-search', headless: true, publishNotReadyAddresses: true, ports: [] });
 * dns.setPod({ namespace: 'ns', service: 'sr-fe-search', hostname: 'sr-fe-0', ip: '127.64.3.2', ready: false });
 * await dns.settled();
 * // env STARROCKS_AGENT_DNS_SERVER=dns.endpoint
 * await dns.stop();
 * ```
 */
import type { Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { bindDns, serveTcp } from './dns-transport.ts';
import { pickFault } from './faults.ts';
import type { DnsFault, DnsFaultKind } from './faults.ts';
import { answer, emptyZone, normalizeName, withPod, withService, withoutPod, withoutService } from './zone.ts';
import type { PodKey, PodSpec, ServiceKey, ServiceSpec, Zone } from './zone.ts';

/** Options of {@link startClusterDns}. */
export interface ClusterDnsOptions {
  /** Loopback address to bind; a random one in 127.64.0.0/10 when absent (retried when taken). */
  host?: string;
  /** Port for both UDP and TCP; 0 (default) picks a free one. */
  port?: number;
  /** Cluster domain, default `cluster.local`. */
  domain?: string;
  /** TTL of every record and of negative answers (SOA minimum), default 5. */
  ttlSeconds?: number;
  /** How long a change takes to become visible, like endpoint propagation; default 0. */
  propagationDelayMs?: number;
  /** Largest UDP answer, also when a client's EDNS offers more; default 4096. Larger ones are truncated. */
  maxUdpPayload?: number;
}

/** One query as the server saw it. */
interface DnsQueryLogEntry {
  /** Normalized (lower case, no trailing dot). */
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  /** The response code sent, or `dropped`. */
  outcome: string;
  /** The fault applied, if any. */
  fault: DnsFaultKind | undefined;
  at: number;
}

/** A running cluster DNS server. */
export interface ClusterDns {
  readonly address: { host: string; port: number };
  /** `host:port` (IPv6 in brackets), the value for `STARROCKS_AGENT_DNS_SERVER`. */
  readonly endpoint: string;
  readonly domain: string;
  /** Add or replace a service. */
  setService(spec: ServiceSpec): void;
  removeService(which: ServiceKey): void;
  /** Add or replace a pod (keyed by namespace and hostname). */
  setPod(spec: PodSpec): void;
  removePod(which: PodKey): void;
  /** Change a known pod's readiness; false when there is no such pod. */
  setPodReady(which: PodKey & { ready: boolean }): boolean;
  setTtl(seconds: number): void;
  /** Applies to changes made from now on. */
  setPropagationDelay(ms: number): void;
  /** Resolves once every change made so far is visible. */
  settled(): Promise<void>;
  /** Make every pending change visible now (tests that must not depend on timing). */
  propagateNow(): void;
  /** The zone as queries see it now. */
  visibleZone(): Zone;
  /** Inject a fault; returns a function that removes it. The first matching fault wins. */
  setFault(fault: DnsFault): () => void;
  clearFaults(): void;
  /** Queries received for `name` (any spelling), optionally of one type. */
  queryCount(name: string, type?: string): number;
  /** The most recent queries (the last 10,000), oldest first. */
  queries(): readonly DnsQueryLogEntry[];
  resetQueryLog(): void;
  stop(): Promise<void>;
}

const LOG_LIMIT = 10_000;
const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODES;

/** Start a cluster DNS server. */
export async function startClusterDns(options: ClusterDnsOptions = {}): Promise<ClusterDns> {
  const domain = normalizeName(options.domain ?? 'cluster.local');
  let ttlSeconds = options.ttlSeconds ?? 5;
  let propagationDelayMs = options.propagationDelayMs ?? 0;
  const maxUdpPayload = options.maxUdpPayload ?? 4096;

  let zone: Zone = emptyZone();
  const pending: Array<{ at: number; apply: (z: Zone) => Zone }> = [];
  let timer: NodeJS.Timeout | undefined;
  let waiters: Array<() => void> = [];
  const faults: DnsFault[] = [];
  const counts = new Map<string, number>();
  let log: DnsQueryLogEntry[] = [];
  const sockets = new Set<Socket>();
  const holds = new Set<NodeJS.Timeout>();
  let stopped = false;

  const applyDue = (): void => {
    timer = undefined;
    const now = Date.now();
    while (pending.length > 0 && (pending[0]?.at ?? Infinity) <= now) zone = pending.shift()?.apply(zone) ?? zone;
    const next = pending[0];
    if (next !== undefined) {
      timer = setTimeout(applyDue, Math.max(1, next.at - now));
    } else {
      const done = waiters;
      waiters = [];
      for (const resolve of done) resolve();
    }
  };
  const change = (apply: (z: Zone) => Zone): void => {
    if (propagationDelayMs <= 0 && pending.length === 0) {
      zone = apply(zone);
      return;
    }
    // Changes become visible in the order they were made, even when the delay shrinks.
    const at = Math.max(Date.now() + propagationDelayMs, pending.at(-1)?.at ?? 0);
    pending.push({ at, apply });
    if (timer === undefined) timer = setTimeout(applyDue, Math.max(1, at - Date.now()));
  };

  const respond = async (raw: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      return undefined; // not DNS: a real server drops it too
    }
    if (query.type !== 'query') return undefined;
    const question = query.questions?.[0];
    const opt = query.additionals?.find((a) => a.type === 'OPT');
    const base = (rcode: Rcode, extra: Partial<Packet> = {}): Packet => ({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE | RCODES[rcode],
      questions: query.questions ?? [],
      answers: [],
      authorities: [],
      additionals: opt === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
      ...extra,
    });
    if (question === undefined || (query.questions?.length ?? 0) !== 1) return dnsPacket.encode(base('FORMERR'));

    const name = normalizeName(question.name);
    const type = String(question.type);
    const entry: DnsQueryLogEntry = { name, type, transport, outcome: 'dropped', fault: undefined, at: Date.now() };
    log.push(entry);
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
    for (const k of [name, `${type} ${name}`]) counts.set(k, (counts.get(k) ?? 0) + 1);

    const index = pickFault(faults, { name, type });
    const fault = faults[index];
    if (fault !== undefined) {
      entry.fault = fault.kind;
      if (fault.times !== undefined) fault.times -= 1;
      if (fault.kind === 'drop') return undefined;
      if (fault.kind === 'servfail' || fault.kind === 'nxdomain') {
        const rcode = fault.kind === 'servfail' ? 'SERVFAIL' : 'NXDOMAIN';
        entry.outcome = rcode;
        return dnsPacket.encode(base(rcode));
      }
      await hold(fault.delayMs ?? 0);
      if (stopped) return undefined;
    }

    const reply = answer(zone, { name: question.name, type }, { domain, ttlSeconds });
    entry.outcome = reply.rcode;
    const full = base(reply.rcode, {
      answers: reply.answers as Answer[],
      authorities: reply.authorities as Answer[],
    });
    full.additionals = [...(full.additionals ?? []), ...(reply.additionals as Answer[])];
    const encoded = dnsPacket.encode(full);
    if (transport === 'udp') {
      const offered = opt?.type === 'OPT' ? opt.udpPayloadSize : 512;
      const limit = Math.min(Math.max(512, offered), maxUdpPayload);
      if (encoded.length > limit) {
        // Like CoreDNS (miekg/dns Truncate): shed the additional section first; set TC only
        // when the answer itself does not fit.
        const lean = dnsPacket.encode({ ...full, additionals: base(reply.rcode).additionals ?? [] });
        if (lean.length <= limit) return lean;
        entry.outcome = `${reply.rcode} truncated`;
        const truncated = base(reply.rcode);
        truncated.flags = (truncated.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE;
        return dnsPacket.encode(truncated);
      }
    }
    return encoded;
  };

  const hold = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        holds.delete(t);
        resolve();
      }, ms);
      holds.add(t);
    });

  const { udp, tcp, host, port } = await bindDns(options);

  udp.on('message', (message, peer) => {
    void respond(message, 'udp').then((out) => {
      if (out !== undefined && !stopped) udp.send(out, peer.port, peer.address);
    });
  });
  serveTcp(tcp, { sockets, respond: (message) => respond(message, 'tcp'), stopped: () => stopped });

  return {
    address: { host, port },
    endpoint: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    domain,
    setService: (spec) => change((z) => withService(z, spec)),
    removeService: (which) => change((z) => withoutService(z, which)),
    setPod: (spec) => change((z) => withPod(z, spec)),
    removePod: (which) => change((z) => withoutPod(z, which)),
    setPodReady: (which) => {
      const current = latestPod(which);
      if (current === undefined) return false;
      change((z) => withPod(z, { ...current, ready: which.ready }));
      return true;
    },
    setTtl: (seconds) => {
      ttlSeconds = seconds;
    },
    setPropagationDelay: (ms) => {
      propagationDelayMs = ms;
    },
    propagateNow: () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const p of pending) p.at = 0;
      applyDue();
    },
    settled: () => (pending.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    visibleZone: () => zone,
    setFault: (fault) => {
      const own = { ...fault };
      faults.push(own);
      return () => {
        const at = faults.indexOf(own);
        if (at >= 0) faults.splice(at, 1);
      };
    },
    clearFaults: () => {
      faults.length = 0;
    },
    queryCount: (name, type) => counts.get(type === undefined ? normalizeName(name) : `${type.toUpperCase()} ${normalizeName(name)}`) ?? 0,
    queries: () => log,
    resetQueryLog: () => {
      log = [];
      counts.clear();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const t of holds) clearTimeout(t);
      for (const resolve of waiters) resolve();
      waiters = [];
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };

  // The pod as it will be once pending changes land, so readiness flips compose with them.
  function latestPod(which: PodKey): PodSpec | undefined {
    let z = zone;
    for (const p of pending) z = p.apply(z);
    return z.pods.get(`${which.namespace.toLowerCase()}/${which.hostname.toLowerCase()}`);
  }
}
