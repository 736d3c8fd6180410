import t from 'tap';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { Resolver } from 'node:dns/promises';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet } from 'dns-packet';
import { startClusterDns } from './cluster-dns.ts';
import type { ClusterDns } from './cluster-dns.ts';
import { starrocksPod } from './starrocks-services.ts';
import { startTestZone } from './test-zone.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

const FE0 = 'sr-fe-0.sr-fe-search.ns.svc.cluster.local';

const dataOf = (p: DecodedPacket | undefined): unknown[] | undefined => p?.answers?.map((r) => ('data' in r ? r.data : undefined));

function query(name: string, type: 'A' | 'AAAA' | 'SRV' | 'PTR', extra: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }], ...extra });
}

// One datagram out, the first answer back, or undefined after `waitMs`.
async function udpAsk(dns: ClusterDns, message: Buffer, waitMs = 3000): Promise<DecodedPacket | undefined> {
  const socket = createSocket('udp4');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), waitMs);
      socket.on('message', (reply) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(reply));
      });
      socket.send(message, dns.address.port, dns.address.host);
    });
  } finally {
    socket.close();
  }
}

// Length-prefixed queries over one TCP connection (sent in one write, split across packets or not).
async function tcpAsk(dns: ClusterDns, messages: Buffer[]): Promise<DecodedPacket[]> {
  const socket = connect(dns.address.port, dns.address.host);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no TCP answer within 5 s')), 5000);
      const replies: DecodedPacket[] = [];
      let buffered = Buffer.alloc(0);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          replies.push(dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
          buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
        }
        if (replies.length === messages.length) {
          clearTimeout(timer);
          resolve(replies);
        }
      });
      const framed = Buffer.concat(
        messages.map((m) => {
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(m.length);
          return Buffer.concat([prefix, m]);
        }),
      );
      // Split mid-frame to exercise reassembly.
      socket.write(framed.subarray(0, 5));
      setTimeout(() => socket.write(framed.subarray(5)), 20);
    });
  } finally {
    socket.destroy();
  }
}

const world = startTestZone;

t.test('binds a random address in 127.64.0.0/10 and answers over UDP like an authoritative server', async (t) => {
  const dns = await world(t);
  const [a, b, c] = dns.address.host.split('.').map(Number);
  t.equal(a, 127);
  t.ok((b ?? 0) >= 64 && (b ?? 0) <= 127, `second octet ${b} in 64..127`);
  t.ok((c ?? -1) >= 0 && (c ?? -1) <= 255);
  t.equal(dns.endpoint, `${dns.address.host}:${dns.address.port}`);
  const reply = await udpAsk(dns, query(FE0, 'A'));
  t.ok(reply, 'answered');
  t.equal(reply?.id, 4242, 'id echoed');
  t.equal(reply?.type, 'response');
  t.ok(reply?.flag_aa, 'authoritative');
  t.ok(reply?.flag_rd, 'RD copied');
  t.same(dataOf(reply), ['127.64.1.10']);
  const nx = await udpAsk(dns, query('nope.ns.svc.cluster.local', 'A'));
  t.equal((nx as { rcode?: string } | undefined)?.rcode, 'NXDOMAIN');
  t.equal(nx?.authorities?.[0]?.type, 'SOA');
  const refused = await udpAsk(dns, query('example.com', 'A'));
  t.equal((refused as { rcode?: string } | undefined)?.rcode, 'REFUSED');
  const formerr = await udpAsk(dns, dnsPacket.encode({ type: 'query', id: 7, questions: [] }));
  t.equal((formerr as { rcode?: string } | undefined)?.rcode, 'FORMERR', 'a query without a question');
  t.equal(await udpAsk(dns, Buffer.from('not dns'), 300), undefined, 'garbage is dropped');
  t.equal(await udpAsk(dns, dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: FE0, type: 'A' }] }), 300), undefined, 'responses are not answered');
});

