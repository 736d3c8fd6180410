/**
 * Loopback addresses for one Kubernetes world. Every world takes a random /24 inside
 * 127.128.0.0/10 (127.128.x.y - 127.191.x.y), so concurrent worlds (and the simulator's worlds
 * in 127.64.0.0/10) never share an address; the whole 127.0.0.0/8 answers on Linux's `lo`
 * without any configuration.
 */
import { createServer } from 'node:net';

/** The /24 of one world and what each part of it is for. */
export interface AddressPlan {
  /** `127.A.B` */
  prefix: string;
  /** etcd, kube-apiserver, kube-controller-manager, kube-scheduler and CoreDNS (distinct ports). */
  controlPlane: string;
  /** The node's `hostIP` (`status.addresses` of the Node the pod runner registers). */
  node: string;
  /** Pod addresses: `prefix.firstPod` .. `prefix.lastPod`. */
  firstPod: number;
  lastPod: number;
}

/** The plan for one /24; `random` in [0, 1) picks it (tests pass fixed values). */
export function addressPlan(random: () => number = Math.random): AddressPlan {
  const second = 128 + Math.floor(random() * 64);
  const third = Math.floor(random() * 256);
  const prefix = `127.${second}.${third}`;
  return { prefix, controlPlane: `${prefix}.1`, node: `${prefix}.2`, firstPod: 10, lastPod: 254 };
}

/** A free TCP port on `host`, found by binding port 0. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
