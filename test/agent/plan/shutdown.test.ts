import t from 'tap';
import fc from 'fast-check';
import type { FrontendRow } from '../../../agent/membership/frontends.ts';
import { parseBackends, parseComputeNodes } from '../../../agent/membership/nodes.ts';
import { aliveVoters, majority, voters } from '../../../agent/membership/queries.ts';
import { higherFrontends, isScaleInRefusal, planBeScaleIn, planCnScaleIn, planFeScaleIn, shutdownIntent } from '../../../agent/plan/shutdown.ts';
import type { FrontendView } from '../../../agent/plan/shutdown.ts';
import { hostPort, sameHost } from '../../../agent/sql/host-port.ts';
import type { SqlErrorKind } from '../../../agent/sql/sql-error.ts';
import { nodesResult } from '../fixtures/membership.ts';
import type { FeSpec, NodeSpec } from '../fixtures/membership.ts';
import { fe, rows } from '../fixtures/plan.ts';

t.test('restart or scale-in from the StatefulSet replicas; doubt means restart', async (t) => {
  const sts = 'statefulset' as const;
  t.equal(shutdownIntent({ ordinal: 3, replicas: 3, intended: sts }).kind, 'scale-in');
  t.equal(shutdownIntent({ ordinal: 0, replicas: 0, intended: sts }).kind, 'scale-in');
  t.equal(shutdownIntent({ ordinal: 2, replicas: 3, intended: sts }).kind, 'restart');
  const unknown = shutdownIntent({ ordinal: 9, replicas: undefined, unknownReason: 'API server unreachable', intended: sts });
  t.equal(unknown.kind, 'restart');
  t.match(unknown.reason, /API server unreachable.*nothing is deregistered on doubt/);
  t.equal(shutdownIntent({ ordinal: 9, replicas: Number.NaN, intended: sts }).kind, 'restart');
  t.equal(shutdownIntent({ ordinal: 9, replicas: -1, intended: sts }).kind, 'restart');
});

t.test('issue 11 item 4: scale-in only when the StatefulSet and the StarRocksCluster agree', async (t) => {
  // kubectl scale sts prod-fe --replicas 1 while the CR says 3: FE 1 and 2 restart, nothing is dropped.
  const byHand = shutdownIntent({ ordinal: 2, replicas: 1, intended: 3 });
  t.equal(byHand.kind, 'restart');
  t.match(byHand.reason, /StatefulSet says 1 replicas but the StarRocksCluster wants 3/);
  t.equal(shutdownIntent({ ordinal: 2, replicas: 2, intended: 2 }).kind, 'scale-in');
  t.equal(shutdownIntent({ ordinal: 2, replicas: 2, intended: { unknown: 'forbidden' } }).kind, 'restart', 'an unreadable CR is doubt');
  t.equal(shutdownIntent({ ordinal: 2, replicas: 3, intended: 1 }).kind, 'restart', 'the StatefulSet not yet scaled: restart');
  fc.assert(
    fc.property(
      fc.nat(20),
      fc.option(fc.nat(20), { nil: undefined }),
      fc.oneof(fc.nat(20), fc.constant('statefulset' as const), fc.constant({ unknown: 'x' })),
      (ordinal, replicas, intended) => {
        const intent = shutdownIntent({ ordinal, replicas, intended });
        const leavingBySts = replicas !== undefined && ordinal >= replicas;
        const leavingByCr = intended === 'statefulset' || (typeof intended === 'number' && ordinal >= intended);
        return (intent.kind === 'scale-in') === (leavingBySts && leavingByCr);
      },
    ),
  );
});

const cluster = (n: number, overrides: Record<number, Partial<FeSpec>> = {}): FrontendRow[] =>
  rows(Array.from({ length: n }, (_, i) => ({ host: fe(i), role: i === 0 ? 'LEADER' : 'FOLLOWER', ...overrides[i] }) as FeSpec));
const view = (r: FrontendRow[]): FrontendView => ({ kind: 'rows', rows: r });

