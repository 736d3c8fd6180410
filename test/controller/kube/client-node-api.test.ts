import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { Test } from 'tap';
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';
import { clientNodeKubeApi } from '../../../controller/kube/client-node-api.ts';

// What client-node's KubernetesObjectApi reads once to learn a kind's path.
const DISCOVERY = { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'patch', 'create', 'delete'] }] };

/** A loopback API server that records each object request's method and path and answers with a ConfigMap. */
async function recordingServer(t: Test): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0] ?? '';
    if (path !== '/api/v1') seen.push(`${req.method} ${path}`);
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(path === '/api/v1' ? DISCOVERY : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A KubeConfig whose authentication step waits for `release()`: the window a SIGSTOP can fall into. */
class HeldAuthKubeConfig extends KubeConfig {
  #release: () => void = () => {};
  #held: Promise<void> = Promise.resolve();
  hold(): void {
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }
  release(): void {
    this.#release();
  }
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    await this.#held;
  }
}

const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns', labels: {} } };

t.test('a write decided while leading is not sent if leadership ends before it goes out (a pause between the call and the send)', async (t) => {
  const { url, seen } = await recordingServer(t);
  const kc = new HeldAuthKubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: url, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  let leading = true;
  const api = clientNodeKubeApi({ kubeConfig: kc, fieldManager: 'test', timeoutMs: 5_000, writeAllowed: () => leading });

  await api.apply(configMap);
  t.same(seen, ['PATCH /api/v1/namespaces/ns/configmaps/x'], 'a leader writes');

  kc.hold();
  const pending = api.apply(configMap);
  await new Promise((resolve) => setTimeout(resolve, 20));
  leading = false; // the renew deadline passed while the request waited for authentication
  kc.release();
  await t.rejects(pending, { code: 'ERR_KUBERNETES', message: /PATCH \/api\/v1\/namespaces\/ns\/configmaps\/x refused: this controller is not the leader/ });
  await t.rejects(api.create(configMap), /refused: this controller is not the leader/);
  await t.rejects(api.delete('ConfigMap', 'ns', 'x'), /refused: this controller is not the leader/);
  await t.rejects(api.applyStatus({ namespace: 'ns', name: 'x', status: {} }), /refused: this controller is not the leader/);
  t.same(seen, ['PATCH /api/v1/namespaces/ns/configmaps/x'], 'nothing more reached the server');

  await api.get('ConfigMap', 'ns', 'x');
  t.same(seen.at(-1), 'GET /api/v1/namespaces/ns/configmaps/x', 'reads still go out');
});

t.test('without a gate every write goes out (the lease client must keep renewing)', async (t) => {
  const { url, seen } = await recordingServer(t);
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: url, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  const api = clientNodeKubeApi({ kubeConfig: kc, fieldManager: 'test', timeoutMs: 5_000 });
  await api.create(configMap);
  t.same(seen, ['POST /api/v1/namespaces/ns/configmaps']);
});
