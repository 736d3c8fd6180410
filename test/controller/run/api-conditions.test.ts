import t from 'tap';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { JsonObject } from '../../../controller/json.ts';
import { dig } from '../../../controller/json.ts';
import type { ServedApis } from '../../../controller/kube/served-apis.ts';
import { render } from '../../../controller/render/render.ts';
import { planReconcile } from '../../../controller/run/plan.ts';
import { baseCluster } from '../fixtures/manifests.ts';

type Loose = Record<string, unknown>;
const NOW = '2026-01-01T00:00:00Z';
const WORLD: ServedApis = { groupVersions: ['apps/v1', 'autoscaling/v1', 'autoscaling/v2'] };
const WITH_MONITORING: ServedApis = { groupVersions: [...WORLD.groupVersions, 'monitoring.coreos.com/v1'] };

const cr = (edit: (spec: Record<string, Loose>) => void): JsonObject => {
  const raw = baseCluster('c');
  edit(raw.spec as Record<string, Loose>);
  return raw as JsonObject;
};
const plan = (cluster: JsonObject, served: ServedApis) => {
  const parsed = parseCluster(cluster).cluster;
  if (parsed === undefined) throw new Error('invalid fixture');
  return planReconcile({ cluster, cache: { owned: [], pods: [] }, rendered: render({ cluster: parsed, served }), now: NOW, served });
};
const conditionOf = (status: JsonObject, type: string): Loose | undefined =>
  ((dig(status, 'conditions') as Loose[] | undefined) ?? []).find((c) => c.type === type);

const asksV2beta2 = cr((spec) => {
  spec.starRocksCnSpec = { image: 'cn:1', autoScalingPolicy: { version: 'v2beta2', maxReplicas: 3 } };
});

t.test('an HPA version not served: a True condition and one Warning event, not again while it lasts', async (t) => {
  const first = plan(asksV2beta2, WORLD);
  t.equal(first.apply.find((o) => o.kind === 'HorizontalPodAutoscaler')?.apiVersion, 'autoscaling/v2');
  t.match(conditionOf(first.computedStatus, 'HPAVersionUnavailable'), { status: 'True', reason: 'HPAVersionUnavailable', message: /rendered as autoscaling\/v2/ });
  t.match(first.events.filter((e) => e.reason === 'HPAVersionUnavailable'), [{ type: 'Warning', message: /v2beta2/ }]);
  const again = plan({ ...asksV2beta2, status: first.computedStatus }, WORLD);
  t.same(again.events.filter((e) => e.reason === 'HPAVersionUnavailable'), [], 'once, when it starts');
  // Served later: False, no warning.
  const served = plan({ ...asksV2beta2, status: first.computedStatus }, { groupVersions: [...WORLD.groupVersions, 'autoscaling/v2beta2'] });
  t.match(conditionOf(served.computedStatus, 'HPAVersionUnavailable'), { status: 'False', reason: 'HPAVersionServed', lastTransitionTime: NOW });
  t.equal(served.apply.find((o) => o.kind === 'HorizontalPodAutoscaler')?.apiVersion, 'autoscaling/v2beta2');
});

t.test('a served version or no autoScalingPolicy: no warning', async (t) => {
  const v1 = plan(cr((spec) => (spec.starRocksCnSpec = { image: 'cn:1', autoScalingPolicy: { version: 'v1', maxReplicas: 3 } })), WORLD);
  t.match(conditionOf(v1.computedStatus, 'HPAVersionUnavailable'), { status: 'False' });
  t.same(v1.events.filter((e) => e.type === 'Warning'), []);
  const none = plan(cr(() => {}), WORLD);
  t.equal(conditionOf(none.computedStatus, 'HPAVersionUnavailable'), undefined, 'not asked: no condition');
  t.equal(conditionOf(none.computedStatus, 'PodMonitorUnavailable'), undefined);
});

t.test('a PodMonitor asked for without the monitoring API: condition and Warning, nothing rendered; with it: three PodMonitors', async (t) => {
  const raw = cr((spec) => (spec.metrics = { podMonitor: { enabled: true } }));
  const absent = plan(raw, WORLD);
  t.same(absent.apply.filter((o) => o.kind === 'PodMonitor'), []);
  t.match(conditionOf(absent.computedStatus, 'PodMonitorUnavailable'), { status: 'True', reason: 'PodMonitorUnavailable', message: /does not serve monitoring\.coreos\.com\/v1/ });
  t.match(absent.events.filter((e) => e.reason === 'PodMonitorUnavailable'), [{ type: 'Warning' }]);
  t.notOk(absent.apply.length === 0, 'the rest is applied');
  const present = plan({ ...raw, status: absent.computedStatus }, WITH_MONITORING);
  t.same(present.apply.filter((o) => o.kind === 'PodMonitor').map((o) => o.metadata.name), ['c-fe-monitor', 'c-be-monitor', 'c-cn-monitor']);
  t.match(conditionOf(present.computedStatus, 'PodMonitorUnavailable'), { status: 'False', reason: 'PodMonitorRendered' });
  t.same(present.events.filter((e) => e.type === 'Warning'), []);
  // Not asked: none rendered even when served.
  t.same(plan(cr(() => {}), WITH_MONITORING).apply.filter((o) => o.kind === 'PodMonitor'), []);
});
