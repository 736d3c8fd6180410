import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readPodEnv } from './pod-env.ts';
import { healthPort, startProbeServer } from './probes.ts';

const root = mkdtempSync(join(tmpdir(), 'baseline-probes-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

t.test('the probe port is the StarRocks HTTP port of the conf (legacy webserver_port for BE/CN), else the default', async (t) => {
  mkdirSync(join(root, 'be', 'conf'), { recursive: true });
  writeFileSync(join(root, 'be', 'conf', 'be.conf'), 'webserver_port = 8041\n');
  t.equal(healthPort(readPodEnv({ COMPONENT_NAME: 'be', STARROCKS_ROOT: root }, undefined)), 8041);
  t.equal(healthPort(readPodEnv({ COMPONENT_NAME: 'cn', STARROCKS_ROOT: root }, undefined)), 8040, 'no cn.conf: 8040');
});

t.test('startupz, livez and readyz pass exactly when /api/health does (200-399 within 1 s)', async (t) => {
  let status = 200;
  const health = createServer((req, res) => {
    res.writeHead(req.url === '/api/health' ? status : 404).end();
  });
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  const port = (health.address() as AddressInfo).port;
  mkdirSync(join(root, 'fe', 'conf'), { recursive: true });
  writeFileSync(join(root, 'fe', 'conf', 'fe.conf'), `http_port = ${port}\n`);
  const pod = readPodEnv({ COMPONENT_NAME: 'fe', STARROCKS_ROOT: root, POD_IP: '127.0.0.1', STARROCKS_AGENT_BIND: '127.0.0.1', STARROCKS_AGENT_PORT: '0' }, undefined);
  const server = await startProbeServer(pod);
  t.teardown(() => {
    server.close();
    health.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string): Promise<number> => (await fetch(`${url}${path}`)).status;
  for (const path of ['/startupz', '/livez', '/readyz']) t.equal(await get(path), 200, `${path} while /api/health answers 200`);
  status = 500;
  t.equal(await get('/readyz'), 503, 'FE graceful exit (500): not ready');
  t.equal(await get('/livez'), 503, 'and not live: the official probes look at nothing else');
  status = 307;
  t.equal(await get('/readyz'), 200, 'a redirect passes, as kubelet counts it');
  t.equal(await get('/metrics'), 404, 'no other route');
  health.close();
  health.closeAllConnections();
  t.equal(await get('/startupz'), 503, 'StarRocks down: failing');
});