t.test('issue 11 item 4: leaving FEs drop one at a time, highest ordinal first (Parallel pods all run preStop at once)', async (t) => {
  const five = cluster(5);
  t.same(higherFrontends(five, { cluster: 'prod', ordinal: 3 }), [fe(4)]);
  t.same(higherFrontends(five, { cluster: 'prod', ordinal: 4 }), []);
  t.same(higherFrontends(five, { cluster: 'pro', ordinal: 0 }), [], 'another cluster whose name is a prefix is not ours');
  const fe3 = planFeScaleIn({ self: hostPort(fe(3), 9010), view: view(five), stopped: false, higher: higherFrontends(five, { cluster: 'prod', ordinal: 3 }) });
  t.match(fe3, { kind: 'wait', reason: /highest ordinal first: waiting for prod-fe-4/ });
  const fe4 = planFeScaleIn({ self: hostPort(fe(4), 9010), view: view(five), stopped: false, higher: higherFrontends(five, { cluster: 'prod', ordinal: 4 }) });
  t.match(fe4, { kind: 'drop', target: { host: fe(4) } });
  // Simulated: 5 -> 3 with every leaving FE planning on each turn; the majority holds at every step.
  let current = five;
  for (let turn = 0; turn < 10 && current.length > 3; turn++) {
    const drops = [3, 4]
      .map((ordinal) => planFeScaleIn({ self: hostPort(fe(ordinal), 9010), view: view(current), stopped: false, higher: higherFrontends(current, { cluster: 'prod', ordinal }) }))
      .filter((step) => step.kind === 'drop');
    t.ok(drops.length <= 1, `turn ${turn}: at most one drop at a time`);
    for (const step of drops) if (step.kind === 'drop') current = current.filter((r) => r.host !== step.target.host);
  }
  t.equal(current.length, 3);
});

t.test('FE scale-in: followers drop through the leader while the majority holds', async (t) => {
  const step = planFeScaleIn({ self: hostPort(fe(4), 9010), view: view(cluster(5)), stopped: false, higher: [] });
  t.same(step, { kind: 'drop', role: 'FOLLOWER', target: { host: fe(4), port: 9010 }, via: { host: fe(0), queryPort: 9030 }, reason: step.reason });
  // 5 -> 3: fe-4 dropped, then fe-3 with 4 voters left.
  const after = cluster(4);
  t.match(planFeScaleIn({ self: hostPort(fe(3), 9010), view: view(after), stopped: false, higher: [] }), { kind: 'drop', target: { host: fe(3) } });
  t.match(planFeScaleIn({ self: hostPort(fe(4), 9010), view: view(after), stopped: false, higher: [] }), { kind: 'done' }, 'a re-run after the drop is done');
  // 3 voters with one dead: dropping a live follower would leave 2 voters with 1 alive.
  t.match(planFeScaleIn({ self: hostPort(fe(2), 9010), view: view(cluster(3, { 1: { alive: false } })), stopped: false, higher: [] }), {
    kind: 'refuse',
    reason: /below the majority of 2/,
  });
  t.match(planFeScaleIn({ self: hostPort(fe(0), 9010), view: view(rows([{ host: fe(0), role: 'LEADER' }])), stopped: true, higher: [] }), {
    kind: 'wait',
  });
});

t.test('FE scale-in: the leader stops first and is dropped through the new leader', async (t) => {
  const self = hostPort(fe(0), 9010);
  t.match(planFeScaleIn({ self, view: view(cluster(3)), stopped: false, higher: [] }), { kind: 'graceful-stop' });
  t.match(planFeScaleIn({ self, view: view(cluster(3)), stopped: true, higher: [] }), { kind: 'wait', reason: /still named LEADER/ });
  const handedOver = rows([
    { host: fe(0), role: 'FOLLOWER', alive: false },
    { host: fe(1), role: 'LEADER' },
    { host: fe(2), role: 'FOLLOWER' },
    { host: fe(3), role: 'FOLLOWER' },
  ]);
  t.match(planFeScaleIn({ self, view: view(handedOver), stopped: true, higher: [] }), { kind: 'drop', via: { host: fe(1) }, role: 'FOLLOWER' });
  const only = rows([{ host: fe(1), role: 'LEADER' }, { host: fe(0), role: 'FOLLOWER' }]);
  t.match(planFeScaleIn({ self, view: view(only), stopped: true, higher: [] }), { kind: 'drop' }, '2 -> 1 keeps the majority of one');
  t.match(planFeScaleIn({ self: hostPort(fe(1), 9010), view: view(rows([{ host: fe(1), role: 'FOLLOWER' }, { host: fe(0), role: 'LEADER' }, { host: fe(2), role: 'OBSERVER' }])), stopped: false, higher: [] }), {
    kind: 'drop',
  });
});

