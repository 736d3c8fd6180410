/**
 * `npm start` as a user runs it, from the repository, with stdout not a TTY: the default
 * StarRocksCluster (stock images) reaches Ready, the printed MySQL command answers exactly as
 * printed with the FE rows, and Ctrl-C (SIGINT to the process group, as a terminal sends it)
 * leaves no process, no port and no temporary folder behind.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { REPO_ROOT } from '../world.ts';
import { waitFor } from '../wait.ts';

const exec = promisify(execFile);
t.setTimeout(900_000);

/** Every process whose parent chain leads to `root`, read from /proc. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, parent] of parents) {
      if (parent === pid && !out.includes(child)) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie has exited: it holds no port and no file.
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};

const listening = (host: string, port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });

t.test('npm start: Ready, the printed mariadb command answers, Ctrl-C leaves nothing behind', async (t) => {
  // Its own TMPDIR: every temporary folder of the run lands here, so "none left" is checkable.
  const tmp = mkdtempSync(join(tmpdir(), 'npm-start-test-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const started = Date.now();
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid ?? 0;
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-pid, 'SIGKILL');
  });
  const seen = new Set<number>();
  let summary: string;
  try {
    summary = await waitFor(
      async () => {
        for (const p of descendants(pid)) seen.add(p);
        if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode} before Ready`);
        const at = out.indexOf('is Ready:');
        return at >= 0 && out.includes('Press Ctrl-C', at) ? out.slice(out.lastIndexOf('\n', at) + 1) : undefined;
      },
      { what: 'the summary of npm start', timeoutMs: 600_000, intervalMs: 500 },
    );
  } catch (error) {
    t.comment(`stdout:\n${out}\nstderr:\n${err}`);
    throw error;
  }
  t.comment(`summary ${((Date.now() - started) / 1000).toFixed(1)} s after npm start:\n${summary}`);
  t.match(summary, /StarRocksCluster default\/quickstart is Ready: 3 FE, 3 BE, 1 CN, every member Alive under cluster id \d+, [\d.]+ s from kubectl apply to Ready/);

  // The MySQL command exactly as printed, through a shell as a user pastes it.
  const mariadb = /^ {2}\$ (mariadb .*'SHOW FRONTENDS')$/m.exec(summary)?.[1];
  t.ok(mariadb, 'the summary prints a mariadb command');
  const answer = await exec('sh', ['-c', mariadb ?? 'false'], { timeout: 30_000 });
  const feRows = answer.stdout.split('\n').filter((line) => /quickstart-fe-\d\./.test(line));
  t.equal(feRows.length, 3, `the FE answers with its 3 FE rows:\n${answer.stdout}`);
  t.equal(feRows.filter((line) => /\bLEADER\b/.test(line)).length, 1, 'one of them the leader');
  const kubeconfig = /export KUBECONFIG=(\S+)/.exec(summary)?.[1] ?? '';
  const pods = await exec('kubectl', ['--kubeconfig', kubeconfig, 'get', 'src'], { timeout: 30_000 });
  t.match(pods.stdout, /quickstart/, 'kubectl get src, as printed, lists the cluster');

  // What must be gone after Ctrl-C: the API server's and the FE's ports, every process.
  const server = new URL(/server: (\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1] ?? 'https://127.0.0.1:1');
  const feHost = /mariadb -h (\S+)/.exec(mariadb ?? '')?.[1] ?? '';
  t.ok(await listening(server.hostname, Number(server.port)), 'the API server listens while up');
  t.ok(await listening(feHost, 9030), 'the FE listens while up');
  for (const p of descendants(pid)) seen.add(p);
  t.ok(seen.size > 10, `npm start ran its world as child processes (${seen.size} seen)`);

  process.kill(-pid, 'SIGINT');
  const stoppedAt = Date.now();
  const end = await Promise.race([exited, new Promise<undefined>((done) => setTimeout(() => done(undefined), 180_000))]);
  t.same(end, { code: 0, signal: null }, 'npm start exits 0 after Ctrl-C');
  t.comment(`stopped ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after SIGINT`);
  // The world's last processes are ended before npm start exits; allow their exit to be reaped.
  const left = await waitFor(async () => ([...seen].some(alive) ? undefined : []), { what: 'every child process gone', timeoutMs: 10_000, intervalMs: 200 }).catch(() =>
    [...seen].filter(alive).map((p) => `${p}: ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ')}`),
  );
  t.same(left, [], 'no process of npm start is left');
  t.notOk(await listening(server.hostname, Number(server.port)), 'the API server port is closed');
  t.notOk(await listening(feHost, 9030), 'the FE port is closed');
  // npm's own CLI keeps Node's compile cache in TMPDIR (module.enableCompileCache in npm/lib/cli.js),
  // a cache meant to outlive the run: everything else there would be left over by npm start.
  t.same(readdirSync(tmp).filter((name) => name !== 'node-compile-cache'), [], 'no temporary folder is left');
  t.notOk(err.includes('stopping failed'), `a clean stop: ${err}`);
});
