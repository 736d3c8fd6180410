import { Writable } from 'node:stream';
import t from 'tap';
import { LABELS } from '../../../agent/contract/index.ts';
import { createLogger } from '../../../agent/contract/log.ts';
import type { CacheChange, Informers } from '../../../controller/kube/kube-api.ts';
import { startController } from '../../../controller/run/controller.ts';
import { fakeKube } from '../fixtures/fake-kube.ts';
import { baseCluster } from '../fixtures/manifests.ts';

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** Informers over a fake store whose first list completes when `listed()` is called. */
function fakeInformers(cache: Informers['cache']): { informers: Informers; emit: (change: CacheChange) => void; listed: () => void } {
  const listeners: ((change: CacheChange) => void)[] = [];
  let listed: () => void = () => {};
  const started = new Promise<void>((resolve) => (listed = resolve));
  return {
    informers: { cache, onChange: (l) => void listeners.push(l), start: () => started, stop: async () => {} },
    emit: (change) => listeners.forEach((l) => l(change)),
    listed: () => listed(),
  };
}

t.test('nothing is reconciled from a partial cache; once every kind is listed, every cluster is', async (t) => {
  const cr = { ...baseCluster('c'), kind: 'StarRocksCluster' };
  const kube = fakeKube([cr]);
  const { informers, emit, listed } = fakeInformers(kube.cache);
  const abort = new AbortController();
  const reconciled: string[] = [];
  const controller = startController({
    api: kube.api,
    informers,
    log: silent,
    events: { record: async () => {} },
    resyncMs: 60_000,
    progressRecheckMs: 60_000,
    concurrency: 1,
    signal: abort.signal,
    onReconciled: (key) => reconciled.push(key),
  });
  t.teardown(() => abort.abort());
  emit({ kind: 'StarRocksCluster', type: 'add', object: cr as never });
  await new Promise((r) => setTimeout(r, 50));
  t.same(reconciled, [], 'the list of the clusters came first, the StatefulSets are not listed yet');
  listed();
  await new Promise((r) => setTimeout(r, 50));
  await controller.queue.idle();
  t.same(reconciled, ['default/c']);
  // A hand edit of an owned object queues its cluster.
  emit({ kind: 'StatefulSet', type: 'update', object: { metadata: { name: 'c-fe', namespace: 'default', labels: { [LABELS.instance]: 'c' } } } });
  await new Promise((r) => setTimeout(r, 50));
  await controller.queue.idle();
  t.same(reconciled, ['default/c', 'default/c']);
  // A status write of the cluster itself does not.
  emit({ kind: 'StarRocksCluster', type: 'update', object: { metadata: { name: 'c', namespace: 'default', generation: 1 }, status: { observedGeneration: 1 } } });
  await new Promise((r) => setTimeout(r, 50));
  t.equal(reconciled.length, 2);
});

t.test('every cluster is reconciled again each resync interval, without any event', async (t) => {
  const cr = { ...baseCluster('c'), kind: 'StarRocksCluster' };
  const kube = fakeKube([cr]);
  const { informers, listed } = fakeInformers(kube.cache);
  listed();
  const abort = new AbortController();
  const reconciled: number[] = [];
  startController({
    api: kube.api,
    informers,
    log: silent,
    events: { record: async () => {} },
    resyncMs: 100,
    progressRecheckMs: 60_000,
    concurrency: 1,
    signal: abort.signal,
    onReconciled: () => reconciled.push(Date.now()),
  });
  await new Promise((r) => setTimeout(r, 550));
  abort.abort();
  t.ok(reconciled.length >= 4, `${reconciled.length} reconciles in 550 ms with a 100 ms resync`);
  t.ok(kube.applies.filter((a) => a === 'StatefulSet/c-fe').length >= 4, 'each one applies the StatefulSet again');
});
