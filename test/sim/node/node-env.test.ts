// A simulated node in a Kubernetes world pod reads container paths of its conf through the pod's
// mounts, as a container's process would; without it, a conf's storage_root_path named the
// host's own /opt/starrocks/be/storage, shared by every BE of every run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadNodeEnv, SIM_ENV } from './node-env.ts';

t.test('conf paths go through the pod path map', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'node-env-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, 'tree', 'be');
  const claim = join(dir, 'claims', 'be-data');
  mkdirSync(join(home, 'conf'), { recursive: true });
  writeFileSync(join(home, 'conf', 'be.conf'), 'storage_root_path = /opt/starrocks/be/storage\nsys_log_dir = /var/log/elsewhere\n');
  const saved = { ...process.env };
  t.teardown(() => {
    process.env = saved;
  });
  process.env.STARROCKS_HOME = home;
  process.env.POD_IP = '127.0.0.1';
  process.env[SIM_ENV.world] = '127.0.0.1:1';
  process.env[SIM_ENV.pathMap] = JSON.stringify([
    { containerPath: '/opt/starrocks', hostPath: join(dir, 'tree') },
    { containerPath: '/opt/starrocks/be/storage', hostPath: claim },
  ]);
  const env = loadNodeEnv('be');
  t.equal(env.conf.get('storage_root_path'), claim, 'the nested mount wins over the tree');
  t.equal(env.conf.get('sys_log_dir'), '/var/log/elsewhere', 'a path no mount covers stays as written');

  delete process.env[SIM_ENV.pathMap];
  t.equal(loadNodeEnv('be').conf.get('storage_root_path'), '/opt/starrocks/be/storage', 'outside a pod, paths are the host paths');
});
