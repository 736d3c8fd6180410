import t from 'tap';
import { checkSelfResolution, judgeSelfResolution, ownAddresses } from '../../../agent/dns/self-resolution.ts';
import type { SelfResolutionFacts } from '../../../agent/dns/self-resolution.ts';
import type { DnsLookup } from '../../../agent/dns/cluster-resolver.ts';
import { createNodeResolver } from '../../../agent/dns/node-resolver.ts';
import { podFqdn } from '../../../agent/contract/index.ts';
import { startClusterDns } from '../../sim/dns/cluster-dns.ts';
import { starrocksPod, starrocksServices } from '../../sim/dns/starrocks-services.ts';

const FQDN = 'sr-fe-1.sr-fe-search.ns.svc.cluster.local';
const IP = '127.64.1.11';
const found = (...records: string[]): DnsLookup<string> => ({ found: true, records });
const nx: DnsLookup<string> = { found: false, reason: 'NXDOMAIN' };
const nodata: DnsLookup<string> = { found: false, reason: 'NODATA' };

function facts(over: Partial<SelfResolutionFacts>): SelfResolutionFacts {
  return { fqdn: FQDN, ownIps: [IP], forward: [found(IP)], reverse: new Map([[IP, found(FQDN)]]), ...over };
}

t.test('the verdict over the lookups', async (t) => {
  const cases: Array<[string, Partial<SelfResolutionFacts>, string]> = [
    ['resolves both ways', {}, 'ok'],
    ['trailing dot and case in DNS answers', { reverse: new Map([[IP, found(`${FQDN.toUpperCase()}.`)]]) }, 'ok'],
    ['name not published yet', { forward: [nx] }, 'forward-missing'],
    ['name exists without an A record', { forward: [nodata] }, 'forward-missing'],
    ['no lookup made', { forward: [] }, 'forward-missing'],
    ['name points at another pod (stale record)', { forward: [found('127.64.1.99')] }, 'forward-other-ip'],
    ['name points at this pod and a stale one', { forward: [found(IP, '127.64.1.99')] }, 'forward-other-ip'],
    ['pod IP unknown and no interface address matches', { ownIps: [] }, 'forward-other-ip'],
    ['no PTR record yet', { reverse: new Map([[IP, nx]]) }, 'reverse-missing'],
    ['PTR lookup not made', { reverse: new Map() }, 'reverse-missing'],
    ['PTR names another pod', { reverse: new Map([[IP, found('sr-fe-0.sr-fe-search.ns.svc.cluster.local')]]) }, 'reverse-other-name'],
    ['PTR names only the load-balanced service', { reverse: new Map([[IP, found('127-64-1-11.sr-fe-service.ns.svc.cluster.local')]]) }, 'reverse-other-name'],
    ['dual stack, both families resolve', { ownIps: [IP, '::1'], forward: [found(IP), found('::1')], reverse: new Map([[IP, found(FQDN)], ['::1', found(FQDN)]]) }, 'ok'],
    ['dual stack, IPv6 has no PTR', { ownIps: [IP, '::1'], forward: [found(IP), found('::1')], reverse: new Map([[IP, found(FQDN)]]) }, 'reverse-missing'],
    ['IPv6 spelled differently', { ownIps: ['0:0:0:0:0:0:0:1'], forward: [found('::1')], reverse: new Map([['::1', found(FQDN)]]) }, 'ok'],
  ];
  for (const [what, over, expected] of cases) {
    const verdict = judgeSelfResolution(facts(over));
    t.equal(verdict.ok ? 'ok' : verdict.reason, expected, what);
    if (!verdict.ok) t.match(verdict.message, /\S/, `${what}: has a message`);
  }
  const verdict = judgeSelfResolution(facts({ reverse: new Map([[IP, found('127-64-1-11.sr-fe-service.ns.svc.cluster.local', FQDN)]]) }));
  t.same(verdict, { ok: true, fqdn: FQDN, ips: [IP], otherNames: ['127-64-1-11.sr-fe-service.ns.svc.cluster.local'] }, 'other PTR names are reported, not fatal');
  const other = judgeSelfResolution(facts({ forward: [found('127.64.1.99')] }));
  t.match(other.ok ? '' : other.message, `${FQDN} resolves to 127.64.1.99, and 127.64.1.99 is not this pod (${IP})`);
});

t.test('own addresses: POD_IP, else every interface address', async (t) => {
  t.same(ownAddresses('10.0.0.5'), ['10.0.0.5']);
  const interfaces = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [
      { address: '10.1.2.3', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.1.2.3/24' },
      { address: 'fd00::3', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fd00::3/64', scopeid: 0 },
    ],
    down: undefined,
  } as const;
  t.same(ownAddresses(undefined, interfaces as unknown as Parameters<typeof ownAddresses>[1]), ['127.0.0.1', '10.1.2.3', 'fd00::3']);
  t.ok(ownAddresses(undefined).includes('127.0.0.1'), 'the real interfaces include loopback');
});

t.test('against the cluster DNS: waits out propagation, then resolves both ways', async (t) => {
  const dns = await startClusterDns({ propagationDelayMs: 60_000 });
  t.teardown(() => dns.stop());
  for (const s of starrocksServices({ namespace: 'ns', cluster: 'sr' })) dns.setService(s);
  dns.propagateNow();
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 3000 });
  const fqdn = podFqdn({ pod: 'sr-fe-1', cluster: 'sr', component: 'fe', namespace: 'ns', domain: 'cluster.local' });
  t.equal(fqdn, FQDN);

  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 1, ip: IP, ready: false }));
  const early = await checkSelfResolution(resolver, { fqdn, ownIps: [IP] });
  t.equal(early.ok ? 'ok' : early.reason, 'forward-missing', 'before propagation');
  dns.propagateNow();
  t.same(await checkSelfResolution(resolver, { fqdn, ownIps: [IP] }), { ok: true, fqdn, ips: [IP], otherNames: [] }, 'a not-ready pod resolves through the search service');
  t.equal(dns.queryCount(fqdn, 'A'), 2);
  t.equal(dns.queryCount('11.1.64.127.in-addr.arpa', 'PTR'), 1, 'PTR asked only once the name resolved');
  t.equal(dns.queryCount(fqdn, 'AAAA'), 0, 'an IPv4 pod does not ask for AAAA');

  dns.setPodReady({ namespace: 'ns', hostname: 'sr-fe-1', ready: true });
  dns.propagateNow();
  const ready = await checkSelfResolution(resolver, { fqdn, ownIps: [IP] });
  t.same(ready.ok ? ready.otherNames : ready.reason, ['127-64-1-11.sr-fe-service.ns.svc.cluster.local'], 'ready: the load-balanced PTR name shows up beside it');

  const stale = await checkSelfResolution(resolver, { fqdn, ownIps: ['127.64.1.50'] });
  t.equal(stale.ok ? 'ok' : stale.reason, 'forward-other-ip', 'the name belongs to another address (a rescheduled pod before DNS caught up)');
  t.equal(dns.queryCount('11.1.64.127.in-addr.arpa', 'PTR'), 2, 'no PTR lookup for a foreign address');

  dns.setFault({ match: 'all', kind: 'servfail', types: ['PTR'] });
  await t.rejects(checkSelfResolution(resolver, { fqdn, ownIps: [IP] }), { code: 'ERR_DNS', message: /PTR lookup of 127\.64\.1\.11/ }, 'a failing DNS is an error, not a verdict');
});
