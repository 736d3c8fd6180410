import t from 'tap';
import { AGENT_EVENT_SOURCE } from '../../../agent/contract/index.ts';
import { MIRROR_LIMIT, eventsToMirror, mirrorEventObject } from '../../../controller/status/event-mirror.ts';

const NOW = '2026-11-28T12:00:00Z';
const minutesAgo = (m: number): string => new Date(Date.parse(NOW) - m * 60_000).toISOString();

// An event as kube-client.ts emitEvent records it (agent/kube/kube-client.ts).
const agentEvent = (o: { name: string; pod: string; reason: string; type?: string; at?: string; source?: string; kind?: string; message?: string }): unknown => ({
  metadata: { name: o.name, namespace: 'ns' },
  involvedObject: { kind: o.kind ?? 'Pod', name: o.pod, namespace: 'ns', apiVersion: 'v1' },
  type: o.type ?? 'Warning',
  reason: o.reason,
  message: o.message ?? `${o.reason} happened`,
  firstTimestamp: o.at ?? minutesAgo(1),
  lastTimestamp: o.at ?? minutesAgo(1),
  count: 1,
  source: { component: o.source ?? AGENT_EVENT_SOURCE },
});

t.test("an agent's Warning about one of the cluster's pods is mirrored, named after it, with the pod in the message", async (t) => {
  const mirrors = eventsToMirror({
    cluster: 'sr',
    podEvents: [agentEvent({ name: 'sr-be-2.abcde', pod: 'sr-be-2', reason: 'ScaleInRefused', message: 'would leave 2 BEs for 3 replicas', at: minutesAgo(3) })],
    alreadyMirrored: [],
    now: NOW,
  });
  t.same(mirrors, [
    {
      name: 'sr-be-2.abcde.mirror',
      pod: 'sr-be-2',
      type: 'Warning',
      reason: 'ScaleInRefused',
      message: 'sr-be-2: would leave 2 BEs for 3 replicas',
      firstTimestamp: minutesAgo(3),
      lastTimestamp: minutesAgo(3),
      count: 1,
    },
  ]);
});

t.test('what is already mirrored is not mirrored again (a restarted controller, the next reconcile)', async (t) => {
  const podEvents = [agentEvent({ name: 'sr-fe-0.aaaaa', pod: 'sr-fe-0', reason: 'SplitBrain' }), agentEvent({ name: 'sr-fe-1.bbbbb', pod: 'sr-fe-1', reason: 'StartRefused' })];
  const first = eventsToMirror({ cluster: 'sr', podEvents, alreadyMirrored: [], now: NOW });
  t.same(first.map((e) => e.name), ['sr-fe-0.aaaaa.mirror', 'sr-fe-1.bbbbb.mirror']);
  const stored = first.map((event) => mirrorEventObject({ cluster: { metadata: { name: 'sr', namespace: 'ns', uid: 'u1' } }, event }));
  t.same(eventsToMirror({ cluster: 'sr', podEvents, alreadyMirrored: stored, now: NOW }), [], 'nothing left once the mirrors exist');
  t.same(eventsToMirror({ cluster: 'sr', podEvents, alreadyMirrored: stored.slice(0, 1), now: NOW }).map((e) => e.name), ['sr-fe-1.bbbbb.mirror']);
});

t.test("only the agents' events about this cluster's pods, and Normal ones only when they matter", async (t) => {
  const mirrors = eventsToMirror({
    cluster: 'sr',
    podEvents: [
      agentEvent({ name: 'k.1', pod: 'sr-be-0', reason: 'BackOff', source: 'kubelet' }),
      agentEvent({ name: 'o.1', pod: 'sr-fe-fe-0', reason: 'SplitBrain' }),
      agentEvent({ name: 'o.2', pod: 'other-be-0', reason: 'SplitBrain' }),
      agentEvent({ name: 'o.3', pod: 'sr-be-x', reason: 'SplitBrain' }),
      agentEvent({ name: 'c.1', pod: 'sr', reason: 'SplitBrain', kind: 'StarRocksCluster' }),
      agentEvent({ name: 'n.1', pod: 'sr-be-1', reason: 'WaitingForTabletHealth', type: 'Normal' }),
      agentEvent({ name: 'n.2', pod: 'sr-be-1', reason: 'Decommissioning', type: 'Normal' }),
      agentEvent({ name: 'n.3', pod: 'sr-cn-0', reason: 'ScalingIn', type: 'Normal' }),
      agentEvent({ name: 'old', pod: 'sr-be-1', reason: 'ScaleInRefused', at: minutesAgo(61) }),
      { metadata: { name: 'broken' }, involvedObject: { kind: 'Pod' }, source: { component: AGENT_EVENT_SOURCE } },
    ],
    alreadyMirrored: [],
    now: NOW,
  });
  t.same(mirrors.map((e) => `${e.pod} ${e.reason}`), ['sr-be-1 Decommissioning', 'sr-cn-0 ScalingIn']);
});

t.test('bounded: at most MIRROR_LIMIT per call, the newest, oldest first', async (t) => {
  const podEvents = Array.from({ length: MIRROR_LIMIT + 5 }, (_, i) => agentEvent({ name: `sr-be-0.e${String(i).padStart(2, '0')}`, pod: 'sr-be-0', reason: 'DecommissionRefused', at: minutesAgo(50 - i) }));
  const mirrors = eventsToMirror({ cluster: 'sr', podEvents: podEvents.reverse(), alreadyMirrored: [], now: NOW });
  t.equal(mirrors.length, MIRROR_LIMIT);
  t.equal(mirrors[0]?.name, 'sr-be-0.e05.mirror', 'the 5 oldest are left out');
  t.equal(mirrors.at(-1)?.name, `sr-be-0.e${MIRROR_LIMIT + 4}.mirror`);
});

t.test('the mirror is an event about the StarRocksCluster, so kubectl describe lists it', async (t) => {
  const [event] = eventsToMirror({ cluster: 'sr', podEvents: [agentEvent({ name: 'sr-be-1.q', pod: 'sr-be-1', reason: 'Decommissioned', type: 'Normal', at: minutesAgo(2) })], alreadyMirrored: [], now: NOW });
  if (event === undefined) throw new Error('no mirror');
  t.same(mirrorEventObject({ cluster: { metadata: { name: 'sr', namespace: 'ns', uid: 'u1' } }, event }), {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'sr-be-1.q.mirror', namespace: 'ns' },
    involvedObject: { apiVersion: 'starrocks.com/v1', kind: 'StarRocksCluster', name: 'sr', namespace: 'ns', uid: 'u1' },
    related: { apiVersion: 'v1', kind: 'Pod', name: 'sr-be-1', namespace: 'ns' },
    type: 'Normal',
    reason: 'Decommissioned',
    message: 'sr-be-1: Decommissioned happened',
    source: { component: AGENT_EVENT_SOURCE, host: 'sr-be-1' },
    reportingComponent: 'starrocks-controller',
    firstTimestamp: minutesAgo(2),
    lastTimestamp: minutesAgo(2),
    count: 1,
  });
});
