// Issue 12: passwords reach pods as files, never env. The root password Secret is mounted in FE
// pods only (the official chart's key `password` when the CR names no key); every pod mounts the
// agent user's Secret, which the controller generates once and never overwrites.
import { Writable } from 'node:stream';
import t from 'tap';
import { ENV, PASSWORD_MOUNTS, names } from '../../../agent/contract/index.ts';
import { createLogger } from '../../../agent/contract/log.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { JsonObject } from '../../../controller/json.ts';
import type { KubeApi, ObjectCache } from '../../../controller/kube/kube-api.ts';
import { agentPasswordSecret, generateAgentPassword } from '../../../controller/render/agent-secret.ts';
import { render } from '../../../controller/render/render.ts';
import { reconcile } from '../../../controller/run/reconcile.ts';
import { baseCluster } from '../fixtures/manifests.ts';
import { container, envOf, find, podSpec } from '../fixtures/objects.ts';

type Loose = Record<string, unknown>;

function rendered(agent: Loose | undefined): ReturnType<typeof render> {
  const raw = baseCluster('prod');
  if (agent !== undefined) (raw.spec as Loose).agent = agent;
  const { cluster, problems } = parseCluster(raw);
  if (cluster === undefined || problems.length > 0) throw new Error(`bad fixture: ${problems.join('; ')}`);
  return render({ cluster, confs: {}, heldImages: {}, fePods: [] });
}

t.test('root password: a file in FE pods only; the agent password: a file in every pod; no password in env', async (t) => {
  const objects = rendered({ passwordSecret: { name: 'root-pw', key: 'pw' } });
  for (const component of ['fe', 'be', 'cn'] as const) {
    const sts = find(objects, 'StatefulSet', names('prod').statefulSet(component));
    const pod = podSpec(sts);
    const volumes = new Map((pod.volumes as Loose[]).map((v) => [v.name, v]));
    for (const name of ['agent-init', component]) {
      const c = container(sts, name);
      const env = envOf(c);
      t.notOk(env.has(ENV.MYSQL_PWD), `${component}/${name}: no MYSQL_PWD`);
      t.notOk([...env.values()].some((e) => JSON.stringify(e).includes('secretKeyRef')), `${component}/${name}: no env from a Secret`);
      t.equal(env.get(ENV.AGENT_PASSWORD_FILE)?.value, `${PASSWORD_MOUNTS.agentDir}/password`, `${component}/${name}: the agent password file`);
      const mounts = new Map((c.volumeMounts as Loose[]).map((m) => [m.name, m]));
      t.same(mounts.get('agent-password'), { name: 'agent-password', mountPath: PASSWORD_MOUNTS.agentDir, readOnly: true }, `${component}/${name}: no subPath, so a rotation reaches the file`);
      if (component === 'fe') {
        t.equal(env.get(ENV.ROOT_PASSWORD_FILE)?.value, `${PASSWORD_MOUNTS.rootDir}/password`);
        t.same(mounts.get('root-password'), { name: 'root-password', mountPath: PASSWORD_MOUNTS.rootDir, readOnly: true });
      } else {
        t.notOk(env.has(ENV.ROOT_PASSWORD_FILE), `${component}/${name}: never the root password`);
        t.notOk(mounts.has('root-password'), `${component}/${name}: no root password mount`);
      }
    }
    t.same(volumes.get('agent-password'), {
      name: 'agent-password',
      secret: { secretName: 'prod-starrocks-agent-password', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440 },
    });
    if (component === 'fe') {
      t.same(volumes.get('root-password'), { name: 'root-password', secret: { secretName: 'root-pw', items: [{ key: 'pw', path: 'password' }], defaultMode: 0o440 } });
    } else {
      t.notOk(volumes.has('root-password'), `${component}: no volume of the root password Secret`);
      t.notOk(JSON.stringify(sts).includes('root-pw'), `${component}: the root password Secret is not named anywhere in its StatefulSet`);
    }
  }
});

