import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { FrontendRow } from '../../../agent/membership/frontends.ts';
import type { NodeRow } from '../../../agent/membership/nodes.ts';
import { REPO_ROOT } from '../world.ts';
import { parseClusterManifest } from './manifest.ts';
import { changedLines, leaderPod, podFacts, readiness, renderTable, rows, summaryText } from './view.ts';
import type { PodFacts, Snapshot } from './view.ts';

const fe = (i: number, role: FrontendRow['role'], alive = true, clusterId = 7): FrontendRow =>
  ({ host: `sr-fe-${i}.sr-fe-search.default.svc.cluster.local`, role, alive, join: true, clusterId }) as unknown as FrontendRow;
const node = (c: string, i: number, alive = true): NodeRow => ({ host: `sr-${c}-${i}.sr-${c}-search.default.svc.cluster.local`, alive, systemDecommissioned: false }) as unknown as NodeRow;
const pod = (c: 'fe' | 'be' | 'cn', i: number, over: Partial<PodFacts> = {}): PodFacts => ({
  name: `sr-${c}-${i}`,
  uid: `uid-${c}-${i}`,
  component: c,
  ip: `127.0.0.${10 + i + (c === 'be' ? 10 : c === 'cn' ? 20 : 0)}`,
  status: 'Running',
  ready: true,
  terminating: false,
  agentPhase: 'running',
  lastError: undefined,
  restarts: 0,
  ...over,
});

const converged = (): Snapshot => ({
  components: ['fe', 'be', 'cn'],
  desired: { fe: 3, be: 2, cn: 1 },
  pods: [pod('cn', 0), pod('be', 1), pod('fe', 2), pod('fe', 0), pod('be', 0), pod('fe', 1)],
  members: { frontends: [fe(0, 'FOLLOWER'), fe(1, 'LEADER'), fe(2, 'FOLLOWER')], backends: [node('be', 0), node('be', 1)], computeNodes: [node('cn', 0)] },
  membersError: undefined,
  crPhase: 'running',
});

t.test('rows: fe, be, cn by ordinal; the leader view of each pod', async (t) => {
  const s = converged();
  s.pods = [...s.pods, pod('be', 2, { ready: false, agentPhase: 'registering', status: 'Init:1/2', ip: undefined })];
  const r = rows(s);
  t.same(r.map((x) => x.pod), ['sr-fe-0', 'sr-fe-1', 'sr-fe-2', 'sr-be-0', 'sr-be-1', 'sr-be-2', 'sr-cn-0']);
  t.same(r[1], { pod: 'sr-fe-1', address: '127.0.0.11', status: 'Running', ready: true, agent: 'running', member: 'LEADER alive' });
  t.same(r[5], { pod: 'sr-be-2', address: '-', status: 'Init:1/2', ready: false, agent: 'registering', member: '-' });
  t.equal(rows({ ...s, members: undefined })[0]?.member, '?', 'unknown while no leader answers');
  t.equal(leaderPod(s)?.name, 'sr-fe-1');
});

t.test('readiness: Ready only when pods, members, one cluster id and the CR agree', async (t) => {
  t.match(readiness(converged()), { ready: true, clusterId: 7, counts: { fe: 3, be: 2, cn: 1 } });
  const cases: [string, (s: Snapshot) => void, RegExp][] = [
    ['no StatefulSet', (s) => delete s.desired.be, /controller to create the BE StatefulSet/],
    ['a pod missing', (s) => (s.pods = s.pods.filter((p) => p.name !== 'sr-cn-0')), /0 of 1 CN pods exist/],
    ['a pod not Ready', (s) => (s.pods = s.pods.map((p) => (p.name === 'sr-be-1' ? { ...p, ready: false } : p))), /waiting for sr-be-1 to be Ready/],
    ['no leader', (s) => ((s.members = undefined), (s.membersError = 'refused')), /no FE answers as the leader \(refused\)/],
    ['a BE not listed', (s) => s.members !== undefined && (s.members = { ...s.members, backends: [node('be', 0)] }), /does not list sr-be-1/],
    ['a CN dead', (s) => s.members !== undefined && (s.members = { ...s.members, computeNodes: [node('cn', 0, false)] }), /sr-cn-0 to be Alive/],
    ['an FE dead', (s) => s.members !== undefined && (s.members = { ...s.members, frontends: [fe(0, 'FOLLOWER', false), fe(1, 'LEADER'), fe(2, 'FOLLOWER')] }), /sr-fe-0 to be Alive/],
    ['a ghost row', (s) => s.members !== undefined && (s.members = { ...s.members, backends: [node('be', 0), node('be', 1), node('be', 5)] }), /lists 3 BEs, 2 wanted/],
    ['two cluster ids', (s) => s.members !== undefined && (s.members = { ...s.members, frontends: [fe(0, 'FOLLOWER'), fe(1, 'LEADER'), fe(2, 'FOLLOWER', true, 8)] }), /cluster ids 7, 8/],
    ['CR not running', (s) => (s.crPhase = 'reconciling'), /status phase is reconciling/],
  ];
  for (const [what, change, reason] of cases) {
    const s = converged();
    change(s);
    const verdict = readiness(s);
    t.equal(verdict.ready, false, what);
    if (!verdict.ready) t.match(verdict.reason, reason, what);
  }
});

