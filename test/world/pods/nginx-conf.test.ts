import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { renderNginxConf } from '../../../controller/render/fe-proxy.ts';
import { worldNginxConf } from './nginx-conf.ts';

const rendered = renderNginxConf({
  resolver: 'kube-dns.kube-system.svc.cluster.local',
  feUrl: 'http://sr-fe-service.e2e.svc.cluster.local:8030',
  feSearchService: 'sr-fe-search',
});

t.test('the world changes the listen address, resolver, /tmp paths and the FE upstream only', async (t) => {
  const conf = worldNginxConf(rendered, { podIP: '127.130.1.12', dns: '127.130.1.1:5353', runDir: '/tmp/world-nginx-x' });
  t.match(conf, /^\s*listen 127\.130\.1\.12:8080;$/m);
  t.match(conf, /^\s*resolver 127\.130\.1\.1:5353 valid=10s;$/m);
  t.match(conf, /^pid\s+\/tmp\/world-nginx-x\/nginx\.pid;$/m);
  t.match(conf, /client_body_temp_path \/tmp\/world-nginx-x\/client_temp;/);
  t.match(conf, /set \$fe_service "http:\/\/sr-fe-search\.e2e\.svc\.cluster\.local:8030";/);
  t.match(conf, /access_log \/tmp\/world-nginx-x\/access\.log;/);
  t.notMatch(conf, /sr-fe-service/);
  t.match(conf, /\$upstream_http_location ~ "sr-fe-search"/, 'the redirect rules are unchanged');
  const unchanged = (text: string): string[] => text.split('\n').filter((l) => !/listen|resolver|\/tmp\/|fe_service "|access_log/.test(l));
  t.same(unchanged(conf), unchanged(rendered));
});

t.test("Debian's nginx accepts the world's configuration", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-conf-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, worldNginxConf(rendered, { podIP: '127.0.0.1', dns: '127.0.0.1:53', runDir: dir }));
  const out = execFileSync('/usr/sbin/nginx', ['-t', '-p', dir, '-c', conf, '-e', 'stderr'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  t.equal(out, '');
});
