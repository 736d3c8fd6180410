import t from 'tap';
import type { Test } from 'tap';
import { discoverFePeers, feSearchFqdn, peersFromPtr, peersFromSrv } from '../../../agent/dns/fe-peers.ts';
import type { DnsLookup } from '../../../agent/dns/cluster-resolver.ts';
import { createNodeResolver } from '../../../agent/dns/node-resolver.ts';
import type { ClusterResolver } from '../../../agent/dns/cluster-resolver.ts';
import { startClusterDns } from '../../sim/dns/cluster-dns.ts';
import type { ClusterDns } from '../../sim/dns/cluster-dns.ts';
import { starrocksPod, starrocksServices } from '../../sim/dns/starrocks-services.ts';

const SEARCH = 'sr-fe-search.ns.svc.cluster.local';
const where = { cluster: 'sr', namespace: 'ns', domain: 'cluster.local' };
const srv = (target: string, port = 9030): { target: string; port: number; priority: number; weight: number } => ({ target, port, priority: 0, weight: 50 });

t.test('peers from SRV records: under the search service only, deduplicated, by ordinal', async (t) => {
  t.equal(feSearchFqdn({ ...where, domain: 'Cluster.Local.' }), SEARCH);
  const peers = peersFromSrv(
    [
      srv(`sr-fe-10.${SEARCH}`),
      srv(`sr-fe-2.${SEARCH}.`),
      srv(`SR-FE-0.${SEARCH.toUpperCase()}`, 9031),
      srv(`sr-fe-2.${SEARCH}`),
      srv('127-64-1-10.sr-fe-service.ns.svc.cluster.local'),
      srv(`a.b.${SEARCH}`),
      srv(SEARCH),
      srv(`oddname.${SEARCH}`),
    ],
    SEARCH,
  );
  t.same(
    peers.map((p) => [p.pod, p.ordinal, p.queryPort, p.fqdn]),
    [
      ['sr-fe-0', 0, 9031, `sr-fe-0.${SEARCH}`],
      ['sr-fe-2', 2, 9030, `sr-fe-2.${SEARCH}`],
      ['sr-fe-10', 10, 9030, `sr-fe-10.${SEARCH}`],
      ['oddname', undefined, 9030, `oddname.${SEARCH}`],
    ],
  );
  t.same(peersFromSrv([], SEARCH), []);
});

t.test('peers from addresses and PTR names', async (t) => {
  const ptr = new Map<string, DnsLookup<string>>([
    ['127.64.1.12', { found: true, records: [`sr-fe-2.${SEARCH}`] }],
    ['127.64.1.10', { found: true, records: ['127-64-1-10.sr-fe-service.ns.svc.cluster.local', `sr-fe-0.${SEARCH}`] }],
    ['127.64.1.30', { found: false, reason: 'NXDOMAIN' }],
    ['127.64.1.31', { found: true, records: ['something.else.svc.cluster.local'] }],
  ]);
  const found = peersFromPtr(ptr, { searchFqdn: SEARCH, queryPort: 9030 });
  t.same(found.peers.map((p) => [p.pod, p.ip]), [['sr-fe-0', '127.64.1.10'], ['sr-fe-2', '127.64.1.12']]);
  t.same(found.unnamedIps, ['127.64.1.30', '127.64.1.31']);
});

async function world(t: Test): Promise<{ dns: ClusterDns; resolver: ClusterResolver }> {
  const dns = await startClusterDns({});
  t.teardown(() => dns.stop());
  for (const s of starrocksServices({ namespace: 'ns', cluster: 'sr' })) dns.setService(s);
  // Another cluster in the same namespace must not leak in.
  for (const s of starrocksServices({ namespace: 'ns', cluster: 'other', components: ['fe'] })) dns.setService(s);
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'other', component: 'fe', ordinal: 0, ip: '127.64.9.1', ready: true }));
  await dns.settled();
  return { dns, resolver: createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 3000 }) };
}

t.test('through the cluster DNS: every FE pod, ready or not, with its address', async (t) => {
  const { dns, resolver } = await world(t);
  t.same(await discoverFePeers(resolver, where), { via: 'address', peers: [], unnamedIps: [] }, 'no FE pod yet: an empty answer, not an error');

  for (const ordinal of [2, 0, 1]) {
    dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal, ip: `127.64.1.${ordinal + 10}`, ready: false }));
  }
  // A BE pod lives in its own search service.
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'be', ordinal: 0, ip: '127.64.2.1', ready: true }));
  const found = await discoverFePeers(resolver, where);
  t.equal(found.via, 'srv');
  t.same(
    found.peers.map((p) => [p.fqdn, p.ordinal, p.ip, p.queryPort]),
    [0, 1, 2].map((i) => [`sr-fe-${i}.${SEARCH}`, i, `127.64.1.${i + 10}`, 9030]),
    'not-ready pods included: the load-balanced service would list none of them',
  );
  const srvQueries = dns.queries().filter((q) => q.type === 'SRV' && q.transport === 'udp');
  t.same(srvQueries.map((q) => [q.name, q.outcome]), [[`_query-port._tcp.${SEARCH}`, 'NXDOMAIN'], [`_query-port._tcp.${SEARCH}`, 'NOERROR']], 'one SRV query per discovery');
  t.equal(dns.queryCount('sr-fe-service.ns.svc.cluster.local'), 0, 'never asks the load-balanced service');
});

t.test('a search service without the named port: addresses and PTR give the same peers', async (t) => {
  const { dns, resolver } = await world(t);
  dns.setService({ namespace: 'ns', name: 'sr-fe-search', headless: true, publishNotReadyAddresses: true, ports: [] });
  for (const ordinal of [0, 1]) {
    dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal, ip: `127.64.1.${ordinal + 10}`, ready: ordinal === 0 }));
  }
  const found = await discoverFePeers(resolver, { ...where, queryPort: 19030 });
  t.equal(found.via, 'address');
  t.same(found.peers.map((p) => [p.pod, p.ip, p.queryPort]), [['sr-fe-0', '127.64.1.10', 19030], ['sr-fe-1', '127.64.1.11', 19030]], 'the ready pod is named by its search name, not its load-balanced one');
  t.same(found.unnamedIps, []);
});

t.test('a DNS outage is an error, not "no peers"', async (t) => {
  const { dns, resolver } = await world(t);
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 0, ip: '127.64.1.10', ready: false }));
  dns.setFault({ match: 'all', kind: 'servfail', types: ['SRV'] });
  await t.rejects(discoverFePeers(resolver, where), { code: 'ERR_DNS', message: /SRV lookup of _query-port\._tcp\.sr-fe-search/ });
  dns.clearFaults();
  dns.setFault({ match: `*.${SEARCH}`, kind: 'drop', types: ['A'] });
  const impatient = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 300 });
  await t.rejects(discoverFePeers(impatient, where), { code: 'ERR_DNS', message: /A lookup of sr-fe-0\.sr-fe-search/ }, 'a target that does not resolve in time');
});
