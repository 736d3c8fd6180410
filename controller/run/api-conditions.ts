/**
 * Conditions for what a StarRocksCluster asks of the API server that discovery says it cannot
 * give: an autoscaling version it does not serve (the HPA falls back to the newest served), or
 * a PodMonitor without the prometheus-operator's monitoring.coreos.com/v1 (none rendered, the
 * rest applied as usual). True while it lasts, False once resolved, absent when not asked. Pure.
 */
import type { StarRocksCluster } from '../cr/types.ts';
import { monitoringServed, servedHpaVersions, MONITORING_GROUP_VERSION } from '../kube/served-apis.ts';
import type { ServedApis } from '../kube/served-apis.ts';
import { chooseHpaVersion } from '../render/hpa-version.ts';
import type { Condition } from '../status/conditions.ts';

/** The condition types (and the reasons of their Warning events). */
export const API_CONDITION_TYPES = {
  hpaVersionUnavailable: 'HPAVersionUnavailable',
  podMonitorUnavailable: 'PodMonitorUnavailable',
} as const;

/** The conditions for the cluster given what is served. */
export function servedApiConditions(cluster: StarRocksCluster, served: ServedApis): Omit<Condition, 'lastTransitionTime'>[] {
  const out: Omit<Condition, 'lastTransitionTime'>[] = [];
  const base = { observedGeneration: cluster.generation };
  const policy = cluster.cn?.autoScalingPolicy;
  if (policy !== undefined) {
    const choice = chooseHpaVersion(policy.version, servedHpaVersions(served));
    out.push(
      choice.unavailable === undefined
        ? { ...base, type: API_CONDITION_TYPES.hpaVersionUnavailable, status: 'False', reason: 'HPAVersionServed', message: `the HPA is rendered as autoscaling/${choice.version ?? ''}` }
        : { ...base, type: API_CONDITION_TYPES.hpaVersionUnavailable, status: 'True', reason: API_CONDITION_TYPES.hpaVersionUnavailable, message: choice.unavailable },
    );
  }
  if (cluster.podMonitor.enabled) {
    out.push(
      monitoringServed(served)
        ? { ...base, type: API_CONDITION_TYPES.podMonitorUnavailable, status: 'False', reason: 'PodMonitorRendered', message: `${MONITORING_GROUP_VERSION} is served: a PodMonitor per component is rendered` }
        : {
            ...base,
            type: API_CONDITION_TYPES.podMonitorUnavailable,
            status: 'True',
            reason: API_CONDITION_TYPES.podMonitorUnavailable,
            message: `spec.metrics.podMonitor.enabled is true but the API server does not serve ${MONITORING_GROUP_VERSION} (install the prometheus-operator's CRDs): no PodMonitor is rendered; the controller checks again every discovery refresh`,
          },
    );
  }
  return out;
}