t.test('a custom domain, TTL and a fixed address', async (t) => {
  const probe = await startClusterDns({});
  const host = probe.address.host;
  await probe.stop();
  const dns = await startClusterDns({ host, domain: 'corp.internal', ttlSeconds: 1 });
  t.teardown(() => dns.stop());
  t.equal(dns.address.host, host);
  dns.setService({ namespace: 'ns', name: 'h', headless: true, publishNotReadyAddresses: true, ports: [] });
  dns.setPod({ namespace: 'ns', service: 'h', hostname: 'p-0', ip: '127.64.7.7', ready: false });
  const reply = await udpAsk(dns, query('p-0.h.ns.svc.corp.internal', 'A'));
  t.same(reply?.answers?.map((r) => ['data' in r ? r.data : undefined, (r as { ttl?: number }).ttl]), [['127.64.7.7', 1]]);
  dns.setTtl(9);
  const later = await udpAsk(dns, query('p-0.h.ns.svc.corp.internal', 'A'));
  t.equal((later?.answers?.[0] as { ttl?: number } | undefined)?.ttl, 9);
  await t.rejects(startClusterDns({ host, port: dns.address.port }), { code: 'EADDRINUSE' }, 'a taken fixed address and port is an error');
});

t.test('answers too large for a datagram are truncated; TCP gives them whole', async (t) => {
  const dns = await world(t);
  for (let i = 0; i < 60; i++) dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'be', ordinal: i, ip: `127.64.2.${i + 1}`, ready: true }));
  const udp = await udpAsk(dns, query('sr-be-search.ns.svc.cluster.local', 'A'));
  t.ok(udp?.flag_tc, 'TC set');
  t.same(udp?.answers, [], 'no partial answer');
  const edns = await udpAsk(
    dns,
    query('sr-be-search.ns.svc.cluster.local', 'A', {
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    }),
  );
  t.notOk(edns?.flag_tc, 'EDNS with a larger buffer fits');
  t.equal(edns?.answers?.length, 60);
  const [whole, small] = await tcpAsk(dns, [query('sr-be-search.ns.svc.cluster.local', 'A'), query(FE0, 'A')]);
  t.notOk(whole?.flag_tc);
  t.equal(whole?.answers?.length, 60, 'every pod over TCP');
  t.same(dataOf(small), ['127.64.1.10'], 'several queries on one connection');
  t.same(
    dns.queries().map((q) => [q.transport, q.outcome]),
    [['udp', 'NOERROR truncated'], ['udp', 'NOERROR'], ['tcp', 'NOERROR'], ['tcp', 'NOERROR']],
  );

  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.endpoint]);
  t.equal((await resolver.resolve4('sr-be-search.ns.svc.cluster.local')).length, 60, 'c-ares falls back to TCP by itself');

  const srvName = '_query-port._tcp.sr-fe-search.ns.svc.cluster.local';
  const lean = await udpAsk(dns, query(srvName, 'SRV'));
  t.notOk(lean?.flag_tc, 'SRV answer fits once the address glue is shed');
  t.equal(lean?.answers?.length, 3);
  t.same(lean?.additionals, []);
  const glued = await udpAsk(
    dns,
    query(srvName, 'SRV', {
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    }),
  );
  t.same(glued?.additionals?.filter((r) => r.type === 'A').map((r) => r.name), [0, 1, 2].map((i) => `sr-fe-${i}.sr-fe-search.ns.svc.cluster.local`), 'glue when it fits');
});

t.test('changes become visible only after the propagation delay, in order', async (t) => {
  const dns = await world(t, { propagationDelayMs: 60_000 });
  const resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers([dns.endpoint]);
  const name = 'sr-fe-3.sr-fe-search.ns.svc.cluster.local';
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 3, ip: '127.64.1.13', ready: false }));
  dns.setPodReady({ namespace: 'ns', hostname: 'sr-fe-3', ready: true });
  t.equal(dns.setPodReady({ namespace: 'ns', hostname: 'sr-fe-9', ready: true }), false, 'unknown pod');
  await t.rejects(resolver.resolve4(name), { code: 'ENOTFOUND' }, 'not visible before the delay');
  t.equal(dns.visibleZone().pods.has('ns/sr-fe-3'), false);
  dns.propagateNow();
  await dns.settled();
  t.same(await resolver.resolve4(name), ['127.64.1.13']);
  t.same((await resolver.resolve4('sr-fe-service.ns.svc.cluster.local')).sort(), ['127.64.1.10', '127.64.1.13'], 'the later readiness change landed too');

  dns.setPropagationDelay(0);
  dns.removePod({ namespace: 'ns', hostname: 'sr-fe-3' });
  await t.rejects(resolver.resolve4(name), { code: 'ENOTFOUND' }, 'no delay: at once');
  dns.setPropagationDelay(60_000);
  dns.removeService({ namespace: 'ns', name: 'sr-fe-search' });
  dns.setPropagationDelay(0);
  dns.setService({ namespace: 'ns', name: 'sr-fe-search', headless: true, publishNotReadyAddresses: true, ports: [] });
  t.same(await resolver.resolve4(FE0), ['127.64.1.10'], 'a later change does not overtake an earlier one');
  dns.propagateNow();
  t.same(await resolver.resolve4(FE0), ['127.64.1.10'], 'both applied, in order: the service is back');
  t.equal(dns.visibleZone().services.get('ns/sr-fe-search')?.ports.length, 0);

  dns.setPropagationDelay(150);
  const changedAt = Date.now();
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 4, ip: '127.64.1.14', ready: false }));
  await dns.settled();
  t.ok(Date.now() - changedAt >= 140, 'settled() waits for the delay');
  t.same(await resolver.resolve4('sr-fe-4.sr-fe-search.ns.svc.cluster.local'), ['127.64.1.14']);
});

