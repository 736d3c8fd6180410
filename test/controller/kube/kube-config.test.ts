import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
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
