// Issue 12 item 2 against the simulator, with the real agent processes: the root password and the
// agent user's password reach the agents as files; FE 0's agent sets root's password and creates
// the agent user (only role: cluster_admin); the BE holds no root password and registers as that
// user; rotating both Secrets mid-run keeps probes and registration working; a user without
// cluster_admin gets ERR_SQL_PRIVILEGE with the fix instead of waiting forever.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import mysql from 'mysql2/promise';
import { ENV, SQL_USERS } from '../../../agent/contract/index.ts';
import { dumpPods, eventually, startSimCluster } from '../fixtures/sim-pods.ts';
import type { SimPod } from '../fixtures/sim-pods.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

t.setTimeout(240_000);

// As kubelet updates a Secret volume: the new content appears at once, never half written.
function writeSecretFile(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

async function canLogin(ip: string, user: string, password: string): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ host: ip, port: 9030, user, password, connectTimeout: 2000 });
    await c.query('SHOW FRONTENDS');
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function readyz(pod: SimPod): Promise<number> {
  const response = await fetch(`http://${pod.ip}:${await pod.agentPort}/readyz`, { signal: AbortSignal.timeout(3000) });
  return response.status;
}

// Every file under `dir`, as text (the pod's volumes: its install tree and its state dir).
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile() && statSync(path).size < 4 * 1024 * 1024) out.push(readFileSync(path, 'latin1'));
  }
  return out;
}

t.test('passwords from files: bootstrap sets root, BE registers as the cluster_admin user, a rotation mid-run keeps everything working', async (t) => {
  const sim = await startSimCluster({ profile: '3.5', feVoters: 1 });
  t.teardown(() => sim.stop());
  const secrets = join(sim.world.baseDir, 'secrets');
  mkdirSync(secrets, { recursive: true });
  const rootFile = join(secrets, 'root-password');
  const agentFile = join(secrets, 'agent-password');
  const root1 = 'Root-pw-1\\q\'x';
  const agent1 = 'Agent-pw-1"a';
  writeSecretFile(rootFile, `${root1}\n`);
  writeSecretFile(agentFile, agent1);
  const feEnv = { [ENV.ROOT_PASSWORD_FILE]: rootFile, [ENV.AGENT_PASSWORD_FILE]: agentFile };
  const nodeEnv = { [ENV.AGENT_PASSWORD_FILE]: agentFile };
  const fe0 = sim.startPod('fe', 0, { env: feEnv });
  const be0 = sim.startPod('be', 0, { env: nodeEnv });
  const pods: SimPod[] = [fe0, be0];
  const fail = (error: unknown): never => {
    t.comment(dumpPods(pods));
    throw error;
  };

  // Bootstrap: FE 0's agent sets root's password (the cluster started with none) and creates the user.
  await eventually(async () => canLogin(fe0.ip, 'root', root1), { timeoutMs: 60_000, what: "root's password set from the file" }).catch(fail);
  t.notOk(await canLogin(fe0.ip, 'root', ''), 'root no longer logs in without a password');
  await eventually(async () => canLogin(fe0.ip, SQL_USERS.agent, agent1), { timeoutMs: 30_000, what: 'the agent user' }).catch(fail);
  const rootSql = await mysql.createConnection({ host: fe0.ip, port: 9030, user: 'root', password: root1 });
  t.teardown(() => rootSql.end());
  const agentSql = await mysql.createConnection({ host: fe0.ip, port: 9030, user: SQL_USERS.agent, password: agent1 });
  t.same((await agentSql.query('SELECT CURRENT_ROLE()'))[0], [{ 'current_role()': 'cluster_admin' }], 'its only active role is cluster_admin');
  // The tablet-health gate of a restarted BE reads SHOW PROC, which needs OPERATE besides the role.
  await eventually(async () => ((await agentSql.query("SHOW PROC '/statistic'").then(() => true, () => false)) ? true : undefined), {
    timeoutMs: 30_000,
    what: "the agent user reading SHOW PROC '/statistic'",
  }).catch(fail);
  await agentSql.end();

  // The BE registers as the agent user: it holds no root password, and root has one.
  t.equal(await be0.init, 0, 'the BE init container registered and exited 0');
  const log = sim.world.statements();
  const adds = log.filter((s) => s.sql.startsWith('ALTER SYSTEM ADD BACKEND') && s.result === 'ok');
  t.equal(adds.length, 1, 'one ADD BACKEND');
  const rootSet = log.findIndex((s) => s.sql.startsWith("SET PASSWORD FOR 'root'") && s.result === 'ok');
  t.ok(rootSet >= 0 && rootSet < log.indexOf(adds[0] as (typeof log)[number]), 'root had its password before the BE registered: the BE, holding no root password, was not root');
  await eventually(async () => (await readyz(be0)) === 200, { timeoutMs: 30_000, what: 'BE 0 ready' }).catch(fail);

  // Nothing of root's password in the BE pod: its env, its files, its StarRocks process.
  t.notOk(Object.values(nodeEnv).some((v) => v.includes(root1)), "the BE's env holds no root password");
  t.notOk(filesUnder(be0.root).concat(filesUnder(be0.stateDir)).some((text) => text.includes(root1)), "no file of the BE pod holds root's password");
  for (const pod of pods) {
    const pid = sim.world.pidOf(pod.ip);
    const environ = readFileSync(`/proc/${String(pid)}/environ`, 'utf8');
    t.ok(environ.includes('POD_IP='), `${pod.name}: the StarRocks process's environ was read`);
    t.notOk([root1, agent1, 'MYSQL_PWD='].some((s) => environ.includes(s)), `${pod.name}: no password in the StarRocks process's environment`);
    t.notOk(pod.output().includes(root1) || pod.output().includes(agent1), `${pod.name}: no password in the agent's output`);
  }

  // Rotation of both Secrets mid-run: probes stay green, the FE leader's agent applies both.
  const root2 = 'Root-pw-2';
  const agent2 = 'ag';
  const samples: number[] = [];
  const sampling = (async () => {
    for (let i = 0; i < 400 && !(await canLogin(fe0.ip, SQL_USERS.agent, agent2) && (await canLogin(fe0.ip, 'root', root2))); i++) {
      samples.push(await readyz(be0).catch(() => 0));
      await sleep(100);
    }
  })();
  writeSecretFile(rootFile, root2);
  writeSecretFile(agentFile, agent2);
  await eventually(async () => (await canLogin(fe0.ip, 'root', root2)) && (await canLogin(fe0.ip, SQL_USERS.agent, agent2)), {
    timeoutMs: 30_000,
    what: 'the rotated passwords applied',
  }).catch(fail);
  await sampling;
  t.notOk(await canLogin(fe0.ip, 'root', root1), "root's old password no longer works");
  t.notOk(await canLogin(fe0.ip, SQL_USERS.agent, agent1), "the agent user's old password no longer works");
  // The answers other than 200 (0: no answer within 5 s) and where they fell, for a failure's report.
  const misses = samples.flatMap((s, i) => (s === 200 ? [] : [`#${i}: ${s}`]));
  t.ok(samples.length > 0 && misses.length === 0, `BE 0 stayed ready through the rotation (${samples.length} samples${misses.length > 0 ? `; not 200: ${misses.join(', ')}` : ''})`);
  // The BE agent's membership reads (probes) log in with the new password once the old one fails.
  await sleep(1500);
  t.equal(await readyz(be0), 200, 'BE 0 ready after the rotation');

  // Registration after the rotation: a new CN registers with the new password.
  const cn0 = sim.startPod('cn', 0, { env: nodeEnv });
  pods.push(cn0);
  t.equal(await cn0.init, 0, 'a CN registers after the rotation');
  t.notOk(pods.some((p) => p.output().includes(root2) || p.output().includes(`"${agent2}"`)), 'no rotated password in any agent output');
  t.ok(pods.every((p) => !/"level":"(error|fatal)"/.test(p.output())), 'no agent logged an error');
});

