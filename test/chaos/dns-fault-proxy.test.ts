import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import t from 'tap';
import { startClusterDns } from '../sim/dns/cluster-dns.ts';
import { startDnsFaultProxy } from './dns-fault-proxy.ts';

const NAME = 'p-0.h.ns.svc.cluster.local';

t.test('the proxy forwards real answers and applies its faults (NXDOMAIN, SERVFAIL, drop) per name until removed', async (t) => {
  const upstream = await startClusterDns({});
  t.teardown(() => upstream.stop());
  upstream.setService({ namespace: 'ns', name: 'h', headless: true, publishNotReadyAddresses: true, ports: [] });
  upstream.setPod({ namespace: 'ns', service: 'h', hostname: 'p-0', ip: '127.64.7.7', ready: true });
  upstream.setPod({ namespace: 'ns', service: 'h', hostname: 'p-1', ip: '127.64.7.8', ready: true });
  await upstream.settled();
  const proxy = await startDnsFaultProxy({ upstream: upstream.address });
  t.teardown(() => proxy.stop());
  const resolver = new Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([`${proxy.endpoint.host}:${proxy.endpoint.port}`]);
  const code = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: NodeJS.ErrnoException) => e.code ?? 'error');

  t.same(await resolver.resolve4(NAME), ['127.64.7.7'], 'forwarded over UDP');
  const late = proxy.add({ match: NAME, kind: 'nxdomain' });
  t.equal(await code(resolver.resolve4(NAME)), 'ENOTFOUND', 'NXDOMAIN while the record is "late"');
  t.same(await resolver.resolve4('p-1.h.ns.svc.cluster.local'), ['127.64.7.8'], 'other names unaffected');
  proxy.remove(late);
  t.same(await resolver.resolve4(NAME), ['127.64.7.7'], 'the record appears once the fault is removed');
  proxy.add({ match: 'all', kind: 'servfail', times: 1 });
  t.equal(await code(resolver.resolve4(NAME)), 'ESERVFAIL', 'SERVFAIL burst');
  t.same(await resolver.resolve4(NAME), ['127.64.7.7'], 'the burst ends after `times` answers');
  proxy.add({ match: 'all', kind: 'drop' });
  t.equal(await code(resolver.resolve4(NAME)), 'ETIMEOUT', 'dropped');
  proxy.clear();
  t.same(proxy.faulted(), { nxdomain: 1, servfail: 1, drop: 1 });
});

t.test('over TCP too: forwarded, and a fault answered in the length-prefixed frame', async (t) => {
  const upstream = await startClusterDns({});
  t.teardown(() => upstream.stop());
  upstream.setService({ namespace: 'ns', name: 'h', headless: true, publishNotReadyAddresses: true, ports: [] });
  upstream.setPod({ namespace: 'ns', service: 'h', hostname: 'p-0', ip: '127.64.7.7', ready: true });
  await upstream.settled();
  const proxy = await startDnsFaultProxy({ upstream: upstream.address });
  t.teardown(() => proxy.stop());
  const ask = async (): Promise<DecodedPacket> => {
    const socket = connect(proxy.endpoint.port, proxy.endpoint.host);
    try {
      const query = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: NAME, type: 'A' }] });
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length);
      socket.write(Buffer.concat([prefix, query]));
      let buffered = Buffer.alloc(0);
      for await (const chunk of socket) {
        buffered = Buffer.concat([buffered, chunk as Buffer]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) break;
      }
      return dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    } finally {
      socket.destroy();
    }
  };
  t.same((await ask()).answers?.map((a) => ('data' in a ? a.data : undefined)), ['127.64.7.7']);
  proxy.add({ match: NAME, kind: 'nxdomain' });
  t.equal(((await ask()) as { rcode?: string }).rcode, 'NXDOMAIN');
});
