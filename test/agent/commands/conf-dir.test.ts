import t from 'tap';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { materializeConf } from '../../../agent/commands/conf-dir.ts';

t.test('image conf, then the ConfigMap over it, into the state dir; the image stays untouched', async (t) => {
  const dir = t.testdir({});
  const root = join(dir, 'opt');
  mkdirSync(join(root, 'be', 'conf.image'), { recursive: true });
  writeFileSync(join(root, 'be', 'conf.image', 'be.conf'), 'be_port = 9060\n');
  writeFileSync(join(root, 'be', 'conf.image', 'cn.conf'), 'be_port = 9060\n');
  writeFileSync(join(root, 'be', 'conf.image', 'log4j.properties'), 'x=1\n');
  symlinkSync(join(root, 'be'), join(root, 'cn'));
  chmodSync(join(root, 'be', 'conf.image'), 0o555);
  // A ConfigMap volume: files behind ..data links, as kubelet writes them.
  const cm = join(dir, 'cm');
  mkdirSync(join(cm, '..2026_11_22'), { recursive: true });
  writeFileSync(join(cm, '..2026_11_22', 'cn.conf'), 'heartbeat_service_port = 9150\n');
  symlinkSync('..2026_11_22', join(cm, '..data'));
  symlinkSync('..data/cn.conf', join(cm, 'cn.conf'));
  const state = join(dir, 'state');

  const target = await materializeConf({ home: join(root, 'cn'), stateDir: state, configMapMountPath: cm });
  t.equal(target, join(state, 'conf', 'be'), 'cn links to be, so the conf lands where be/conf points');
  t.equal(readFileSync(join(state, 'conf', 'be', 'cn.conf'), 'utf8'), 'heartbeat_service_port = 9150\n', 'the ConfigMap wins');
  t.equal(readFileSync(join(state, 'conf', 'be', 'be.conf'), 'utf8'), 'be_port = 9060\n', 'image defaults kept');
  t.ok(existsSync(join(state, 'conf', 'be', 'log4j.properties')));
  t.notOk(existsSync(join(state, 'conf', 'be', '..data')), 'ConfigMap internals are not copied');
  t.equal(readFileSync(join(root, 'be', 'conf.image', 'cn.conf'), 'utf8'), 'be_port = 9060\n', 'image untouched');
});

t.test('a tree without conf.image (the simulator, other images) is left alone', async (t) => {
  const dir = t.testdir({ fe: { conf: { 'fe.conf': 'x = 1\n' } } });
  t.equal(await materializeConf({ home: join(dir, 'fe'), stateDir: join(dir, 'state'), configMapMountPath: undefined }), undefined);
  t.notOk(existsSync(join(dir, 'state')));
});
