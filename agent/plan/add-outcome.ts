/**
 * What an ADD (FOLLOWER, OBSERVER, BACKEND, COMPUTE NODE) statement's outcome means. It never
 * means "registered" on its own, "already exists" included (W4): the caller re-reads the
 * leader's view and runs its plan again, and the row decides. A wrong root password and a
 * missing privilege stop; the agent user's login failing is waited out (FE 0's agent creates
 * that user, and applies a rotated password, moments after the FE group answers).
 *
 * @example
 * ```ts
 * const next = judgeAddOutcome(await leader.exec(addBackend(self)), 'starrocks_agent');
 * if (next.kind === 'refuse') throw new AgentError(next.code, next.reason);
 * ```
 */
import { AGENT_SQL_ROLE, SQL_USERS } from '../contract/index.ts';
import type { ErrorCode } from '../contract/errors.ts';
import type { SqlFailure } from '../sql/sql-error.ts';

/** The next step after an ADD. */
export type AddOutcomeVerdict =
  | { readonly kind: 'reobserve'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly code: ErrorCode; readonly reason: string; readonly fix: string };

/** Judge an ADD's outcome, sent as SQL user `user` (root by default). Pure. */
export function judgeAddOutcome(
  outcome: { readonly ok: true } | { readonly ok: false; readonly failure: SqlFailure },
  user: string = SQL_USERS.root,
): AddOutcomeVerdict {
  if (outcome.ok) return { kind: 'reobserve', reason: 'ADD accepted; confirming in the leader\'s view' };
  const { failure } = outcome;
  switch (failure.kind) {
    case 'auth':
      if (user !== SQL_USERS.root) {
        return { kind: 'reobserve', reason: `the FE refuses the login of ${user} (${failure.message}): FE 0's agent has not created it or applied its rotated password yet; retrying` };
      }
      return { kind: 'refuse', code: 'ERR_REFUSED', reason: `the FE denies access to root: ${failure.message}`, fix: 'set the root password Secret (spec.agent.passwordSecret, or MYSQL_PWD) to the root password of the cluster' };
    case 'privilege':
      return { kind: 'refuse', code: 'ERR_SQL_PRIVILEGE', reason: `the FE refuses the statement to ${user}: ${failure.message}`, fix: privilegeFix(user) };
    case 'already_exists':
      return { kind: 'reobserve', reason: `the FE says it already exists (${failure.message}); success only once the leader's view lists it` };
    case 'unknown_host':
      return { kind: 'reobserve', reason: `the FE cannot resolve this host yet (${failure.message}); retrying` };
    default:
      return { kind: 'reobserve', reason: `ADD failed (${failure.kind}: ${failure.message}); re-reading the view and retrying` };
  }
}

/**
 * How to give `user` what the agent runs: NODE (only the built-in role cluster_admin carries it)
 * and OPERATE (SHOW PROC '/statistic', the tablet-health gate).
 */
export function privilegeFix(user: string): string {
  return `give ${user} the built-in role ${AGENT_SQL_ROLE} as its default role and OPERATE, as root: GRANT ${AGENT_SQL_ROLE} TO USER '${user}'@'%'; SET DEFAULT ROLE ${AGENT_SQL_ROLE} TO '${user}'@'%'; GRANT OPERATE ON SYSTEM TO USER '${user}'@'%' (NODE cannot be granted directly)`;
}