t.test("the official chart's convention: a Secret with the key `password`", async (t) => {
  const fe = find(rendered({ passwordSecret: { name: 'starrocks-root-pass' } }), 'StatefulSet', 'prod-fe');
  const volume = (podSpec(fe).volumes as Loose[]).find((v) => v.name === 'root-password');
  t.same(volume?.secret, { secretName: 'starrocks-root-pass', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440 });
  const none = find(rendered(undefined), 'StatefulSet', 'prod-fe');
  t.notOk((podSpec(none).volumes as Loose[]).some((v) => v.name === 'root-password'), 'no root Secret named: root keeps StarRocks\' default');
});

t.test('the generated agent password Secret: random, owned by the cluster, the key `password`', async (t) => {
  const a = generateAgentPassword();
  const b = generateAgentPassword();
  t.not(a, b);
  t.match(a, /^[A-Za-z0-9_-]{32}$/, '24 random bytes, base64url: no quote or backslash');
  const { cluster } = parseCluster(baseCluster('prod'));
  if (cluster === undefined) throw new Error('fixture');
  const secret = agentPasswordSecret({ cluster, password: 'pw-1' });
  t.match(secret, { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'prod-starrocks-agent-password', namespace: 'default', ownerReferences: [{ kind: 'StarRocksCluster', uid: 'uid-1' }] } });
  t.same(secret.data, { password: Buffer.from('pw-1').toString('base64') });
});

t.test('reconcile creates the Secret once, before the StatefulSets, and never overwrites it (create-only: the controller never reads Secrets)', async (t) => {
  const store = new Map<string, JsonObject>();
  const calls: string[] = [];
  const key = (kind: string, name: string): string => `${kind}/${name}`;
  store.set(key('StarRocksCluster', 'prod'), baseCluster('prod') as JsonObject);
  const api: KubeApi = {
    get: async (kind, _ns, name) => store.get(key(kind, name)),
    list: async ({ kind }) => ({ items: [...store.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, v]) => v), resourceVersion: '1' }),
    apply: async (object) => {
      calls.push(`apply ${object.kind}`);
      store.set(key(object.kind, object.metadata.name), object as unknown as JsonObject);
      return object as unknown as JsonObject;
    },
    applyStatus: async () => {},
    create: async (object) => {
      const name = String((object.metadata as Loose).name);
      calls.push(`create ${object.kind}`);
      // As the API server: a create never replaces an object.
      if (store.has(key(object.kind, name))) throw Object.assign(new Error('exists'), { httpStatus: 409 });
      calls.push(`created ${object.kind}`);
      store.set(key(object.kind, name), object);
      return object;
    },
    replace: async (object) => object,
    delete: async () => {},
  };
  const cache: ObjectCache = {
    list: (kind) => [...store.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, v]) => v),
    get: (kind, _ns, name) => store.get(key(kind, name)),
  };
  const lines: string[] = [];
  const log = createLogger({ level: 'info', destination: new Writable({ write: (c, _e, done) => void (lines.push(String(c)), done()) }) });
  const deps = { api, cache, log, events: { record: async () => {} }, now: () => '2026-01-01T00:00:00Z' };
  await reconcile(deps, { namespace: 'default', name: 'prod' });
  const secret = store.get('Secret/prod-starrocks-agent-password');
  const password = Buffer.from(String((secret?.data as Loose | undefined)?.password), 'base64').toString();
  t.match(password, /^[A-Za-z0-9_-]{32}$/, 'created with a random password');
  t.ok(calls.indexOf('create Secret') < calls.indexOf('apply StatefulSet'), 'before the pods that mount it');
  t.notOk(lines.join('').includes(password), 'the password is not logged');
  await reconcile(deps, { namespace: 'default', name: 'prod' });
  t.equal(calls.filter((c) => c === 'created Secret').length, 1, 'created once: later creates meet the existing one (409)');
  t.equal(Buffer.from(String((store.get('Secret/prod-starrocks-agent-password')?.data as Loose).password), 'base64').toString(), password, 'never overwritten');
  store.set('Secret/prod-starrocks-agent-password', { data: { password: Buffer.from('rotated-by-user').toString('base64') } });
  await reconcile(deps, { namespace: 'default', name: 'prod' });
  t.equal(Buffer.from(String((store.get('Secret/prod-starrocks-agent-password')?.data as Loose).password), 'base64').toString(), 'rotated-by-user', "a user's rotation is kept");
});
