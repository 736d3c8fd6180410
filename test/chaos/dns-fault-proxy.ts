/**
 * A DNS forwarder with injected faults, between the pods and the world's CoreDNS: a scenario makes
 * records appear late (NXDOMAIN until a moment), answers SERVFAIL in bursts, or drops queries,
 * for some names or all, while everything else is CoreDNS's real answer. UDP and TCP on one
 * loopback address and port.
 *
 * @example
 * ```ts
 * const proxy = await startDnsFaultProxy({ upstream: world.dns });
 * const id = proxy.add({ match: '*.sr-fe-search.e2e.svc.cluster.local', kind: 'nxdomain' });
 * // pods get STARROCKS_AGENT_DNS_SERVER=proxy.endpoint
 * proxy.remove(id);
 * await proxy.stop();
 * ```
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { sleep } from '../../agent/contract/backoff.ts';
import { bindDns, serveTcp } from '../sim/dns/dns-transport.ts';
import { pickFault } from '../sim/dns/faults.ts';
import type { DnsFault } from '../sim/dns/faults.ts';

/** Options of `startDnsFaultProxy`. */
export interface DnsFaultProxyOptions {
  /** CoreDNS. */
  upstream: { host: string; port: number };
  /** Loopback address to bind (default 127.0.0.1). */
  host?: string;
  /** How long an upstream answer is awaited (ms, default 2000). */
  upstreamTimeoutMs?: number;
}

/** A running proxy. */
export interface DnsFaultProxy {
  endpoint: { host: string; port: number };
  /** Adds a fault (checked in the order added); returns its id. */
  add(fault: DnsFault): number;
  remove(id: number): void;
  /** Removes every fault. */
  clear(): void;
  /** Queries answered with a fault so far, by kind. */
  faulted(): Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

const RCODE = { SERVFAIL: 2, NXDOMAIN: 3 } as const;

/** Starts the proxy. */
export async function startDnsFaultProxy(options: DnsFaultProxyOptions): Promise<DnsFaultProxy> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.upstreamTimeoutMs ?? 2_000;
  const faults = new Map<number, DnsFault>();
  const counts: Record<string, number> = {};
  let nextId = 1;
  let stopped = false;

  /** The fault's answer, `undefined` to drop, or `'forward'`. */
  const decide = async (raw: Buffer): Promise<Buffer | undefined | 'forward'> => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      return 'forward';
    }
    const question = query.questions?.[0];
    if (question === undefined) return 'forward';
    const list = [...faults.values()];
    const fault = list[pickFault(list, { name: question.name, type: String(question.type) })];
    if (fault === undefined) return 'forward';
    if (fault.times !== undefined) fault.times -= 1;
    counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
    if (fault.kind === 'drop') return undefined;
    if (fault.kind === 'delay') {
      await sleep(fault.delayMs ?? 0);
      return 'forward';
    }
    const rcode = fault.kind === 'servfail' ? RCODE.SERVFAIL : RCODE.NXDOMAIN;
    return dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: query.questions ?? [],
      answers: [],
    });
  };

  const answer = async (raw: Buffer, forward: (raw: Buffer) => Promise<Buffer | undefined>): Promise<Buffer | undefined> => {
    const decided = await decide(raw);
    return decided === 'forward' ? forward(raw) : decided;
  };

  const forwardUdp = (raw: Buffer): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      const socket = createSocket(options.upstream.host.includes(':') ? 'udp6' : 'udp4');
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (answer: Buffer | undefined): void => {
        clearTimeout(timer);
        socket.close();
        resolve(answer);
      };
      socket.on('error', () => done(undefined));
      socket.once('message', (answer) => done(answer));
      socket.send(raw, options.upstream.port, options.upstream.host);
    });

  // Over TCP a message is length-prefixed; each forwarded query gets its own connection.
  const forwardTcp = (raw: Buffer): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      const socket = connect(options.upstream.port, options.upstream.host);
      let buffered = Buffer.alloc(0);
      const complete = (): boolean => buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0);
      const timer = setTimeout(() => done(), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(complete() ? buffered.subarray(2, 2 + buffered.readUInt16BE(0)) : undefined);
      };
      socket.on('error', () => done());
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (complete()) done();
      });
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(raw.length);
      socket.write(Buffer.concat([prefix, raw]));
    });

  const { udp, tcp, port } = await bindDns({ host, port: 0 });
  udp.on('message', (raw, from) => {
    void answer(raw, forwardUdp).then((out) => {
      if (out !== undefined && !stopped) udp.send(out, from.port, from.address);
    });
  });
  const sockets = new Set<Socket>();
  serveTcp(tcp, { sockets, respond: (message) => answer(message, forwardTcp), stopped: () => stopped });

  return {
    endpoint: { host, port },
    add(fault) {
      const id = nextId++;
      faults.set(id, { ...fault });
      return id;
    },
    remove: (id) => void faults.delete(id),
    clear: () => faults.clear(),
    faulted: () => ({ ...counts }),
    async stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      udp.close();
    },
  };
}
