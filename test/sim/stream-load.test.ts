// Stream load over HTTP against the simulator: the FE checks the user and curl's 100-continue,
// answers 307 with a BE's HTTP address; the BE takes the rows, answers StarRocks' JSON result and
// the world records the load. curl (`--location-trusted`, as StarRocks documents) is the client.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import mysql from 'mysql2/promise';
import { basicCredentials, countRows, streamLoadTarget } from './node/stream-load.ts';
import { SimWorld } from './world/sim-world.ts';

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--max-time', '20', ...args], { timeout: 30_000 }, (error, stdout) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout });
    });
  });
}

// One PUT without following redirects: what the FE itself answers.
function put(options: { host: string; port: number; path: string; headers: Record<string, string> }): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: options.host, port: options.port, path: options.path, method: 'PUT', headers: options.headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    // The body waits for 100 Continue, which the FE never sends: it answers at once.
    if (options.headers.Expect === undefined) req.end('1,a\n');
    else req.flushHeaders();
  });
}

t.test('stream load helpers', async (t) => {
  t.same(streamLoadTarget('/api/db1/tbl_x/_stream_load'), { db: 'db1', table: 'tbl_x' });
  t.equal(streamLoadTarget('/api/db1/_stream_load'), undefined);
  t.same(basicCredentials(`Basic ${Buffer.from('root:').toString('base64')}`), { user: 'root', password: '' });
  t.same(basicCredentials(`Basic ${Buffer.from('u:p:w').toString('base64')}`), { user: 'u', password: 'p:w' });
  t.equal(basicCredentials('Bearer x'), undefined);
  t.equal(countRows('1,a\n2,b\n3,c\n'), 3);
  t.equal(countRows('1,a\n2,b'), 2);
  t.equal(countRows(''), 0);
});

t.test('a stream load to the FE is redirected to a BE, which takes and records it', async (t) => {
  const world = await SimWorld.start({ profile: '3.5', heartbeatIntervalMs: 150 });
  const dir = mkdtempSync(join(tmpdir(), 'sim-stream-load-'));
  t.teardown(async () => {
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const fe = world.spawn({ component: 'fe' });
  const be = world.spawn({ component: 'be' });
  await world.waitOpen(fe.ip);
  await world.waitOpen(be.ip);
  const conn = await mysql.createConnection({ host: fe.ip, port: 9030, user: 'root' });
  t.teardown(() => conn.end());
  await conn.query(`ALTER SYSTEM ADD BACKEND "${be.ip}:9050"`);
  await world.waitFor(async () => ((await conn.query('SHOW BACKENDS'))[0] as { Alive: string }[])[0]?.Alive === 'true', { what: 'the BE alive' });
  await conn.query("CREATE USER 'loader'@'%' IDENTIFIED BY 'secret'");
  const auth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const path = '/api/db1/tbl1/_stream_load';

  t.test('the FE answers 307 to the BE http port, path and query kept, without reading the body', async (t) => {
    const res = await put({ host: fe.ip, port: 8030, path: `${path}?x=1`, headers: { Authorization: auth('root', ''), Expect: '100-continue', 'Content-Length': '4' } });
    t.equal(res.status, 307);
    t.equal(res.location, `http://${be.ip}:8040${path}?x=1`);
  });

  t.test('refusals: no credentials, a wrong password, no 100-continue', async (t) => {
    const none = await put({ host: fe.ip, port: 8030, path, headers: { Expect: '100-continue', 'Content-Length': '4' } });
    t.equal(none.status, 401);
    t.match(JSON.parse(none.body), { status: 'FAILED' });
    const wrong = await put({ host: fe.ip, port: 8030, path, headers: { Authorization: auth('loader', 'nope'), Expect: '100-continue', 'Content-Length': '4' } });
    t.equal(wrong.status, 401);
    t.match(JSON.parse(wrong.body), { msg: /Access denied for user 'loader'/ });
    const noContinue = await put({ host: fe.ip, port: 8030, path, headers: { Authorization: auth('root', ''), 'Content-Length': '4' } });
    t.match(JSON.parse(noContinue.body), { status: 'FAILED', msg: 'There is no 100-continue header' });
    t.same(world.streamLoads(), [], 'nothing reached a BE');
  });

  t.test('curl --location-trusted: the rows reach the BE, the result is StarRocks JSON', async (t) => {
    const file = join(dir, 'data.csv');
    writeFileSync(file, '1,a\n2,b\n3,c\n');
    const res = await curl(['--location-trusted', '-u', 'loader:secret', '-H', 'label:l1', '-T', file, `http://${fe.ip}:8030${path}`]);
    t.equal(res.code, 0, res.stdout);
    t.match(JSON.parse(res.stdout), { Label: 'l1', Status: 'Success', Message: 'OK', NumberLoadedRows: 3, LoadBytes: 12 });
    t.match(world.streamLoads(), [{ db: 'db1', table: 'tbl1', label: 'l1', user: 'loader', rows: 3, bytes: 12, be: be.ip }]);
  });
});
