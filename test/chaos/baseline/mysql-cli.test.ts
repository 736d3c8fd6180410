import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { freePort } from '../../world/address-plan.ts';
import { startMysqlServer } from '../../sim/node/mysql-server.ts';
import { mysql, scriptPassword } from './mysql-cli.ts';
import type { PodNetwork } from './net.ts';

const port = await freePort('127.0.0.1');
// A query port (the simulator's MySQL protocol server) whose statements answer, fail or hang.
const server = await startMysqlServer({
  host: '127.0.0.1',
  port,
  serverVersion: '8.0.33',
  login: async (user) => (user === 'root' ? { user: 'root', host: '%', stage2: '', roles: [] } : undefined),
  onQuery: (sql) => {
    if (sql.startsWith('SHOW')) return Promise.resolve({ kind: 'rows', columns: ['Name', 'IP'], rows: [['fe0_9010_1', 'fe0.x'], ['n', null]] });
    if (sql.startsWith('ALTER')) return Promise.resolve({ kind: 'error', code: 1064, state: 'HY000', message: 'frontend already exists' });
    return new Promise(() => undefined);
  },
});
t.teardown(() => server.close());
const network: PodNetwork = { address: async (name) => (name === 'fe' ? '127.0.0.1' : undefined) };

t.test('rows come out as mysql --batch --skip-column-names prints them', async (t) => {
  t.same(await mysql(network, '', { host: 'fe', port, sql: 'SHOW FRONTENDS;', wrapperMs: 15_000 }), { code: 0, stdout: 'fe0_9010_1\tfe0.x\nn\tNULL', stderr: '' });
});

t.test('a server error is an ERROR line and exit 1, which the scripts ignore', async (t) => {
  t.same(await mysql(network, '', { host: 'fe', port, sql: 'ALTER SYSTEM ADD FOLLOWER "a:9010";' }), { code: 1, stdout: '', stderr: 'ERROR 1064 (HY000): frontend already exists' });
});

t.test('`timeout N` ends a hanging statement with 124; without it only the connect is bounded (W4)', async (t) => {
  const started = Date.now();
  t.equal((await mysql(network, '', { host: 'fe', port, sql: 'SELECT hang', wrapperMs: 300 })).code, 124);
  t.ok(Date.now() - started < 2_000, 'killed at the wrapper');
  const unbounded = mysql(network, '', { host: 'fe', port, sql: 'SELECT hang forever' });
  const after = await Promise.race([unbounded.then(() => 'ended'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3_000))]);
  t.equal(after, 'still waiting', 'no statement timeout: still waiting past the 2 s connect timeout');
  await server.close();
  t.equal((await unbounded).code, 1, 'it ends only when the server goes away');
});

t.test('unknown host and refused connection', async (t) => {
  t.match(await mysql(network, '', { host: 'nowhere', port, sql: 'SHOW FRONTENDS;' }), { code: 1, stderr: /ERROR 2005/ });
  t.match(await mysql(network, '', { host: 'fe', port, sql: 'SHOW FRONTENDS;' }), { code: 1, stderr: /ERROR 2003/ }, 'the server is closed now');
});

t.test('the password: MYSQL_PWD, else the mounted root password file, else empty', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-pwd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'password');
  writeFileSync(file, 's3cret\n');
  t.equal(scriptPassword({ MYSQL_PWD: 'env', STARROCKS_ROOT_PASSWORD_FILE: file }), 'env');
  t.equal(scriptPassword({ STARROCKS_ROOT_PASSWORD_FILE: file }), 's3cret');
  t.equal(scriptPassword({ STARROCKS_ROOT_PASSWORD_FILE: join(dir, 'missing') }), '');
  t.equal(scriptPassword({}), '');
});
