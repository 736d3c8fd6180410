import t from 'tap';
import fc from 'fast-check';
import { answer, dashedIp, emptyZone, reverseName, withPod, withService, withoutPod, withoutService } from './zone.ts';
import type { PodSpec, ServiceSpec, Zone, ZoneAnswer } from './zone.ts';
import { starrocksPod, starrocksServices } from './starrocks-services.ts';
import { faultMatches, pickFault } from './faults.ts';

const settings = { domain: 'cluster.local', ttlSeconds: 7 };
const ask = (zone: Zone, name: string, type = 'A'): ZoneAnswer => answer(zone, { name, type }, settings);
const data = (a: ZoneAnswer): unknown[] => a.answers.map((r) => r.data);

// A cluster `sr` in `ns`: fe-0 ready, fe-1 and fe-2 not ready.
function cluster(): Zone {
  let zone = emptyZone();
  for (const s of starrocksServices({ namespace: 'ns', cluster: 'sr' })) zone = withService(zone, s);
  for (const [ordinal, ready] of [[0, true], [1, false], [2, false]] as const) {
    zone = withPod(zone, starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal, ip: `127.64.1.${ordinal + 10}`, ready }));
  }
  return zone;
}

t.test('pod FQDNs under the headless search service resolve whether ready or not', async (t) => {
  const zone = cluster();
  for (const ordinal of [0, 1, 2]) {
    const a = ask(zone, `sr-fe-${ordinal}.sr-fe-search.ns.svc.cluster.local`);
    t.equal(a.rcode, 'NOERROR');
    t.same(data(a), [`127.64.1.${ordinal + 10}`]);
    t.equal(a.answers[0]?.ttl, 7, 'configured TTL');
  }
  t.equal(ask(zone, 'SR-FE-1.sr-fe-search.NS.svc.cluster.local.').rcode, 'NOERROR', 'case and trailing dot do not matter');
  t.equal(ask(zone, 'SR-FE-1.sr-fe-search.NS.svc.cluster.local.').answers[0]?.name, 'SR-FE-1.sr-fe-search.NS.svc.cluster.local.', 'owner as asked');
  t.equal(ask(zone, 'sr-fe-3.sr-fe-search.ns.svc.cluster.local').rcode, 'NXDOMAIN', 'no such pod');
});

t.test('service names: search lists every pod, the load-balanced one ready pods only', async (t) => {
  const zone = cluster();
  t.same(data(ask(zone, 'sr-fe-search.ns.svc.cluster.local')), ['127.64.1.10', '127.64.1.11', '127.64.1.12']);
  t.same(data(ask(zone, 'sr-fe-service.ns.svc.cluster.local')), ['127.64.1.10']);
  const noneReady = withPod(zone, starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 0, ip: '127.64.1.10', ready: false }));
  t.equal(ask(noneReady, 'sr-fe-service.ns.svc.cluster.local').rcode, 'NXDOMAIN', 'no ready endpoint: NXDOMAIN as CoreDNS');
  t.equal(ask(zone, 'sr-be-search.ns.svc.cluster.local').rcode, 'NXDOMAIN', 'headless service without pods');
  const withVip = withService(zone, { namespace: 'ns', name: 'sr-fe-service', headless: false, publishNotReadyAddresses: false, ports: [], clusterIp: '127.64.1.200' });
  t.same(data(ask(withVip, 'sr-fe-service.ns.svc.cluster.local')), ['127.64.1.200'], 'a modelled cluster IP replaces the pod list');
  t.same(data(ask(withVip, '200.1.64.127.in-addr.arpa', 'PTR')), ['sr-fe-service.ns.svc.cluster.local']);
  t.equal(ask(withoutService(zone, { namespace: 'ns', name: 'sr-fe-search' }), 'sr-fe-0.sr-fe-search.ns.svc.cluster.local').rcode, 'NXDOMAIN', 'no service, no pod names');
  t.equal(ask(zone, 'sr-fe-search.other.svc.cluster.local').rcode, 'NXDOMAIN', 'namespaces are separate');
});

t.test('a headless service without publishNotReadyAddresses hides not-ready pods', async (t) => {
  let zone = withService(emptyZone(), { namespace: 'ns', name: 'h', headless: true, publishNotReadyAddresses: false, ports: [] });
  zone = withPod(zone, { namespace: 'ns', service: 'h', hostname: 'p-0', ip: '127.64.2.1', ready: false });
  t.equal(ask(zone, 'p-0.h.ns.svc.cluster.local').rcode, 'NXDOMAIN');
  zone = withPod(zone, { namespace: 'ns', service: 'h', hostname: 'p-0', ip: '127.64.2.1', ready: true });
  t.same(data(ask(zone, 'p-0.h.ns.svc.cluster.local')), ['127.64.2.1']);
  zone = withoutPod(zone, { namespace: 'ns', hostname: 'p-0' });
  t.equal(ask(zone, 'p-0.h.ns.svc.cluster.local').rcode, 'NXDOMAIN', 'removed');
});

