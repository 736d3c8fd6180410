/**
 * Rendering: a parsed StarRocksCluster in, the Kubernetes objects it owns out. Pure and
 * deterministic: same input, same objects in the same order.
 *
 * @example
 * ```ts
 * const { cluster } = parseCluster(raw);
 * const objects = render({ cluster });
 * ```
 */
import type { Component } from '../../agent/contract/index.ts';
import type { StarRocksConf } from '../../agent/contract/starrocks-conf.ts';
import { DEFAULT_AGENT_IMAGE } from '../cr/defaults.ts';
import { presentComponents } from '../cr/parse.ts';
import type { StarRocksCluster } from '../cr/types.ts';
import { renderFeProxy } from './fe-proxy.ts';
import { monitoringServed, servedHpaVersions, ASSUMED_SERVED } from '../kube/served-apis.ts';
import type { ServedApis } from '../kube/served-apis.ts';
import { renderAutoscaler } from './hpa.ts';
import { chooseHpaVersion } from './hpa-version.ts';
import type { KubernetesObject } from './objects.ts';
import { renderPodDisruptionBudget } from './pdb.ts';
import { renderPodMonitor } from './pod-monitor.ts';
import type { FePodView } from './pdb.ts';
import { componentPorts, searchPort } from './ports.ts';
import { renderAgentRbac } from './rbac.ts';
import { renderExternalService, renderSearchService } from './services.ts';
import { renderStatefulSet } from './statefulset.ts';

/** What rendering needs besides the cluster. */
export interface RenderInput {
  cluster: StarRocksCluster;
  /** Each component's conf, read from its `configMapInfo` ConfigMap (ports come from it). */
  confs?: Partial<Record<Component, StarRocksConf>>;
  /** Images to keep instead of the CR's, while an earlier component's upgrade runs. */
  heldImages?: Partial<Record<Component, string>>;
  /** The FE pods that exist, with the role their agent reports: the FE budget counts voters from them. */
  fePods?: readonly FePodView[];
  /** The controller's `--agent-image`; `spec.agent.image` wins over it; `DEFAULT_AGENT_IMAGE` by default. */
  agentImage?: string;
  /** What the API server serves (discovery); `ASSUMED_SERVED` when not known. */
  served?: ServedApis;
}

/** Every object the cluster owns. */
export function render(input: RenderInput): KubernetesObject[] {
  const { cluster } = input;
  const feQuery = componentPorts('fe', input.confs?.fe).find((p) => p.serviceName === 'query');
  const feQueryPort = feQuery?.port ?? 0;
  const served = input.served ?? ASSUMED_SERVED;
  const objects: KubernetesObject[] = renderAgentRbac(cluster);
  for (const spec of presentComponents(cluster)) {
    const conf = input.confs?.[spec.component];
    const ports = componentPorts(spec.component, conf);
    objects.push(
      renderSearchService({ cluster, spec, ports, port: searchPort(spec.component, conf) }),
      renderExternalService({ cluster, spec, ports }),
      renderStatefulSet({
        cluster,
        spec,
        ports,
        feQueryPort,
        image: input.heldImages?.[spec.component] ?? spec.image,
        agentImage: cluster.agent.image ?? input.agentImage ?? DEFAULT_AGENT_IMAGE,
      }),
      renderPodDisruptionBudget(cluster, spec, input.fePods),
    );
    if (spec.component === 'cn' && cluster.cn?.autoScalingPolicy !== undefined) {
      const { version } = chooseHpaVersion(cluster.cn.autoScalingPolicy.version, servedHpaVersions(served));
      const hpa = version === undefined ? undefined : renderAutoscaler(cluster, cluster.cn, version);
      if (hpa !== undefined) objects.push(hpa);
    }
    if (cluster.podMonitor.enabled && monitoringServed(served)) objects.push(renderPodMonitor({ cluster, spec, ports }));
  }
  const feHttp = componentPorts('fe', input.confs?.fe).find((p) => p.serviceName === 'http');
  if (cluster.feProxy !== undefined && feHttp !== undefined) {
    objects.push(...renderFeProxy({ cluster, proxy: cluster.feProxy, feHttpPort: feHttp.port }));
  }
  return objects;
}
