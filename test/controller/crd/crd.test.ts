import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { CRD } from '../../../agent/contract/index.ts';
import { CRD_RULES } from '../../../controller/crd/rules.ts';
import { CRD_YAML_PATH, crdYaml } from '../../../controller/crd/crd-yaml.ts';
import { dig, isObject } from '../../../controller/json.ts';
import { Value } from 'typebox/value';
import { parseCluster } from '../../../controller/cr/parse.ts';
import { ruleProblems, schemaProblems } from '../../../controller/cr/validate.ts';
import type { SpecProblem } from '../../../controller/cr/types.ts';
import { INVALID_CASES, KUBE_TYPE_INVALID_CASES, OFFICIAL_STYLE_YAML, VALID_CASES, baseCluster, clustersInFile } from '../fixtures/manifests.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const committed = readFileSync(`${root}${CRD_YAML_PATH}`, 'utf8');
const crd = parse(committed) as Record<string, unknown>;
const version = (crd.spec as { versions: Record<string, unknown>[] }).versions[0] as Record<string, unknown>;
const schema = (version.schema as { openAPIV3Schema: Record<string, unknown> }).openAPIV3Schema;
/** What the controller's runtime validation reports: the schema, then the CEL rules' twins. */
const validate = (manifest: unknown): SpecProblem[] => [...schemaProblems(manifest), ...ruleProblems(manifest)];

t.test('the committed CRD YAML is generated from controller/crd/crd.ts (run npm run build:crd)', async (t) => {
  t.equal(committed, crdYaml());
});

t.test('names, subresources and printer columns', async (t) => {
  t.match(crd, {
    metadata: { name: `${CRD.plural}.${CRD.group}` },
    spec: { group: CRD.group, scope: 'Namespaced', names: { kind: CRD.kind, shortNames: [CRD.shortName] } },
  });
  t.match(version, {
    name: CRD.version,
    subresources: {
      status: {},
      scale: {
        specReplicasPath: '.spec.starRocksCnSpec.replicas',
        statusReplicasPath: '.status.starRocksCnStatus.replicas',
        labelSelectorPath: '.status.starRocksCnStatus.selector',
      },
    },
  });
  const columns = (version.additionalPrinterColumns as { name: string; jsonPath: string; priority?: number }[]).map((c) => `${c.name} ${c.jsonPath}${c.priority === undefined ? '' : ` wide`}`);
  t.same(columns, [
    'Phase .status.phase',
    'FE .status.starRocksFeStatus.ready',
    'BE .status.starRocksBeStatus.ready',
    'CN .status.starRocksCnStatus.ready',
    'Leader .status.leader',
    'Cluster-ID .status.clusterId wide',
    'Age .metadata.creationTimestamp',
  ]);
});

t.test('the schema is structural', async (t) => {
  const problems: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (!isObject(node)) return;
    const intOrString = node['x-kubernetes-int-or-string'] === true;
    if (node.type === undefined && !intOrString && node['x-kubernetes-preserve-unknown-fields'] !== true) {
      problems.push(`${path}: no type`);
    }
    if (node.anyOf !== undefined && !intOrString) problems.push(`${path}: anyOf outside int-or-string`);
    for (const key of Object.keys(node)) {
      if (['$ref', 'allOf', 'oneOf', 'patternProperties', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key', 'x-kubernetes-unions'].includes(key)) {
        problems.push(`${path}: ${key} (a CRD schema may not hold it)`);
      }
    }
    if (node.additionalProperties === false) problems.push(`${path}: additionalProperties false (a CRD schema may not hold it)`);
    if (node.properties !== undefined && node.additionalProperties !== undefined) problems.push(`${path}: properties and additionalProperties`);
    if (node.type === 'object' && node.properties === undefined && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true && path !== '.metadata') {
      problems.push(`${path}: object with no fields (would prune everything)`);
    }
    if (node.default !== undefined && !Value.Check({ ...node, default: undefined }, node.default)) {
      problems.push(`${path}: default does not validate`);
    }
    if (isObject(node.properties)) for (const [k, v] of Object.entries(node.properties)) visit(v, `${path}.${k}`);
    visit(node.items, `${path}[]`);
    visit(node.additionalProperties, `${path}{}`);
  };
  visit(schema, '');
  t.same(problems, []);
});

t.test('every CEL rule in the YAML has a TypeScript twin, and every rule is in the YAML', async (t) => {
  const inYaml: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'x-kubernetes-validations' && Array.isArray(v)) for (const r of v) if (isObject(r)) inYaml.push(String(r.rule));
        visit(v);
      }
    }
  };
  visit(schema);
  for (const rule of CRD_RULES) t.ok(inYaml.includes(rule.rule), `in the YAML: ${rule.rule}`);
  for (const rule of inYaml) t.ok(CRD_RULES.some((r) => r.rule === rule), `has a twin: ${rule}`);
  // Component rules appear once per component.
  t.equal(inYaml.filter((r) => r.includes('storageVolumes.all')).length, 6);
});