t.test('faults: drop, SERVFAIL, delay, limited to names, types and counts', async (t) => {
  const dns = await world(t);
  const removeDrop = dns.setFault({ match: '*.sr-fe-search.ns.svc.cluster.local', kind: 'drop', types: ['A'] });
  t.equal(await udpAsk(dns, query(FE0, 'A'), 400), undefined, 'dropped');
  t.ok(await udpAsk(dns, query('_query-port._tcp.sr-fe-search.ns.svc.cluster.local', 'SRV')), 'another type still answers');
  removeDrop();
  t.ok(await udpAsk(dns, query(FE0, 'A')), 'removed');

  dns.setFault({ match: FE0, kind: 'servfail', times: 2 });
  for (const _ of [1, 2]) t.equal((await udpAsk(dns, query(FE0, 'A')) as { rcode?: string } | undefined)?.rcode, 'SERVFAIL');
  t.equal((await udpAsk(dns, query(FE0, 'A')) as { rcode?: string } | undefined)?.rcode, 'NOERROR', 'after two failures it heals');

  dns.setFault({ match: 'all', kind: 'delay', delayMs: 250 });
  const start = Date.now();
  const [late] = await tcpAsk(dns, [query(FE0, 'A')]);
  t.ok(Date.now() - start >= 240, 'held back');
  t.same(dataOf(late), ['127.64.1.10'], 'then answered');
  dns.clearFaults();
  dns.setFault({ match: /^sr-fe-1\./, kind: 'drop' });
  t.ok(await udpAsk(dns, query(FE0, 'A')), 'pattern does not match fe-0');
  t.same(
    dns.queries().filter((q) => q.fault !== undefined).map((q) => [q.fault, q.outcome]),
    [['drop', 'dropped'], ['servfail', 'SERVFAIL'], ['servfail', 'SERVFAIL'], ['delay', 'NOERROR']],
  );
});

t.test('the query log counts lookups per name and type', async (t) => {
  const dns = await world(t);
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.endpoint]);
  await resolver.resolve4(FE0);
  await resolver.resolve4(FE0.toUpperCase());
  await resolver.reverse('127.64.1.10');
  await t.rejects(resolver.resolve6(FE0), { code: 'ENODATA' });
  t.equal(dns.queryCount(FE0), 3);
  t.equal(dns.queryCount(`${FE0}.`, 'a'), 2);
  t.equal(dns.queryCount(FE0, 'AAAA'), 1);
  t.equal(dns.queryCount('10.1.64.127.in-addr.arpa', 'PTR'), 1);
  t.equal(dns.queryCount('sr-fe-1.sr-fe-search.ns.svc.cluster.local'), 0);
  dns.resetQueryLog();
  t.equal(dns.queryCount(FE0), 0);
  t.same(dns.queries(), []);
});

t.test('stop closes both sockets and drops held answers', async (t) => {
  const dns = await startClusterDns({});
  dns.setFault({ match: 'all', kind: 'delay', delayMs: 5000 });
  const pending = udpAsk(dns, query(FE0, 'A'), 500);
  await sleep(50);
  dns.setPropagationDelay(10_000);
  dns.setService({ namespace: 'ns', name: 'x', headless: true, publishNotReadyAddresses: true, ports: [] });
  const settled = dns.settled();
  const started = Date.now();
  await dns.stop();
  await dns.stop();
  await settled;
  t.ok(Date.now() - started < 4000, 'stop does not wait for held answers or pending changes');
  t.equal(await pending, undefined, 'the held answer is never sent');
  await t.rejects(
    new Promise((resolve, reject) => {
      const socket = connect(dns.address.port, dns.address.host);
      socket.on('connect', () => resolve(socket.destroy()));
      socket.on('error', reject);
    }),
    { code: 'ECONNREFUSED' },
  );
});