t.test('FE scale-in: observers drop whatever the voters; no leader or no view waits', async (t) => {
  const r = cluster(3, { 1: { alive: false }, 2: { alive: false } }).concat(rows([{ host: fe(5), role: 'OBSERVER' }]));
  t.match(planFeScaleIn({ self: hostPort(fe(5), 9010), view: view(r), stopped: false, higher: [] }), { kind: 'drop', role: 'OBSERVER' });
  t.match(planFeScaleIn({ self: hostPort(fe(1), 9010), view: view(rows([{ host: fe(1) }, { host: fe(2) }])), stopped: false, higher: [] }), { kind: 'wait' });
  t.match(planFeScaleIn({ self: hostPort(fe(1), 9010), view: { kind: 'unavailable', reason: 'timeout' }, stopped: false, higher: [] }), { kind: 'wait' });
  t.match(planFeScaleIn({ self: hostPort(fe(1), 9010), view: view(rows([{ host: fe(1), role: 'LEADER' }])), stopped: false, higher: [] }), {
    kind: 'graceful-stop',
  });
});

t.test('property: a follower is dropped only when the remaining voters keep a majority alive, never the leader', async (t) => {
  const spec = fc.record({
    role: fc.constantFrom('FOLLOWER', 'OBSERVER', 'LEADER') as fc.Arbitrary<'FOLLOWER' | 'OBSERVER' | 'LEADER'>,
    alive: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(spec, { minLength: 1, maxLength: 7 }), fc.nat(6), fc.boolean(), (specs, who, stopped) => {
      const r = rows(specs.map((s, i) => ({ host: fe(i), ...s })));
      const self = hostPort(fe(who % specs.length), 9010);
      const step = planFeScaleIn({ self, view: view(r), stopped, higher: [] });
      if (step.kind !== 'drop') return true;
      const mine = r.find((x) => sameHost(x.host, self.host));
      if (mine === undefined || mine.role === 'LEADER' || sameHost(step.via.host, self.host)) return false;
      if (step.role === 'OBSERVER') return mine.role === 'OBSERVER';
      const remaining = voters(r).length - 1;
      const aliveOthers = aliveVoters(r).filter((x) => !sameHost(x.host, self.host)).length;
      return remaining >= 1 && aliveOthers >= majority(remaining);
    }),
    { numRuns: 2000 },
  );
  t.pass('holds');
});

const bes = (specs: NodeSpec[]) => ({ kind: 'rows' as const, rows: parseBackends(nodesResult(specs)) });
const beSelf = hostPort('prod-be-3.prod-be-search.ns.svc.cluster.local', 9050);

t.test('BE scale-in: decommission, wait for the tablets, drop at zero, done when gone', async (t) => {
  const host = beSelf.host;
  t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 40 }]) }), { kind: 'decommission', target: beSelf });
  t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 12, decommissioned: true }]) }), { kind: 'wait-tablets', tablets: 12 });
  t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 'NULL', decommissioned: true }]) }), { kind: 'wait-tablets', tablets: undefined });
  t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 0, decommissioned: true }]) }), { kind: 'drop', target: beSelf });
  t.match(planBeScaleIn({ self: beSelf, view: bes([{ host: 'other' }]) }), { kind: 'done' }, 'the row vanished: StarRocks dropped it');
  t.match(planBeScaleIn({ self: beSelf, view: { kind: 'unavailable', reason: 'no leader' } }), { kind: 'wait' });
});

t.test('BE scale-in: a refused decommission keeps the BE registered with the reason', async (t) => {
  const host = beSelf.host;
  const refusal = (kind: SqlErrorKind, message: string) => ({ kind, message, errno: 1064 });
  const refused = planBeScaleIn({
    self: beSelf,
    view: bes([{ host, tablets: 40 }]),
    refusal: refusal('insufficient_be_number', 'It will cause insufficient BE number if these BEs are decommissioned because the table db.t requires 3 replicas.'),
  });
  t.match(refused, { kind: 'blocked', reason: /requires 3 replicas/ });
  t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 40 }]), refusal: refusal('insufficient_disk_space', 'insufficient disk space') }), { kind: 'blocked' });
  t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 0, decommissioned: true }]), refusal: refusal('only_one_replica', 'have only one replica') }), { kind: 'blocked' });
  t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 40 }]), refusal: refusal('timeout', 'timeout') }), { kind: 'decommission' }, 'a timeout is not a refusal');
});

