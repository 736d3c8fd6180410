import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../../agent/contract/log.ts';
import type { JsonObject } from '../../../controller/json.ts';
import type { KubeApi } from '../../../controller/kube/kube-api.ts';
import { holdLease, leaseAction, leaseView, microTime, observeLease } from '../../../controller/run/lease.ts';

const view = (holder: string, renewTime: string) => ({ holder, renewTime, durationSeconds: 15 });

t.test('lease decisions: expiry counts from when this process saw the lease change, not from its renewTime', async (t) => {
  const at = (observedMs: number) => ({ holder: 'b', renewTime: 'r1', seenAtMs: observedMs });
  t.equal(leaseAction({ lease: undefined, observation: undefined, identity: 'a', nowMs: 0 }), 'create');
  t.equal(leaseAction({ lease: view('a', 'r1'), observation: at(0), identity: 'a', nowMs: 60_000 }), 'renew');
  t.equal(leaseAction({ lease: view('b', 'r1'), observation: at(50_000), identity: 'a', nowMs: 60_000 }), 'wait');
  t.equal(leaseAction({ lease: view('b', 'r1'), observation: at(45_000), identity: 'a', nowMs: 60_000 }), 'takeover');
  t.equal(leaseAction({ lease: view('', 'r1'), observation: at(60_000), identity: 'a', nowMs: 60_000 }), 'takeover');
  // A renewTime far in the past (the holder's clock is behind) is not expiry: first seen now.
  const first = observeLease(undefined, { holder: 'b', renewTime: '2000-01-01T00:00:00.000000Z', durationSeconds: 15 }, 1_000);
  t.equal(leaseAction({ lease: view('b', '2000-01-01T00:00:00.000000Z'), observation: first, identity: 'a', nowMs: 1_000 }), 'wait');
});

t.test('the observation moves only when the holder or renewTime changes', async (t) => {
  const first = observeLease(undefined, view('b', 'r1'), 1_000);
  t.same(first, { holder: 'b', renewTime: 'r1', seenAtMs: 1_000 });
  t.equal(observeLease(first, view('b', 'r1'), 9_000), first, 'unchanged: still seen at 1000');
  t.same(observeLease(first, view('b', 'r2'), 9_000), { holder: 'b', renewTime: 'r2', seenAtMs: 9_000 });
  t.same(observeLease(first, view('c', 'r1'), 9_000), { holder: 'c', renewTime: 'r1', seenAtMs: 9_000 });
  t.equal(observeLease(first, undefined, 9_000), undefined);
});

t.test('lease times are MicroTime', async (t) => {
  const ms = Date.parse('2026-11-22T22:00:01.234Z');
  t.equal(microTime(ms), '2026-11-22T22:00:01.234000Z');
  t.same(leaseView({ spec: { holderIdentity: 'x', renewTime: microTime(ms), leaseDurationSeconds: 15 } }), { holder: 'x', renewTime: microTime(ms), durationSeconds: 15 });
  t.same(leaseView({}), { holder: undefined, renewTime: undefined, durationSeconds: undefined });
});

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** A Lease API whose calls can be held (a stuck request) and whose time is a manual clock. */
function leaseApi(): { api: KubeApi; hold: (on: boolean) => void; calls: () => number; inFlightMax: () => number } {
  let lease: JsonObject | undefined;
  let version = 1;
  let held = false;
  let calls = 0;
  let inFlight = 0;
  let inFlightMax = 0;
  const track = async <T>(run: () => T): Promise<T> => {
    calls += 1;
    inFlight += 1;
    inFlightMax = Math.max(inFlightMax, inFlight);
    try {
      while (held) await new Promise((r) => setTimeout(r, 5));
      return run();
    } finally {
      inFlight -= 1;
    }
  };
  const write = (o: JsonObject): JsonObject => {
    lease = { ...o, metadata: { ...(o.metadata as JsonObject), resourceVersion: String(++version) } };
    return lease;
  };
  const api: KubeApi = {
    get: (kind) => track(() => (kind === 'Lease' ? lease : undefined)),
    list: async () => ({ items: [], resourceVersion: '1' }),
    apply: async (o) => o,
    applyStatus: async () => {},
    create: (o) => track(() => write(o)),
    replace: (o) => track(() => write(o)),
    delete: async () => {},
  };
  return { api, hold: (on) => void (held = on), calls: () => calls, inFlightMax: () => inFlightMax };
}

t.test('a leader whose renewal hangs past the renew deadline stops leading at once', async (t) => {
  const { api, hold, inFlightMax } = leaseApi();
  let now = 0;
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const leadership = await holdLease({ api, log: silent, namespace: 'ns', name: 'l', identity: 'a', durationSeconds: 3, renewDeadlineMs: 2_000, retryMs: 20, signal: abort.signal, clock: () => now });
  t.ok(leadership.isLeading());
  hold(true);
  now = 2_500; // as after a SIGSTOP: the clock jumped past the renew deadline, no renewal landed
  t.notOk(leadership.isLeading(), 'not leading the moment the deadline passed');
  await leadership.lost;
  hold(false);
  t.equal(inFlightMax(), 1, 'never two lease requests at once');
});

t.test('holdLease refuses a renew deadline that is not shorter than the lease', async (t) => {
  const { api } = leaseApi();
  await t.rejects(holdLease({ api, log: silent, namespace: 'ns', name: 'l', identity: 'a', durationSeconds: 2, renewDeadlineMs: 2_000, retryMs: 20, signal: new AbortController().signal }), /must be shorter/);
});

t.test('waits abort: a follower waiting for the lease returns when the signal aborts', async (t) => {
  const { api } = leaseApi();
  const holder = new AbortController();
  await holdLease({ api, log: silent, namespace: 'ns', name: 'l', identity: 'a', durationSeconds: 60, renewDeadlineMs: 30_000, retryMs: 20, signal: holder.signal });
  const follower = new AbortController();
  const started = Date.now();
  const waiting = holdLease({ api, log: silent, namespace: 'ns', name: 'l', identity: 'b', durationSeconds: 60, renewDeadlineMs: 30_000, retryMs: 60_000, signal: follower.signal });
  setTimeout(() => follower.abort(), 50);
  const result = await waiting;
  t.notOk(result.isLeading());
  t.ok(Date.now() - started < 5_000, 'returned on abort, not after the 60 s retry');
  holder.abort();
});
