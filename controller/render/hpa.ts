/**
 * The CN HorizontalPodAutoscaler. It scales the StarRocksCluster's scale subresource
 * (`spec.starRocksCnSpec.replicas`), not the StatefulSet, so the CR stays the source of truth
 * and the controller renders the StatefulSet from it (official behaviour). autoscaling/v2 is
 * rendered whatever `version` says: it is the only HPA API served since Kubernetes 1.26.
 */
import { CRD, names } from '../../agent/contract/index.ts';
import type { CnSpec, StarRocksCluster } from '../cr/types.ts';
import type { V2HorizontalPodAutoscalerBehavior, V2HorizontalPodAutoscalerSpec, V2MetricSpec } from '@kubernetes/client-node';
import { modelled, objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';

/** The HPA, or undefined when the CR has no `autoScalingPolicy`. */
export function renderAutoscaler(cluster: StarRocksCluster, cn: CnSpec): KubernetesObject | undefined {
  const policy = cn.autoScalingPolicy;
  if (policy === undefined) return undefined;
  const spec: V2HorizontalPodAutoscalerSpec = {
    scaleTargetRef: { apiVersion: `${CRD.group}/${CRD.version}`, kind: CRD.kind, name: cluster.name },
    minReplicas: policy.minReplicas,
    maxReplicas: policy.maxReplicas,
  };
  // The CR's own parts, as the CRD schema admitted them.
  if (policy.metrics.length > 0) spec.metrics = policy.metrics as unknown as V2MetricSpec[];
  if (policy.behavior !== undefined) spec.behavior = policy.behavior as unknown as V2HorizontalPodAutoscalerBehavior;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: objectMeta({ cluster, name: names(cluster.name).cnAutoscaler, component: 'cn' }),
    spec: modelled<V2HorizontalPodAutoscalerSpec>(spec),
  };
}
