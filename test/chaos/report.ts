/**
 * The chaos table: one row per scenario, our agent's column beside the baseline's.
 *
 * @example
 * ```ts
 * chaosTable(reports);
 * // scenario | runs | broken (ours) | broken (baseline) | converge median (ours / baseline)
 * ```
 */
import type { RunReport } from './run-scenario.ts';

/** Median of a list of numbers; undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The table as aligned text, with a totals line. */
export function chaosTable(reports: readonly RunReport[]): string {
  const scenarios = [...new Set(reports.map((r) => r.scenario))];
  const header = ['scenario', 'runs', 'broken (ours)', 'broken (baseline)', 'converge median s (ours / baseline)'];
  const cell = (list: readonly RunReport[]): string => {
    if (list.length === 0) return '-';
    const broken = list.reduce((n, r) => n + r.violations.length, 0);
    const kinds = [...new Set(list.flatMap((r) => r.violations.map((v) => v.invariant)))];
    return kinds.length === 0 ? '0' : `${broken} (${kinds.join(', ')})`;
  };
  const converge = (list: readonly RunReport[]): string => {
    if (list.length === 0) return '-';
    const m = median(list.filter((r) => r.convergeMs !== undefined).map((r) => r.convergeMs as number));
    const never = list.filter((r) => r.convergeMs === undefined).length;
    return `${m === undefined ? 'never' : (m / 1000).toFixed(1)}${never > 0 && m !== undefined ? ` (${never} never)` : ''}`;
  };
  const rows = scenarios.map((name) => {
    const mine = reports.filter((r) => r.scenario === name && r.agent === 'ours');
    const base = reports.filter((r) => r.scenario === name && r.agent === 'baseline');
    return [name, String(Math.max(mine.length, base.length)), cell(mine), cell(base), `${converge(mine)} / ${converge(base)}`];
  });
  const ours = reports.filter((r) => r.agent === 'ours');
  const baseline = reports.filter((r) => r.agent === 'baseline');
  rows.push([`total (${scenarios.length} scenarios)`, String(reports.length), cell(ours), cell(baseline), `${converge(ours)} / ${converge(baseline)}`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
