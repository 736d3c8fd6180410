/**
 * Issue 13's first done criterion: a StarRocksCluster written as the official operator's examples
 * write it (3 FE, 3 BE, the stock images `starrocks/fe-ubuntu`/`be-ubuntu`, PVCs through
 * storageVolumes), applied with kubectl to a world whose controller was installed with
 * `kubectl apply -k deploy/`, converges: every member registered once and Alive, one cluster id,
 * and the pods' processes are the agent's single executable that install-agent copied into the
 * pod's emptyDir (the world's agent image runs the real `dist/starrocks-agent`). Then the same
 * with a CR that sets `command` (the official chart's entrypoint feature): the agent supervises
 * that command, and the members still register and turn Ready through the agent's probes.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { addsByTarget } from '../agent/fixtures/sim-pods.ts';
import { describeView, startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldAddresses, WorldCluster } from './fixtures/world-cluster.ts';

t.setTimeout(1_200_000);

const shape = { fe: 3, be: 3, cn: 0 };

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  await cluster?.stop();
});

// The official chart's entrypoint feature, as a wrapper: it runs in place of start_*.sh and hands
// over with exec, passing on the arguments the agent gives it (the FE's --helper among them).
const WRAPPER = 'echo "custom entrypoint of $POD_NAME: $*"; exec "$STARROCKS_ROOT/$COMPONENT_NAME/bin/start_$COMPONENT_NAME.sh" "$@"';

// Like the official operator's deploy_a_ha_starrocks_cluster.yaml example, plus only what this
// world needs (as in-world-controller.test.ts): the agents bind their pod address and find CoreDNS
// and the simulator at the world's addresses; short probe intervals.
const manifest =
  (command: boolean) =>
  (at: WorldAddresses): string => `
apiVersion: starrocks.com/v1
kind: StarRocksCluster
metadata:
  name: sr
  namespace: e2e
spec:
  agent:
    probeIntervalMs: 500
    sqlTimeoutMs: 5000
  starRocksFeSpec:
    image: starrocks/fe-ubuntu:3.5.8
    replicas: 3
    limits:
      cpu: 2
      memory: 4Gi
    requests:
      cpu: 2
      memory: 4Gi
    storageVolumes:
      - name: fe-storage-meta
        storageSize: 10Gi
        mountPath: /opt/starrocks/fe/meta
      - name: fe-storage-log
        storageSize: 5Gi
        mountPath: /opt/starrocks/fe/log
    readinessProbeFailureSeconds: 10
    terminationGracePeriodSeconds: 30
${command ? `    command: ["/bin/bash", "-c", ${JSON.stringify(WRAPPER)}, "entrypoint"]\n` : ''}    feEnvVars: &env
      - name: STARROCKS_AGENT_BIND
        value: $(POD_IP)
      - name: STARROCKS_AGENT_DNS_SERVER
        value: "${at.dns}"
      - name: STARROCKS_AGENT_MAX_BACKOFF_MS
        value: "1000"
      - name: STARROCKS_SIM_DNS
        value: "${at.dns}"
      - name: STARROCKS_SIM_WORLD
        value: "${at.simWorld}"
  starRocksBeSpec:
    image: starrocks/be-ubuntu:3.5.8
    replicas: 3
    limits:
      cpu: 4
      memory: 8Gi
    requests:
      cpu: 4
      memory: 8Gi
    storageVolumes:
      - name: be-storage-data
        storageSize: 20Gi
        mountPath: /opt/starrocks/be/storage
      - name: be-storage-log
        storageSize: 5Gi
        mountPath: /opt/starrocks/be/log
    readinessProbeFailureSeconds: 10
    terminationGracePeriodSeconds: 30
${command ? `    command: ["/bin/bash", "-c", ${JSON.stringify(WRAPPER)}, "entrypoint"]\n` : ''}    beEnvVars: *env
`;

interface PodProcess {
  pid: number;
  exe: string;
  argv: string[];
}

// The processes of one pod, as the kernel sees them: this world's containers are local processes
// whose env holds their POD_NAME (a fieldRef of the pod spec).
function podProcesses(podName: string, worldDir: string): PodProcess[] {
  const found: PodProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!env.includes(`POD_NAME=${podName}`) || !env.some((kv) => kv.startsWith('KUBECONFIG=') && kv.includes(worldDir))) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      found.push({ pid: Number(entry), exe: readlinkSync(`/proc/${entry}/exe`), argv });
    } catch {
      // Exited while we looked, or not ours.
    }
  }
  return found.sort((a, b) => a.pid - b.pid);
}

async function converge(t: Test, command: boolean): Promise<WorldCluster> {
  const started = Date.now();
  cluster = await startWorldCluster({ shape, nodes: 2, controller: 'deployed', manifest: manifest(command) });
  const c = cluster;
  for (const { step, ms } of c.timings) t.comment(`${step}: ${ms} ms`);
  const appliedAt = c.timings.at(-1)?.at ?? started;
  let view;
  try {
    view = await c.converged(shape, 480_000);
  } catch (error) {
    t.comment(c.diagnostics());
    throw error;
  }
  t.comment(`converged ${Date.now() - appliedAt} ms after the cluster was applied: ${describeView(view)}`);

  // The simulator's truth.
  const ids = c.sim.clusterIdsCreated();
  t.equal(ids.length, 1, `one cluster id was ever created: ${ids.join(', ')}`);
  const truth = c.sim.cluster(ids[0]);
  const frontends = truth?.members() ?? [];
  t.same(frontends.map((f) => f.host).sort(), [0, 1, 2].map((i) => c.fqdn('fe', i)), 'every FE registered by its FQDN');
  t.same(frontends.filter((f) => !f.joined || !(f.hb.alive || f.name === truth?.leaderName)).map((f) => f.host), [], 'every FE joined and Alive');
  const backends = (truth?.nodes ?? []).filter((n) => n.kind === 'backend');
  t.same(backends.map((n) => n.host).sort(), [0, 1, 2].map((i) => c.fqdn('be', i)), 'every BE registered by its FQDN');
  t.same(backends.filter((n) => !n.hb.alive).map((n) => n.host), [], 'every BE Alive');
  const adds = addsByTarget(c.sim);
  t.same([...adds.entries()].filter(([, count]) => count !== 1), [], 'no node was added twice');
  t.equal(adds.size, 5, 'FE 1, FE 2 and the 3 BEs were added once each (FE 0 bootstrapped)');
  return c;
}

// The pods' containers run the copy install-agent put into the pod's emptyDir: a real executable
// (the Node SEA), not Node on agent/main.ts.
function checkInjected(t: Test, c: WorldCluster, pod: { name: string; uid: string }): PodProcess[] {
  const list = podProcesses(pod.name, c.world.dir);
  t.comment(`processes of ${pod.name}:\n${list.map((p) => `${p.pid}  exe=${p.exe}  argv=${p.argv.join(' ')}`).join('\n')}`);
  const agents = list.filter((p) => p.argv.includes('run') && p.exe.endsWith('/starrocks-agent'));
  t.equal(agents.length, 1, `one agent \`run\` process in ${pod.name}`);
  const agent = agents[0];
  t.ok(agent !== undefined && agent.exe.includes(pod.uid) && agent.exe.startsWith(c.world.dir), `its executable is the copy in the pod's own emptyDir: ${agent?.exe ?? 'none'}`);
  t.notOk(list.some((p) => p.argv.some((a) => a.endsWith('agent/main.ts'))), 'no agent runs from the TypeScript sources');
  const installLog = readFileSync(join(c.world.dir, 'pods', pod.uid, 'logs', 'install-agent.log'), 'utf8');
  t.match(installLog, /starrocks-agent \S+ (installed at|is already installed at)/, 'install-agent copied the executable');
  return list;
}

t.test('an official-style cluster of stock images converges with the injected agent', async (t) => {
  const c = await converge(t, false);
  const fe0 = (await c.pods('fe'))[0];
  if (fe0 === undefined) throw new Error('no FE pod');
  const list = checkInjected(t, c, fe0);
  t.ok(list.some((p) => p.argv.some((a) => a.endsWith('fe-main.ts'))), 'the agent supervises the (simulated) FE process');
  const be0 = (await c.pods('be'))[0];
  if (be0 !== undefined) checkInjected(t, c, be0);
  await c.stop();
  cluster = undefined;
});

t.test('a CR command runs under the agent: it is supervised, the members register and turn Ready', async (t) => {
  const c = await converge(t, true);
  for (const component of ['fe', 'be'] as const) {
    for (const pod of await c.pods(component)) {
      const log = readFileSync(join(c.world.dir, 'pods', pod.uid, 'logs', `${component}.log`), 'utf8');
      t.match(log, new RegExp(`custom entrypoint of ${pod.name}:.*--logconsole`), `${pod.name} ran the CR's command, with the agent's start arguments`);
    }
  }
  const fe1 = (await c.pods('fe'))[1];
  if (fe1 === undefined) throw new Error('no FE 1');
  const fe1Log = readFileSync(join(c.world.dir, 'pods', fe1.uid, 'logs', 'fe.log'), 'utf8');
  t.match(fe1Log, /custom entrypoint of sr-fe-1:.*--helper /, 'a joining FE got its helper through the CR command');
  checkInjected(t, c, fe1);
});
