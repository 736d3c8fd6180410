// `npm run sim -- fe`: a standalone FE a MySQL client can use; SIGINT stops it cleanly.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import mysql from 'mysql2/promise';
import { AddressPool, randomSubnet } from './world/addresses.ts';
import { sleep } from '../../agent/contract/backoff.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

t.test('standalone FE world', async (t) => {
  const host = new AddressPool(randomSubnet()).next();
  // The profile from the environment, as `STARROCKS_SIM_PROFILE=4.1 npm run sim -- fe`.
  const child = spawn(process.execPath, [cli, 'fe', '--host', host, '--port', '9031', '--http-port', '8031'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MYSQL_PWD: 'pw-123', STARROCKS_SIM_PROFILE: '4.1' },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('FE ready') && Date.now() < deadline) await sleep(50);
  t.match(out, new RegExp(`FE ready\\. mysql: mariadb -h ${host.replaceAll('.', '\\.')} -P 9031 -u root -p`));
  t.notMatch(out, /pw-123/, 'the password is never printed');
  const conn = await mysql.createConnection({ host, port: 9031, user: 'root', password: 'pw-123' });
  const [rows] = await conn.query('SHOW FRONTENDS');
  t.match((rows as Record<string, string>[])[0], { Id: '1', IP: host, HttpPort: '8031', QueryPort: '9031', Role: 'LEADER' });
  t.same((await conn.query('SELECT @@version_comment'))[0], [{ '@@version_comment': 'StarRocks version 4.1.1' }]);
  await conn.end();
  t.equal(await (await fetch(`http://${host}:8031/api/health`)).text(), '{"online_backend_num":0,"total_backend_num":0,"status":"OK"}');
  child.kill('SIGINT');
  t.equal(await exited, 0);
});

t.test('bad arguments print the usage', async (t) => {
  const child = spawn(process.execPath, [cli, 'fe', '--profile', '2.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.equal(code, 2);
  t.match(err, /--profile must be one of 3\.3, 3\.5, 4\.1, got "2\.5"\nusage: npm run sim -- fe \[.*--profile 3\.3\|3\.5\|4\.1\]/);
});
