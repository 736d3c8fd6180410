/**
 * The cached promtool (built from github.com/prometheus/prometheus by test/world/build.ts): its
 * metrics linter and its rule checker, which parses PromQL as Prometheus does.
 */
import { spawnSync } from 'node:child_process';
import { locatePromtool } from '../../world/binaries.ts';

/** What promtool printed and its exit code. */
export interface PromtoolResult {
  code: number;
  /** stdout and stderr together: promtool writes its findings to either. */
  output: string;
}

function promtool(): string {
  const binary = locatePromtool();
  if (binary === undefined) throw new Error('promtool is not built: run node test/world/build.ts (npm run setup builds it from github.com/prometheus/prometheus into ~/.cache/starrocks-k8s-world)');
  return binary;
}

function run(args: readonly string[], input?: string): PromtoolResult {
  const result = spawnSync(promtool(), [...args], { input, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH } });
  if (result.error !== undefined) throw result.error;
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** `promtool check metrics` of a /metrics body (exit 0 and no output: clean). */
export function checkMetrics(text: string): PromtoolResult {
  return run(['check', 'metrics'], text);
}

/** `promtool check rules FILE`: parses every expression of a rules file. */
export function checkRules(file: string): PromtoolResult {
  return run(['check', 'rules', file]);
}
