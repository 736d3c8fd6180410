// The pure parts of passwords from Secret files (issue 12): parsing a file, the order of the
// passwords a login tries during a rotation, SQL literals, the account plan, and the
// classification of a missing privilege.
import t from 'tap';
import { isAgentError } from '../../../agent/contract/errors.ts';
import { judgeAddOutcome } from '../../../agent/plan/add-outcome.ts';
import { planAccounts } from '../../../agent/plan/accounts.ts';
import type { LoginProbe } from '../../../agent/plan/accounts.ts';
import { loginOrder, parsePasswordFile, passwordLiteral } from '../../../agent/sql/passwords.ts';
import { classifySqlError } from '../../../agent/sql/sql-error.ts';
import { createUser, grantRole, setDefaultRole, setPassword } from '../../../agent/sql/statements.ts';

t.test('a password file: one trailing line break dropped, control characters refused without echoing the content', async (t) => {
  t.equal(parsePasswordFile('s3cret', '/p'), 's3cret');
  t.equal(parsePasswordFile('s3cret\n', '/p'), 's3cret', 'kubectl --from-file keeps the last newline');
  t.equal(parsePasswordFile('s3cret\r\n', '/p'), 's3cret');
  t.equal(parsePasswordFile('', '/p'), '', 'an empty file is the empty password');
  t.equal(parsePasswordFile(' sp ace ', '/p'), ' sp ace ', 'spaces are part of a password');
  for (const bad of ['Zq7\nlines', 'Zq7\ttab', 'Zq7\u0000', 'Zq7\n\n', 'Zq7'.repeat(400)]) {
    try {
      parsePasswordFile(bad, '/etc/pw/password');
      t.fail(`accepted ${JSON.stringify(bad.slice(0, 12))}`);
    } catch (error) {
      t.ok(isAgentError(error, 'ERR_PASSWORD_FILE'), 'ERR_PASSWORD_FILE');
      t.match((error as Error).message, /\/etc\/pw\/password/, 'names the file');
      t.notOk((error as Error).message.includes(bad.slice(0, 3)), 'never the content');
    }
  }
});

t.test('login order: the accepted one, then the file now, then before the rotation, then fallbacks; no repeats', async (t) => {
  t.same(loginOrder({ accepted: undefined, current: 'new', previous: undefined, fallback: [] }), ['new']);
  t.same(loginOrder({ accepted: 'old', current: 'new', previous: 'old', fallback: [''] }), ['old', 'new', ''], 'mid-rotation, the cluster still has the old one');
  t.same(loginOrder({ accepted: 'new', current: 'new', previous: 'old', fallback: [''] }), ['new', 'old', ''], 'after the rotation');
  t.same(loginOrder({ accepted: undefined, current: '', previous: undefined, fallback: [''] }), [''], 'no duplicate empty password');
  t.same(loginOrder({ accepted: 'x', current: undefined, previous: undefined, fallback: [] }), ['x']);
});

t.test('passwords become escaped SQL literals; nothing ends the literal', async (t) => {
  t.equal(passwordLiteral('plain'), "'plain'");
  t.equal(passwordLiteral("it's"), "'it\\'s'");
  t.equal(passwordLiteral('back\\slash'), "'back\\\\slash'");
  t.equal(passwordLiteral("\\'; DROP USER root; --"), "'\\\\\\'; DROP USER root; --'");
  t.throws(() => passwordLiteral('a\nb'), /control/);
  t.equal(setPassword('root', "p'w").sql, "SET PASSWORD FOR 'root'@'%' = PASSWORD('p\\'w')");
  t.equal(createUser('starrocks_agent', 'pw', 'cluster_admin').sql, "CREATE USER IF NOT EXISTS 'starrocks_agent'@'%' IDENTIFIED BY 'pw' DEFAULT ROLE cluster_admin");
  t.equal(grantRole('cluster_admin', 'starrocks_agent').sql, "GRANT cluster_admin TO USER 'starrocks_agent'@'%'");
  t.equal(setDefaultRole('cluster_admin', 'starrocks_agent').sql, "SET DEFAULT ROLE cluster_admin TO 'starrocks_agent'@'%'");
  t.throws(() => setPassword("x'@'%", 'pw'), /user name/);
  t.throws(() => grantRole('root; --', 'u'), /role name/);
});

