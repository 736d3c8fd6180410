/**
 * The agent's own connection loading (agent/kube/rest.ts): the in-cluster ServiceAccount or the
 * kubeconfig named by KUBECONFIG, without the controller's client.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { isAgentError } from '../../../agent/contract/errors.ts';
import { connectionFromKubeconfig, httpStatusOf, KubeCallError, loadConnection } from '../../../agent/kube/rest.ts';

const kubeconfig = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64'), ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });

t.test('KUBECONFIG with client certificate files relative to it wins over the in-cluster env', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-kc-'));
  writeFileSync(join(dir, 'cert.pem'), 'CERT');
  writeFileSync(join(dir, 'key.pem'), 'KEY');
  writeFileSync(join(dir, 'config'), kubeconfig({ 'client-certificate': 'cert.pem', 'client-key': 'key.pem' }, { 'insecure-skip-tls-verify': true }));
  const c = loadConnection({ env: { KUBECONFIG: `${join(dir, 'config')}:/elsewhere`, KUBERNETES_SERVICE_HOST: '10.0.0.1' } });
  t.equal(c.server, 'https://127.0.0.1:6443');
  t.equal(String(c.ca), 'CA');
  t.equal(String(c.cert), 'CERT');
  t.equal(String(c.key), 'KEY');
  t.equal(c.rejectUnauthorized, false);
  t.same(c.headers, {});
});

t.test('a token and a token file relative to the kubeconfig', async (t) => {
  const c = connectionFromKubeconfig(kubeconfig({ token: 'tok', tokenFile: 'token' }), '/base');
  t.same(c.headers, { Authorization: 'Bearer tok' });
  t.equal(c.tokenFile, '/base/token');
  t.equal(c.rejectUnauthorized, true);
});

t.test('exec plugins, a missing server and no credentials at all are refused with ERR_KUBERNETES', async (t) => {
  t.throws(() => connectionFromKubeconfig(kubeconfig({ exec: { command: 'aws' } }), '/'), /exec and auth-provider plugins are not supported/);
  t.throws(() => connectionFromKubeconfig(stringify({ 'current-context': 'none' }), '/'), /names no cluster server/);
  let error: unknown;
  try {
    loadConnection({ env: {} });
  } catch (e) {
    error = e;
  }
  t.ok(isAgentError(error, 'ERR_KUBERNETES'), String(error));
  t.match(String((error as Error).message), /KUBECONFIG/);
});

t.test('httpStatusOf reads the status of a failed call only', async (t) => {
  t.equal(httpStatusOf(new KubeCallError(409, 'exists')), 409);
  t.equal(httpStatusOf(new Error('x')), undefined);
});
