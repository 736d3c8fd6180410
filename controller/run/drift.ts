/**
 * Hand edits of an owned StatefulSet. The spec hash skips an apply when the controller's own
 * inputs did not change, so an edit by someone else (`kubectl scale sts`, `kubectl edit`,
 * `kubectl set image`) would stay forever: a FE StatefulSet scaled to 1 behind the cluster's back
 * loses the FE majority. Two signs give it away: `spec.replicas` differs from the rendered one,
 * or the StatefulSet's generation moved past the one recorded after the controller's last apply
 * (every spec write bumps it). Server-side apply then takes the controller's fields back and
 * leaves fields others added alone.
 *
 * CN under an HPA is no exception here: the HPA scales the StarRocksCluster (render/hpa.ts), so
 * the StatefulSet's replicas are the CR's for CN too. Pure.
 */
import { asNumber, dig } from '../json.ts';
import type { JsonObject } from '../json.ts';
import type { KubernetesObject } from '../render/objects.ts';

/** What the drift check compares. */
export interface DriftInput {
  rendered: KubernetesObject;
  observed: JsonObject;
  /** The StatefulSet's generation after the controller's last apply or check; undefined: never recorded. */
  recordedGeneration: number | undefined;
}

/** Why the observed StatefulSet differs from what the controller applied; undefined when it does not. */
export function statefulSetDrift(input: DriftInput): string | undefined {
  const want = asNumber(dig(input.rendered, 'spec', 'replicas'));
  // The API server defaults replicas to 1.
  const have = asNumber(dig(input.observed, 'spec', 'replicas')) ?? 1;
  if (want !== undefined && want !== have) return `spec.replicas is ${have}, the StarRocksCluster says ${want}`;
  const generation = asNumber(dig(input.observed, 'metadata', 'generation'));
  if (input.recordedGeneration !== undefined && generation !== undefined && generation !== input.recordedGeneration) {
    return `its spec was written by someone else: generation ${input.recordedGeneration} -> ${generation}`;
  }
  return undefined;
}
