import t from 'tap';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStarRocksConf } from '../../../agent/contract/starrocks-conf.ts';
import { beNodeConf, feNodeConf, loadNodeConf } from '../../../agent/meta/node-conf.ts';

t.test('fe.conf: meta_dir with ${STARROCKS_HOME}, quotes and comments; ports from the conf (W6, W7)', async (t) => {
  const conf = parseStarRocksConf(
    ['meta_dir = "${STARROCKS_HOME}/meta2"   # moved', 'edit_log_port = 19010', '# edit_log_port = 1', 'query_port=19030', 'http_port: 18030'].join('\n'),
    { STARROCKS_HOME: '/opt/starrocks/fe' },
  );
  t.same(feNodeConf(conf, { home: '/opt/starrocks/fe' }), {
    component: 'fe',
    confPath: undefined,
    home: '/opt/starrocks/fe',
    metaDir: '/opt/starrocks/fe/meta2',
    ports: { editLog: 19010, query: 19030, http: 18030, rpc: 9020 },
  });
  t.equal(feNodeConf(parseStarRocksConf(''), { home: '/h/fe' }).metaDir, '/h/fe/meta', 'default meta dir');
  t.equal(feNodeConf(parseStarRocksConf('meta_dir = meta3'), { home: '/h/fe' }).metaDir, '/h/fe/meta3', 'relative to home');
  t.throws(() => feNodeConf(parseStarRocksConf('edit_log_port = 9o10'), { home: '/h/fe' }), { code: 'ERR_CONF_INVALID', message: /edit_log_port/ });
});

t.test('be.conf and cn.conf ports, older key names too', async (t) => {
  t.same(beNodeConf(parseStarRocksConf('heartbeat_service_port = 19050\nwebserver_port = 18040'), { component: 'be', home: '/h/be' }).ports, {
    heartbeat: 19050,
    http: 18040,
    be: 9060,
    brpc: 8060,
  });
  t.equal(beNodeConf(parseStarRocksConf('webserver_port = 1\nbe_http_port = 18041'), { component: 'be', home: '/h/be' }).ports.http, 18041);
  t.equal(beNodeConf(parseStarRocksConf('thrift_port = 19060'), { component: 'cn', home: '/h/cn' }).ports.be, 19060);
  t.same(beNodeConf(parseStarRocksConf(''), { component: 'cn', home: '/h/cn' }).ports, { heartbeat: 9050, http: 8040, be: 9060, brpc: 8060 });
  t.throws(() => beNodeConf(parseStarRocksConf('heartbeat_service_port = 70000'), { component: 'cn', home: '/h/cn' }), { code: 'ERR_CONF_INVALID' });
});

t.test('the ConfigMap conf wins, the image conf is the fallback, nothing is written (W13)', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'node-conf-'));
  t.teardown(async () => {
    for (const dir of ['mount', 'image/fe/conf', 'image/be/conf']) await chmod(join(root, dir), 0o755).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });
  await mkdir(join(root, 'image', 'fe', 'conf'), { recursive: true });
  await mkdir(join(root, 'image', 'be', 'conf'), { recursive: true });
  await mkdir(join(root, 'image', 'cn', 'conf'), { recursive: true });
  await mkdir(join(root, 'mount'));
  await writeFile(join(root, 'image', 'fe', 'conf', 'fe.conf'), 'edit_log_port = 9011\n');
  await writeFile(join(root, 'image', 'be', 'conf', 'be.conf'), 'heartbeat_service_port = 9051\n');
  await writeFile(join(root, 'mount', 'fe.conf'), 'meta_dir = ${STARROCKS_HOME}/meta\nedit_log_port = 9012\n');
  await writeFile(join(root, 'mount', 'be.conf'), 'x = 1');
  const imageRoot = join(root, 'image');
  const mount = join(root, 'mount');
  const before = await snapshot(root);
  // Read-only like a ConfigMap volume and an image with readOnlyRootFilesystem.
  for (const dir of [mount, join(imageRoot, 'fe', 'conf'), join(imageRoot, 'be', 'conf')]) await chmod(dir, 0o555);

  const fe = await loadNodeConf({ component: 'fe', starrocksRoot: imageRoot, configMapMountPath: mount, env: {} });
  t.equal(fe.confPath, join(mount, 'fe.conf'));
  t.ok(fe.component === 'fe' && fe.ports.editLog === 9012 && fe.metaDir === join(imageRoot, 'fe', 'meta'));
  const feImage = await loadNodeConf({ component: 'fe', starrocksRoot: imageRoot, configMapMountPath: undefined, env: {} });
  t.ok(feImage.component === 'fe' && feImage.ports.editLog === 9011, 'image conf without a mount');
  const be = await loadNodeConf({ component: 'be', starrocksRoot: imageRoot, configMapMountPath: mount, env: {} });
  t.ok(be.component === 'be' && be.ports.heartbeat === 9050, 'the mounted be.conf is used as is, even without the key');
  const cn = await loadNodeConf({ component: 'cn', starrocksRoot: imageRoot, configMapMountPath: mount, env: {} });
  t.equal(cn.confPath, undefined, 'no cn.conf anywhere: defaults');
  t.ok(cn.component === 'cn' && cn.ports.heartbeat === 9050);
  t.same(await snapshot(root), before, 'no file was created, moved or changed');
});

async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const s = await stat(join(dir, entry));
    out.push(`${entry}:${s.size}:${s.mtimeMs}`);
  }
  return out.sort();
}
