/**
 * What the FE leader's agent does about SQL accounts, from what two logins just showed: root with
 * the root password file's content, and the agent user with its file's content. Both work: nothing
 * to do. One fails and this FE leads: set root's password (a new cluster's root has none; a
 * rotated Secret has a new one), create the agent user with the built-in role `cluster_admin`
 * as its default role, set its password, or give it the role again. Pure.
 *
 * @example
 * ```ts
 * planAccounts({ root: 'auth', agent: 'auth', leader: true });
 * // { kind: 'apply', steps: ['set-root-password', 'create-agent-user', 'set-agent-password'] }
 * ```
 */

/** How a login with exactly the file's password went: `unmanaged` when there is no file. */
export type LoginProbe = 'ok' | 'auth' | 'privilege' | 'unreachable' | 'unmanaged';

/** One change, applied as root. */
export type AccountStep = 'set-root-password' | 'create-agent-user' | 'set-agent-password' | 'grant-agent-role';

/** The decision of a round. */
export type AccountPlan =
  | { readonly kind: 'converged' }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'apply'; readonly steps: readonly AccountStep[] };

/** Inputs of planAccounts. */
export interface AccountInput {
  root: LoginProbe;
  agent: LoginProbe;
  /** Whether this FE leads; undefined when root could log in with none of its passwords. */
  leader: boolean | undefined;
}

/** Decide a round. */
export function planAccounts(input: AccountInput): AccountPlan {
  const done = (p: LoginProbe): boolean => p === 'ok' || p === 'unmanaged';
  if (done(input.root) && done(input.agent)) return { kind: 'converged' };
  if (input.root === 'unreachable' || input.agent === 'unreachable') return { kind: 'wait', reason: 'the FE does not answer SQL yet' };
  if (input.leader === undefined) {
    return { kind: 'wait', reason: 'root cannot log in with the password file\'s current or previous content, nor with no password: set the root password Secret to the cluster\'s root password' };
  }
  if (!input.leader) return { kind: 'wait', reason: 'the FE leader\'s agent applies the passwords' };
  const steps: AccountStep[] = [];
  if (input.root === 'auth') steps.push('set-root-password');
  // A login refused is a missing user or a stale password: CREATE ... IF NOT EXISTS keeps an
  // existing user's password, so the password is set after it.
  if (input.agent === 'auth') steps.push('create-agent-user', 'set-agent-password');
  if (input.agent === 'privilege') steps.push('grant-agent-role');
  return { kind: 'apply', steps };
}