t.test('the account plan over every pair of login outcomes', async (t) => {
  const probes: LoginProbe[] = ['ok', 'auth', 'privilege', 'unreachable', 'unmanaged'];
  for (const root of probes) {
    for (const agent of probes) {
      for (const leader of [true, false, undefined]) {
        const plan = planAccounts({ root, agent, leader });
        const done = (p: LoginProbe): boolean => p === 'ok' || p === 'unmanaged';
        const label = `root ${root}, agent ${agent}, leader ${String(leader)}`;
        if (done(root) && done(agent)) t.equal(plan.kind, 'converged', label);
        else if (root === 'unreachable' || agent === 'unreachable' || leader !== true) t.equal(plan.kind, 'wait', label);
        else {
          t.equal(plan.kind, 'apply', label);
          const steps = plan.kind === 'apply' ? plan.steps : [];
          t.equal(steps.includes('set-root-password'), root === 'auth', `${label}: root's password set only when root's login failed`);
          t.equal(steps.includes('create-agent-user'), agent === 'auth', `${label}: the user ensured when its login failed`);
          t.equal(steps.includes('grant-agent-role'), agent === 'privilege', `${label}: the role given when a privilege is missing`);
        }
      }
    }
  }
  t.same(planAccounts({ root: 'auth', agent: 'auth', leader: true }), { kind: 'apply', steps: ['set-root-password', 'create-agent-user', 'set-agent-password'] }, 'bootstrap');
});

t.test('a missing privilege (1227, 5203) is its own kind, refused with the fix, not retried', async (t) => {
  const message = 'Access denied; you need (at least one of) the NODE privilege(s) on SYSTEM for this operation. Please ask the admin to grant permission(s) or try activating existing roles using <set [default] role>. Current role(s): NONE. Inactivated role(s): NONE.';
  t.equal(classifySqlError({ errno: 5203, message }), 'privilege');
  t.equal(classifySqlError({ errno: 1227, message: 'Access denied; you need (at least one of) the NODE privilege(s) for this operation' }), 'privilege');
  t.equal(classifySqlError({ errno: 1045, message: "Access denied for user 'starrocks_agent' (using password: YES)" }), 'auth');
  const verdict = judgeAddOutcome({ ok: false, failure: { kind: 'privilege', message, errno: 5203 } }, 'starrocks_agent');
  t.equal(verdict.kind, 'refuse');
  if (verdict.kind === 'refuse') {
    t.equal(verdict.code, 'ERR_SQL_PRIVILEGE');
    t.match(verdict.fix, /GRANT cluster_admin TO USER 'starrocks_agent'@'%'; SET DEFAULT ROLE cluster_admin/);
  }
  t.equal(judgeAddOutcome({ ok: false, failure: { kind: 'auth', message: 'Access denied', errno: 1045 } }, 'starrocks_agent').kind, 'reobserve', 'the agent user may not exist yet: wait for FE 0\'s agent');
  t.equal(judgeAddOutcome({ ok: false, failure: { kind: 'auth', message: 'Access denied', errno: 1045 } }).kind, 'refuse', 'a wrong root password stops');
});

t.test('short passwords never reach a log line: removed by key whatever their length', async (t) => {
  const { Writable } = await import('node:stream');
  const { createLogger } = await import('../../../agent/contract/log.ts');
  let out = '';
  const secrets: string[] = [];
  const log = createLogger({ secrets: () => secrets, destination: new Writable({ write: (c, _e, done) => void ((out += String(c)), done()) }) });
  log.info({ rootPassword: 'Qz', agentPassword: 'Qy', passwords: ['Qx'], statement: { sql: "SET PASSWORD FOR 'root'@'%' = PASSWORD('Qw')" } }, 'by key');
  secrets.push('Rotated-9');
  log.warn('a value read from a file later: Rotated-9');
  for (const value of ['Qz', 'Qy', 'Qx', 'Qw', 'Rotated-9']) t.notOk(out.includes(value), `${value} is not logged`);
  t.match(out, /\[REDACTED\]/);
});
