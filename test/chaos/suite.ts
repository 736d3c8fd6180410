/**
 * How `npm test` runs the chaos scenarios: each once, with seed 1, against our agent, plus the
 * seeds that once broke an invariant (regressions). The sweep over many seeds and the baseline
 * stay in `npm run chaos`. Two test files split the list so tap runs them side by side.
 */
import t from 'tap';
import { runScenario } from './run-scenario.ts';
import { SCENARIOS } from './scenarios/index.ts';

/** Seeds that broke an invariant of our agent once; kept after the fix (scenario name, seed, what broke). */
const REGRESSIONS: readonly { scenario: string; seed: number; found: string }[] = [];

/** Runs the scenarios at `part` of `parts` (by position), and the regressions among them. */
export function suite(part: number, parts: number): void {
  const mine = SCENARIOS.filter((_, i) => i % parts === part);
  const runs = [
    ...mine.map((s) => ({ scenario: s, seed: 1 })),
    ...REGRESSIONS.flatMap((r) => mine.filter((s) => s.name === r.scenario).map((s) => ({ scenario: s, seed: r.seed }))),
  ];
  t.setTimeout(runs.length * 600_000 + 60_000);
  for (const { scenario, seed } of runs) {
    t.test(`${scenario.name} (seed ${seed}): ${scenario.summary}`, async (t) => {
      const report = await runScenario({ scenario, seed, agent: 'ours' });
      t.same(
        report.violations.map((v) => `${v.invariant}: ${v.detail}`),
        [],
        'no invariant broken',
      );
      t.ok(report.convergeMs !== undefined, `converged after the faults in ${report.convergeMs ?? 'never'} ms`);
      if (report.violations.length > 0) t.comment(`replay: npm run chaos -- --scenario ${scenario.name} --seed ${seed} --agent ours\n${report.timeline.join('\n')}`);
    });
  }
}
