/**
 * A prometheus-operator PodMonitor per component (`spec.metrics.podMonitor`): it scrapes
 * StarRocks' own `/metrics` (FE http port, BE/CN webserver port) and the agent's `/metrics` on
 * every pod of the component, by container port name. A PodMonitor rather than a ServiceMonitor:
 * the agent's port is on the pods, not on the component's Services. Rendered only when discovery
 * found monitoring.coreos.com/v1 (render.ts).
 */
import { AGENT_ROUTES, selectorLabels } from '../../agent/contract/index.ts';
import type { ComponentSpec, StarRocksCluster } from '../cr/types.ts';
import type { JsonObject } from '../json.ts';
import { MONITORING_GROUP_VERSION } from '../kube/served-apis.ts';
import { objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';
import { AGENT_PORT_NAME } from './statefulset.ts';
import type { ComponentPort } from './ports.ts';

/** StarRocks' Prometheus endpoint on the FE http and BE/CN webserver ports. */
const STARROCKS_METRICS_PATH = '/metrics';

/** The PodMonitor's name: `<cluster>-<component>-monitor`. */
function podMonitorName(cluster: string, component: string): string {
  return `${cluster}-${component}-monitor`;
}

/** Options of `renderPodMonitor`. */
export interface PodMonitorOptions {
  cluster: StarRocksCluster;
  spec: ComponentSpec;
  ports: readonly ComponentPort[];
}

/** The component's PodMonitor. */
export function renderPodMonitor(options: PodMonitorOptions): KubernetesObject {
  const { cluster, spec } = options;
  const settings = cluster.podMonitor;
  const httpName = spec.component === 'fe' ? 'http' : 'webserver';
  const http = options.ports.find((p) => p.serviceName === httpName)?.containerName ?? `${httpName}-port`;
  const endpoint = (port: string, path: string): JsonObject => {
    const out: JsonObject = { port, path, scheme: 'http' };
    if (settings.interval !== undefined) out.interval = settings.interval;
    return out;
  };
  return {
    apiVersion: MONITORING_GROUP_VERSION,
    kind: 'PodMonitor',
    metadata: objectMeta({ cluster, name: podMonitorName(cluster.name, spec.component), component: spec.component, labels: settings.labels }),
    spec: {
      selector: { matchLabels: selectorLabels(cluster.name, spec.component) },
      podMetricsEndpoints: [endpoint(http, STARROCKS_METRICS_PATH), endpoint(AGENT_PORT_NAME, AGENT_ROUTES.metrics)],
    },
  };
}
