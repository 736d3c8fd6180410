/**
 * BE decommission progress as the agent records it in its pod's
 * `starrocks.com/agent-decommission` annotation and in events: when it started, the tablets at
 * the start and now, and whether StarRocks refused. A pure fold over the scale-in steps, so a
 * preStop that restarts half-way keeps the original start time and tablet count.
 *
 * @example
 * ```ts
 * progress = advanceDecommission(progress, planBeScaleIn(input), new Date());
 * await kube.annotateSelf({ [ANNOTATIONS.decommission]: JSON.stringify(progress) });
 * ```
 */
import type { BeScaleInStep } from './shutdown.ts';

/** The recorded progress. */
export interface DecommissionProgress {
  readonly state: 'decommissioning' | 'blocked' | 'dropping' | 'done';
  readonly startedAt: string;
  readonly updatedAt: string;
  /** Tablets when the decommission started, once known. */
  readonly tabletsAtStart: number | undefined;
  /** Tablets left at the last reading, once known. */
  readonly tabletsLeft: number | undefined;
  /** Why it is blocked (StarRocks' refusal), or the last step's reason. */
  readonly reason: string;
}

/** The progress after a step. `previous` is the annotation's last value, if any. Pure. */
export function advanceDecommission(previous: DecommissionProgress | undefined, step: BeScaleInStep, now: Date): DecommissionProgress {
  const at = now.toISOString();
  const startedAt = previous?.startedAt ?? at;
  const tabletsLeft = step.kind === 'wait-tablets' || step.kind === 'decommission' ? (step.tablets ?? previous?.tabletsLeft) : step.kind === 'drop' || step.kind === 'done' ? 0 : previous?.tabletsLeft;
  const tabletsAtStart = previous?.tabletsAtStart ?? (step.kind === 'wait-tablets' || step.kind === 'decommission' ? step.tablets : undefined);
  const state: DecommissionProgress['state'] =
    step.kind === 'blocked' ? 'blocked' : step.kind === 'drop' ? 'dropping' : step.kind === 'done' ? 'done' : 'decommissioning';
  return { state, startedAt, updatedAt: at, tabletsAtStart, tabletsLeft, reason: step.reason };
}

/** A one-line summary for events and logs. */
export function describeDecommission(progress: DecommissionProgress): string {
  const moved =
    progress.tabletsAtStart !== undefined && progress.tabletsLeft !== undefined
      ? `, ${progress.tabletsAtStart - progress.tabletsLeft} of ${progress.tabletsAtStart} tablets moved`
      : progress.tabletsLeft !== undefined
        ? `, ${progress.tabletsLeft} tablets left`
        : '';
  return `${progress.state} since ${progress.startedAt}${moved}: ${progress.reason}`;
}
