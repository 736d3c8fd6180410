/**
 * The network as the official scripts' tools see it from a pod: a name resolves through the pod's
 * DNS server and search domains (as `mysql -h` and `nc` do), and the load-balanced
 * `<cluster>-fe-service` reaches one *ready* FE pod, picked at random per connection.
 *
 * This world routes no ClusterIP, so the Service is modelled the way kube-proxy and the readiness
 * probe make it behave: the FE pods of its headless twin `<cluster>-fe-search` (which lists every
 * FE pod), kept only when their `/api/health` answers as the official readiness probe wants it
 * (HTTP GET, 1 s timeout, 200-399). That is W3's weakness: discovery sees ready FEs only.
 */
import { Resolver } from 'node:dns/promises';
import { request } from 'node:http';
import { connect, isIP } from 'node:net';
import { PORTS } from '../../../agent/contract/index.ts';
import { feSearchName, feServiceCluster, searchDomains } from './pod-env.ts';
import { probePasses } from './script-logic.ts';

/** How names resolve for one pod. */
export interface PodNetwork {
  /** The address a new connection to `name` reaches, or undefined when none (connection refused / unknown host). */
  address(name: string): Promise<string | undefined>;
}

/** Options of {@link podNetwork}. */
export interface PodNetworkOptions {
  dnsServer: string | undefined;
  namespace: string;
  domain: string;
}

/** The pod's view of names and Services. */
export function podNetwork(options: PodNetworkOptions): PodNetwork {
  const lookup = async (fqdn: string): Promise<string[]> => {
    const resolver = new Resolver({ timeout: 1000, tries: 2 });
    if (options.dnsServer !== undefined && options.dnsServer !== '') resolver.setServers([options.dnsServer]);
    try {
      return await resolver.resolve4(fqdn);
    } catch {
      return [];
    }
  };
  // resolv.conf with `ndots:5`: a name with fewer dots tries the search domains first.
  const resolve = async (name: string): Promise<string[]> => {
    if (isIP(name) !== 0) return [name];
    const bare = name.replace(/\.$/, '');
    const candidates = name.endsWith('.') || bare.split('.').length > 5 ? [bare] : [...searchDomains(options.namespace, options.domain).map((d) => `${bare}.${d}`), bare];
    for (const candidate of candidates) {
      const found = await lookup(candidate);
      if (found.length > 0) return found;
    }
    return [];
  };
  return {
    async address(name) {
      const cluster = feServiceCluster(name);
      if (cluster === undefined) return (await resolve(name))[0];
      const labels = name.replace(/\.$/, '').split('.');
      const namespace = labels.length >= 2 ? (labels[1] as string) : options.namespace;
      const pods = await lookup(feSearchName(cluster, namespace, options.domain));
      const ready = (await Promise.all(pods.map(async (ip) => ((await healthStatus(ip, PORTS.fe.http)) ? ip : undefined)))).filter((ip) => ip !== undefined);
      return ready[Math.floor(Math.random() * ready.length)];
    },
  };
}

/** Whether `GET http://ip:port/api/health` passes as a kubelet HTTP probe with the default 1 s timeout. */
export function healthStatus(ip: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port, path: '/api/health', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(probePasses(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** `nc -z -w 2 host port`: whether a TCP connection opens within the timeout. */
export async function ncZero(network: PodNetwork, host: string, port: number, timeoutMs: number): Promise<boolean> {
  const ip = await network.address(host);
  if (ip === undefined) return false;
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