t.test('an agent user without cluster_admin: ERR_SQL_PRIVILEGE with the fix, not an endless wait', async (t) => {
  const sim = await startSimCluster({ profile: '3.5', feVoters: 1, world: { rootPassword: 'Root-pw-9' } });
  t.teardown(() => sim.stop());
  const secrets = join(sim.world.baseDir, 'secrets');
  mkdirSync(secrets, { recursive: true });
  const agentFile = join(secrets, 'agent-password');
  writeSecretFile(agentFile, 'nodeless-pw');
  // The FE's agent does not manage the agent user here (no agent password file): root via MYSQL_PWD.
  const fe0 = sim.startPod('fe', 0, { env: { MYSQL_PWD: 'Root-pw-9' } });
  await eventually(async () => canLogin(fe0.ip, 'root', 'Root-pw-9'), { timeoutMs: 60_000, what: 'FE 0 up' });
  const rootSql = await mysql.createConnection({ host: fe0.ip, port: 9030, user: 'root', password: 'Root-pw-9' });
  await rootSql.query(`CREATE USER '${SQL_USERS.agent}'@'%' IDENTIFIED BY 'nodeless-pw'`);
  await rootSql.end();
  const started = Date.now();
  const be0 = sim.startPod('be', 0, { env: { [ENV.AGENT_PASSWORD_FILE]: agentFile } });
  const code = await be0.init;
  t.equal(code, 91, 'the init container stops with ERR_SQL_PRIVILEGE\'s exit code');
  t.match(be0.output(), /ERR_SQL_PRIVILEGE: the FE refuses starrocks_agent to read membership: Access denied; you need/, 'the error says what failed');
  t.match(be0.output(), /GRANT cluster_admin TO USER 'starrocks_agent'@'%'; SET DEFAULT ROLE cluster_admin/, 'and the fix');
  t.comment(`stopped ${Date.now() - started} ms after start`);
});
