/**
 * Upgrade order: when images change, BE rolls first, then CN, then FE, each only once every
 * component before it runs the new image with its rollout complete and all pods Ready. This is
 * StarRocks' own upgrade order (BE/CN are backward compatible, FE is not forward compatible);
 * the official operator rolls FE first (starrocks-kubernetes-operator#238). A later component
 * is held at the image it runs now until its turn. New components are created with the CR's
 * image at once. Other template changes are not held.
 */
import type { Component } from '../agent/contract.ts';
import { rolloutComplete } from './status/observed.ts';
import type { ObservedStatefulSet } from './status/observed.ts';

/** The order images roll in. */
export const UPGRADE_ORDER: readonly Component[] = ['be', 'cn', 'fe'];

/** Inputs of `decideRollout`. */
export interface RolloutInput {
  /** The CR's image per present component. */
  desired: Partial<Record<Component, string>>;
  /** The StatefulSets as they are now. */
  observed: Partial<Record<Component, ObservedStatefulSet>>;
}

/** The decision: images to hold, and what each held component waits for. */
export interface RolloutDecision {
  heldImages: Partial<Record<Component, string>>;
  waitingFor: Partial<Record<Component, Component>>;
}

/** Which components may roll to the CR's image now. Pure. */
export function decideRollout(input: RolloutInput): RolloutDecision {
  const decision: RolloutDecision = { heldImages: {}, waitingFor: {} };
  let blocker: Component | undefined;
  for (const component of UPGRADE_ORDER) {
    const desired = input.desired[component];
    if (desired === undefined) continue;
    const observed = input.observed[component];
    if (observed !== undefined && observed.image !== desired && observed.image !== '' && blocker !== undefined) {
      decision.heldImages[component] = observed.image;
      decision.waitingFor[component] = blocker;
    }
    const settled = observed !== undefined && observed.image === desired && rolloutComplete(observed);
    if (!settled && blocker === undefined) blocker = component;
  }
  return decision;
}
