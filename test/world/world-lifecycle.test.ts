/**
 * The world starts and stops cleanly, twice: first through `npm run world`'s entry (SIGINT), then
 * through `startWorld` (stop). After each stop no process of the world is left (control plane
 * and pods), its ports are free and its folder is gone.
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startWorld } from './world.ts';
import { waitFor } from './wait.ts';
import type { Pod } from './pods/pod-types.ts';

const exec = promisify(execFile);
// One world start and a StatefulSet's life take longer than the suite's default per-file limit.
t.setTimeout(240_000);

/** PIDs of processes whose command line or working folder lies in `dir`. */
function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // not ours to read
      }
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const podManifest = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'python:3',
        command: ['python3', '-m', 'http.server', '8080', '--bind', '$(POD_IP)'],
        env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
      },
    ],
  },
};

async function runningPodIp(kubeconfig: string): Promise<string> {
  const file = join(tmpdir(), `world-lifecycle-pod-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(podManifest));
  await waitFor(
    async () => {
      // The default service account appears shortly after the control plane is ready.
      await exec('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', file], { timeout: 30_000 });
      return true;
    },
    { what: 'the pod to be accepted', timeoutMs: 60_000, intervalMs: 1000 },
  );
  return waitFor(
    async () => {
      const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pod', 'web', '-o', 'json'], { timeout: 30_000 });
      const pod = JSON.parse(stdout) as Pod;
      const ip = pod.status?.podIP;
      return pod.status?.phase === 'Running' && ip !== undefined && (await canConnect(ip, 8080)) ? ip : undefined;
    },
    { what: 'the pod to serve on its address', timeoutMs: 90_000, intervalMs: 500 },
  );
}

t.test('npm run world prints KUBECONFIG and CLUSTER_DNS, serves kubectl, and stops on SIGINT leaving nothing', async (t) => {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'test', 'world', 'main.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const lines = await waitFor(async () => (/^CLUSTER_DNS=.+$/m.test(stdout) ? stdout.split('\n') : undefined), {
    what: `the world to print its addresses (stderr: ${stderr.slice(-500)})`,
    timeoutMs: 110_000,
    intervalMs: 200,
  });
  const kubeconfig = lines.find((l) => l.startsWith('KUBECONFIG='))?.slice('KUBECONFIG='.length) ?? '';
  const dnsLine = lines.find((l) => l.startsWith('CLUSTER_DNS='))?.slice('CLUSTER_DNS='.length) ?? '';
  t.ok(existsSync(kubeconfig), 'the kubeconfig exists');
  await waitFor(async () => (stdout.includes('Press Ctrl-C') ? true : undefined), { what: 'the usage text', timeoutMs: 5_000, intervalMs: 100 });
  t.ok(stdout.includes(`  export KUBECONFIG=${kubeconfig}\n`), 'it says how to point kubectl at the world');
  t.match(stdout, /^ {2}kubectl apply -k deploy\/ /m, 'and how to install the controller in it');
  t.match(dnsLine, /^127\.\d+\.\d+\.\d+:\d+$/);
  const worldDir = dirname(dirname(kubeconfig));
  const { stdout: nodes } = await exec('kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'name'], { timeout: 30_000 });
  t.match(nodes, /node\/world-node-0/);
  const podIp = await runningPodIp(kubeconfig);
  t.ok(processesIn(worldDir).length >= 6, 'control plane and pod run from the world folder');

  child.kill('SIGINT');
  t.equal(await exited, 0, 'exits 0 on SIGINT');
  t.same(processesIn(worldDir), [], 'no process left');
  t.equal(existsSync(worldDir), false, 'the world folder is gone');
  t.equal(await canConnect(podIp, 8080), false, 'the pod no longer serves');
  const [host = '', port = '0'] = dnsLine.split(':');
  t.equal(await canListen(host, Number(port)), true, 'the DNS port is free');
});

t.test('startWorld and stop, a second time, leave nothing either', async (t) => {
  const world = await startWorld();
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await world.stop();
  });
  const podIp = await runningPodIp(world.kubeconfigPath);
  const pids = world.controlPlane.children.map((c) => c.pid);
  const api = new URL(world.controlPlane.apiServerUrl);
  await world.stop();
  stopped = true;
  for (const pid of pids) t.throws(() => process.kill(pid, 0), `process ${pid} is gone`);
  t.same(processesIn(world.dir), [], 'no process left');
  t.equal(existsSync(world.dir), false, 'the world folder is gone');
  t.equal(await canConnect(podIp, 8080), false, 'the pod no longer serves');
  t.equal(await canListen(api.hostname, Number(api.port)), true, 'the API server port is free');
  t.equal(await canListen(world.dns.host, world.dns.port), true, 'the DNS port is free');
});

t.test('a world whose Node process is killed (SIGKILL) is torn down by its watchdog', async (t) => {
  const code = `import { startWorld } from ${JSON.stringify(join(REPO_ROOT, 'test', 'world', 'world.ts'))};
const world = await startWorld();
process.stdout.write('KUBECONFIG=' + world.kubeconfigPath + '\\nDIR=' + world.dir + '\\n');
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const dir = await waitFor(async () => /^DIR=(.+)$/m.exec(stdout)?.[1], { what: 'the world to start', timeoutMs: 110_000, intervalMs: 200 });
  const kubeconfig = /^KUBECONFIG=(.+)$/m.exec(stdout)?.[1] ?? '';
  const podIp = await runningPodIp(kubeconfig);
  t.ok(processesIn(dir).length >= 6, 'control plane and pod are running');
  child.kill('SIGKILL');
  await exited;
  await waitFor(async () => (processesIn(dir).length === 0 && !existsSync(dir) ? true : undefined), {
    what: 'the watchdog to stop every process and remove the folder',
    timeoutMs: 20_000,
    intervalMs: 250,
  });
  t.equal(await canConnect(podIp, 8080), false, 'the pod is gone too');
});
