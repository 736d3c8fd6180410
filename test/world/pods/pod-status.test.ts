import t from 'tap';
import { podConditions, podPhase, restartDelayMs, shouldRestart } from './pod-status.ts';
import type { ContainerStatus } from './pod-types.ts';

const status = (name: string, ready: boolean, state: ContainerStatus['state'], restartCount = 0): ContainerStatus => ({
  name,
  ready,
  state,
  lastState: {},
  restartCount,
  image: 'i',
  imageID: 'i',
});
const running = { running: { startedAt: 't' } };

t.test('conditions follow readiness of every container', async (t) => {
  const ready = podConditions({ initialized: true, containers: [status('a', true, running), status('b', true, running)], previous: [], now: 'T1' });
  t.same(
    ready.map((c) => [c.type, c.status]),
    [
      ['PodScheduled', 'True'],
      ['Initialized', 'True'],
      ['ContainersReady', 'True'],
      ['Ready', 'True'],
    ],
  );
  const notReady = podConditions({ initialized: true, containers: [status('a', true, running), status('b', false, running)], previous: ready, now: 'T2' });
  const readyCondition = notReady.find((c) => c.type === 'Ready');
  t.equal(readyCondition?.status, 'False');
  t.match(readyCondition?.message, /\[b\]/);
  t.equal(readyCondition?.lastTransitionTime, 'T2');
  t.equal(notReady.find((c) => c.type === 'Initialized')?.lastTransitionTime, 'T1', 'unchanged conditions keep their transition time');
  const uninitialized = podConditions({ initialized: false, containers: [status('a', false, { waiting: { reason: 'PodInitializing' } })], previous: [], now: 'T' });
  t.equal(uninitialized.find((c) => c.type === 'Initialized')?.status, 'False');
});

t.test('restart policy and back-off', async (t) => {
  t.equal(shouldRestart('Always', 0), true);
  t.equal(shouldRestart(undefined, 1), true);
  t.equal(shouldRestart('OnFailure', 0), false);
  t.equal(shouldRestart('OnFailure', 2), true);
  t.equal(shouldRestart('Never', 2), false);
  t.same([0, 1, 2, 3, 4].map((n) => restartDelayMs(n, 10_000)), [0, 10_000, 20_000, 40_000, 80_000]);
  t.equal(restartDelayMs(50, 10_000), 300_000);
});

t.test('phase', async (t) => {
  t.equal(podPhase({ initialized: false, failedInit: false, containers: [], restartPolicy: 'Always' }), 'Pending');
  t.equal(podPhase({ initialized: false, failedInit: true, containers: [], restartPolicy: 'Never' }), 'Failed');
  t.equal(podPhase({ initialized: true, failedInit: false, containers: [status('a', false, running)], restartPolicy: 'Always' }), 'Running');
  t.equal(podPhase({ initialized: true, failedInit: false, containers: [status('a', false, { waiting: { reason: 'ContainerCreating' } })], restartPolicy: 'Always' }), 'Pending');
  t.equal(podPhase({ initialized: true, failedInit: false, containers: [status('a', false, { waiting: { reason: 'CrashLoopBackOff' } }, 2)], restartPolicy: 'Always' }), 'Running');
  t.equal(podPhase({ initialized: true, failedInit: false, containers: [status('a', false, { terminated: { exitCode: 0 } })], restartPolicy: 'Never' }), 'Succeeded');
  t.equal(podPhase({ initialized: true, failedInit: false, containers: [status('a', false, { terminated: { exitCode: 3 } })], restartPolicy: 'Never' }), 'Failed');
});
