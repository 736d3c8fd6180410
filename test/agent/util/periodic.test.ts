import t from 'tap';
import { every } from '../../../agent/util/periodic.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

const wait = (ms: number): Promise<void> => sleep(ms);

t.test('rounds never overlap, a failed round does not stop the job, stop ends it', async (t) => {
  let running = 0;
  let overlapped = false;
  let rounds = 0;
  const errors: unknown[] = [];
  const job = every({
    intervalMs: 5,
    immediate: true,
    round: async () => {
      running++;
      overlapped ||= running > 1;
      rounds++;
      await wait(20);
      running--;
      if (rounds === 2) throw new Error('round 2 failed');
    },
    onError: (error) => errors.push(error),
  });
  await wait(200);
  job.stop();
  const stoppedAt = rounds;
  await wait(100);
  t.equal(overlapped, false, 'one round at a time');
  t.ok(stoppedAt >= 4, `${stoppedAt} rounds ran, past the failed one`);
  t.equal(errors.length, 1);
  t.ok(rounds <= stoppedAt + 1, 'no round starts after stop (one may finish)');
});

t.test('immediate: false waits one interval before the first round', async (t) => {
  let rounds = 0;
  const job = every({ intervalMs: 80, immediate: false, round: async () => void rounds++, onError: () => undefined });
  await wait(30);
  t.equal(rounds, 0);
  await wait(100);
  t.equal(rounds, 1);
  job.stop();
});
