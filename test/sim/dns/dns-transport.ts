/**
 * DNS over UDP and TCP on one loopback address and port, shared by the simulated cluster DNS and
 * the chaos suite's fault proxy: binding (another address or port when taken) and TCP's
 * length-prefixed framing.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** Where to bind: a fixed host and/or port, or a random one. */
export interface DnsBindOptions {
  /** Loopback address; a random one in 127.64.0.0/10 when absent. */
  host?: string;
  /** 0 (default) picks a free one. */
  port?: number;
}

/** A random address in 127.64.0.0/10, the simulator's share of loopback. */
function randomSimulatorAddress(): string {
  const byte = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));
  return `127.${byte(64, 127)}.${byte(0, 255)}.${byte(1, 254)}`;
}

/** UDP and TCP on the same address and port; another address (or port) when either is taken. */
export async function bindDns(options: DnsBindOptions): Promise<{ udp: UdpSocket; tcp: Server; host: string; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    const host = options.host ?? randomSimulatorAddress();
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(options.port ?? 0, host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const port = udp.address().port;
      const tcp = createServer();
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      udp.on('error', () => undefined);
      return { udp, tcp, host, port };
    } catch (error) {
      lastError = error;
      try {
        udp.close();
      } catch {
        // never bound: nothing to close
      }
      const retryable = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      const canMove = options.host === undefined || (options.port ?? 0) === 0;
      if (!retryable || !canMove) break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`cannot bind the cluster DNS: ${String(lastError)}`);
}

/** Options of `serveTcp`. */
export interface ServeTcpOptions {
  /** Open connections, for the owner's stop. */
  sockets: Set<Socket>;
  /** The answer to one message (without its length prefix), or undefined for none. */
  respond(message: Buffer): Promise<Buffer | undefined>;
  stopped(): boolean;
}

/** Answers length-prefixed DNS messages on every connection of `tcp`. */
export function serveTcp(tcp: Server, options: ServeTcpOptions): void {
  tcp.on('connection', (socket) => {
    options.sockets.add(socket);
    socket.on('close', () => options.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        void options.respond(Buffer.from(message)).then((out) => {
          if (out === undefined || options.stopped() || socket.destroyed) return;
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(out.length);
          socket.write(Buffer.concat([prefix, out]));
        });
      }
    });
  });
}
