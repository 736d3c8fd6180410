import t from 'tap';
import { selectorLabels } from '../../../agent/contract/index.ts';
import { parseStarRocksConf } from '../../../agent/contract/starrocks-conf.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { StarRocksCluster } from '../../../controller/cr/types.ts';
import { render } from '../../../controller/render/render.ts';
import { baseCluster } from '../fixtures/manifests.ts';
import { container, find } from '../fixtures/objects.ts';

type Loose = Record<string, unknown>;
const MONITORING = { groupVersions: ['autoscaling/v2', 'monitoring.coreos.com/v1'] };

function cluster(podMonitor: Loose): StarRocksCluster {
  const raw = baseCluster('m');
  (raw.spec as Loose).metrics = { podMonitor };
  const { cluster: parsed, problems } = parseCluster(raw);
  if (parsed === undefined || problems.length > 0) throw new Error(JSON.stringify(problems));
  return parsed;
}

t.test('a PodMonitor per component scrapes StarRocks /metrics and the agent /metrics by container port name', async (t) => {
  const objects = render({ cluster: cluster({ enabled: true, interval: '30s', labels: { release: 'prom' } }), served: MONITORING });
  for (const [component, port] of [['fe', 'http-port'], ['be', 'webserver-port'], ['cn', 'webserver-port']] as const) {
    const m = find(objects, 'PodMonitor', `m-${component}-monitor`);
    t.equal(m.apiVersion, 'monitoring.coreos.com/v1');
    t.equal(m.metadata.labels.release, 'prom');
    t.same(m.spec, {
      selector: { matchLabels: selectorLabels('m', component) },
      podMetricsEndpoints: [
        { port, path: '/metrics', scheme: 'http', interval: '30s' },
        { port: 'agent', path: '/metrics', scheme: 'http', interval: '30s' },
      ],
    });
    // The names are the StatefulSet's container ports.
    const ports = (container(find(objects, 'StatefulSet', `m-${component}`), component).ports as Loose[]).map((p) => p.name);
    t.ok(ports.includes(port) && ports.includes('agent'), `${component}: ${ports.join(', ')}`);
  }
});

t.test('no interval: Prometheus decides; not enabled or not served: none', async (t) => {
  const objects = render({ cluster: cluster({ enabled: true }), served: MONITORING });
  t.same((find(objects, 'PodMonitor', 'm-fe-monitor').spec as Loose).podMetricsEndpoints, [
    { port: 'http-port', path: '/metrics', scheme: 'http' },
    { port: 'agent', path: '/metrics', scheme: 'http' },
  ]);
  t.notOk(render({ cluster: cluster({ enabled: false }), served: MONITORING }).some((o) => o.kind === 'PodMonitor'));
  t.notOk(render({ cluster: cluster({ enabled: true }), served: { groupVersions: ['autoscaling/v2'] } }).some((o) => o.kind === 'PodMonitor'));
  t.notOk(render({ cluster: cluster({ enabled: true }) }).some((o) => o.kind === 'PodMonitor'), 'without discovery: assumed absent');
});

t.test('an http port moved in the conf keeps the port name', async (t) => {
  const objects = render({ cluster: cluster({ enabled: true }), served: MONITORING, confs: { fe: parseStarRocksConf('http_port = 18030\n') } });
  t.equal(((find(objects, 'PodMonitor', 'm-fe-monitor').spec as { podMetricsEndpoints: Loose[] }).podMetricsEndpoints[0] as Loose).port, 'http-port');
});
