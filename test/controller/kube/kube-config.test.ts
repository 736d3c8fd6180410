import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { loadKubeConfig } from '../../../controller/kube/kube-config.ts';

const write = (user: Record<string, unknown>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  const path = join(dir, 'config');
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  return path;
};

t.test('a kubeconfig with an exec plugin loads (the old hand-written loader refused it)', async (t) => {
  const kc = loadKubeConfig({ kubeconfig: write({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', args: ['eks', 'get-token'] } }), env: {} });
  t.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  t.match(kc.getCurrentUser()?.exec, { command: 'aws' });
});

t.test('KUBECONFIG names the file (its first path); --kubeconfig wins; impersonation is kept per user', async (t) => {
  const token = write({ token: 'tok' });
  const kc = loadKubeConfig({ kubeconfig: undefined, env: { KUBECONFIG: `${token}:/nonexistent` } });
  t.equal(kc.getCurrentUser()?.token, 'tok');
  const impersonating = loadKubeConfig({ kubeconfig: token, env: { KUBECONFIG: '/nonexistent' }, impersonate: 'system:serviceaccount:ns:sa' });
  t.equal(impersonating.getCurrentUser()?.impersonateUser, 'system:serviceaccount:ns:sa');
});

t.test('every request gets the same dispatcher (client-node alone builds a new one, so a new TLS connection, each time)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  const path = join(dir, 'config');
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 'tok' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  for (const impersonate of [undefined, 'system:serviceaccount:ns:sa']) {
    const kc = loadKubeConfig({ kubeconfig: path, env: {}, ...(impersonate === undefined ? {} : { impersonate }) });
    const dispatchers: ReturnType<RequestContext['getDispatcher']>[] = [];
    for (let i = 0; i < 3; i++) {
      const context = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
      await kc.applySecurityAuthentication(context);
      t.equal(context.getHeaders().Authorization, 'Bearer tok', 'the token is still applied per request');
      dispatchers.push(context.getDispatcher());
    }
    t.ok(dispatchers[0], `a dispatcher is set (impersonate: ${impersonate ?? 'none'})`);
    t.ok(dispatchers.every((d) => d === dispatchers[0]), 'the same one every time');
  }
});
