import t from 'tap';
import fc from 'fast-check';
import { backoffCeiling, backoffDelay, createBackoff, isAbortError, sleep } from '../../../agent/contract/backoff.ts';

t.test('ceilings double from a few ms up to maxMs and stay there', async (t) => {
  const options = { maxMs: 1000 };
  t.same(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 10_000].map((a) => backoffCeiling(a, options)),
    [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000],
  );
  t.equal(backoffCeiling(-3, options), 5, 'a negative attempt is the first one');
});

t.test('full jitter: every delay is a whole number in [1, ceiling]', async (t) => {
  fc.assert(
    fc.property(
      fc.nat(200),
      fc.integer({ min: 1, max: 600_000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, maxMs, baseMs, r) => {
        const delay = backoffDelay(attempt, { maxMs, baseMs, random: () => r });
        const ceiling = backoffCeiling(attempt, { maxMs, baseMs });
        return Number.isInteger(delay) && delay >= 1 && delay <= Math.max(1, ceiling) && ceiling <= maxMs;
      },
    ),
  );
  t.equal(backoffDelay(3, { maxMs: 1000, random: () => 0.5 }), 20);
  t.equal(backoffDelay(3, { maxMs: 1000, random: () => 0 }), 1, 'never zero: a loop always yields');
});

t.test('createBackoff grows per call and reset starts over', async (t) => {
  const backoff = createBackoff({ maxMs: 100, random: () => 0.999999 });
  t.same([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()], [5, 10, 20, 40, 80, 100]);
  t.equal(backoff.attempts, 6);
  backoff.reset();
  t.equal(backoff.next(), 5);
});

t.test('sleep resolves after the delay and rejects at once on abort', async (t) => {
  const started = Date.now();
  await sleep(20);
  t.ok(Date.now() - started >= 15);

  const controller = new AbortController();
  const pending = sleep(60_000, controller.signal);
  setTimeout(() => controller.abort(), 5);
  const error = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isAbortError(error), 'aborted sleep rejects with an AbortError');
  t.ok(Date.now() - started < 30_000);

  const already = AbortSignal.abort();
  t.ok(isAbortError(await sleep(10, already).catch((e: unknown) => e)), 'an aborted signal rejects at once');
  t.notOk(isAbortError(new Error('x')));
});