t.test('BE scale-in (issue 11 item 6): only StarRocks refusals block; transient and unclassified failures are retried', async (t) => {
  const host = beSelf.host;
  const transient: ReadonlyArray<readonly [SqlErrorKind, string]> = [
    ['timeout', 'Query timeout'],
    ['connection_refused', 'connect ECONNREFUSED'],
    ['connection_lost', 'Connection lost: The server closed the connection.'],
    ['other', 'client closed'],
    ['other', 'Leader FE changed, please retry'],
    ['retry', 'Try again'],
  ];
  for (const [kind, message] of transient) {
    const failure = { kind, message, errno: undefined };
    t.equal(isScaleInRefusal(failure), false, `${kind} (${message}) is not a refusal`);
    t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 40 }]), refusal: failure }), { kind: 'decommission' }, `${message}: decommission again`);
    t.match(planBeScaleIn({ self: beSelf, view: bes([{ host, tablets: 0, decommissioned: true }]), refusal: failure }), { kind: 'drop' }, `${message}: drop again`);
  }
  for (const kind of ['insufficient_be_number', 'insufficient_disk_space', 'only_one_replica'] as const) {
    t.equal(isScaleInRefusal({ kind, message: kind, errno: 1064 }), true, `${kind} is a refusal`);
  }
});

t.test('BE scale-in: a decommission run end to end, re-run at any point, never drops with data', async (t) => {
  // The FE: tablets migrate away at a rate; StarRocks may drop the row itself at zero.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), (start, rate, autoDrop) => {
      let row: NodeSpec | undefined = { host: beSelf.host, tablets: start };
      for (let turn = 0; turn < 200; turn++) {
        const step = planBeScaleIn({ self: beSelf, view: bes(row === undefined ? [] : [row]) });
        if (step.kind === 'done') return true;
        if (step.kind === 'drop') {
          if (row === undefined || row.tablets !== 0 || row.decommissioned !== true) return false;
          row = undefined;
        } else if (step.kind === 'decommission') {
          row = { ...(row as NodeSpec), decommissioned: true };
        } else if (step.kind === 'wait-tablets' && row !== undefined) {
          const left = Math.max(0, (row.tablets as number) - rate);
          row = left === 0 && autoDrop ? undefined : { ...row, tablets: left };
        } else {
          return false;
        }
      }
      return false;
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.record({ host: fc.constantFrom(beSelf.host, 'x'), tablets: fc.oneof(fc.nat(5), fc.constant('NULL' as const)), decommissioned: fc.boolean() }), { maxLength: 3 }), (specs) => {
      const step = planBeScaleIn({ self: beSelf, view: bes(specs as NodeSpec[]) });
      if (step.kind !== 'drop') return true;
      const mine = specs.find((s) => s.host === beSelf.host);
      return mine !== undefined && mine.decommissioned && mine.tablets === 0;
    }),
  );
  t.pass('holds');
});

t.test('CN scale-in: graceful stop, then DROP with the registered host form', async (t) => {
  const cnSelf = hostPort('::ffff:10.0.0.9', 9050);
  const view = { kind: 'rows' as const, rows: parseComputeNodes(nodesResult([{ host: '0:0:0:0:0:ffff:a00:9' }], { kind: 'cn' })) };
  t.match(planCnScaleIn({ self: cnSelf, view, stopped: false }), { kind: 'graceful-stop' });
  t.match(planCnScaleIn({ self: cnSelf, view, stopped: true }), { kind: 'drop', target: { host: '0:0:0:0:0:ffff:a00:9', port: 9050 } });
  t.match(planCnScaleIn({ self: cnSelf, view: { kind: 'rows', rows: [] }, stopped: true }), { kind: 'done' });
  t.match(planCnScaleIn({ self: cnSelf, view: { kind: 'unavailable', reason: 'x' }, stopped: true }), { kind: 'wait' });
});
