/**
 * The CN HorizontalPodAutoscaler. It scales the StarRocksCluster's scale subresource
 * (`spec.starRocksCnSpec.replicas`), not the StatefulSet, so the CR stays the source of truth
 * and the controller renders the StatefulSet from it (official behaviour). Rendered in the
 * version hpa-version.ts chose from discovery: autoscaling/v2 and v2beta2 carry the CR's metrics
 * and behavior as they are (same shape); autoscaling/v1 knows only a CPU utilization target,
 * taken from the CR's Resource cpu Utilization metric (other metrics and behavior it cannot hold).
 */
import { CRD, names } from '../../agent/contract/index.ts';
import type { CnSpec, StarRocksCluster } from '../cr/types.ts';
import type {
  V1HorizontalPodAutoscalerSpec,
  V2HorizontalPodAutoscalerBehavior,
  V2HorizontalPodAutoscalerSpec,
  V2MetricSpec,
} from '@kubernetes/client-node';
import type { HpaVersion } from '../kube/served-apis.ts';
import { dig } from '../json.ts';
import type { Json } from '../json.ts';
import { modelled, objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';

/** The HPA in `version`, or undefined when the CR has no `autoScalingPolicy`. */
export function renderAutoscaler(cluster: StarRocksCluster, cn: CnSpec, version: HpaVersion = 'v2'): KubernetesObject | undefined {
  const policy = cn.autoScalingPolicy;
  if (policy === undefined) return undefined;
  const scaleTargetRef = { apiVersion: `${CRD.group}/${CRD.version}`, kind: CRD.kind, name: cluster.name };
  let spec;
  if (version === 'v1') {
    const v1: V1HorizontalPodAutoscalerSpec = { scaleTargetRef, minReplicas: policy.minReplicas, maxReplicas: policy.maxReplicas };
    const cpu = cpuUtilization(policy.metrics);
    if (cpu !== undefined) v1.targetCPUUtilizationPercentage = cpu;
    spec = modelled<V1HorizontalPodAutoscalerSpec>(v1);
  } else {
    // v2beta2's spec has v2's shape (client-node 2 models v2 only).
    const v2: V2HorizontalPodAutoscalerSpec = { scaleTargetRef, minReplicas: policy.minReplicas, maxReplicas: policy.maxReplicas };
    // The CR's own parts, as the CRD schema admitted them.
    if (policy.metrics.length > 0) v2.metrics = policy.metrics as unknown as V2MetricSpec[];
    if (policy.behavior !== undefined) v2.behavior = policy.behavior as unknown as V2HorizontalPodAutoscalerBehavior;
    spec = modelled<V2HorizontalPodAutoscalerSpec>(v2);
  }
  return {
    apiVersion: `autoscaling/${version}`,
    kind: 'HorizontalPodAutoscaler',
    metadata: objectMeta({ cluster, name: names(cluster.name).cnAutoscaler, component: 'cn' }),
    spec,
  };
}

/** The average CPU utilization target of a `Resource` cpu metric, as autoscaling/v1 holds it. */
function cpuUtilization(metrics: readonly Json[]): number | undefined {
  for (const metric of metrics) {
    if (dig(metric, 'type') !== 'Resource' || dig(metric, 'resource', 'name') !== 'cpu') continue;
    if (dig(metric, 'resource', 'target', 'type') !== 'Utilization') continue;
    const value = dig(metric, 'resource', 'target', 'averageUtilization');
    if (typeof value === 'number') return value;
  }
  return undefined;
}
