import t from 'tap';
import { startFenceKeeper } from '../../../agent/commands/fence-keeper.ts';
import type { Context } from '../../../agent/commands/context.ts';
import { kubeFenceStore } from '../../../agent/commands/fence-store.ts';
import { ANNOTATIONS } from '../../../agent/contract/index.ts';
import { AgentError } from '../../../agent/contract/errors.ts';
import type { AgentEvent, AgentKube, Fence } from '../../../agent/kube/agent-kube.ts';
import { createLogger } from '../../../agent/contract/log.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

/** An API server holding one fence, with a switch that makes creates fail. */
function fakeKube(): { kube: AgentKube; fence: () => Fence | undefined; setFence: (f: Fence | undefined) => void; failCreates: (n: number) => void; annotations: Record<string, string>; events: AgentEvent[] } {
  let fence: Fence | undefined;
  let failures = 0;
  const annotations: Record<string, string> = {};
  const events: AgentEvent[] = [];
  const kube: AgentKube = {
    statefulSetReplicas: async () => 3,
    readFence: async () => fence,
    createFence: async (_name, f) => {
      if (failures > 0) {
        failures--;
        throw new AgentError('ERR_KUBERNETES', 'creating the fence ConfigMap failed: 503 (fault injected)');
      }
      if (fence !== undefined) return 'exists';
      fence = f;
      return 'created';
    },
    readStarRocksCluster: async () => undefined,
    readPod: async () => undefined,
    annotateSelf: async (changes) => {
      for (const [k, v] of Object.entries(changes)) if (v !== null) annotations[k] = v;
    },
    emitEvent: async (event) => {
      events.push(event);
    },
  };
  return { kube, fence: () => fence, setFence: (f) => (fence = f), failCreates: (n) => (failures = n), annotations, events };
}

// The keeper touches only these fields of a command context.
function context(kube: AgentKube): Context {
  const partial: Pick<Context, 'kube' | 'fence' | 'log'> & { config: { podName: string } } = {
    kube,
    fence: kubeFenceStore(kube, 'prod-fe-bootstrap'),
    log: createLogger({ level: 'silent', secrets: [], base: {} }),
    config: { podName: 'prod-fe-1' },
  };
  return partial as unknown as Context;
}

async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

t.test('issue 11 item 2: a fence deleted by hand is re-created within one interval by any FE', async (t) => {
  const world = fakeKube();
  world.setFence({ clusterId: '42', bootstrappedBy: 'prod-fe-0', at: 'then' });
  const keeper = startFenceKeeper({ ctx: context(world.kube), clusterId: () => 42, intervalMs: 100 });
  t.teardown(() => keeper.stop());
  await until('the cluster id annotation', () => world.annotations[ANNOTATIONS.clusterId] === '42');
  world.setFence(undefined);
  const deletedAt = Date.now();
  await until('the fence to be re-created', () => world.fence() !== undefined);
  t.ok(Date.now() - deletedAt < 1000, `re-created after ${Date.now() - deletedAt} ms (interval 100 ms)`);
  t.match(world.fence(), { clusterId: '42', bootstrappedBy: 'prod-fe-1' });
});

t.test('issue 11 item 2: a failing create is retried every interval until it succeeds', async (t) => {
  const world = fakeKube();
  world.failCreates(3);
  const keeper = startFenceKeeper({ ctx: context(world.kube), clusterId: () => 7, intervalMs: 50 });
  t.teardown(() => keeper.stop());
  await until('the fence after three failed creates', () => world.fence() !== undefined);
  t.equal(world.fence()?.clusterId, '7');
});

t.test('nothing is created before the FE reports its cluster id, and a fence of another cluster is never replaced', async (t) => {
  const world = fakeKube();
  const reported: { id: number | undefined } = { id: undefined };
  const keeper = startFenceKeeper({ ctx: context(world.kube), clusterId: () => reported.id, intervalMs: 30 });
  t.teardown(() => keeper.stop());
  await sleep(150);
  t.equal(world.fence(), undefined, 'no id, no fence');
  world.setFence({ clusterId: '99', bootstrappedBy: 'prod-fe-0', at: 'then' });
  reported.id = 42;
  await until('the annotation', () => world.annotations[ANNOTATIONS.clusterId] === '42');
  await sleep(150);
  t.equal(world.fence()?.clusterId, '99', 'create-only: the stored fence stays');
});

t.test('a fence whose clusterId is not a number reads as unknown, never absent', async (t) => {
  const world = fakeKube();
  world.setFence({ clusterId: 'null', bootstrappedBy: '', at: '' });
  t.match(await kubeFenceStore(world.kube, 'prod-fe-bootstrap').read(), { kind: 'unknown', reason: /invalid cluster id/ });
});
