/**
 * The controller's kube layer against a real kube-apiserver keeps its requests and watches on
 * one connection pool: client-node 2.0.1 alone opens a new TLS connection per request (a new
 * undici Agent each time), which is what grew the controller's native memory. Connections are
 * counted with undici's `undici:client:connected` diagnostics channel, only while the informers
 * and the KubeApi run (the world is up before counting starts).
 */
import { execFile } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { LABELS, LABEL_VALUES } from '../../../agent/contract/index.ts';
import { clientNodeKubeApi } from '../../../controller/kube/client-node-api.ts';
import { clientNodeInformers } from '../../../controller/kube/informers.ts';
import { loadKubeConfig } from '../../../controller/kube/kube-config.ts';
import { createLogger } from '../../../agent/contract/log.ts';
import { REPO_ROOT, startWorld } from '../../world/world.ts';
import { waitCrdEstablished, waitFor } from '../../world/wait.ts';

const exec = promisify(execFile);
const SERVICES = 40;
const ROUNDS = 3;
const CONCURRENCY = 10;

t.test('informers and 120 applies share one keep-alive connection pool', async (t) => {
  const world = await startWorld({ nodes: 0 });
  t.teardown(() => world.stop());
  const kubectl = async (...args: string[]): Promise<string> => (await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 120_000 })).stdout;
  await kubectl('apply', '-k', join(REPO_ROOT, 'deploy'));
  await waitCrdEstablished(kubectl, 'starrocksclusters.starrocks.com');
  const namespace = 'connections';
  await kubectl('create', 'namespace', namespace);

  let connections = 0;
  const count = (): void => void connections++;
  subscribe('undici:client:connected', count);
  t.teardown(() => void unsubscribe('undici:client:connected', count));

  const kubeConfig = loadKubeConfig({ kubeconfig: world.kubeconfigPath, env: {} });
  const abort = new AbortController();
  const log = createLogger({ level: 'error' });
  const informers = clientNodeInformers({ kubeConfig, namespace, log, signal: abort.signal });
  t.teardown(async () => {
    abort.abort();
    await informers.stop();
  });
  await informers.start();
  const api = clientNodeKubeApi({ kubeConfig, fieldManager: 'connections-test', timeoutMs: 15_000 });
  const labels = { [LABELS.managedBy]: LABEL_VALUES.managedBy };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < SERVICES * ROUNDS) {
      const i = next++;
      await api.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i % SERVICES}`, namespace, labels },
        spec: { ports: [{ name: 'http', port: 8030 }], selector: { round: String(Math.floor(i / SERVICES)) } },
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  t.ok(await api.get('Service', namespace, 'svc-0'), 'a GET answers over the same pool');
  // The watches kept working on the shared pool: the cache saw every Service's last round.
  await waitFor(
    async () =>
      informers.cache.list('Service', namespace).filter((s) => JSON.stringify(s).includes(`"round":"${ROUNDS - 1}"`)).length === SERVICES ? true : undefined,
    { what: `${SERVICES} Services in the informer cache at round ${ROUNDS - 1}`, timeoutMs: 30_000, intervalMs: 100 },
  );
  // Nine watches, a list each, 120 applies and a GET: one connection per request would be 139.
  t.ok(connections >= 1 && connections <= 2, `TLS connections opened: ${connections} (at most 2; one per request before the fix)`);
});
