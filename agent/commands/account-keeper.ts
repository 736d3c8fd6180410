/**
 * The shell around plan/accounts.ts, in every FE agent: once per probe interval, read the password
 * files (a `stat` while nothing changed); when their content differs from what was last confirmed,
 * log in to the own FE with exactly those passwords, and if one fails and this FE leads, apply
 * them as root: root's password (FE 0 at bootstrap, replacing the official init-password Job; any
 * leader after a rotation) and the agent user with the built-in role `cluster_admin`. No SQL runs
 * while the files stay as confirmed.
 */
import { AGENT_SQL_ROLE, SQL_USERS } from '../contract/index.ts';
import { describeError } from '../contract/errors.ts';
import { findLeader } from '../membership/queries.ts';
import { planAccounts } from '../plan/accounts.ts';
import type { AccountStep, LoginProbe } from '../plan/accounts.ts';
import { fixedPassword, sqlLogin } from '../sql/credentials.ts';
import type { PasswordSource } from '../sql/credentials.ts';
import { createFeClient } from '../sql/fe-client.ts';
import type { FeClient } from '../sql/fe-client.ts';
import { sameHost } from '../sql/host-port.ts';
import { createUser, grantOperate, grantRole, setDefaultRole, setPassword } from '../sql/statements.ts';
import type { AlterStatement } from '../sql/statements.ts';
import { every } from '../util/periodic.ts';
import type { Periodic } from '../util/periodic.ts';
import type { Context } from './context.ts';

/** A running keeper. */
export type AccountKeeper = Periodic;

/** Start keeping the SQL accounts every `intervalMs` (first round at once); never throws. */
export function startAccountKeeper(options: { ctx: Context; intervalMs: number }): AccountKeeper {
  const { ctx } = options;
  const { rootFile, agentFile } = ctx.logins;
  let confirmed: string | undefined;
  let lastReason: string | undefined;
  const host = ctx.config.podIp ?? '127.0.0.1';
  const port = ctx.conf.component === 'fe' ? ctx.conf.ports.query : ctx.config.feQueryPort;

  const round = async (): Promise<void> => {
    if (ctx.conf.component !== 'fe' || (rootFile === undefined && agentFile === undefined)) return;
    const root = await rootFile?.read();
    const agent = await agentFile?.read();
    const wanted = JSON.stringify([root?.current, agent?.current]);
    if (wanted === confirmed) return;

    const probe = async (user: string, source: PasswordSource | undefined, password: string | undefined): Promise<LoginProbe> => {
      if (source === undefined || password === undefined) return 'unmanaged';
      const client = exactClient(ctx, { host, port, user, password });
      try {
        // Both reads the agent user runs: membership (NODE) and the tablet statistic (OPERATE).
        const membership = await client.showFrontends();
        const outcome = membership.ok ? await client.showTabletHealth() : membership;
        if (outcome.ok) return 'ok';
        const kind = outcome.failure.kind;
        return kind === 'auth' ? 'auth' : kind === 'privilege' ? 'privilege' : 'unreachable';
      } finally {
        await client.close();
      }
    };
    const [rootProbe, agentProbe] = [await probe(SQL_USERS.root, rootFile, root?.current), await probe(SQL_USERS.agent, agentFile, agent?.current)];
    const rootLogin = ctx.logins.root;
    let leader: boolean | undefined;
    const admin = rootLogin === undefined ? undefined : ctx.feClient(host, port);
    try {
      const settled = (p: LoginProbe): boolean => p === 'ok' || p === 'unmanaged';
      if (admin !== undefined && !(settled(rootProbe) && settled(agentProbe))) {
        const frontends = await admin.showFrontends();
        if (frontends.ok) {
          const found = findLeader(frontends.value);
          leader = found !== undefined && sameHost(found.host, ctx.selfHost);
        } else if (frontends.failure.kind !== 'auth') {
          leader = false;
        }
      }
      const plan = planAccounts({ root: rootProbe, agent: agentProbe, leader });
      switch (plan.kind) {
        case 'converged':
          confirmed = wanted;
          lastReason = undefined;
          return;
        case 'wait':
          if (plan.reason !== lastReason) ctx.log.info({ reason: plan.reason }, 'SQL accounts not applied yet');
          lastReason = plan.reason;
          return;
        case 'apply': {
          if (admin === undefined) return;
          const passwords = { root: root?.current ?? '', agent: agent?.current ?? '' };
          for (const step of plan.steps) {
            for (const statement of statementsOf(step, passwords)) {
              const outcome = await admin.exec(statement);
              if (!outcome.ok) {
                ctx.log.warn({ step, failure: outcome.failure.kind }, `SQL account step failed, retrying next round: ${outcome.failure.message}`);
                return;
              }
            }
            ctx.log.info({ step }, describeStep(step));
            await ctx.kube?.emitEvent({ type: 'Normal', reason: 'SqlAccountUpdated', message: describeStep(step) });
          }
          return;
        }
      }
    } finally {
      await admin?.close();
    }
  };

  return every({
    intervalMs: options.intervalMs,
    immediate: true,
    round,
    onError: (error) => ctx.log.warn({ error: describeError(error) }, 'SQL account round failed; retrying next interval'),
  });
}

// A client logging in with exactly one password: the probe asks whether the file's content is
// what the cluster has, not whether some password works.
function exactClient(ctx: Context, input: { host: string; port: number; user: string; password: string }): FeClient {
  return createFeClient({
    host: input.host,
    port: input.port,
    login: sqlLogin({ user: input.user, source: fixedPassword(input.password, 'password file') }),
    timeoutMs: ctx.config.sqlTimeoutMs,
    connectTimeoutMs: Math.min(ctx.config.sqlTimeoutMs, 3000),
  });
}

function statementsOf(step: AccountStep, passwords: { root: string; agent: string }): AlterStatement[] {
  switch (step) {
    case 'set-root-password':
      return [setPassword(SQL_USERS.root, passwords.root)];
    case 'create-agent-user':
      return [createUser(SQL_USERS.agent, passwords.agent, AGENT_SQL_ROLE), grantOperate(SQL_USERS.agent)];
    case 'set-agent-password':
      return [setPassword(SQL_USERS.agent, passwords.agent)];
    case 'grant-agent-role':
      return [grantRole(AGENT_SQL_ROLE, SQL_USERS.agent), setDefaultRole(AGENT_SQL_ROLE, SQL_USERS.agent), grantOperate(SQL_USERS.agent)];
  }
}

function describeStep(step: AccountStep): string {
  switch (step) {
    case 'set-root-password':
      return "root's password set from the root password Secret";
    case 'create-agent-user':
      return `SQL user ${SQL_USERS.agent} ensured, with the built-in role ${AGENT_SQL_ROLE} as its default role and OPERATE on SYSTEM`;
    case 'set-agent-password':
      return `SQL user ${SQL_USERS.agent}'s password set from its Secret`;
    case 'grant-agent-role':
      return `SQL user ${SQL_USERS.agent} given the built-in role ${AGENT_SQL_ROLE} as its default role and OPERATE on SYSTEM`;
  }
}
