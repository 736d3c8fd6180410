/**
 * Rollout order of image changes. StarRocks upgrades BE and CN before FE (BE/CN are backward
 * compatible with an older FE, FE is not forward compatible) and downgrades FE first, then BE and
 * CN (https://docs.starrocks.io/docs/deployment/upgrade/ and .../deployment/downgrade/: "the
 * downgrade procedure is the reverse order of the upgrade procedure"). The direction comes from
 * the versions in the image tags of the components whose image changes: upgrade BE -> CN -> FE,
 * downgrade FE -> BE -> CN, and when a version cannot be read (`latest`, `3.5-latest`, a digest,
 * no tag) or the components disagree, the upgrade order with a warning. The official operator
 * always rolls FE first (starrocks-kubernetes-operator#238).
 *
 * A component rolls only once every component before it runs the CR's image with its rollout
 * complete and all pods Ready; until its turn it is held at the image it runs now. The official
 * `waitForFullRollout` (operator 1.11, `StarRocksClusterSpec`: true makes BE/CN wait for the FE
 * StatefulSet's full rollout, false lets them go "as soon as any FE pod is ready") keeps that
 * meaning where FE comes first, a downgrade: when false, BE and CN follow once FE runs the new
 * image with one Ready pod. Upgrades put FE last and always wait. New components are created
 * with the CR's image at once. Other template changes are not held.
 */
import type { Component } from '../agent/contract/index.ts';
import { rolloutComplete } from './status/observed.ts';
import type { ObservedStatefulSet } from './status/observed.ts';

/** The order images roll in on an upgrade (and when the direction is unknown). */
export const UPGRADE_ORDER: readonly Component[] = ['be', 'cn', 'fe'];
/** The order images roll in on a downgrade. */
export const DOWNGRADE_ORDER: readonly Component[] = ['fe', 'be', 'cn'];

/** A StarRocks version read from an image tag. */
export interface ImageVersion {
  major: number;
  minor: number;
  patch: number;
}

/** How one component's image changes. */
export type VersionChange = 'upgrade' | 'downgrade' | 'same' | 'unknown';

/** The direction of a whole rollout; `none` when no image changes or only the flavour does. */
export type RolloutDirection = 'none' | 'upgrade' | 'downgrade' | 'unknown';

// `3.5.8`, `v3.5.8`, `3.5.8-ubuntu`, `3.5.8-rc01`: the first three numbers are the version.
const VERSION_TAG = /^v?(\d+)\.(\d+)\.(\d+)(?:[-_+][0-9A-Za-z._-]*)?$/;

/**
 * The version in an image reference's tag; undefined when there is no tag (a bare name or a
 * digest only) or the tag names no full version (`latest`, `3.5-latest`, `main`).
 */
export function imageVersion(image: string): ImageVersion | undefined {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port, not a tag.
  if (colon <= lastSlash) return undefined;
  const match = VERSION_TAG.exec(withoutDigest.slice(colon + 1));
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareVersions(a: ImageVersion, b: ImageVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** How a component's image change moves its version. */
export function versionChange(from: string, to: string): VersionChange {
  const before = imageVersion(from);
  const after = imageVersion(to);
  if (before === undefined || after === undefined) return 'unknown';
  const order = compareVersions(after, before);
  return order > 0 ? 'upgrade' : order < 0 ? 'downgrade' : 'same';
}

/** The direction of a set of changes: unknown when any is unknown or they disagree. */
export function rolloutDirection(changes: readonly VersionChange[]): RolloutDirection {
  const moving = new Set(changes.filter((c) => c !== 'same'));
  if (moving.size === 0) return 'none';
  if (moving.size > 1 || moving.has('unknown')) return 'unknown';
  return moving.has('downgrade') ? 'downgrade' : 'upgrade';
}

/** The component order of a direction. */
function rolloutOrder(direction: RolloutDirection): readonly Component[] {
  return direction === 'downgrade' ? DOWNGRADE_ORDER : UPGRADE_ORDER;
}

/** Inputs of `decideRollout`. */
export interface RolloutInput {
  /** The CR's image per present component. */
  desired: Partial<Record<Component, string>>;
  /** The StatefulSets as they are now. */
  observed: Partial<Record<Component, ObservedStatefulSet>>;
  /** The CR's `waitForFullRollout` (default true). */
  waitForFullRollout: boolean;
}

/** The decision: images to hold, what each held component waits for, and the order used. */
export interface RolloutDecision {
  heldImages: Partial<Record<Component, string>>;
  waitingFor: Partial<Record<Component, Component>>;
  direction: RolloutDirection;
  order: readonly Component[];
  /** When `direction` is unknown: the image changes whose order could not be told, for a warning. */
  unknownReason: string | undefined;
}

/** A decision that holds nothing (no valid cluster, nothing observed). */
export const NO_ROLLOUT: RolloutDecision = {
  heldImages: {},
  waitingFor: {},
  direction: 'none',
  order: UPGRADE_ORDER,
  unknownReason: undefined,
};

/** Which components may roll to the CR's image now. Pure. */
export function decideRollout(input: RolloutInput): RolloutDecision {
  const changes = imageChanges(input);
  const direction = rolloutDirection(changes.map((c) => c.change));
  const order = rolloutOrder(direction);
  const decision: RolloutDecision = {
    heldImages: {},
    waitingFor: {},
    direction,
    order,
    unknownReason: direction === 'unknown' ? describeUnknown(changes) : undefined,
  };
  let blocker: Component | undefined;
  for (const component of order) {
    const desired = input.desired[component];
    if (desired === undefined) continue;
    const observed = input.observed[component];
    if (observed !== undefined && observed.image !== desired && observed.image !== '' && blocker !== undefined) {
      decision.heldImages[component] = observed.image;
      decision.waitingFor[component] = blocker;
    }
    if (blocker === undefined && !lets(component, observed, desired, input.waitForFullRollout)) blocker = component;
  }
  return decision;
}

interface ImageChange {
  component: Component;
  from: string;
  to: string;
  change: VersionChange;
}

function imageChanges(input: RolloutInput): ImageChange[] {
  return UPGRADE_ORDER.flatMap((component) => {
    const to = input.desired[component];
    const from = input.observed[component]?.image;
    if (to === undefined || from === undefined || from === '' || from === to) return [];
    return [{ component, from, to, change: versionChange(from, to) }];
  });
}

function describeUnknown(changes: readonly ImageChange[]): string {
  const listed = changes
    .filter((c) => c.change !== 'same')
    .map((c) => `${c.component} ${c.from} -> ${c.to} (${c.change === 'unknown' ? 'no version in a tag' : c.change})`);
  return `cannot tell an upgrade from a downgrade: ${listed.join(', ')}; rolling in the upgrade order ${UPGRADE_ORDER.join(' -> ')}`;
}

// Whether the components after this one may roll: it runs the CR's image with its rollout
// complete, or, for FE with waitForFullRollout false, with one Ready pod (the official meaning).
function lets(component: Component, observed: ObservedStatefulSet | undefined, desired: string, waitForFullRollout: boolean): boolean {
  if (observed === undefined || observed.image !== desired) return false;
  if (component === 'fe' && !waitForFullRollout) {
    return observed.observedGeneration >= observed.generation && observed.readyReplicas >= 1;
  }
  return rolloutComplete(observed);
}
