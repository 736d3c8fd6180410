import t from 'tap';
import fc from 'fast-check';
import { envReferences, expandCommand, expandVars, fieldValue, resolveEnv } from './container-env.ts';
import type { Container, Pod } from './pod-types.ts';

const pod: Pod = {
  metadata: { name: 'sr-fe-1', namespace: 'prod', uid: 'u-1', labels: { app: 'fe' }, annotations: { a: 'x' } },
  spec: { nodeName: 'world-node-0', serviceAccountName: 'agent', containers: [] },
};
const ips = { podIP: '127.130.4.11', hostIP: '127.130.4.2' };
const sources = {
  configMap: (name: string) => (name === 'cm' ? { KEY: 'from-cm', OTHER: 'o' } : undefined),
  secret: (name: string) => (name === 'pw' ? { password: 's3cret' } : undefined),
};

t.test('expandVars follows kubelet: $(VAR) expands, $$ escapes, unknown stays', async (t) => {
  const vars = { A: 'x', B: 'y' };
  t.equal(expandVars('$(A)-$(B)', vars), 'x-y');
  t.equal(expandVars('$$(A)', vars), '$(A)');
  t.equal(expandVars('$(C)', vars), '$(C)');
  t.equal(expandVars('$A $', vars), '$A $');
  t.equal(expandVars('$(A', vars), '$(A');
});

t.test('expandVars leaves strings without $ unchanged', async () => {
  fc.assert(
    fc.property(fc.string().filter((s) => !s.includes('$')), (s) => expandVars(s, { A: 'x' }) === s),
    { numRuns: 200 },
  );
});

t.test('fieldValue gives the downward API fields', async (t) => {
  t.equal(fieldValue(pod, 'metadata.name', ips), 'sr-fe-1');
  t.equal(fieldValue(pod, 'metadata.namespace', ips), 'prod');
  t.equal(fieldValue(pod, 'status.podIP', ips), ips.podIP);
  t.equal(fieldValue(pod, 'status.hostIP', ips), ips.hostIP);
  t.equal(fieldValue(pod, "metadata.labels['app']", ips), 'fe');
  t.equal(fieldValue(pod, 'spec.serviceAccountName', ips), 'agent');
  t.equal(fieldValue(pod, 'spec.nonsense', ips), undefined);
});

t.test('resolveEnv resolves refs in order and expands earlier variables', async (t) => {
  const container: Container = {
    name: 'fe',
    envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cm' } }],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'MYSQL_PWD', valueFrom: { secretKeyRef: { name: 'pw', key: 'password' } } },
      { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'KEY' } } },
      { name: 'ADDR', value: '$(POD_NAME).svc:$(PORT)' },
      { name: 'PORT', value: '9030' },
      { name: 'OPTIONAL', valueFrom: { secretKeyRef: { name: 'missing', key: 'k', optional: true } } },
    ],
  };
  const result = resolveEnv({ pod, container, ips, sources });
  if (!('env' in result)) throw new Error(result.error);
  t.same(result.env, {
    CM_KEY: 'from-cm',
    CM_OTHER: 'o',
    POD_NAME: 'sr-fe-1',
    POD_IP: ips.podIP,
    MYSQL_PWD: 's3cret',
    FROM_CM: 'from-cm',
    ADDR: 'sr-fe-1.svc:$(PORT)',
    PORT: '9030',
  });
  t.same(expandCommand({ name: 'fe', command: ['run', '$(POD_NAME)'], args: ['--port=$(PORT)', '$$(PORT)'] }, result.env), {
    command: ['run', 'sr-fe-1'],
    args: ['--port=9030', '$(PORT)'],
  });
});

t.test('resolveEnv reports a missing non-optional reference as kubelet does', async (t) => {
  const missingSecret = resolveEnv({ pod, container: { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, ips, sources });
  t.match(missingSecret, { error: /secret "nope" not found/ });
  const missingKey = resolveEnv({ pod, container: { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'absent' } } }] }, ips, sources });
  t.match(missingKey, { error: /configmap "cm" has no key "absent"/ });
  const missingFrom = resolveEnv({ pod, container: { name: 'c', envFrom: [{ configMapRef: { name: 'gone' } }] }, ips, sources });
  t.match(missingFrom, { error: /configmap "gone" not found/ });
});

t.test('envReferences lists every ConfigMap and Secret once', async (t) => {
  const refs = envReferences({
    name: 'c',
    envFrom: [{ configMapRef: { name: 'a' } }, { secretRef: { name: 's' } }],
    env: [
      { name: 'X', valueFrom: { configMapKeyRef: { name: 'a', key: 'k' } } },
      { name: 'Y', valueFrom: { secretKeyRef: { name: 't', key: 'k' } } },
    ],
  });
  t.same(refs, { configMaps: ['a'], secrets: ['s', 't'] });
});
