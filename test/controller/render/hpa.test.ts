import t from 'tap';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { StarRocksCluster } from '../../../controller/cr/types.ts';
import { renderAutoscaler } from '../../../controller/render/hpa.ts';
import { render } from '../../../controller/render/render.ts';
import { baseCluster } from '../fixtures/manifests.ts';
import { find } from '../fixtures/objects.ts';

type Loose = Record<string, unknown>;

const CPU = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } };
const MEMORY = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } };
const BEHAVIOR = { scaleDown: { selectPolicy: 'Disabled' } };
const TARGET = { apiVersion: 'starrocks.com/v1', kind: 'StarRocksCluster', name: 'h' };

function cluster(policy: Loose): StarRocksCluster {
  const raw = baseCluster('h');
  (raw.spec as Record<string, Loose>).starRocksCnSpec = { image: 'cn:1', autoScalingPolicy: policy };
  const { cluster: parsed, problems } = parseCluster(raw);
  if (parsed === undefined || problems.length > 0) throw new Error(JSON.stringify(problems));
  return parsed;
}

const hpa = (c: StarRocksCluster, version: 'v1' | 'v2beta2' | 'v2') => {
  if (c.cn === undefined) throw new Error('no cn');
  const out = renderAutoscaler(c, c.cn, version);
  if (out === undefined) throw new Error('no hpa');
  return out;
};

t.test('autoscaling/v2 carries the metrics and behavior as given', async (t) => {
  const out = hpa(cluster({ maxReplicas: 5, hpaPolicy: { metrics: [CPU, MEMORY], behavior: BEHAVIOR } }), 'v2');
  t.equal(out.apiVersion, 'autoscaling/v2');
  t.same(out.spec, { scaleTargetRef: TARGET, minReplicas: 1, maxReplicas: 5, metrics: [CPU, MEMORY], behavior: BEHAVIOR });
});

t.test('autoscaling/v2beta2 has the same shape as v2', async (t) => {
  const out = hpa(cluster({ version: 'v2beta2', minReplicas: 2, maxReplicas: 5, hpaPolicy: { metrics: [CPU], behavior: BEHAVIOR } }), 'v2beta2');
  t.equal(out.apiVersion, 'autoscaling/v2beta2');
  t.same(out.spec, { scaleTargetRef: TARGET, minReplicas: 2, maxReplicas: 5, metrics: [CPU], behavior: BEHAVIOR });
});

t.test('autoscaling/v1 has only the CPU utilization target', async (t) => {
  const out = hpa(cluster({ version: 'v1', maxReplicas: 5, hpaPolicy: { metrics: [MEMORY, CPU], behavior: BEHAVIOR } }), 'v1');
  t.equal(out.apiVersion, 'autoscaling/v1');
  t.same(out.spec, { scaleTargetRef: TARGET, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
  // Without a CPU utilization metric: the API server's default target (80%) applies.
  t.same(hpa(cluster({ version: 'v1', maxReplicas: 3, hpaPolicy: { metrics: [MEMORY] } }), 'v1').spec, { scaleTargetRef: TARGET, minReplicas: 1, maxReplicas: 3 });
});

t.test('render picks the version from what is served', async (t) => {
  const c = cluster({ version: 'v2beta2', maxReplicas: 4, hpaPolicy: { metrics: [CPU] } });
  const served = (...groupVersions: string[]) => ({ groupVersions });
  t.equal(find(render({ cluster: c, served: served('autoscaling/v1', 'autoscaling/v2') }), 'HorizontalPodAutoscaler', 'h-cn-autoscaler').apiVersion, 'autoscaling/v2');
  t.equal(find(render({ cluster: c, served: served('autoscaling/v1', 'autoscaling/v2beta2', 'autoscaling/v2') }), 'HorizontalPodAutoscaler', 'h-cn-autoscaler').apiVersion, 'autoscaling/v2beta2');
  const v1 = cluster({ version: 'v1', maxReplicas: 4, hpaPolicy: { metrics: [CPU] } });
  t.equal(find(render({ cluster: v1, served: served('autoscaling/v1', 'autoscaling/v2') }), 'HorizontalPodAutoscaler', 'h-cn-autoscaler').apiVersion, 'autoscaling/v1');
  t.notOk(render({ cluster: v1, served: served('apps/v1') }).some((o) => o.kind === 'HorizontalPodAutoscaler'), 'no autoscaling served: no HPA');
  // Without discovery: autoscaling/v2, as before.
  t.equal(find(render({ cluster: v1 }), 'HorizontalPodAutoscaler', 'h-cn-autoscaler').apiVersion, 'autoscaling/v2');
});
