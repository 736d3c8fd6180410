import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { AGENT_SERVICE_ACCOUNT_SUFFIX, ANNOTATIONS, CRD, names } from '../../../agent/contract/index.ts';
import { DEFAULT_AGENT_IMAGE } from '../../../controller/cr/defaults.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import { agentRbacRules } from '../../../controller/render/agent-rbac.ts';
import { render } from '../../../controller/render/render.ts';
import { clustersInFile } from '../fixtures/manifests.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
type Loose = Record<string, unknown>;

function yamlFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(`${dir}/${e.name}`) : e.name.endsWith('.yaml') ? [`${dir}/${e.name}`] : [],
  );
}

function docs(file: string): Loose[] {
  return parseAllDocuments(readFileSync(`${root}${file}`, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message ?? ''}`);
    return d.toJS() as Loose;
  });
}

t.test('every YAML in deploy/ and crds/ parses', async (t) => {
  // A Helm chart's templates are Go templates, not YAML: test/deploy/helm/chart.test.ts renders them.
  const files = [...yamlFiles('deploy'), ...yamlFiles('crds')].filter((f) => !/^deploy\/helm\/[^/]+\/templates\//.test(f));
  t.ok(files.length >= 8);
  for (const file of files) t.ok(docs(file).length > 0, file);
});

t.test('the kustomization lists what exists', async (t) => {
  const [k] = docs('deploy/kustomization.yaml');
  const resources = (k?.resources as string[]) ?? [];
  t.same(resources, ['namespace.yaml', '../crds', 'rbac.yaml', 'agent-policy.yaml', 'deployment.yaml']);
  const [crds] = docs('crds/kustomization.yaml');
  t.same(crds?.resources, ['starrocks.com_starrocksclusters.yaml']);
});

t.test('kubectl builds the kustomization (kubectl kustomize deploy/)', async (t) => {
  const out = execFileSync('kubectl', ['kustomize', `${root}deploy`], { encoding: 'utf8', timeout: 60_000 });
  const kinds = parseAllDocuments(out).map((d) => `${String((d.toJS() as Loose).kind)}`);
  t.same(kinds.sort(), [
    'ClusterRole',
    'ClusterRoleBinding',
    'CustomResourceDefinition',
    'Deployment',
    'Namespace',
    'Role',
    'RoleBinding',
    'ServiceAccount',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ]);
  t.match(out, /image: starrocks-controller:0\.1\.0/);
});

t.test('controller RBAC: no wildcards, no cluster-admin, and a superset of the agent Role it grants', async (t) => {
  const rbac = docs('deploy/rbac.yaml');
  const clusterRole = rbac.find((d) => d.kind === 'ClusterRole') as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  for (const rule of clusterRole.rules) {
    t.notOk([...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*'), JSON.stringify(rule));
    t.notOk(rule.verbs.some((v) => v === 'escalate' || v === 'bind' || v === 'impersonate'));
    // The generated agent password Secret only: created, never read (it would reach every Secret).
    if (rule.resources.includes('secrets')) t.same(rule.verbs, ['create']);
  }
  const binding = rbac.find((d) => d.kind === 'ClusterRoleBinding') as { roleRef: { name: string } };
  t.not(binding.roleRef.name, 'cluster-admin');
  // Kubernetes lets a subject grant only permissions it holds itself.
  for (const rule of agentRbacRules('x')) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          const held = clusterRole.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
          t.ok(held, `controller holds ${verb} ${group}/${resource}`);
        }
      }
    }
  }
  const leaseRole = rbac.find((d) => d.kind === 'Role') as { metadata: { namespace: string }; rules: { resources: string[] }[] };
  t.equal(leaseRole.metadata.namespace, 'starrocks-system');
  t.same(leaseRole.rules.flatMap((r) => r.resources), ['leases']);
});

t.test('the agent admission policy names what the contract names', async (t) => {
  const [policy, binding] = docs('deploy/agent-policy.yaml') as [Loose, Loose];
  const text = readFileSync(`${root}deploy/agent-policy.yaml`, 'utf8');
  t.match(policy, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'starrocks-agent' }, spec: { failurePolicy: 'Fail' } });
  t.match(binding, { kind: 'ValidatingAdmissionPolicyBinding', spec: { policyName: 'starrocks-agent', validationActions: ['Deny'] } });
  // The policy's CEL spells these out; a renamed contract name must show up here.
  t.ok(text.includes(`'${AGENT_SERVICE_ACCOUNT_SUFFIX}'`), AGENT_SERVICE_ACCOUNT_SUFFIX);
  t.ok(text.includes(`'${names('').fence}'`), names('').fence);
  const prefix = 'starrocks.com/agent-';
  t.ok(text.includes(`'${prefix}'`));
  for (const key of [ANNOTATIONS.phase, ANNOTATIONS.plan, ANNOTATIONS.membership, ANNOTATIONS.decommission, ANNOTATIONS.lastError, ANNOTATIONS.clusterId, ANNOTATIONS.feRole, ANNOTATIONS.tabletHealth]) {
    t.ok(key.startsWith(prefix), `the agent's annotation ${key} is under the policy's prefix`);
  }
});

t.test('the controller Deployment runs non-root on a read-only root filesystem', async (t) => {
  const [deployment] = docs('deploy/deployment.yaml');
  t.match(deployment, {
    spec: {
      template: {
        spec: {
          serviceAccountName: 'starrocks-controller',
          securityContext: { runAsNonRoot: true },
          containers: [{ args: ['run'], securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } }],
        },
      },
    },
  });
});

t.test('each example parses without problems and renders', async (t) => {
  for (const file of yamlFiles('deploy/examples')) {
    for (const raw of clustersInFile(`${root}${file}`)) {
      t.equal(raw.kind, CRD.kind);
      const { cluster, problems } = parseCluster(raw);
      t.same(problems, [], file);
      if (cluster !== undefined) t.ok(render({ cluster }).some((o) => o.kind === 'StatefulSet'), file);
    }
  }
});

t.test('starrocks-controller render prints the objects of a manifest, with the ports of its ConfigMaps', async (t) => {
  const out = execFileSync(`${root}node_modules/.bin/node`, [`${root}controller/main.ts`, 'render', `${root}deploy/examples/persistent-storage.yaml`], { encoding: 'utf8', timeout: 60_000 });
  const objects = parseAllDocuments(out).map((d) => d.toJS() as Loose);
  t.same(objects.filter((o) => o.kind === 'StatefulSet').map((o) => (o.metadata as Loose).name), ['prod-fe', 'prod-be']);
  // The root password reaches the FE as a mounted file, never as an env value.
  t.match(out, /secret:\n\s+secretName: starrocks-root\n\s+items:\n\s+- key: password/);
  t.notMatch(out, /secretKeyRef/, 'no secret in any env');
});

t.test('the Deployment names the agent image the controller injects into every pod', async (t) => {
  const [deployment] = docs('deploy/deployment.yaml') as { spec: { template: { spec: { containers: { args: string[] }[] } } } }[];
  const args = deployment?.spec.template.spec.containers[0]?.args ?? [];
  t.same(args, ['run', `--agent-image=${DEFAULT_AGENT_IMAGE}`], 'the default agent image, spelled out where users edit it');
});
