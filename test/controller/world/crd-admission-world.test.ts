/**
 * The CRD's embedded Kubernetes types against the real API server: the committed schemas are
 * what the world's kube-apiserver serves, the CRD installs as the README says
 * (`kubectl apply -k crds/`, client-side: its last-applied annotation must fit), a typo inside a
 * toleration or a sidecar is refused naming its path, and fields the official CRD accepts
 * (resource `claims`, full Kubernetes types) are stored.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { CRD } from '../../../agent/contract/index.ts';
import { KUBE_SCHEMAS_PATH } from '../../../controller/crd/kube-schemas.ts';
import { dig } from '../../../controller/json.ts';
import { servedKubeSchemasJson } from '../../world/kube-openapi.ts';
import { REPO_ROOT, startWorld } from '../../world/world.ts';
import type { World } from '../../world/world.ts';
import { waitCrdEstablished } from '../../world/wait.ts';
import { KUBE_TYPE_INVALID_CASES, OFFICIAL_STYLE_YAML, VALID_CASES, baseCluster } from '../fixtures/manifests.ts';

const exec = promisify(execFile);
t.setTimeout(240_000);
const NS = 'admission';

let world: World;
t.before(async () => {
  world = await startWorld({ nodes: 0 });
});
t.teardown(async () => {
  await world?.stop();
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 90_000, cwd: REPO_ROOT });
  return stdout;
}

/** Applies one manifest; resolves to kubectl's stderr when it fails, '' when it succeeds. */
async function applyRefused(manifest: unknown, name: string): Promise<string> {
  const file = join(world.dir, `${name}.yaml`);
  writeFileSync(file, stringify(manifest));
  try {
    await kubectl('apply', '--validate=strict', '-f', file);
    return '';
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
}

t.test('the committed Kubernetes schemas are what the world\'s API server serves (else: flock /tmp/world.lock npm run build:crd:kube)', async (t) => {
  const committed = readFileSync(join(REPO_ROOT, KUBE_SCHEMAS_PATH), 'utf8');
  t.equal(await servedKubeSchemasJson(world.controlPlane), committed);
});

t.test('the CRD installs with a client-side kubectl apply -k crds/', async (t) => {
  await kubectl('apply', '-k', 'crds/');
  await waitCrdEstablished(kubectl, `${CRD.plural}.${CRD.group}`);
  const annotation = await kubectl('get', 'crd', `${CRD.plural}.${CRD.group}`, '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}');
  t.comment(`last-applied annotation: ${annotation.length} bytes (limit 262144)`);
  t.ok(annotation.length > 0 && annotation.length < 262_144);
  await kubectl('create', 'namespace', NS);
});

t.test('a typo inside an embedded Kubernetes type is refused, naming its path', async (t) => {
  t.ok(KUBE_TYPE_INVALID_CASES.length >= 6);
  for (const [i, c] of KUBE_TYPE_INVALID_CASES.entries()) {
    const manifest = baseCluster(`typo-${i}`);
    manifest.metadata = { name: `typo-${i}`, namespace: NS };
    c.mutate(manifest);
    const stderr = await applyRefused(manifest, `typo-${i}`);
    t.ok(stderr.includes(c.field), `${c.name}: refused naming ${c.field}: ${stderr.slice(0, 400)}`);
  }
  t.match(
    await applyRefused(
      (() => {
        const m = baseCluster('typo-toleration');
        m.metadata = { name: 'typo-toleration', namespace: NS };
        KUBE_TYPE_INVALID_CASES.find((x) => x.name === 'misspelt toleration field')?.mutate(m);
        return m;
      })(),
      'typo-toleration',
    ),
    'unknown field "spec.starRocksBeSpec.tolerations[0].keyy"',
    'kubectl apply --validate=strict reports the unknown field with its path',
  );
  t.equal((await kubectl('get', CRD.plural, '-n', NS, '-o', 'name')).trim(), '', 'none was stored');
});

t.test('resource claims, full Kubernetes types and the official-style manifest are stored', async (t) => {
  for (const [i, c] of VALID_CASES.entries()) {
    const manifest = baseCluster(`valid-${i}`);
    manifest.metadata = { name: `valid-${i}`, namespace: NS };
    c.mutate(manifest);
    t.equal(await applyRefused(manifest, `valid-${i}`), '', c.name);
  }
  const stored = parse(await kubectl('get', CRD.singular, 'valid-0', '-n', NS, '-o', 'yaml')) as unknown;
  t.same(dig(stored, 'spec', 'starRocksBeSpec', 'claims'), [{ name: 'gpu' }], 'claims kept, not pruned');
  t.same(dig(stored, 'spec', 'starRocksBeSpec', 'sidecars'), [
    { name: 'exporter', image: 'exporter:1', resources: { claims: [{ name: 'gpu', request: 'one' }], limits: { cpu: '500m' } } },
  ]);
  const official = parse(OFFICIAL_STYLE_YAML) as Record<string, unknown>;
  official.metadata = { name: 'official-style', namespace: NS };
  t.equal(await applyRefused(official, 'official'), '', 'the official-style manifest');
});
