/**
 * Loopback addresses of one simulated world: a random /24 inside 127.64.0.0/10, so that
 * concurrent test runs (each with its own world) never share an address.
 */
import { createServer } from 'node:net';

/** A /24 prefix such as `127.77.13`. */
export function randomSubnet(random: () => number = Math.random): string {
  return `127.${64 + Math.floor(random() * 64)}.${Math.floor(random() * 256)}`;
}

/** True when `host:port` can be bound now. */
export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Hands out `<subnet>.10`, `.11`, ... */
export class AddressPool {
  readonly subnet: string;
  #next = 10;
  constructor(subnet: string) {
    this.subnet = subnet;
  }
  next(): string {
    if (this.#next > 254) throw new Error(`address pool ${this.subnet}.0/24 exhausted`);
    return `${this.subnet}.${this.#next++}`;
  }
}
