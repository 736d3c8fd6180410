/**
 * Benchmark of the simulated cluster DNS and the agent's resolver (prints numbers; not a test).
 *
 * Run: `node_modules/.bin/node test/sim/dns/bench.ts`
 *
 * Prints the latency of each lookup kind through the agent's resolver (fresh c-ares channel per
 * lookup, as the agent makes them), FE peer discovery for a 3-FE cluster, the time from a pod
 * change to the agent seeing it with a given propagation delay, and the cost of a TCP fallback.
 */
import { performance } from 'node:perf_hooks';
import { createNodeResolver } from '../../../agent/dns/node-resolver.ts';
import { discoverFePeers } from '../../../agent/dns/fe-peers.ts';
import { checkSelfResolution } from '../../../agent/dns/self-resolution.ts';
import { waitForSelfResolution } from '../../../agent/dns/wait-self-resolution.ts';
import { startClusterDns } from './cluster-dns.ts';
import { addStarRocksCluster, starrocksPod } from './starrocks-services.ts';

const RUNS = 200;

async function measure(what: string, run: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 10; i++) await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): string => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN).toFixed(2);
  console.log(`${what.padEnd(44)} p50 ${at(0.5)} ms  p90 ${at(0.9)} ms  p99 ${at(0.99)} ms  (${RUNS} runs)`);
}

const dns = await startClusterDns({});
addStarRocksCluster(dns, {
  namespace: 'ns',
  cluster: 'sr',
  pods: [
    ...[0, 1, 2].map((ordinal) => ({ component: 'fe' as const, ordinal, ip: `127.64.1.${ordinal + 10}`, ready: ordinal === 0 })),
    ...Array.from({ length: 100 }, (_, ordinal) => ({ component: 'be' as const, ordinal, ip: `127.64.2.${ordinal + 1}`, ready: true })),
  ],
});
const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port } });
const fqdn = 'sr-fe-1.sr-fe-search.ns.svc.cluster.local';

console.log(`cluster DNS on ${dns.endpoint}, Node ${process.version}, c-ares ${process.versions.ares}`);
await measure('A lookup (pod FQDN)', () => resolver.lookupA(fqdn));
await measure('A lookup, NXDOMAIN', () => resolver.lookupA('sr-fe-9.sr-fe-search.ns.svc.cluster.local'));
await measure('PTR lookup', () => resolver.lookupPtr('127.64.1.11'));
await measure('SRV lookup (3 FE pods)', () => resolver.lookupSrv('_query-port._tcp.sr-fe-search.ns.svc.cluster.local'));
await measure('A lookup, 100 pods (UDP truncated, then TCP)', () => resolver.lookupA('sr-be-search.ns.svc.cluster.local'));
await measure('self-resolution check (A + PTR)', () => checkSelfResolution(resolver, { fqdn, ownIps: ['127.64.1.11'] }));
await measure('FE peer discovery (SRV + 3 A)', () => discoverFePeers(resolver, { cluster: 'sr', namespace: 'ns', domain: 'cluster.local' }));

for (const delayMs of [0, 100, 500]) {
  dns.setPropagationDelay(delayMs);
  const ordinal = 10 + delayMs;
  const name = `sr-fe-${ordinal}.sr-fe-search.ns.svc.cluster.local`;
  const ip = `127.64.3.${(ordinal % 250) + 1}`;
  const start = performance.now();
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal, ip, ready: false }));
  await waitForSelfResolution(resolver, { fqdn: name, ownIps: [ip], maxBackoffMs: 5000 });
  console.log(`pod added -> own FQDN resolves both ways, propagation ${String(delayMs).padStart(3)} ms: ${(performance.now() - start).toFixed(1)} ms`);
}
await dns.stop();
