import t from 'tap';
import { Writable } from 'node:stream';
import { shouldLogWait, waitForSelfResolution } from '../../../agent/dns/wait-self-resolution.ts';
import { createNodeResolver } from '../../../agent/dns/node-resolver.ts';
import { createLogger } from '../../../agent/contract/log.ts';
import { isAbortError, sleep } from '../../../agent/contract/backoff.ts';
import { startClusterDns } from '../../sim/dns/cluster-dns.ts';
import { starrocksPod, starrocksServices } from '../../sim/dns/starrocks-services.ts';

const FQDN = 'sr-fe-0.sr-fe-search.ns.svc.cluster.local';
const IP = '127.64.1.10';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const lines = (): Array<Record<string, unknown>> =>
    chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

t.test('log policy: first wait, a new reason, or a quiet interval', async (t) => {
  t.ok(shouldLogWait(undefined, 'forward-missing', 0, 10_000));
  t.notOk(shouldLogWait({ reason: 'forward-missing', loggedAt: 0 }, 'forward-missing', 9_999, 10_000));
  t.ok(shouldLogWait({ reason: 'forward-missing', loggedAt: 0 }, 'forward-missing', 10_000, 10_000));
  t.ok(shouldLogWait({ reason: 'forward-missing', loggedAt: 0 }, 'reverse-missing', 1, 10_000));
  t.ok(shouldLogWait({ reason: 'reverse-missing', loggedAt: 0 }, 'dns-error', 1, 10_000));
});

t.test('waits through a DNS outage and propagation, then returns as soon as the name resolves', async (t) => {
  const dns = await startClusterDns({ propagationDelayMs: 400 });
  t.teardown(() => dns.stop());
  for (const s of starrocksServices({ namespace: 'ns', cluster: 'sr' })) dns.setService(s);
  await dns.settled();
  dns.setFault({ match: 'all', kind: 'servfail', times: 3 });
  const out = capture();
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 3000 });
  const waiting = waitForSelfResolution(resolver, {
    fqdn: FQDN,
    ownIps: [IP],
    maxBackoffMs: 50,
    log: createLogger({ destination: out.stream }),
  });
  // The pod appears only once the waiter has seen the DNS answer "no such name".
  for (let i = 0; i < 500 && !dns.queries().some((q) => q.name === FQDN && q.outcome === 'NXDOMAIN'); i++) {
    await sleep(10);
  }
  const addedAt = Date.now();
  dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 0, ip: IP, ready: false }));
  const verdict = await waiting;
  const sinceAdded = Date.now() - addedAt;
  t.same(verdict, { ok: true, fqdn: FQDN, ips: [IP], otherNames: [] });
  const lines = out.lines();
  const reasons = lines.map((l) => l.reason ?? 'done');
  t.same(reasons, ['dns-error', 'forward-missing', 'done'], 'one line per reason, not one per poll');
  t.match(lines[0]?.msg, /waiting for DNS: ERR_DNS: DNS A lookup of sr-fe-0/);
  const polls = dns.queryCount(FQDN, 'A');
  t.ok(polls >= 5, `kept polling (${polls} A lookups) while the name was missing`);
  t.ok(polls < 200, 'with back-off, not a busy loop');
  const done = lines.at(-1);
  t.equal(done?.msg, 'own FQDN resolves forward and reverse');
  t.ok(sinceAdded >= 390, `returned only after propagation (${sinceAdded} ms)`);
});

t.test('stops when aborted', async (t) => {
  const dns = await startClusterDns({});
  t.teardown(() => dns.stop());
  const resolver = createNodeResolver({ server: { host: dns.address.host, port: dns.address.port }, timeoutMs: 500 });
  const controller = new AbortController();
  const waiting = waitForSelfResolution(resolver, { fqdn: FQDN, ownIps: [IP], maxBackoffMs: 20, signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const error = await waiting.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isAbortError(error), 'AbortError');
  t.ok(dns.queryCount(FQDN, 'A') >= 1, 'it was polling');
});
