/**
 * Which autoscaling version the CN HorizontalPodAutoscaler is rendered in: the CR's
 * `autoScalingPolicy.version` when the API server serves it, else the newest served. Pure.
 */
import { HPA_VERSIONS } from '../kube/served-apis.ts';
import type { HpaVersion } from '../kube/served-apis.ts';

/** The version chosen, and why when it is not the one asked for. */
export interface HpaVersionChoice {
  /** Undefined when the API server serves no autoscaling version the controller renders. */
  version: HpaVersion | undefined;
  /** Set when the CR asked for a version that is not used: what was asked, what is used, and why. */
  unavailable: string | undefined;
}

/**
 * The version to render. `asked` is the CR's `version` (undefined or empty: none asked, the
 * newest served); `served` the autoscaling versions discovery found.
 */
export function chooseHpaVersion(asked: string | undefined, served: readonly HpaVersion[]): HpaVersionChoice {
  const newest = HPA_VERSIONS.filter((v) => served.includes(v)).at(-1);
  if (asked !== undefined && asked !== '' && served.includes(asked as HpaVersion)) return { version: asked as HpaVersion, unavailable: undefined };
  const servedText = served.length === 0 ? 'none' : HPA_VERSIONS.filter((v) => served.includes(v)).map((v) => `autoscaling/${v}`).join(', ');
  if (newest === undefined) {
    const what = asked === undefined || asked === '' ? 'an HPA' : `autoscaling/${asked}`;
    return { version: undefined, unavailable: `autoScalingPolicy asks for ${what} but the API server serves no autoscaling version (served: ${servedText}): no HPA is rendered` };
  }
  if (asked === undefined || asked === '') return { version: newest, unavailable: undefined };
  return {
    version: newest,
    unavailable: `autoScalingPolicy.version ${asked} asks for autoscaling/${asked}, which the API server does not serve (served: ${servedText}): the HPA is rendered as autoscaling/${newest}`,
  };
}
