import t from 'tap';
import fc from 'fast-check';
import { createNodeResolver, formatEndpoint, reverseDnsName } from '../../../agent/dns/node-resolver.ts';
import { reverseName } from '../../sim/dns/zone.ts';
import { isAgentError } from '../../../agent/contract/errors.ts';
import { loadConfig } from '../../../agent/config.ts';
import { startClusterDns } from '../../sim/dns/cluster-dns.ts';
import { starrocksPod } from '../../sim/dns/starrocks-services.ts';
import { startTestZone } from '../../sim/dns/test-zone.ts';

const FE0 = 'sr-fe-0.sr-fe-search.ns.svc.cluster.local';

const world = startTestZone;

t.test('answers, NXDOMAIN and NODATA are values', async (t) => {
  const dns = await world(t);
  // The server the way the agent gets it: from env, through the config parser.
  const config = loadConfig({ COMPONENT_NAME: 'fe', POD_NAME: 'sr-fe-0', POD_NAMESPACE: 'ns', STARROCKS_AGENT_DNS_SERVER: dns.endpoint });
  const resolver = createNodeResolver({ server: config.dnsServer });
  t.equal(resolver.server, dns.endpoint);
  t.same(await resolver.lookupA(FE0), { found: true, records: ['127.64.1.10'] });
  t.same(await resolver.lookupA(`${FE0.toUpperCase()}.`), { found: true, records: ['127.64.1.10'] }, 'absolute, any case');
  t.same(await resolver.lookupA('sr-fe-9.sr-fe-search.ns.svc.cluster.local'), { found: false, reason: 'NXDOMAIN' });
  t.same(await resolver.lookupAaaa(FE0), { found: false, reason: 'NODATA' });
  t.same(await resolver.lookupPtr('127.64.1.11'), { found: true, records: ['sr-fe-1.sr-fe-search.ns.svc.cluster.local'] });
  t.same(await resolver.lookupPtr('127.64.1.99'), { found: false, reason: 'NXDOMAIN' });
  t.same(await resolver.lookupSrv('_query-port._tcp.sr-fe-search.ns.svc.cluster.local'), {
    found: true,
    records: [0, 1, 2].map((i) => ({ target: `sr-fe-${i}.sr-fe-search.ns.svc.cluster.local`, port: 9030, priority: 0, weight: 33 })),
  });
  t.same(await resolver.lookupSrv('_http._tcp.sr-fe-search.ns.svc.cluster.local'), { found: false, reason: 'NXDOMAIN' });
});

t.test('IPv6 records', async (t) => {
  const dns = await world(t);
  dns.setService({ namespace: 'ns', name: 'six', headless: true, publishNotReadyAddresses: true, ports: [] });
  dns.setPod({ namespace: 'ns', service: 'six', hostname: 'p-0', ip: '::1', ready: false });
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port } });
  t.same(await resolver.lookupAaaa('p-0.six.ns.svc.cluster.local'), { found: true, records: ['::1'] });
  t.same(await resolver.lookupPtr('::1'), { found: true, records: ['p-0.six.ns.svc.cluster.local'] });
  t.equal(formatEndpoint({ host: '::1', port: 53 }), '[::1]:53');
  t.equal(formatEndpoint({ host: '127.0.0.1', port: 53 }), '127.0.0.1:53');
});

t.test('no answer is ERR_DNS naming the lookup, the name and the server', async (t) => {
  const dns = await world(t);
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 400, tries: 2 });

  dns.setFault({ match: FE0, kind: 'servfail' });
  const error = await resolver.lookupA(FE0).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isAgentError(error, 'ERR_DNS'), 'ERR_DNS');
  t.match((error as Error).message, `DNS A lookup of ${FE0} on ${dns.endpoint} failed: server failure (SERVFAIL)`);
  dns.clearFaults();

  await t.rejects(resolver.lookupA('example.com'), { code: 'ERR_DNS', message: /query refused \(REFUSED\)/ }, 'outside the cluster domain');

  dns.setFault({ match: 'all', kind: 'drop', types: ['PTR'] });
  const started = Date.now();
  await t.rejects(resolver.lookupPtr('127.64.1.10'), { code: 'ERR_DNS', message: /DNS PTR lookup of 127\.64\.1\.10 on .* failed: no answer within 400 ms/ });
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 350, `waited for the timeout (${elapsed} ms)`);
  t.ok(elapsed < 10_000, 'and no longer than a bound');
  t.ok(dns.queryCount('10.1.64.127.in-addr.arpa', 'PTR') >= 1, 'the server saw the query');
  dns.clearFaults();

  dns.setFault({ match: 'all', kind: 'delay', delayMs: 1500 });
  await t.rejects(resolver.lookupSrv('_query-port._tcp.sr-fe-search.ns.svc.cluster.local'), { code: 'ERR_DNS', message: /no answer within 400 ms/ }, 'a late answer is a timeout');
  dns.clearFaults();
  dns.setFault({ match: 'all', kind: 'delay', delayMs: 50 });
  const patient = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 5000, tries: 1 });
  t.same(await patient.lookupA(FE0), { found: true, records: ['127.64.1.10'] }, 'a delay within the limit is fine');
});

