import t from 'tap';
import { createWorkQueue } from '../../../controller/run/work-queue.ts';

t.test('a key queued many times while pending runs once; a key re-queued while running runs again after', async (t) => {
  const runs: string[] = [];
  let release: (() => void) | undefined;
  const gate = new Promise<void>((r) => (release = r));
  const queue = createWorkQueue({
    concurrency: 1,
    handle: async (key) => {
      runs.push(key);
      if (runs.length === 1) await gate;
      return undefined;
    },
    onError: () => {},
  });
  queue.add('a'); // runs at once, held by the gate
  queue.add('b');
  queue.add('b');
  queue.add('b'); // pending once
  queue.add('a'); // a is running: runs again after it
  await new Promise((r) => setTimeout(r, 20));
  t.same(runs, ['a'], 'concurrency 1: nothing else runs meanwhile');
  release?.();
  await queue.idle();
  t.same(runs, ['a', 'b', 'a']);
  t.equal(queue.processed, 3);
  queue.stop();
});

t.test('two workers never run the same key at once', async (t) => {
  const active = new Map<string, number>();
  let worst = 0;
  const queue = createWorkQueue({
    concurrency: 2,
    handle: async (key) => {
      active.set(key, (active.get(key) ?? 0) + 1);
      worst = Math.max(worst, active.get(key) ?? 0);
      await new Promise((r) => setTimeout(r, 5));
      active.set(key, (active.get(key) ?? 1) - 1);
      return undefined;
    },
    onError: () => {},
  });
  for (let i = 0; i < 20; i++) queue.add(i % 2 === 0 ? 'x' : 'y');
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 3));
    queue.add('x');
  }
  await queue.idle();
  t.equal(worst, 1);
  queue.stop();
});

t.test('a failing key is retried with back-off; a delayed re-check comes back', async (t) => {
  const attempts: number[] = [];
  const errors: unknown[] = [];
  let checks = 0;
  const queue = createWorkQueue({
    concurrency: 1,
    baseBackoffMs: 10,
    // The ceiling of the full-jitter back-off, so the doubling is visible.
    random: () => 0.999,
    handle: async (key) => {
      if (key === 'fail') {
        attempts.push(Date.now());
        if (attempts.length < 3) throw new Error('boom');
        return undefined;
      }
      checks += 1;
      return checks < 2 ? 10 : undefined;
    },
    onError: (_key, error) => errors.push(error),
  });
  queue.add('fail');
  queue.add('check');
  for (let i = 0; i < 200 && (attempts.length < 3 || checks < 2); i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(attempts.length, 3);
  t.equal(errors.length, 2);
  t.equal(checks, 2);
  t.ok((attempts[2] ?? 0) - (attempts[1] ?? 0) >= 15, 'second retry waited about twice the first');
  queue.stop();
});
