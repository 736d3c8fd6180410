/**
 * Issue 17 item 3 in the Kubernetes world: `starRocksFeProxySpec` on a running cluster (1 FE,
 * 1 BE) makes the controller render the official nginx ConfigMap, Deployment and Service; the
 * world runs the nginx image as Debian's nginx on that ConfigMap. A stream load sent by curl from
 * this test process (by address, outside the pods' DNS names) to the proxy Service's endpoint goes
 * FE -> 307 -> BE through nginx and reaches the simulated BE; removing the spec removes the objects.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LABELS } from '../../agent/contract/index.ts';
import { unlessNotFound } from '../world/kube.ts';
import { waitFor } from '../world/wait.ts';
import { startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldCluster } from './fixtures/world-cluster.ts';

t.setTimeout(300_000);

let cluster: WorldCluster | undefined;
const dir = mkdtempSync(join(tmpdir(), 'fe-proxy-world-'));
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--max-time', '30', ...args], { timeout: 40_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

type Loose = Record<string, unknown>;

const c = (cluster = await startWorldCluster({ shape: { fe: 1, be: 1, cn: 0 }, graceSeconds: { fe: 30, be: 30 } }));
await c.converged({ fe: 1, be: 1, cn: 0 }, 240_000);
const proxyService = `${c.name}-fe-proxy-service`;
/** One object by apiVersion, kind and name in the cluster's namespace, or undefined when absent. */
const get = async (apiVersion: string, kind: string, name: string): Promise<Loose | undefined> =>
  (await unlessNotFound(c.world.kube.objects.read({ apiVersion, kind, metadata: { name, namespace: c.namespace } }))) as Loose | undefined;

t.test('a stream load through the FE proxy Service reaches the BE', async (t) => {
  await c.patchSpec({ starRocksFeProxySpec: { replicas: 1 } });
  // The Service's ready endpoint: what a client outside the pods' names connects to (no
  // kube-proxy routes the ClusterIP in this world).
  const address = await waitFor(
    async () => {
      const slices = (await c.world.kube.objects.list('discovery.k8s.io/v1', 'EndpointSlice', c.namespace, undefined, undefined, undefined, undefined, `kubernetes.io/service-name=${proxyService}`)) as unknown as { items?: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] } | undefined;
      const ready = (slices?.items ?? []).flatMap((s) => s.endpoints ?? []).find((e) => e.conditions?.ready === true);
      return ready?.addresses[0];
    },
    { what: `a ready endpoint of ${proxyService}`, timeoutMs: 120_000, intervalMs: 500 },
  );
  const deployment = await get('apps/v1', 'Deployment', `${c.name}-fe-proxy`);
  t.match(deployment, { spec: { template: { metadata: { labels: { [LABELS.component]: 'fe-proxy' } }, spec: { containers: [{ image: 'nginx:1.24.0' }] } } } });
  const be = (await c.pods('be'))[0];
  const file = join(dir, 'data.csv');
  writeFileSync(file, '1,a\n2,b\n3,c\n');
  const health = await curl([`http://${address}:8080/nginx/health`, '-o', '/dev/null', '-w', '%{http_code}']);
  t.equal(health.stdout, '200', `nginx answers on the endpoint ${address}:8080 ${health.stderr}`);
  const res = await curl(['--location-trusted', '-u', 'root:', '-H', 'label:through-proxy', '-T', file, `http://${address}:8080/api/db1/tbl1/_stream_load`]);
  t.equal(res.code, 0, res.stderr);
  t.match(JSON.parse(res.stdout || '{}'), { Label: 'through-proxy', Status: 'Success', NumberLoadedRows: 3, LoadBytes: 12 }, res.stdout);
  t.match(c.sim.streamLoads(), [{ db: 'db1', table: 'tbl1', label: 'through-proxy', user: 'root', rows: 3, be: be?.ip }], 'the BE took the rows');
});

t.test('removing starRocksFeProxySpec removes its ConfigMap, Deployment and Service', async (t) => {
  await c.patchSpec({ starRocksFeProxySpec: null });
  const objects = [
    () => get('v1', 'ConfigMap', `${c.name}-fe-proxy`),
    () => get('apps/v1', 'Deployment', `${c.name}-fe-proxy`),
    () => get('v1', 'Service', proxyService),
  ];
  await waitFor(async () => ((await Promise.all(objects.map((read) => read()))).every((o) => o === undefined) ? true : undefined), {
    what: 'the FE proxy objects deleted',
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  t.pass('all three deleted');
});