t.test('SRV records for named ports point at pod FQDNs, with address glue', async (t) => {
  const zone = cluster();
  const srv = ask(zone, '_query-port._tcp.sr-fe-search.ns.svc.cluster.local', 'SRV');
  t.equal(srv.rcode, 'NOERROR');
  t.same(
    srv.answers.map((r) => r.data),
    [0, 1, 2].map((i) => ({ priority: 0, weight: 33, port: 9030, target: `sr-fe-${i}.sr-fe-search.ns.svc.cluster.local` })),
  );
  t.same(srv.additionals.map((r) => [r.name, r.data]), [0, 1, 2].map((i) => [`sr-fe-${i}.sr-fe-search.ns.svc.cluster.local`, `127.64.1.${i + 10}`]));
  t.equal(ask(zone, '_query._tcp.sr-fe-search.ns.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN', 'the search service has no port "query"');
  t.equal(ask(zone, '_query-port._udp.sr-fe-search.ns.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN', 'protocol must match');
  const lb = ask(zone, '_query._tcp.sr-fe-service.ns.svc.cluster.local', 'SRV');
  t.same(data(lb), [{ priority: 0, weight: 100, port: 9030, target: '127-64-1-10.sr-fe-service.ns.svc.cluster.local' }], 'endpoint without hostname is named by its dashed IP');
  t.same(data(ask(zone, '127-64-1-10.sr-fe-service.ns.svc.cluster.local')), ['127.64.1.10']);
  const all = ask(zone, 'sr-fe-search.ns.svc.cluster.local', 'SRV');
  t.equal(all.answers.length, 3, 'SRV on the service name: every endpoint and port');
  const any = ask(zone, 'sr-fe-search.ns.svc.cluster.local', 'ANY');
  t.same(any.answers.map((r) => r.type), ['A', 'A', 'A', 'SRV', 'SRV', 'SRV']);
});

t.test('PTR: a ready pod has its search name and its load-balanced name, a not-ready one only the first', async (t) => {
  const zone = cluster();
  t.same(data(ask(zone, reverseName('127.64.1.10'), 'PTR')), ['sr-fe-0.sr-fe-search.ns.svc.cluster.local', '127-64-1-10.sr-fe-service.ns.svc.cluster.local']);
  t.same(data(ask(zone, '11.1.64.127.in-addr.arpa.', 'PTR')), ['sr-fe-1.sr-fe-search.ns.svc.cluster.local']);
  t.equal(ask(zone, reverseName('127.64.1.99'), 'PTR').rcode, 'NXDOMAIN');
  t.equal(ask(zone, '1.64.127.in-addr.arpa', 'PTR').rcode, 'NXDOMAIN', 'partial reverse name');
  t.equal(ask(zone, '300.1.64.127.in-addr.arpa', 'PTR').rcode, 'NXDOMAIN', 'not an octet');
  const ptrAsA = ask(zone, reverseName('127.64.1.10'), 'A');
  t.equal(ptrAsA.rcode, 'NOERROR', 'existing reverse name, other type: NODATA');
  t.equal(ptrAsA.answers.length, 0);
});

t.test('IPv6 pods get AAAA and ip6.arpa PTR records', async (t) => {
  let zone = withService(emptyZone(), { namespace: 'ns', name: 'h', headless: true, publishNotReadyAddresses: true, ports: [] });
  zone = withPod(zone, { namespace: 'ns', service: 'h', hostname: 'p-0', ip: '::1', ready: false });
  const aaaa = ask(zone, 'p-0.h.ns.svc.cluster.local', 'AAAA');
  t.same(data(aaaa), ['::1']);
  t.equal(aaaa.answers[0]?.type, 'AAAA');
  t.equal(ask(zone, 'p-0.h.ns.svc.cluster.local', 'A').answers.length, 0, 'no A for an IPv6 pod: NODATA');
  t.equal(reverseName('::1'), `1.${'0.'.repeat(31)}ip6.arpa`);
  t.same(data(ask(zone, reverseName('::1'), 'PTR')), ['p-0.h.ns.svc.cluster.local']);
  t.same(data(ask(zone, reverseName('0:0:0:0:0:0:0:1'), 'PTR')), ['p-0.h.ns.svc.cluster.local'], 'any spelling of the address');
  t.equal(dashedIp('fd00::5'), 'fd00--5');
});

t.test('negative answers carry the SOA; names outside the zones are refused', async (t) => {
  const zone = cluster();
  const nx = ask(zone, 'nothing.ns.svc.cluster.local');
  t.equal(nx.rcode, 'NXDOMAIN');
  t.same(nx.authorities.map((r) => [r.type, r.name]), [['SOA', 'cluster.local']]);
  t.match(nx.authorities[0]?.data, { mname: 'ns.dns.cluster.local', minimum: 7 });
  const nodata = ask(zone, 'sr-fe-0.sr-fe-search.ns.svc.cluster.local', 'AAAA');
  t.equal(nodata.rcode, 'NOERROR');
  t.same(nodata.answers, []);
  t.equal(nodata.authorities[0]?.type, 'SOA');
  t.equal(ask(zone, 'cluster.local').rcode, 'NOERROR', 'the apex exists');
  t.equal(ask(zone, 'cluster.local', 'SOA').answers[0]?.type, 'SOA');
  t.equal(ask(zone, 'svc.cluster.local').rcode, 'NXDOMAIN');
  t.equal(ask(zone, 'a.b.c.d.e.sr-fe-search.ns.svc.cluster.local').rcode, 'NXDOMAIN');
  t.equal(ask(zone, 'sr-fe-0.pod.ns.cluster.local').rcode, 'NXDOMAIN');
  for (const outside of ['example.com', 'cluster.localhost', 'local', 'sr-fe-0.sr-fe-search.ns.svc.other.domain']) {
    const refused = ask(zone, outside);
    t.equal(refused.rcode, 'REFUSED', outside);
    t.same(refused.authorities, []);
  }
  const custom = answer(cluster(), { name: 'sr-fe-0.sr-fe-search.ns.svc.cluster.local', type: 'A' }, { domain: 'corp.internal', ttlSeconds: 1 });
  t.equal(custom.rcode, 'REFUSED', 'the domain is configurable');
});

t.test('property: every published pod resolves forward and back; unpublished ones do not exist', async (t) => {
  const podArb = fc.record({
    hostname: fc.constantFrom('a-0', 'a-1', 'b-0', 'b-1', 'c-2'),
    service: fc.constantFrom('s1', 's2'),
    ip: fc.integer({ min: 1, max: 40 }).map((n) => `127.64.5.${n}`),
    ready: fc.boolean(),
  });
  const serviceArb = fc.record({ name: fc.constantFrom('s1', 's2'), headless: fc.boolean(), publishNotReadyAddresses: fc.boolean() });
  t.doesNotThrow(() =>
    fc.assert(
    fc.property(fc.array(serviceArb, { maxLength: 3 }), fc.array(podArb, { maxLength: 8 }), (services, pods) => {
      let zone = emptyZone();
      const specs = new Map<string, ServiceSpec>();
      for (const s of services) {
        const spec: ServiceSpec = { namespace: 'ns', ...s, ports: [] };
        specs.set(s.name, spec);
        zone = withService(zone, spec);
      }
      const byHost = new Map<string, PodSpec>();
      for (const p of pods) {
        byHost.set(p.hostname, { namespace: 'ns', ...p });
        zone = withPod(zone, { namespace: 'ns', ...p });
      }
      for (const pod of byHost.values()) {
        const service = specs.get(pod.service);
        const fqdn = `${pod.hostname}.${pod.service}.ns.svc.cluster.local`;
        const forward = ask(zone, fqdn);
        const published = service !== undefined && (pod.ready || service.publishNotReadyAddresses);
        if (!published) {
          if (forward.rcode !== 'NXDOMAIN') return false;
          continue;
        }
        if (!data(forward).includes(pod.ip)) return false;
        if (!data(ask(zone, reverseName(pod.ip), 'PTR')).includes(fqdn)) return false;
      }
      return true;
    }),
    { numRuns: 300 },
    ),
  );
});

t.test('faults match by name, suffix, pattern, type and count', async (t) => {
  const q = { name: 'SR-FE-0.sr-fe-search.ns.svc.cluster.local.', type: 'A' };
  t.ok(faultMatches({ match: 'all', kind: 'drop' }, q));
  t.ok(faultMatches({ match: 'sr-fe-0.sr-fe-search.ns.svc.cluster.local', kind: 'drop' }, q));
  t.notOk(faultMatches({ match: 'sr-fe-1.sr-fe-search.ns.svc.cluster.local', kind: 'drop' }, q));
  t.ok(faultMatches({ match: '*.sr-fe-search.ns.svc.cluster.local', kind: 'drop' }, q));
  t.notOk(faultMatches({ match: '*.sr-fe-search.ns.svc.cluster.local', kind: 'drop' }, { name: 'sr-fe-search.ns.svc.cluster.local', type: 'A' }), 'suffix means strictly under');
  t.ok(faultMatches({ match: /^sr-fe-\d\./, kind: 'drop' }, q));
  t.ok(faultMatches({ match: 'all', kind: 'drop', types: ['a'] }, q));
  t.notOk(faultMatches({ match: 'all', kind: 'drop', types: ['PTR', 'SRV'] }, q));
  t.notOk(faultMatches({ match: 'all', kind: 'drop', times: 0 }, q), 'used up');
  t.ok(faultMatches({ match: 'all', kind: 'drop', times: 1 }, q));
  t.equal(pickFault([{ match: 'x', kind: 'drop' }, { match: 'all', kind: 'servfail' }, { match: 'all', kind: 'delay' }], q), 1, 'the first match wins');
  t.equal(pickFault([], q), -1);
});