t.test('the examples and an official-style manifest validate', async (t) => {
  const files = ['deploy/examples/minimal.yaml', 'deploy/examples/persistent-storage.yaml', 'deploy/examples/cn-autoscaling.yaml'];
  for (const file of files) {
    const clusters = clustersInFile(`${root}${file}`);
    t.equal(clusters.length, 1, file);
    for (const cluster of clusters) {
      t.same(validate(cluster), [], file);
      t.same(parseCluster(cluster).problems, [], `${file} parses without problems`);
    }
  }
  t.same(validate(parse(OFFICIAL_STYLE_YAML)), [], 'official style');
  t.same(validate(baseCluster()), [], 'base cluster');
});

t.test('the official fields this schema once rejected or passed unchecked validate', async (t) => {
  for (const c of VALID_CASES) {
    const manifest = baseCluster();
    c.mutate(manifest);
    t.same(validate(manifest), [], c.name);
    t.ok(parseCluster(manifest).cluster, `${c.name}: parses`);
  }
});

t.test('the embedded Kubernetes types are typed: only official fields this controller does not read keep unknown fields', async (t) => {
  const preserved: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (!isObject(node)) return;
    if (node['x-kubernetes-preserve-unknown-fields'] === true) preserved.push(path);
    if (isObject(node.properties)) for (const [k, v] of Object.entries(node.properties)) visit(v, `${path}.${k}`);
    visit(node.items, `${path}[]`);
    visit(node.additionalProperties, `${path}{}`);
  };
  visit(schema, '');
  t.same(preserved.sort(), ['.spec.disasterRecovery']);
  t.match(dig(schema, 'properties', 'spec', 'properties', 'starRocksFeProxySpec', 'properties'), { replicas: { type: 'integer' }, resolver: { type: 'string' }, tolerations: { type: 'array' } });
  const be = dig(schema, 'properties', 'spec', 'properties', 'starRocksBeSpec', 'properties');
  t.match(dig(be, 'tolerations'), { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, tolerationSeconds: { type: 'integer' } } } });
  t.match(dig(be, 'sidecars'), { items: { required: ['name'], properties: { resources: { properties: { claims: { 'x-kubernetes-list-type': 'map' } } } } } });
});

t.test('each invalid manifest is rejected, naming its field', async (t) => {
  t.ok(INVALID_CASES.length >= 20);
  for (const c of [...INVALID_CASES, ...KUBE_TYPE_INVALID_CASES]) {
    const manifest = baseCluster();
    c.mutate(manifest);
    const errors = validate(manifest);
    const named = errors.some((e) => e.field === c.field || e.field.endsWith(c.field) || e.message.includes(c.field));
    t.ok(named, `${c.name}: ${JSON.stringify(errors)}`);
  }
});

t.test('cross-field rules are also reported by parsing, naming the field (CRs stored before a rule existed)', async (t) => {
  const crossField = [
    'FE replicas 2',
    'FE replicas 0',
    'even voters',
    'duplicate volume names',
    'duplicate mount paths',
    'hostPath class without hostPath',
    'nodePort on ClusterIP',
    'loadBalancerIP on ClusterIP',
    'CN minReplicas above maxReplicas',
    'configMapInfo half set',
    'cluster name too long',
    'FE env HOST_TYPE=IP',
    'BE env HOST_TYPE=ip',
    'CN env HOST_TYPE=IP',
  ];
  for (const name of crossField) {
    const c = INVALID_CASES.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no case ${name}`);
    const manifest = baseCluster();
    c.mutate(manifest);
    const { problems } = parseCluster(manifest);
    t.ok(problems.some((p) => p.field.endsWith(c.field) || p.message.includes(c.field)), `${name}: ${JSON.stringify(problems)}`);
  }
  t.same(parseCluster(baseCluster()).problems, []);
});

t.test('HOST_TYPE=IP is refused in every component env with one line; FQDN and other vars pass', async (t) => {
  const manifest = baseCluster();
  const spec = manifest.spec as Record<string, Record<string, unknown>>;
  (spec.starRocksFeSpec as Record<string, unknown>).feEnvVars = [{ name: 'HOST_TYPE', value: 'FQDN' }, { name: 'IP', value: 'IP' }];
  (spec.starRocksBeSpec as Record<string, unknown>).beEnvVars = [{ name: 'HOST_TYPE', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }];
  t.same(validate(manifest), []);
  t.same(parseCluster(manifest).problems, []);
  (spec.starRocksCnSpec as Record<string, unknown>).cnEnvVars = [{ name: 'HOST_TYPE', value: 'Ip' }];
  t.same(parseCluster(manifest).problems, [
    {
      field: 'spec.starRocksCnSpec.cnEnvVars',
      message:
        'starRocksCnSpec.cnEnvVars must not set HOST_TYPE to IP: pod IPs change when pods are re-created, which leaves ghost nodes holding tablets; remove HOST_TYPE (FQDN is the default)',
    },
  ]);
});
