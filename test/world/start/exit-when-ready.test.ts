/**
 * `npm start -- --exit-when-ready` for scripts: with the default cluster and with each example of
 * deploy/examples/ given by `--cluster`, it prints the summary and exits 0 once Ready; with a
 * timeout too short to converge it exits 1 with the reason. One world at a time, each bounded.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { DEFAULT_CLUSTER } from './args.ts';
import { REPO_ROOT } from '../world.ts';

const exec = promisify(execFile);
t.setTimeout(2_400_000);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

async function npmStart(args: string[], timeoutMs: number): Promise<Outcome> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await exec('npm', ['start', '--', ...args], { cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGINT', maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '', ms: Date.now() - started };
  }
}

const examples = readdirSync(join(REPO_ROOT, 'deploy', 'examples')).filter((f) => f.endsWith('.yaml')).sort();

for (const file of examples) {
  const path = `deploy/examples/${file}`;
  const isDefault = path === DEFAULT_CLUSTER;
  t.test(`npm start -- ${isDefault ? '' : `--cluster ${path} `}--exit-when-ready`, async (t) => {
    const run = await npmStart([...(isDefault ? [] : ['--cluster', path]), '--exit-when-ready', '--timeout', '5m'], 420_000);
    const ready = /^StarRocksCluster (\S+) is Ready: (.*)$/m.exec(run.stdout);
    t.comment(`${path}: exit ${run.code} after ${(run.ms / 1000).toFixed(1)} s; ${ready?.[0] ?? 'no summary'}`);
    if (run.code !== 0) t.comment(`stdout:\n${run.stdout.slice(-4000)}\nstderr:\n${run.stderr.slice(-4000)}`);
    t.equal(run.code, 0, 'exits 0 once Ready');
    t.ok(ready, 'after printing the summary');
    // With a root password Secret, the password reaches mariadb through MYSQL_PWD, read from the Secret.
    t.match(run.stdout, /\$ (MYSQL_PWD="\$\(kubectl .*get secret \S+ .*\)" )?mariadb -h \S+ -P 9030 -uroot -e 'SHOW FRONTENDS'/, 'with the MySQL command');
    t.notOk(run.stdout.includes('Ctrl-C'), 'and no Ctrl-C hint, as it does not stay up');
  });
}

t.test('--exit-when-ready with a timeout too short: exit 1 with the reason', async (t) => {
  const run = await npmStart(['--cluster', 'deploy/examples/minimal.yaml', '--exit-when-ready', '--timeout', '1s'], 300_000);
  t.equal(run.code, 1, 'exits 1');
  t.match(run.stderr, /StarRocksCluster default\/minimal not Ready 1\.0 s after kubectl apply: \S/, `says why: ${run.stderr.split('\n')[0] ?? ''}`);
  t.notOk(run.stdout.includes('is Ready:'), 'no summary');
});
