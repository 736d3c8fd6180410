import t from 'tap';
import { isAbortError } from '../../../agent/contract/backoff.ts';
import { pollUntil } from '../../../agent/util/poll.ts';
import type { PollResult } from '../../../agent/util/poll.ts';

t.test('polls from milliseconds up and returns the value as soon as it is done', async (t) => {
  let calls = 0;
  const started = performance.now();
  const value = await pollUntil<string>({
    attempt: async () => (++calls < 5 ? { done: false, reason: 'not yet' } : { done: true, value: 'ready' }),
    maxBackoffMs: 1000,
    random: () => 0.999,
  });
  t.equal(value, 'ready');
  t.equal(calls, 5);
  // 5 + 10 + 20 + 40 ms of back-off: far below the 1 s cap, no fixed 2 s sleep.
  t.ok(performance.now() - started < 5000);
});

t.test('a new reason restarts the back-off and is reported at once; a repeated one is rate-limited', async (t) => {
  const reasons = ['dns', 'dns', 'dns', 'dns', 'dns', 'dns', 'no leader', 'no leader'];
  const reports: Array<{ reason: string; nextDelayMs: number }> = [];
  let i = 0;
  let clock = 0;
  await pollUntil<number>({
    attempt: async () => {
      clock += 100;
      const reason = reasons[i++];
      return reason === undefined ? { done: true, value: 1 } : ({ done: false, reason } as PollResult<number>);
    },
    maxBackoffMs: 40,
    random: () => 0.999,
    reportEveryMs: 250,
    now: () => clock,
    onWait: (reason, info) => reports.push({ reason, nextDelayMs: info.nextDelayMs }),
  });
  t.same(
    reports.map((r) => r.reason),
    ['dns', 'dns', 'no leader'],
    'dns at once, again after 300 ms of the fake clock, then the new reason at once',
  );
  t.equal(reports[2]?.nextDelayMs, 5, 'the back-off started over on the new reason');
});

t.test('an abort ends the wait at once; an attempt that throws rejects', async (t) => {
  const controller = new AbortController();
  const pending = pollUntil({ attempt: async () => ({ done: false, reason: 'never' }), maxBackoffMs: 60_000, baseMs: 60_000, signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  t.ok(isAbortError(await pending.catch((e: unknown) => e)));
  await t.rejects(
    pollUntil({
      attempt: async () => {
        throw new Error('boom');
      },
      maxBackoffMs: 10,
    }),
    { message: 'boom' },
  );
});
