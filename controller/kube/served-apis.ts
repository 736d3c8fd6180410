/**
 * Which API group/versions the API server serves, as data for the pure render and plan: read by
 * discovery (`/apis`, discovery.ts), never assumed. The HPA's autoscaling version and whether the
 * prometheus-operator's monitoring API exists are decided from it.
 */
import type { JsonObject } from '../json.ts';
import { dig } from '../json.ts';

/** The group/versions served, e.g. `autoscaling/v2`, `monitoring.coreos.com/v1`. */
export interface ServedApis {
  groupVersions: readonly string[];
}

/** The HorizontalPodAutoscaler versions the controller renders, oldest first. */
export const HPA_VERSIONS = ['v1', 'v2beta2', 'v2'] as const;

/** One of `HPA_VERSIONS`. */
export type HpaVersion = (typeof HPA_VERSIONS)[number];

/** The group/version of the prometheus-operator's PodMonitor. */
export const MONITORING_GROUP_VERSION = 'monitoring.coreos.com/v1';

/**
 * What the controller assumes before discovery answered once (or when it never does): only
 * autoscaling/v2, the one HPA API of every supported Kubernetes, and no monitoring API.
 */
export const ASSUMED_SERVED: ServedApis = { groupVersions: ['autoscaling/v2'] };

/** The served group/versions of an `/apis` answer (an APIGroupList), sorted. */
export function parseApiGroupList(list: JsonObject): ServedApis {
  const groups = dig(list, 'groups');
  const out = new Set<string>();
  if (Array.isArray(groups)) {
    for (const group of groups) {
      const versions = dig(group, 'versions');
      if (!Array.isArray(versions)) continue;
      for (const version of versions) {
        const groupVersion = dig(version, 'groupVersion');
        if (typeof groupVersion === 'string' && groupVersion !== '') out.add(groupVersion);
      }
    }
  }
  return { groupVersions: [...out].sort() };
}

/** The autoscaling versions served, oldest first. */
export function servedHpaVersions(served: ServedApis): HpaVersion[] {
  return HPA_VERSIONS.filter((v) => served.groupVersions.includes(`autoscaling/${v}`));
}

/** True when the prometheus-operator's monitoring.coreos.com/v1 is served. */
export function monitoringServed(served: ServedApis): boolean {
  return served.groupVersions.includes(MONITORING_GROUP_VERSION);
}
