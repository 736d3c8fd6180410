import t from 'tap';
import { parseCluster } from '../../../controller/cr/parse.ts';
import { ruleProblems, schemaProblems } from '../../../controller/cr/validate.ts';
import { baseCluster } from '../fixtures/manifests.ts';

type Loose = Record<string, unknown>;
const component = (m: Loose, name: string): Loose => (m.spec as Record<string, Loose>)[name] as Loose;

t.test('a typo inside a toleration or a sidecar is refused, naming the path and the value', async (t) => {
  const manifest = baseCluster();
  component(manifest, 'starRocksBeSpec').tolerations = [{ keyy: 'dedicated', operator: 'Exists' }];
  component(manifest, 'starRocksFeSpec').sidecars = [{ name: 'log', image: 'busybox', resources: { limits: { cpu: 'lots' } } }];
  const { cluster, problems } = parseCluster(manifest);
  t.equal(cluster, undefined, 'a CR that does not conform is not rendered');
  t.same(problems.map((p) => p.field).sort(), ['spec.starRocksBeSpec.tolerations[0].keyy', 'spec.starRocksFeSpec.sidecars[0].resources.limits.cpu']);
  t.match(problems.find((p) => p.field.endsWith('keyy'))?.message, 'unknown field "spec.starRocksBeSpec.tolerations[0].keyy"');
  t.match(problems.find((p) => p.field.endsWith('cpu'))?.message, /^must match pattern .*\(got "lots"\)$/);
});

t.test('wrong types, enums, bounds and missing fields name the path and the value', async (t) => {
  const manifest = baseCluster();
  const be = component(manifest, 'starRocksBeSpec');
  be.replicas = 'three';
  be.tolerations = [{ key: 'k', operator: 'Equals' }];
  be.initContainers = [{ image: 'busybox' }];
  delete component(manifest, 'starRocksFeSpec').image;
  const problems = schemaProblems(manifest);
  t.same(
    problems.map((p) => p.field).sort(),
    [
      'spec.starRocksBeSpec.initContainers[0].name',
      'spec.starRocksBeSpec.replicas',
      'spec.starRocksBeSpec.tolerations[0].operator',
      'spec.starRocksFeSpec.image',
    ],
    JSON.stringify(problems),
  );
  t.match(problems.find((p) => p.field === 'spec.starRocksBeSpec.replicas')?.message, '(got "three")');
  t.match(problems.find((p) => p.field.endsWith('operator'))?.message, '(got "Equals")');
  t.match(problems.find((p) => p.field.endsWith('.name'))?.message, 'Required value');
});

t.test('a conforming CR with a broken cross-field rule parses and reports the rule', async (t) => {
  const manifest = baseCluster();
  component(manifest, 'starRocksFeSpec').replicas = 2;
  t.same(schemaProblems(manifest), []);
  const { cluster, problems } = parseCluster(manifest);
  t.ok(cluster);
  t.same(problems.map((p) => p.field), ['spec.starRocksFeSpec.replicas']);
  t.same(ruleProblems(manifest), problems);
});

t.test('resource claims reach the parsed resources', async (t) => {
  const manifest = baseCluster();
  component(manifest, 'starRocksBeSpec').claims = [{ name: 'gpu' }];
  component(manifest, 'starRocksBeSpec').limits = { cpu: 4 };
  const { cluster, problems } = parseCluster(manifest);
  t.same(problems, []);
  t.same(cluster?.be?.resources, { limits: { cpu: 4 }, claims: [{ name: 'gpu' }] });
});

t.test('the status is not the spec: a status field unknown to this version does not make the CR invalid', async (t) => {
  const manifest = baseCluster();
  manifest.status = { phase: 'running', fieldOfALaterVersion: { x: 1 } };
  t.same(schemaProblems(manifest), []);
  t.ok(parseCluster(manifest).cluster);
});