t.test('podFacts: status as kubectl shows it, agent phase from the annotation', async (t) => {
  const raw = (status: unknown, extra: Record<string, unknown> = {}): unknown => ({
    metadata: { name: 'sr-be-0', uid: 'u', labels: { 'app.kubernetes.io/component': 'be' }, annotations: { 'starrocks.com/agent-phase': 'waiting' }, ...extra },
    spec: { initContainers: [{}, {}] },
    status,
  });
  t.match(podFacts(raw({ phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 0 } } }, { state: { running: {} } }] })), { status: 'Init:1/2', agentPhase: 'waiting' });
  t.match(podFacts(raw({ phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'ErrImagePull' } } }] })), { status: 'Init:ErrImagePull' });
  t.match(podFacts(raw({ phase: 'Running', podIP: '127.0.0.5', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ restartCount: 2, state: { running: {} } }] })), {
    status: 'Running',
    ready: true,
    ip: '127.0.0.5',
    restarts: 2,
  });
  t.match(podFacts(raw({ phase: 'Running' }, { deletionTimestamp: 'x' })), { status: 'Terminating', terminating: true });
  t.equal(podFacts({ metadata: { name: 'controller' } }), undefined, 'not a StarRocks pod');
  t.equal(podFacts('nonsense'), undefined);
});

t.test('plain lines: only what changed, and the state when it changed', async (t) => {
  const before = rows(converged());
  const s = converged();
  s.pods = s.pods.map((p) => (p.name === 'sr-be-0' ? { ...p, agentPhase: 'draining' } : p));
  const after = rows(s);
  t.same(changedLines({ before, after, stateBefore: 'Ready', state: 'Ready', elapsedMs: 1_500 }), ['[  1.5 s] sr-be-0 127.0.0.20 status=Running ready=yes agent=draining member=alive']);
  t.same(changedLines({ before: after, after: after.filter((r) => r.pod !== 'sr-cn-0'), stateBefore: 'Ready', state: 'x', elapsedMs: 0 }), ['[  0.0 s] sr-cn-0 gone', '[  0.0 s] x']);
  const table = renderTable({ cluster: 'StarRocksCluster default/sr', elapsedMs: 2_000, rows: before, state: 'Ready' });
  t.match(table, /^StarRocksCluster default\/sr, 2\.0 s since kubectl apply: Ready\n {2}POD +ADDRESS +STATUS +READY +AGENT +IN FE LEADER VIEW\n {2}sr-fe-0 +127\.0\.0\.10 +Running +yes +running +FOLLOWER alive/);
});

t.test('summary: runnable commands, the password kept off the command line', async (t) => {
  const base = {
    kubeconfig: '/tmp/w/kubeconfig',
    namespace: 'default',
    name: 'sr',
    counts: { fe: 3, be: 3, cn: 1 },
    clusterId: 42,
    elapsedMs: 31_250,
    feAddress: '127.1.2.3',
    passwordSecret: undefined,
    worldDir: '/tmp/w',
    feUid: 'abc',
    controlPlaneLogs: '/tmp/w/cp-0/logs',
    staysUp: true,
  };
  const text = summaryText(base);
  t.match(text, /3 FE, 3 BE, 1 CN, every member Alive under cluster id 42, 31\.3 s from kubectl apply to Ready/);
  for (const line of ['$ export KUBECONFIG=/tmp/w/kubeconfig', '$ kubectl get src\n', "$ mariadb -h 127.1.2.3 -P 9030 -uroot -e 'SHOW FRONTENDS'", `$ kubectl patch src sr --type merge -p '{"spec":{"starRocksBeSpec":{"replicas":4}}}'`, '/tmp/w/pods/abc/logs/fe.log', 'Ctrl-C']) {
    t.ok(text.includes(line), line);
  }
  const other = summaryText({ ...base, namespace: 'prod', counts: { fe: 3, be: 0, cn: 1 }, passwordSecret: { name: 'root', key: 'password' }, staysUp: false });
  t.ok(other.includes('$ kubectl get src -n prod'));
  t.ok(other.includes(`"starRocksCnSpec":{"replicas":2}`), 'scales the CN when there is no BE');
  t.ok(other.includes(`$ MYSQL_PWD="$(kubectl -n prod get secret root -o jsonpath='{.data.password}' | base64 -d)" mariadb -h 127.1.2.3`), 'the password through MYSQL_PWD');
  t.notOk(other.includes('Ctrl-C'), 'no Ctrl-C line when exiting');
});

t.test('manifest: the one StarRocksCluster, its components and password Secret', async (t) => {
  t.match(parseClusterManifest('kind: StarRocksCluster\nmetadata: {name: a}\nspec: {starRocksFeSpec: {}, starRocksCnSpec: {}}\n', 'f'), {
    ok: true,
    cluster: { name: 'a', namespace: 'default', components: ['fe', 'cn'], passwordSecret: undefined },
  });
  const withSecret = parseClusterManifest(
    'kind: Secret\nmetadata: {name: s, namespace: n}\ndata: {password: cHc=}\n---\nkind: StarRocksCluster\nmetadata: {name: a, namespace: n}\nspec: {agent: {passwordSecret: {name: s, key: password}}, starRocksFeSpec: {}}\n',
    'f',
  );
  t.match(withSecret, { ok: true, cluster: { passwordSecret: { name: 's', key: 'password' }, secretsInFile: { s: { password: 'pw' } } } });
  t.match(parseClusterManifest('kind: ConfigMap\n', 'x.yaml'), { ok: false, error: 'x.yaml holds 0 StarRocksCluster objects: npm start follows exactly one' });
  t.match(parseClusterManifest('kind: StarRocksCluster\n', 'x.yaml'), { ok: false, error: /no metadata.name/ });
  t.match(parseClusterManifest('a: [', 'x.yaml'), { ok: false, error: /not valid YAML/ });
  // Every shipped example is one npm start can follow.
  const dir = join(REPO_ROOT, 'deploy', 'examples');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    t.match(parseClusterManifest(readFileSync(join(dir, file), 'utf8'), file), { ok: true }, file);
  }
});
