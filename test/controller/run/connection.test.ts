import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { connectionFromKubeconfig, loadConnection } from '../../../controller/kube/connection.ts';
import { isAgentError } from '../../../agent/contract/errors.ts';

const kubeconfig = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64'), ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });

t.test('kubeconfig with a token and inline CA', async (t) => {
  const c = connectionFromKubeconfig(kubeconfig({ token: 'tok' }), '/');
  t.equal(c.server, 'https://127.0.0.1:6443');
  t.equal(String(c.ca), 'CA');
  t.same(c.headers, { Authorization: 'Bearer tok' });
  t.equal(c.rejectUnauthorized, true);
});

t.test('kubeconfig with client certificate files relative to it, and insecure-skip-tls-verify', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kc-'));
  writeFileSync(join(dir, 'cert.pem'), 'CERT');
  writeFileSync(join(dir, 'key.pem'), 'KEY');
  const path = join(dir, 'config');
  writeFileSync(path, kubeconfig({ 'client-certificate': 'cert.pem', 'client-key': 'key.pem' }, { 'insecure-skip-tls-verify': true }));
  const c = loadConnection({ kubeconfig: path, env: {} });
  t.equal(String(c.cert), 'CERT');
  t.equal(String(c.key), 'KEY');
  t.equal(c.rejectUnauthorized, false);
  t.same(c.headers, {});
});

t.test('exec plugins are refused with a clear error', async (t) => {
  let error: unknown;
  try {
    connectionFromKubeconfig(kubeconfig({ exec: { command: 'aws' } }), '/');
  } catch (e) {
    error = e;
  }
  t.ok(isAgentError(error, 'ERR_KUBERNETES'));
  t.match(String((error as Error).message), /exec and auth-provider plugins are not supported/);
});
