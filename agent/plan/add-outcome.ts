/**
 * What an ADD (FOLLOWER, OBSERVER, BACKEND, COMPUTE NODE) statement's outcome means. It never
 * means "registered" on its own, "already exists" included (W4): the caller re-reads the
 * leader's view and runs its plan again, and the row decides. Only a wrong password stops.
 *
 * @example
 * ```ts
 * const next = judgeAddOutcome(await leader.exec(addBackend(self)));
 * if (next.kind === 'refuse') throw new AgentError('ERR_REFUSED', next.reason);
 * ```
 */
import type { SqlFailure } from '../sql/sql-error.ts';

/** The next step after an ADD. */
export type AddOutcomeVerdict =
  | { readonly kind: 'reobserve'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string; readonly fix: string };

/** Judge an ADD's outcome. Pure. */
export function judgeAddOutcome(outcome: { readonly ok: true } | { readonly ok: false; readonly failure: SqlFailure }): AddOutcomeVerdict {
  if (outcome.ok) return { kind: 'reobserve', reason: 'ADD accepted; confirming in the leader\'s view' };
  const { failure } = outcome;
  switch (failure.kind) {
    case 'auth':
      return { kind: 'refuse', reason: `the FE denies access to root: ${failure.message}`, fix: 'set MYSQL_PWD to the root password of the cluster' };
    case 'already_exists':
      return { kind: 'reobserve', reason: `the FE says it already exists (${failure.message}); success only once the leader's view lists it` };
    case 'unknown_host':
      return { kind: 'reobserve', reason: `the FE cannot resolve this host yet (${failure.message}); retrying` };
    default:
      return { kind: 'reobserve', reason: `ADD failed (${failure.kind}: ${failure.message}); re-reading the view and retrying` };
  }
}
