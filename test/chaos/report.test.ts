import t from 'tap';
import { chaosTable, median } from './report.ts';
import type { RunReport } from './run-scenario.ts';

const run = (scenario: string, agent: 'ours' | 'baseline', broken: string[], convergeMs: number | undefined): RunReport => ({
  scenario,
  seed: 1,
  agent,
  violations: broken.map((b) => ({ invariant: b as 'no-ghost', detail: 'x' })),
  convergeMs,
  timeline: [],
});

t.test('median', async (t) => {
  t.equal(median([]), undefined);
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 2, 3]), 2.5);
});

t.test('the table counts broken invariants per agent and the median time to converge', async (t) => {
  const table = chaosTable([run('a', 'ours', [], 2_000), run('a', 'ours', [], 4_000), run('a', 'baseline', ['one-cluster-id', 'no-ghost'], undefined), run('a', 'baseline', [], 9_000)]);
  const lines = table.split('\n');
  t.match(lines[0], /^scenario +\| runs +\| broken \(ours\) +\| broken \(baseline\) +\| converge median/);
  t.match(lines[2], /^a +\| 2 +\| 0 +\| 2 \(one-cluster-id, no-ghost\) +\| 3\.0 \/ 9\.0 \(1 never\)$/);
  t.match(lines[3], /^total \(1 scenarios\) \| 4 /);
});
