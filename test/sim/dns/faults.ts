/**
 * DNS fault injection as data: which fault, if any, applies to a question. The server applies it
 * (drop the packet, answer SERVFAIL or NXDOMAIN, or answer late).
 *
 * @example
 * ```ts
 * const faults = [{ match: '*.sr-fe-search.ns.svc.cluster.local', kind: 'drop' }];
 * pickFault(faults, { name: 'sr-fe-0.sr-fe-search.ns.svc.cluster.local', type: 'A' }); // 0
 * ```
 */
import { normalizeName } from './zone.ts';
import type { ZoneQuestion } from './zone.ts';

/** What a fault does to a matching query (`nxdomain`: the name does not exist yet, as before endpoints propagate). */
export type DnsFaultKind = 'drop' | 'servfail' | 'nxdomain' | 'delay';

/** One injected fault. */
export interface DnsFault {
  /**
   * `'all'`; an exact name (case and trailing dot ignored); `*.suffix` for every name under
   * `suffix`; or a RegExp tested against the normalized name.
   */
  match: 'all' | string | RegExp;
  kind: DnsFaultKind;
  /** For `delay`: how long the answer is held back. */
  delayMs?: number | undefined;
  /** Only these query types (`A`, `SRV`, `PTR`, ...); all types when absent. */
  types?: readonly string[] | undefined;
  /** Only the next `times` matching queries; forever when absent. */
  times?: number | undefined;
}

/** True when `fault` applies to `question`. */
export function faultMatches(fault: DnsFault, question: ZoneQuestion): boolean {
  const name = normalizeName(question.name);
  if (fault.types !== undefined && !fault.types.some((t) => t.toUpperCase() === question.type.toUpperCase())) return false;
  if (fault.times !== undefined && fault.times <= 0) return false;
  const { match } = fault;
  if (match instanceof RegExp) return match.test(name);
  if (match === 'all') return true;
  const pattern = normalizeName(match);
  if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1));
  return name === pattern;
}

/** Index of the first fault that applies to `question`, or -1. */
export function pickFault(faults: readonly DnsFault[], question: ZoneQuestion): number {
  return faults.findIndex((f) => faultMatches(f, question));
}
