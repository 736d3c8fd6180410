/**
 * End to end: a StarRocksCluster applied with kubectl in the Kubernetes world comes up through
 * the controller, the agents (init container, run, probes) and the StarRocks simulator, and
 * reaches Ready; its status lists every member (host, FE role) as the agents record them, and its
 * FE answers SQL on its pod address and lists the BE as alive.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import t from 'tap';
import { stringify } from 'yaml';
import { AGENT_ROUTES, ANNOTATIONS, CRD, ENV, PORTS, names } from '../../../agent/contract/index.ts';
import { decodeMembership } from '../../../agent/contract/membership-annotation.ts';
import { dig } from '../../../controller/json.ts';
import { createInstallTree } from '../../sim/install-tree.ts';
import { SIM_ENV } from '../../sim/node/node-env.ts';
import { SimWorld } from '../../sim/world/sim-world.ts';
import { REPO_ROOT, startWorld } from '../../world/world.ts';
import type { World } from '../../world/world.ts';
import { waitCrdEstablished, waitFor } from '../../world/wait.ts';
import { controllerKit, runController } from '../fixtures/world-controller.ts';
import type { RunningController } from '../fixtures/world-controller.ts';

const exec = promisify(execFile);
t.setTimeout(400_000);
const RESYNC_MS = 3_000;
type Loose = Record<string, unknown>;

let world: World | undefined;
let sim: SimWorld | undefined;
let running: RunningController | undefined;
const runnerLog: string[] = [];

t.teardown(async () => {
  await running?.stop();
  await world?.stop();
  await sim?.stop();
});

t.test('a StarRocksCluster comes up with the agents and the simulator, reaches Ready and answers SQL', async (t) => {
  world = await startWorld({
    nodes: 1,
    backoffBaseMs: 1_000,
    log: (line) => {
      runnerLog.push(line);
      if (runnerLog.length > 300) runnerLog.shift();
    },
    installTree: async (pod, podDir) => createInstallTree({ dir: join(podDir, 'starrocks'), conf: {} }).root,
  });
  const w = world;
  sim = await SimWorld.start({ dns: w.dns, heartbeatIntervalMs: 500, joinPollMs: 300, noLeaderTimeoutMs: 5_000, feGracefulExitMs: 500, backendGracefulExitMs: 300 });
  const simEndpoint = `${sim.endpoint.host}:${sim.endpoint.port}`;
  const kubectl = async (...args: string[]): Promise<string> =>
    (await exec('kubectl', ['--kubeconfig', w.kubeconfigPath, ...args], { timeout: 90_000 })).stdout;
  // The CRD and RBAC only: the controller runs in this test (the runner cannot run its image).
  await kubectl('apply', '-f', join(REPO_ROOT, 'deploy', 'namespace.yaml'), '-f', join(REPO_ROOT, 'crds', 'starrocks.com_starrocksclusters.yaml'), '-f', join(REPO_ROOT, 'deploy', 'rbac.yaml'));
  await waitCrdEstablished(kubectl, `${CRD.plural}.${CRD.group}`);
  await kubectl('create', 'namespace', 'e2e');

  const env = [
    // Every pod of the world shares the host's network: the agent binds its pod address only.
    { name: ENV.AGENT_BIND, value: '$(POD_IP)' },
    { name: ENV.DNS_SERVER, value: `${w.dns.host}:${w.dns.port}` },
    { name: SIM_ENV.dns, value: `${w.dns.host}:${w.dns.port}` },
    { name: SIM_ENV.world, value: simEndpoint },
  ];
  const cluster = {
    apiVersion: 'starrocks.com/v1',
    kind: CRD.kind,
    metadata: { name: 'sr', namespace: 'e2e' },
    spec: {
      agent: { probeIntervalMs: 500, logLevel: 'debug' },
      // The agent images, which the world knows (test/world/pods/image-table.ts): it runs this repository's agent.
      starRocksFeSpec: { image: 'starrocks-fe-agent:3.3', replicas: 1, feEnvVars: env, readinessProbeFailureSeconds: 10 },
      starRocksBeSpec: { image: 'starrocks-be-agent:3.3', replicas: 1, beEnvVars: env, readinessProbeFailureSeconds: 10 },
      starRocksCnSpec: { image: 'starrocks-be-agent:3.3', replicas: 1, cnEnvVars: env, readinessProbeFailureSeconds: 10 },
    },
  };
  const file = join(w.dir, 'sr.yaml');
  writeFileSync(file, stringify(cluster));
  // A short resync, so the hand edits of the next test are repaired within seconds even without their watch events.
  running = runController(controllerKit(w.kubeconfigPath), { namespace: 'e2e', resyncMs: RESYNC_MS });
  await kubectl('apply', '-f', file);

  let last: Loose | undefined;
  try {
    await waitFor(
      async () => {
        const cr = JSON.parse(await kubectl('get', CRD.singular, 'sr', '-n', 'e2e', '-o', 'json')) as Loose;
        last = dig(cr, 'status') as Loose | undefined;
        return last?.phase === 'running' ? true : undefined;
      },
      { what: 'cluster sr Ready', timeoutMs: 300_000, intervalMs: 1_000 },
    );
  } catch (error) {
    const agents: string[] = [];
    for (const name of ['sr-fe-0', 'sr-be-0']) {
      try {
        const p = JSON.parse(await kubectl('get', 'pod', name, '-n', 'e2e', '-o', 'json')) as Loose;
        const ip = String(dig(p, 'status', 'podIP'));
        const readyz = await fetch(`http://${ip}:${PORTS.agent}${AGENT_ROUTES.readyz}`).then(async (r) => `${r.status} ${await r.text()}`);
        const status = await fetch(`http://${ip}:${PORTS.agent}${AGENT_ROUTES.status}`).then((r) => r.text());
        agents.push(`${name} readyz: ${readyz}\n${name} status: ${status}`);
      } catch (e) {
        agents.push(`${name}: ${String(e)}`);
      }
    }
    t.fail(`not Ready: ${JSON.stringify(last)}\n${agents.join('\n')}\nrunner: ${runnerLog.slice(-40).join('\n')}`);
    throw error;
  }
  t.match(last?.conditions, [{ type: 'Ready', status: 'True' }, { type: 'Progressing', status: 'False' }, { type: 'Degraded', status: 'False' }]);
  t.match(last?.starRocksFeStatus, { ready: '1/1' });
  t.match(last?.starRocksBeStatus, { ready: '1/1' });
  t.match(last?.starRocksCnStatus, { ready: '1/1' });

  // The status lists the members as their agents record them (contract/membership-annotation.ts):
  // each FE's host:edit_log_port and its role as SHOW FRONTENDS says it (one LEADER), each BE's
  // and CN's registered host:heartbeat_port.
  const fqdn = (component: 'fe' | 'be' | 'cn', ordinal: number): string => `${names('sr').pod(component, ordinal)}.${names('sr').searchService(component)}.e2e.svc.cluster.local`;
  const expected = {
    starRocksFeStatus: [{ pod: 'sr-fe-0', host: `${fqdn('fe', 0)}:9010`, role: 'LEADER' }],
    starRocksBeStatus: [{ pod: 'sr-be-0', host: `${fqdn('be', 0)}:9050` }],
    starRocksCnStatus: [{ pod: 'sr-cn-0', host: `${fqdn('cn', 0)}:9050` }],
  };
  let members: Record<string, unknown> = {};
  const listed = await waitFor(
    async () => {
      const status = dig(JSON.parse(await kubectl('get', CRD.singular, 'sr', '-n', 'e2e', '-o', 'json')), 'status');
      members = Object.fromEntries(Object.keys(expected).map((key) => [key, dig(status, key, 'members')]));
      const fe = members.starRocksFeStatus;
      const complete = Object.entries(expected).every(([key, want]) => Array.isArray(members[key]) && (members[key] as Loose[]).length === want.length && want.every((w, i) => (members[key] as Loose[])[i]?.host === w.host));
      return complete && Array.isArray(fe) && (fe as Loose[]).every((m) => m.role === 'LEADER') ? members : undefined;
    },
    { what: 'the status listing every member', timeoutMs: 60_000, intervalMs: 500 },
  ).catch((error: unknown) => {
    t.fail(`status members: ${JSON.stringify(members)}`);
    throw error;
  });
  t.match(listed, expected, 'every FE with its host and role, every BE and CN with its registered host');
  t.equal((listed.starRocksFeStatus as Loose[]).filter((m) => m.role === 'LEADER').length, 1, 'one LEADER');
  // The record itself is kept current: init wrote the FE's planned role (FOLLOWER), the monitor the one it has.
  const feAnnotations = dig(JSON.parse(await kubectl('get', 'pod', 'sr-fe-0', '-n', 'e2e', '-o', 'json')), 'metadata', 'annotations') as Record<string, string>;
  t.match(decodeMembership(feAnnotations[ANNOTATIONS.membership]), { kind: 'ok', record: { component: 'fe', role: 'LEADER', registeredAs: { host: fqdn('fe', 0), port: 9010 } } }, 'the FE membership annotation says LEADER');

  const pod = JSON.parse(await kubectl('get', 'pod', 'sr-fe-0', '-n', 'e2e', '-o', 'json')) as Loose;
  const podIp = String(dig(pod, 'status', 'podIP'));
  const connection = await mysql.createConnection({ host: podIp, port: 9030, user: 'root', connectTimeout: 10_000 });
  try {
    const [frontends] = await connection.query('SHOW FRONTENDS');
    t.match(frontends, [{ Role: 'LEADER', Alive: 'true' }]);
    let seen: unknown;
    const backends = await waitFor(
      async () => {
        const [rows] = await connection.query('SHOW BACKENDS');
        seen = rows;
        return Array.isArray(rows) && rows.length === 1 && (rows[0] as Loose).Alive === 'true' ? rows : undefined;
      },
      { what: 'the BE alive in SHOW BACKENDS', timeoutMs: 30_000, intervalMs: 500 },
    ).catch((error: unknown) => {
      t.fail(`SHOW BACKENDS: ${JSON.stringify(seen)}`);
      throw error;
    });
    t.match(backends, [{ Alive: 'true' }]);
  } finally {
    await connection.end();
  }

  // What a person reads (README "Status a person can read"): the printer columns, and describe
  // with the conditions, the cluster id, the members and the agents' events mirrored onto the CR.
  const table = await kubectl('get', CRD.shortName, 'sr', '-n', 'e2e');
  t.comment(`$ kubectl get src sr -n e2e\n${table}`);
  const [header, row] = table.trim().split('\n').map((line) => line.trim().split(/\s+/));
  t.same(header, ['NAME', 'PHASE', 'FE', 'BE', 'CN', 'LEADER', 'AGE'], 'the columns');
  t.same(row?.slice(0, 6), ['sr', 'running', '1/1', '1/1', '1/1', 'sr-fe-0'], 'phase, ready counts and the leader');
  const clusterId = String(dig(JSON.parse(await kubectl('get', CRD.singular, 'sr', '-n', 'e2e', '-o', 'json')), 'status', 'clusterId'));
  t.match(clusterId, /^[1-9][0-9]*$/, 'status.clusterId recorded');
  const wide = await kubectl('get', CRD.shortName, 'sr', '-n', 'e2e', '-o', 'wide');
  t.comment(`$ kubectl get src sr -n e2e -o wide\n${wide}`);
  const [wideHeader, wideRow] = wide.trim().split('\n').map((line) => line.trim().split(/\s+/));
  t.equal(wideRow?.[wideHeader?.indexOf('CLUSTER-ID') ?? -1], clusterId, '-o wide adds the cluster id');

  // The FE leader's agent creates the agent SQL user at bring-up (agent/commands/account-keeper.ts)
  // and records SqlAccountUpdated about its own pod; the controller mirrors it onto the cluster.
  let described = '';
  await waitFor(
    async () => {
      described = await kubectl('describe', CRD.shortName, 'sr', '-n', 'e2e');
      return /Normal\s+SqlAccountUpdated\s+\S+\s+starrocks-agent\s+sr-fe-0: SQL user /.test(described) ? true : undefined;
    },
    { what: "the agent's event mirrored onto the StarRocksCluster", timeoutMs: 60_000, intervalMs: 1_000 },
  ).catch((error: unknown) => {
    t.fail(`describe:\n${described}`);
    throw error;
  });
  t.comment(`$ kubectl describe src sr -n e2e\n${described}`);
  t.match(described, new RegExp(`Cluster Id:\\s+${clusterId}\\n`), 'the cluster id');
  t.match(described, /Leader:\s+sr-fe-0\n/, 'the leader');
  t.match(described, /Reason:\s+AllComponentsReady\n\s+Status:\s+True\n\s+Type:\s+Ready\n/, 'the conditions with their reasons');
  t.match(described, /Members:\n\s+Agent Phase:\s+\S+\n\s+Host:\s+sr-fe-0\.sr-fe-search\.e2e\.svc\.cluster\.local:9010\n\s+Pod:\s+sr-fe-0\n\s+Ready:\s+true\n\s+Role:\s+LEADER\n/, 'members with their role and state');
  const mirrored = await kubectl('get', 'events', '-n', 'e2e', '--field-selector', `involvedObject.kind=${CRD.kind},reason=SqlAccountUpdated`, '-o', 'json');
  const mirrorNames = ((JSON.parse(mirrored) as { items: Loose[] }).items).map((e) => String(dig(e, 'metadata', 'name')));
  t.ok(mirrorNames.length > 0 && mirrorNames.every((n) => /^sr-fe-0\.[a-z0-9]+\.mirror$/.test(n)), `each agent event mirrored once, named after it: ${mirrorNames.join(', ')}`);
  t.equal(new Set(mirrorNames).size, mirrorNames.length);
  const originals = await kubectl('get', 'events', '-n', 'e2e', '--field-selector', 'involvedObject.kind=Pod,reason=SqlAccountUpdated', '-o', 'json');
  const originalNames = (JSON.parse(originals) as { items: Loose[] }).items.map((e) => `${String(dig(e, 'metadata', 'name'))}.mirror`);
  t.same([...mirrorNames].sort(), [...originalNames].sort(), 'one mirror per agent event, none twice');

  // A scale-in: the CN's preStop records ScalingIn and Deregistered about its own pod, which is
  // gone by the time anyone looks; the cluster's describe still tells it.
  await kubectl('patch', CRD.shortName, 'sr', '-n', 'e2e', '--type', 'merge', '-p', JSON.stringify({ spec: { starRocksCnSpec: { replicas: 0 } } }));
  await waitFor(
    async () => {
      described = await kubectl('describe', CRD.shortName, 'sr', '-n', 'e2e');
      return /Normal\s+ScalingIn\s+\S+\s+starrocks-agent\s+sr-cn-0: /.test(described) && /Normal\s+Deregistered\s+\S+\s+starrocks-agent\s+sr-cn-0: /.test(described) ? true : undefined;
    },
    { what: "the CN agent's scale-in events mirrored onto the StarRocksCluster", timeoutMs: 90_000, intervalMs: 1_000 },
  ).catch((error: unknown) => {
    t.fail(`describe:\n${described}`);
    throw error;
  });
  t.comment(`after the CN scale-in, $ kubectl describe src sr -n e2e (events)\n${described.slice(described.indexOf('Events:'))}`);
  t.match(await kubectl('get', CRD.shortName, 'sr', '-n', 'e2e'), /\bsr\s+\S+\s+1\/1\s+1\/1\s+0\/0\s+sr-fe-0\b/, 'CN 0/0 in kubectl get src');
});

t.test('kubectl scale sts and a relabelled StatefulSet or Service are reverted within one resync, nothing deregistered', async (t) => {
  const w = world;
  const s = sim;
  if (w === undefined || s === undefined) throw new Error('the cluster of the previous test is not running');
  const kubectl = async (...args: string[]): Promise<string> =>
    (await exec('kubectl', ['--kubeconfig', w.kubeconfigPath, '-n', 'e2e', ...args], { timeout: 90_000 })).stdout;
  const pod = JSON.parse(await kubectl('get', 'pod', 'sr-fe-0', '-o', 'json')) as Loose;
  const connection = await mysql.createConnection({ host: String(dig(pod, 'status', 'podIP')), port: 9030, user: 'root', connectTimeout: 10_000 });
  const rows = async (sql: string): Promise<string> => {
    const [result] = await connection.query(sql);
    // Heartbeat times and counters move by themselves; the members are the ids, hosts and roles.
    return JSON.stringify((result as Loose[]).map((r) => [r.BackendId ?? r.Name, r.IP ?? r.Host, r.Role ?? '']));
  };
  const statementsBefore = s.statements().length;
  const backends = await rows('SHOW BACKENDS');
  const frontends = await rows('SHOW FRONTENDS');
  const field = async (kind: string, name: string, path: string): Promise<string> => (await kubectl('get', kind, name, '-o', `jsonpath={${path}}`)).trim();
  const reverted = async (what: string, kind: string, name: string, path: string, want: string): Promise<number> => {
    const started = Date.now();
    await waitFor(async () => ((await field(kind, name, path)) === want ? true : undefined), { what, timeoutMs: RESYNC_MS + 10_000, intervalMs: 100 });
    const ms = Date.now() - started;
    t.comment(`${what}: ${ms} ms (resync ${RESYNC_MS} ms)`);
    return ms;
  };
  try {
    await kubectl('scale', 'statefulset', 'sr-be', '--replicas', '2');
    t.ok((await reverted('sr-be back at 1 replica', 'statefulset', 'sr-be', '.spec.replicas', '1')) < RESYNC_MS + 1_000, 'within one resync');
    await kubectl('scale', 'statefulset', 'sr-fe', '--replicas', '3');
    t.ok((await reverted('sr-fe back at 1 replica', 'statefulset', 'sr-fe', '.spec.replicas', '1')) < RESYNC_MS + 1_000, 'within one resync');
    await kubectl('label', 'statefulset', 'sr-be', 'app.kubernetes.io/name=hand-edit', '--overwrite');
    t.ok((await reverted('sr-be label back', 'statefulset', 'sr-be', ".metadata.labels['app\\.kubernetes\\.io/name']", 'starrocks')) < RESYNC_MS + 1_000, 'within one resync');
    await kubectl('label', 'service', 'sr-fe-service', 'app.kubernetes.io/component=hand-edit', '--overwrite');
    t.ok((await reverted('sr-fe-service label back', 'service', 'sr-fe-service', ".metadata.labels['app\\.kubernetes\\.io/component']", 'fe')) < RESYNC_MS + 1_000, 'within one resync');
    // Pods the StatefulSet controller created in the meantime are gone again.
    await waitFor(async () => ((await kubectl('get', 'pods', '-o', 'name')).trim().split('\n').sort().join(',') === 'pod/sr-be-0,pod/sr-fe-0' ? true : undefined), {
      what: 'only sr-fe-0 and sr-be-0 left',
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    t.equal(await rows('SHOW BACKENDS'), backends, 'SHOW BACKENDS unchanged');
    t.equal(await rows('SHOW FRONTENDS'), frontends, 'SHOW FRONTENDS unchanged');
    t.same(s.statements().slice(statementsBefore).filter((x) => /\b(DROP|DECOMMISSION)\b/i.test(x.sql)).map((x) => x.sql), [], 'nothing dropped or decommissioned');
  } finally {
    await connection.end();
  }
});
