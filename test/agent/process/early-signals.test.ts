import t from 'tap';
import { captureEarlySignals } from '../../../agent/process/early-signals.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

const tick = (): Promise<void> => sleep(50);

t.test('a SIGTERM while run starts is captured (Node does not die with 143) and means: do not start', async (t) => {
  const early = captureEarlySignals();
  t.teardown(() => early.release());
  process.kill(process.pid, 'SIGUSR2');
  await tick();
  t.same(early.received(), ['SIGUSR2']);
  t.equal(early.stopRequested(), false, 'SIGUSR2 is relayed later, not a stop');
  t.equal(early.stopSignal.aborted, false);
  process.kill(process.pid, 'SIGTERM');
  await tick();
  t.same(early.received(), ['SIGUSR2', 'SIGTERM']);
  t.equal(early.stopRequested(), true);
  t.equal(early.stopSignal.aborted, true, 'waits before the start (plan derivation) end');
});

t.test('release removes every handler it installed', async (t) => {
  const before = process.listenerCount('SIGTERM');
  const early = captureEarlySignals();
  t.equal(process.listenerCount('SIGTERM'), before + 1);
  early.release();
  t.equal(process.listenerCount('SIGTERM'), before);
});
