/**
 * `npm run chaos`: every scenario with N seeds (default 5) for our agent and the baseline, one
 * run at a time, then a table: scenario | runs | invariants broken (ours) | (baseline) | time to
 * converge (median, ours / baseline). A broken run prints its seed and timeline.
 *
 *   npm run chaos                                   # every scenario, seeds 1..5, both agents
 *   npm run chaos -- --seeds 2 --agent ours         # fewer runs, one agent
 *   npm run chaos -- --scenario NAME --seed S       # replay one run (both agents unless --agent)
 */
import { parseArgs } from 'node:util';
import { runScenario } from './run-scenario.ts';
import type { RunReport } from './run-scenario.ts';
import { chaosTable } from './report.ts';
import type { AgentKind } from './scenario.ts';
import { SCENARIOS } from './scenarios/index.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    seed: { type: 'string' },
    seeds: { type: 'string', default: '5' },
    agent: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const fail = (message: string): never => {
  process.stderr.write(`chaos: ${message}\n`);
  process.exit(2);
};
const scenarios = values.scenario === undefined ? SCENARIOS : SCENARIOS.filter((s) => s.name === values.scenario);
if (scenarios.length === 0) fail(`no scenario named "${values.scenario}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
const seedCount = Number(values.seeds);
if (!Number.isInteger(seedCount) || seedCount < 1) fail(`--seeds ${values.seeds} must be a whole number >= 1`);
const seeds = values.seed === undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : [Number(values.seed)];
if (seeds.some((s) => !Number.isInteger(s))) fail(`--seed ${values.seed} must be a whole number`);
if (values.agent !== undefined && values.agent !== 'ours' && values.agent !== 'baseline') fail(`--agent ${values.agent} must be ours or baseline`);
const agents: AgentKind[] = values.agent === undefined ? ['ours', 'baseline'] : [values.agent as AgentKind];

const reports: RunReport[] = [];
const total = scenarios.length * seeds.length * agents.length;
for (const scenario of scenarios) {
  for (const seed of seeds) {
    for (const agent of agents) {
      const started = Date.now();
      const report = await runScenario({ scenario, seed, agent, ...(values.verbose ? { onLine: (l: string) => process.stdout.write(`  ${l}\n`) } : {}) });
      reports.push(report);
      const outcome = report.violations.length === 0 ? `ok, converged in ${((report.convergeMs ?? 0) / 1000).toFixed(1)} s` : `${report.violations.length} invariants broken`;
      process.stdout.write(`[${reports.length}/${total}] ${scenario.name} seed ${seed} ${agent}: ${outcome} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      if (report.violations.length > 0) {
        for (const v of report.violations) process.stdout.write(`    ${v.invariant}: ${v.detail}\n`);
        process.stdout.write(`    replay: npm run chaos -- --scenario ${scenario.name} --seed ${seed} --agent ${agent}\n`);
        if (agent === 'ours' || values.verbose) process.stdout.write(`${report.timeline.map((l) => `    | ${l}`).join('\n')}\n`);
      }
    }
  }
}
process.stdout.write(`\n${chaosTable(reports)}\n`);
process.exit(reports.some((r) => r.agent === 'ours' && r.violations.length > 0) ? 1 : 0);
