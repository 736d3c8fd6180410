/**
 * The Helm chart (deploy/helm/starrocks-agent-operator) checked with Helm itself: `helm lint`,
 * `helm template` against committed snapshots (`UPDATE_HELM_SNAPSHOTS=1` rewrites them), the
 * copies it holds of crds/ and deploy/ kept equal to them, the official kube-starrocks values
 * moving over into a StarRocksCluster the controller's own parser accepts, and the values it
 * refuses. The world test (test/e2e/helm-world.test.ts) installs it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { parseCluster } from '../../../controller/cr/parse.ts';
import { render } from '../../../controller/render/render.ts';
import { REPO_ROOT } from '../../world/world.ts';
import { CHART_DIR, HELM_COMMANDS, helmCli } from './helm-cli.ts';

type Loose = Record<string, unknown>;
interface Doc {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

const helm = helmCli();
t.teardown(() => helm.close());

const SNAPSHOTS = join(REPO_ROOT, 'test/deploy/helm/snapshots');
const OFFICIAL_VALUES = 'test/deploy/helm/values/official.yaml';

function docs(text: string): Doc[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(d.errors[0]?.message ?? 'YAML error');
      return d.toJS() as Doc | null;
    })
    .filter((d): d is Doc => d !== null);
}

function fileDocs(path: string): Doc[] {
  return docs(readFileSync(join(REPO_ROOT, path), 'utf8'));
}

async function template(args: readonly string[]): Promise<string> {
  const out = await helm.run(['template', 'sr', CHART_DIR, '--namespace', 'starrocks-system', ...args]);
  if (out.code !== 0) throw new Error(`helm template ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout;
}

function withoutChartLabels(doc: Doc): Doc {
  const { labels: _labels, ...metadata } = doc.metadata;
  return { ...doc, metadata };
}

t.test('helm lint passes, with the default values and with an official kube-starrocks values file', async (t) => {
  const plain = await helm.run(['lint', '--strict', CHART_DIR]);
  t.equal(plain.code, 0, plain.stdout + plain.stderr);
  const official = await helm.run(['lint', '--strict', CHART_DIR, '--values', OFFICIAL_VALUES]);
  t.equal(official.code, 0, official.stdout + official.stderr);
  t.match(official.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

const CASES: { name: string; args: string[] }[] = [
  { name: 'defaults', args: [] },
  { name: 'official-values', args: ['--values', OFFICIAL_VALUES] },
  { name: 'watch-namespace', args: ['--set', 'operator.starrocksOperator.watchNamespace=analytics', '--set', 'operator.starrocksOperator.replicaCount=1', '--set', 'operator.starrocksOperator.leaderElection.enabled=false'] },
];

t.test('helm template output equals the committed snapshots', async (t) => {
  for (const c of CASES) {
    const out = await template(c.args);
    const file = join(SNAPSHOTS, `${c.name}.yaml`);
    if (process.env.UPDATE_HELM_SNAPSHOTS === '1') writeFileSync(file, out);
    t.equal(out, readFileSync(file, 'utf8'), `${c.name}: rerun with UPDATE_HELM_SNAPSHOTS=1 after a deliberate change, and review the diff`);
  }
});

t.test('the chart CRD is crds/ as npm run build:crd writes it', async (t) => {
  const name = 'starrocks.com_starrocksclusters.yaml';
  t.equal(readFileSync(join(REPO_ROOT, CHART_DIR, 'crds', name), 'utf8'), readFileSync(join(REPO_ROOT, 'crds', name), 'utf8'), `npm run build:crd writes both; copy crds/${name} to ${CHART_DIR}/crds/ if you changed it by hand`);
});

t.test('the default rendering installs what kubectl apply -k deploy/ installs', async (t) => {
  const rendered = docs(await template([]));
  const kinds = rendered.map((d) => d.kind).sort();
  // The namespace is Helm's (--create-namespace), and the CRD comes from crds/ (not templated).
  t.same(kinds, ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
  const find = (list: Doc[], kind: string): Doc => {
    const doc = list.find((d) => d.kind === kind);
    if (doc === undefined) throw new Error(`no ${kind}`);
    return doc;
  };
  const rbac = fileDocs('deploy/rbac.yaml');
  for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount']) {
    t.same(withoutChartLabels(find(rendered, kind)), find(rbac, kind), `${kind} as deploy/rbac.yaml`);
  }
  const policy = fileDocs('deploy/agent-policy.yaml');
  for (const kind of ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']) {
    t.same(withoutChartLabels(find(rendered, kind)), find(policy, kind), `${kind} as deploy/agent-policy.yaml`);
  }
  // deploy/ names the image without a tag and kustomize sets it; the chart names it whole.
  const deployment = find(fileDocs('deploy/deployment.yaml'), 'Deployment') as Doc & { spec: { template: { spec: { containers: Loose[] } & Loose } } };
  const chartDeployment = find(rendered, 'Deployment') as typeof deployment;
  const [kustomized] = deployment.spec.template.spec.containers;
  const [charted] = chartDeployment.spec.template.spec.containers;
  t.same({ ...charted, imagePullPolicy: undefined }, { ...kustomized, image: 'starrocks-controller:0.1.0', imagePullPolicy: undefined }, 'the controller container as deploy/deployment.yaml with the kustomized image');
  t.same(chartDeployment.spec.template.spec.securityContext, deployment.spec.template.spec.securityContext);
  t.equal((chartDeployment.spec as unknown as { replicas: number }).replicas, 2);
});

t.test('an official kube-starrocks values file becomes a StarRocksCluster the controller accepts', async (t) => {
  const rendered = docs(await template(['--values', OFFICIAL_VALUES]));
  const cr = rendered.find((d) => d.kind === 'StarRocksCluster');
  if (cr === undefined) throw new Error('no StarRocksCluster rendered');
  const { cluster, problems } = parseCluster(cr);
  t.same(problems, [], 'no problem the controller would report');
  t.ok(cluster !== undefined && render({ cluster }).some((o) => o.kind === 'StatefulSet'), 'it renders StatefulSets');
  t.match(cr, {
    metadata: { name: 'kube-starrocks', namespace: 'starrocks-system', annotations: { team: 'data' } },
    spec: {
      waitForFullRollout: true,
      agent: { passwordSecret: { name: 'kube-starrocks-root-password', key: 'password' } },
      starRocksFeSpec: {
        image: 'starrocks/fe-ubuntu:3.5.8',
        replicas: 3,
        requests: { cpu: 4, memory: '4Gi' },
        limits: { cpu: 8, memory: '8Gi' },
        service: { type: 'NodePort' },
        tolerations: [{ key: 'dedicated' }],
        feEnvVars: [{ name: 'TZ', value: 'Asia/Shanghai' }, { name: 'EXTRA', value: '1' }],
        configMapInfo: { configMapName: 'kube-starrocks-fe-cm', resolveKey: 'fe.conf' },
        storageVolumes: [
          { name: 'fe-meta', storageClassName: 'standard', storageSize: '10Gi', mountPath: '/opt/starrocks/fe/meta' },
          { name: 'fe-log', storageClassName: 'standard', storageSize: '5Gi', mountPath: '/opt/starrocks/fe/log' },
        ],
        terminationGracePeriodSeconds: 120,
        readinessProbeFailureSeconds: 15,
      },
      starRocksBeSpec: { image: 'starrocks/be-ubuntu:3.5.8', replicas: 3, storageVolumes: [{ name: 'be-data', mountPath: '/opt/starrocks/be/storage' }] },
      starRocksCnSpec: { image: 'starrocks/cn-ubuntu:3.5.8', autoScalingPolicy: { minReplicas: 1, maxReplicas: 4 } },
    },
  });
  const be = cr.spec as { starRocksBeSpec: { storageVolumes: unknown[] }; starRocksCnSpec: Loose };
  t.equal(be.starRocksBeSpec.storageVolumes.length, 1, 'logStorageSize 0Gi: no log volume, as the official chart');
  t.notOk('replicas' in be.starRocksCnSpec, 'CN replicas left to the autoscaler');
  const secret = rendered.find((d) => d.kind === 'Secret') as (Doc & { stringData: Loose }) | undefined;
  t.match(secret, { metadata: { name: 'kube-starrocks-root-password' }, stringData: { password: 'change-me' } });
  const maps = rendered.filter((d) => d.kind === 'ConfigMap') as (Doc & { data: Record<string, string> })[];
  t.same(maps.map((m) => m.metadata.name).sort(), ['kube-starrocks-be-cm', 'kube-starrocks-fe-cm']);
  t.match(maps.find((m) => m.metadata.name === 'kube-starrocks-be-cm')?.data['be.conf'], /be_port = 9060\nheartbeat_service_port = 9050/);
  const deployment = rendered.find((d) => d.kind === 'Deployment') as Doc & { spec: { replicas: number; template: { spec: { serviceAccountName: string; nodeSelector: Loose; containers: Loose[] } } } };
  t.equal(deployment.spec.replicas, 1);
  t.equal(deployment.spec.template.spec.serviceAccountName, 'starrocks');
  t.same(deployment.spec.template.spec.nodeSelector, { 'kubernetes.io/os': 'linux' });
  t.match(deployment.spec.template.spec.containers[0], { image: 'registry.example.com/starrocks-controller:0.1.0', imagePullPolicy: 'Always', resources: { requests: { cpu: '500m' } } });
});

t.test('watchNamespace: the controller watches one namespace and holds its rights there only', async (t) => {
  const rendered = docs(await template(CASES[2]?.args ?? []));
  t.same(rendered.filter((d) => d.kind.startsWith('Cluster')).map((d) => d.kind), [], 'no ClusterRole or ClusterRoleBinding');
  const role = rendered.find((d) => d.kind === 'Role' && d.metadata.name === 'starrocks-controller');
  t.equal(role?.metadata.namespace, 'analytics');
  t.same(
    (role as unknown as { rules: unknown }).rules,
    (fileDocs('deploy/rbac.yaml').find((d) => d.kind === 'ClusterRole') as unknown as { rules: unknown }).rules,
  );
  t.match(rendered.find((d) => d.kind === 'RoleBinding'), { metadata: { namespace: 'analytics' }, roleRef: { kind: 'Role' } });
  t.notOk(rendered.some((d) => d.metadata.name === 'starrocks-controller-leader-election'), 'no Lease rights without leader election');
  const deployment = rendered.find((d) => d.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
  t.same(deployment.spec.template.spec.containers[0]?.args, ['run', '--agent-image=starrocks-agent:0.1.0', '--namespace=analytics', '--no-leader-election']);
});

t.test('values the chart cannot honour fail the render with what to do', async (t) => {
  const twoWithoutLease = await helm.run(['template', 'sr', CHART_DIR, '--set', 'operator.starrocksOperator.leaderElection.enabled=false']);
  t.not(twoWithoutLease.code, 0);
  t.match(twoWithoutLease.stderr, /replicaCount=2 needs leaderElection\.enabled=true/);
  const noPassword = await helm.run(['template', 'sr', CHART_DIR, '--set', 'starrocks.starrocksCluster.enabled=true', '--set', 'starrocks.initPassword.enabled=true']);
  t.not(noPassword.code, 0);
  t.match(noPassword.stderr, /needs starrocks\.initPassword\.password or starrocks\.initPassword\.passwordSecret/);
});

t.test('metrics.serviceMonitor (official) becomes the cluster\'s spec.metrics.podMonitor', async (t) => {
  const on = await helm.run(['template', 'sr', CHART_DIR, '--set', 'starrocks.starrocksCluster.enabled=true', '--set', 'starrocks.metrics.serviceMonitor.enabled=true', '--set', 'starrocks.metrics.serviceMonitor.labels.release=prometheus']);
  t.equal(on.code, 0, on.stderr);
  const cluster = parseAllDocuments(on.stdout).map((d) => d.toJS() as { kind?: string; spec?: { metrics?: unknown } }).find((d) => d.kind === 'StarRocksCluster');
  t.same(cluster?.spec?.metrics, { podMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } } });
  const off = await helm.run(['template', 'sr', CHART_DIR, '--set', 'starrocks.starrocksCluster.enabled=true']);
  const plain = parseAllDocuments(off.stdout).map((d) => d.toJS() as { kind?: string; spec?: { metrics?: unknown } }).find((d) => d.kind === 'StarRocksCluster');
  t.equal(plain?.spec?.metrics, undefined, 'off by default');
});

t.test('kubeVersion: a server older than 1.30 is refused, the pinned world version accepted', async (t) => {
  const old = await helm.run(['template', 'sr', CHART_DIR, '--kube-version', 'v1.29.9']);
  t.not(old.code, 0);
  t.match(old.stderr, /chart requires kubeVersion: >=1\.30\.0-0 which is incompatible with Kubernetes v1\.29\.9/);
  const current = await helm.run(['template', 'sr', CHART_DIR, '--kube-version', 'v1.35.4']);
  t.equal(current.code, 0, current.stderr);
});

t.test('the README shows the commands the world test runs, and the chart README maps every official value it names', async (t) => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  for (const [step, args] of Object.entries(HELM_COMMANDS)) t.ok(readme.includes(`\nhelm ${args.join(' ')}\n`), `README "Install with Helm" has the ${step} command`);
  const chartReadme = readFileSync(join(REPO_ROOT, CHART_DIR, 'README.md'), 'utf8');
  t.match(chartReadme, /## Official values: mapped, not mapped, and why/);
  t.ok(chartReadme.includes(`helm ${HELM_COMMANDS.install.join(' ')}`), 'the chart README installs as the test does');
});
