/**
 * `npm run chaos`: every scenario with N seeds (default 5) for our agent and the baseline, then a
 * table: scenario | runs | invariants broken (ours) | (baseline) | time to converge (median, ours /
 * baseline). A broken run prints its seed and timeline. Runs go seed by seed (every scenario with
 * seed 1 first), so a sweep cut short still covers every scenario.
 *
 *   npm run chaos                                   # every scenario, seeds 1..5, both agents
 *   npm run chaos -- --seeds 2 --agent ours         # fewer runs, one agent
 *   npm run chaos -- --scenario NAME --seed S       # replay one run (both agents unless --agent)
 *   npm run chaos -- --scenario A,B                 # some scenarios, every seed
 *   npm run chaos -- --jobs 2 --record runs.jsonl   # two worlds at once; one JSON line per run (runs
 *                                                   # already in the file are not run again: resume)
 *   npm run chaos -- --table runs.jsonl             # the table of recorded runs, nothing run
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
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
    jobs: { type: 'string', default: '1' },
    record: { type: 'string' },
    table: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const fail = (message: string): never => {
  process.stderr.write(`chaos: ${message}\n`);
  process.exit(2);
};

function readRecorded(file: string): RunReport[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RunReport);
}

if (values.table !== undefined) {
  process.stdout.write(`${chaosTable(readRecorded(values.table))}\n`);
  process.exit(0);
}

const wanted = values.scenario?.split(',').map((n) => n.trim());
const unknown = wanted?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length > 0) fail(`no scenario named "${unknown.join('", "')}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
const scenarios = wanted === undefined ? SCENARIOS : SCENARIOS.filter((s) => wanted.includes(s.name));
const seedCount = Number(values.seeds);
if (!Number.isInteger(seedCount) || seedCount < 1) fail(`--seeds ${values.seeds} must be a whole number >= 1`);
const seeds = values.seed === undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : [Number(values.seed)];
if (seeds.some((s) => !Number.isInteger(s))) fail(`--seed ${values.seed} must be a whole number`);
if (values.agent !== undefined && values.agent !== 'ours' && values.agent !== 'baseline') fail(`--agent ${values.agent} must be ours or baseline`);
const agents: AgentKind[] = values.agent === undefined ? ['ours', 'baseline'] : [values.agent as AgentKind];
// Each world is a control plane, a simulator and a dozen agents; on 2 cores, 2 at once is what
// the regular suite already does (chaos-world-a/b side by side).
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 6) fail(`--jobs ${values.jobs} must be a whole number from 1 to 6`);

// A sweep cut short goes on where it stopped: runs already in the --record file are not run again
// and count in the table.
const recordedBefore = values.record !== undefined && existsSync(values.record) ? readRecorded(values.record) : [];
const key = (r: { scenario: string; seed: number; agent: AgentKind }): string => `${r.scenario} ${r.seed} ${r.agent}`;
const done = new Set(recordedBefore.map(key));
const everyRun = seeds.flatMap((seed) => scenarios.flatMap((scenario) => agents.map((agent) => ({ scenario, seed, agent }))));
const plan = everyRun.filter((r) => !done.has(key({ ...r, scenario: r.scenario.name })));
const reports: RunReport[] = recordedBefore.filter((r) => everyRun.some((p) => key({ ...p, scenario: p.scenario.name }) === key(r)));
if (reports.length > 0) process.stdout.write(`${reports.length} runs already recorded in ${values.record ?? ''}: not run again\n`);

async function worker(): Promise<void> {
  for (let next = plan.shift(); next !== undefined; next = plan.shift()) {
    const { scenario, seed, agent } = next;
    const started = Date.now();
    const report = await runScenario({ scenario, seed, agent, ...(values.verbose ? { onLine: (l: string) => process.stdout.write(`  ${l}\n`) } : {}) });
    reports.push(report);
    if (values.record !== undefined) appendFileSync(values.record, `${JSON.stringify({ ...report, timeline: [] })}\n`);
    const outcome = report.violations.length === 0 ? `ok, converged in ${((report.convergeMs ?? 0) / 1000).toFixed(1)} s` : `${report.violations.length} invariants broken`;
    const lines = [`[${reports.length}/${total}] ${scenario.name} seed ${seed} ${agent}: ${outcome} (${((Date.now() - started) / 1000).toFixed(0)} s)`];
    if (report.violations.length > 0) {
      lines.push(...report.violations.map((v) => `    ${v.invariant}: ${v.detail}`));
      lines.push(`    replay: npm run chaos -- --scenario ${scenario.name} --seed ${seed} --agent ${agent}`);
    }
    if ((report.violations.length > 0 && agent === 'ours') || values.verbose) lines.push(...report.timeline.map((l) => `    | ${l}`));
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

const total = reports.length + plan.length;
await Promise.all(Array.from({ length: Math.min(jobs, total) }, () => worker()));
reports.sort((a, b) => SCENARIOS.findIndex((s) => s.name === a.scenario) - SCENARIOS.findIndex((s) => s.name === b.scenario) || a.seed - b.seed);
process.stdout.write(`\n${chaosTable(reports)}\n`);
process.exit(reports.some((r) => r.agent === 'ours' && r.violations.length > 0) ? 1 : 0);
