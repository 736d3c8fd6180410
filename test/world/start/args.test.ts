import t from 'tap';
import { DEFAULT_CLUSTER, DEFAULT_TIMEOUT_MS, parseDuration, parseStartArgs } from './args.ts';

t.test('no argument: the default example, stay up, ten minutes', async (t) => {
  t.same(parseStartArgs([]), { ok: true, options: { cluster: DEFAULT_CLUSTER, exitWhenReady: false, timeoutMs: DEFAULT_TIMEOUT_MS, help: false } });
});

t.test('--cluster FILE, --cluster=FILE, --no-cluster, --exit-when-ready, --timeout', async (t) => {
  t.match(parseStartArgs(['--cluster', 'a.yaml']), { ok: true, options: { cluster: 'a.yaml' } });
  t.match(parseStartArgs(['--cluster=b.yaml', '--exit-when-ready']), { ok: true, options: { cluster: 'b.yaml', exitWhenReady: true } });
  t.match(parseStartArgs(['--no-cluster']), { ok: true, options: { cluster: undefined } });
  t.match(parseStartArgs(['--timeout', '90s']), { ok: true, options: { timeoutMs: 90_000 } });
  t.match(parseStartArgs(['--timeout=2m']), { ok: true, options: { timeoutMs: 120_000 } });
  t.match(parseStartArgs(['--help']), { ok: true, options: { help: true } });
});

t.test('errors name the argument and what is accepted', async (t) => {
  t.match(parseStartArgs(['--cluster']), { ok: false, error: /--cluster needs a manifest file/ });
  t.match(parseStartArgs(['--cluster', 'a.yaml', '--no-cluster']), { ok: false, error: /exclude each other/ });
  t.match(parseStartArgs(['--timeout', 'soon']), { ok: false, error: /--timeout needs a positive duration .* got "soon"/ });
  t.match(parseStartArgs(['--timeout', '0']), { ok: false, error: /--timeout/ });
  t.match(parseStartArgs(['--fast']), { ok: false, error: 'unknown argument "--fast"' });
});

t.test('durations: plain seconds, ms, s, m', async (t) => {
  t.equal(parseDuration('600'), 600_000);
  t.equal(parseDuration('1500ms'), 1_500);
  t.equal(parseDuration('1.5m'), 90_000);
  t.equal(parseDuration('-1'), undefined);
  t.equal(parseDuration('10h'), undefined);
});
