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
import { connectionFromKubeconfig, httpStatusOf, isTransientKubeError, KubeCallError, loadConnection } from '../../../agent/kube/rest.ts';

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

t.test('transient failures are the ones worth trying again: not reached, 429, 5xx; a refusal is an answer', async (t) => {
  const wrapped = (status: number): Error => new Error('reading StatefulSet data/sr-be failed', { cause: new KubeCallError(status, `HTTP ${status}`) });
  t.equal(isTransientKubeError(new KubeCallError(0, 'connect ECONNREFUSED')), true, 'server not reached');
  t.equal(isTransientKubeError(wrapped(0)), true, 'found through the cause');
  t.equal(isTransientKubeError(wrapped(429)), true, '429');
  t.equal(isTransientKubeError(wrapped(503)), true, '503');
  t.equal(isTransientKubeError(wrapped(403)), false, '403 (RBAC) is an answer');
  t.equal(isTransientKubeError(wrapped(404)), false, '404 is an answer');
  t.equal(isTransientKubeError(new Error('StatefulSet data/sr-be does not exist')), false, 'an error with no call behind it');
});
