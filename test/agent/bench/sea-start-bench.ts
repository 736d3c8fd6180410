/**
 * Start-up benchmark of the agent's executable (issue 13), printed, not asserted: cold start of
 * `starrocks-agent --version` as the single executable (dist/starrocks-agent), as the ESM bundle
 * on Node (dist/starrocks-agent.mjs), and a bare `node -e 0`, in the same run, alternating (each
 * round runs every candidate once, in a rotated order), so load on the machine hits all alike.
 * Executables built with other start-up options (e.g. `node images/build-sea.ts --arch x64
 * --startup none --out .cache/sea-variants/none`) are measured too when present; images/README.md
 * has the figures.
 *
 * Run: `node_modules/.bin/node test/agent/bench/sea-start-bench.ts [rounds]`.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, ensureAgentExecutable, newestInput } from '../../images/fixtures/executable.ts';

const ROUNDS = Number(process.argv[2] ?? 20);
const BUNDLE = join(REPO_ROOT, 'dist', 'starrocks-agent.mjs');
const VARIANTS = join(REPO_ROOT, '.cache', 'sea-variants');

interface Candidate {
  name: string;
  argv: string[];
  times: number[];
}

async function ensureBundle(): Promise<void> {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= (await newestInput())) return;
  await promisify(execFile)('npm', ['run', '--silent', 'build:agent'], { cwd: REPO_ROOT, timeout: 120_000 });
}

const executable = await ensureAgentExecutable('x64');
await ensureBundle();
const candidates: Candidate[] = [
  { name: 'node -e 0', argv: [process.execPath, '-e', '0'], times: [] },
  { name: 'node dist/starrocks-agent.mjs --version', argv: [process.execPath, BUNDLE, '--version'], times: [] },
  { name: 'dist/starrocks-agent --version (code cache)', argv: [executable, '--version'], times: [] },
];
for (const variant of existsSync(VARIANTS) ? readdirSync(VARIANTS) : []) {
  const file = join(VARIANTS, variant, 'starrocks-agent');
  if (existsSync(file)) candidates.push({ name: `starrocks-agent --version (${variant})`, argv: [file, '--version'], times: [] });
}

function once(candidate: Candidate): number {
  const [file, ...args] = candidate.argv as [string, ...string[]];
  const started = performance.now();
  const result = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`${candidate.name} exited ${String(result.status)}: ${result.stderr.toString()}`);
  return elapsed;
}

// One warm-up run each: the first run of a 130 MB file reads it from disk, not from the page cache.
for (const candidate of candidates) once(candidate);
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[(round + i) % candidates.length] as Candidate;
    candidate.times.push(once(candidate));
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const bare = median((candidates[0] as Candidate).times);
console.log(`cold start, ${ROUNDS} alternating rounds, median (min..max), ratio to bare node:`);
for (const candidate of candidates) {
  const m = median(candidate.times);
  console.log(
    `  ${candidate.name.padEnd(48)} ${m.toFixed(1).padStart(6)} ms  (${Math.min(...candidate.times).toFixed(1)}..${Math.max(...candidate.times).toFixed(1)})  ${(m / bare).toFixed(2)}x`,
  );
}