t.test('reverse names of IPv4 and IPv6 addresses', async (t) => {
  t.equal(reverseDnsName('127.64.1.11'), '11.1.64.127.in-addr.arpa');
  t.equal(reverseDnsName('::1'), `1.${'0.'.repeat(31)}ip6.arpa`);
  t.equal(reverseDnsName('::ffff:127.64.1.11'), reverseDnsName('::ffff:7f40:10b'), 'embedded IPv4 tail');
  t.equal(reverseDnsName('FD00::A:1'), reverseDnsName('fd00:0:0:0:0:0:a:1'));
  t.throws(() => reverseDnsName('localhost'), { code: 'ERR_HOST_INVALID' });
  // The simulator's own implementation is the oracle: both must name every address alike.
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => reverseDnsName(ip) === reverseName(ip)),
      { numRuns: 500 },
    ),
  );
});

t.test('SERVFAIL and silence on a PTR lookup are errors, never "not found"', async (t) => {
  const dns = await world(t);
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 600, tries: 1 });
  dns.setFault({ match: 'all', kind: 'servfail', types: ['PTR'] });
  await t.rejects(resolver.lookupPtr('127.64.1.10'), { code: 'ERR_DNS', message: /SERVFAIL/ });
  dns.clearFaults();
  dns.setFault({ match: 'all', kind: 'drop', types: ['PTR'] });
  await t.rejects(resolver.lookupPtr('127.64.1.10'), { code: 'ERR_DNS', message: /no answer/ });
});

t.test('a lost datagram is retried within the time limit', async (t) => {
  const dns = await world(t);
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 1500, tries: 3 });
  dns.setFault({ match: FE0, kind: 'drop', times: 1 });
  t.same(await resolver.lookupA(FE0), { found: true, records: ['127.64.1.10'] });
  t.ok(dns.queryCount(FE0, 'A') >= 2, 'asked again after the loss');
});

t.test('a server that is gone fails fast and clearly', async (t) => {
  const dns = await startClusterDns({});
  await dns.stop();
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 3000, tries: 1 });
  await t.rejects(resolver.lookupA(FE0), { code: 'ERR_DNS', message: new RegExp(`on ${dns.endpoint.replaceAll('.', '\\.')} failed`) });
});

t.test('every lookup asks the server: no answer is cached, so changes show on the next poll', async (t) => {
  const dns = await world(t, { ttlSeconds: 300, propagationDelayMs: 60_000 });
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port } });
  const name = 'sr-fe-3.sr-fe-search.ns.svc.cluster.local';
  t.same(await resolver.lookupA(name), { found: false, reason: 'NXDOMAIN' }, 'negative answer with a 300 s SOA minimum');
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 3, ip: '127.64.1.13', ready: false }));
  t.same(await resolver.lookupA(name), { found: false, reason: 'NXDOMAIN' }, 'not propagated yet');
  dns.propagateNow();
  t.same(await resolver.lookupA(name), { found: true, records: ['127.64.1.13'] }, 'seen at once after propagation');
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 3, ip: '127.64.1.23', ready: false }));
  dns.propagateNow();
  t.same(await resolver.lookupA(name), { found: true, records: ['127.64.1.23'] }, 'a changed address too, despite the 300 s TTL');
  t.equal(dns.queryCount(name, 'A'), 4);
});

t.test('bad input never reaches the wire', async (t) => {
  const dns = await world(t);
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port } });
  await t.rejects(resolver.lookupPtr('not-an-ip'), { code: 'ERR_HOST_INVALID' });
  await t.rejects(resolver.lookupA('bad name; drop'), { code: 'ERR_HOST_INVALID' });
  await t.rejects(resolver.lookupA(`${'a'.repeat(64)}.cluster.local`), { code: 'ERR_HOST_INVALID' }, 'label longer than 63');
  await t.rejects(resolver.lookupSrv(''), { code: 'ERR_HOST_INVALID' });
  t.same(dns.queries(), []);
  t.throws(() => createNodeResolver({ server: { host: 'dns.example', port: 53 } }), { code: 'ERR_ENV_ENDPOINT' }, 'the server must be an IP');
});

t.test('without a configured server it names /etc/resolv.conf (and asks nobody here)', async (t) => {
  const resolver = createNodeResolver({});
  t.match(resolver.server, /^\/etc\/resolv\.conf \(.*\)$/);
});
