/**
 * The tablet-health gate of a restarted BE (health-gated rollouts, DESIGN.md §3): after a BE
 * restart its readiness stays false while the cluster reports unhealthy tablets, so the
 * StatefulSet's rolling update does not take the next BE down before StarRocks has re-cloned the
 * replicas the restarted one lost or missed. Pure: the monitor feeds it readings.
 *
 * - A BE this start added (a new node, or the first start of a cluster) has nothing to heal: open.
 * - Once open it stays open for the life of the process (`latch`): a later problem elsewhere in
 *   the cluster must not take every BE out of service.
 * - While another BE is not alive the gate does not hold: the unhealthy tablets may need that BE,
 *   and with OrderedReady pods it would not even start before this one is Ready. Not latched.
 * - Healthy must mean healthy for `settleMs`: the FE learns of a wiped BE's lost replicas from its
 *   tablet report, a little after the BE is Alive, and reads 0 unhealthy in between.
 * - Bounded: after `maxWaitMs` from the process start it opens with `timedOut`.
 *
 * @example
 * ```ts
 * tabletGate({ applies: true, opened: false, startedAt, now, maxWaitMs: 1_800_000, selfAlive: true, othersAlive: true, health: { unhealthy: 3 }, healthySince: undefined, settleMs: 15_000 });
 * // { kind: 'wait', unhealthy: 3, reason: '3 unhealthy tablet(s) in the cluster: waiting for StarRocks to heal them' }
 * ```
 */

/** Inputs of tabletGate. Times are epoch milliseconds. */
export interface TabletGateInput {
  /** False for a BE this start added: the wait never applies to a new node. */
  readonly applies: boolean;
  /** True once the gate opened for good (latched by the caller). */
  readonly opened: boolean;
  readonly startedAt: number;
  readonly now: number;
  readonly maxWaitMs: number;
  /** This BE is Alive in the FE leader's view. */
  readonly selfAlive: boolean;
  /** Every other BE of the cluster is Alive; undefined when not known. */
  readonly othersAlive: boolean | undefined;
  /** The last tablet-health reading; undefined when it could not be read. */
  readonly health: { readonly unhealthy: number } | undefined;
  /** Since when every reading, with this BE alive, showed no unhealthy tablet (kept by the caller). */
  readonly healthySince: number | undefined;
  /**
   * How long the tablets must stay healthy before the gate opens: a real FE learns that a wiped
   * BE lost its replicas from the BE's tablet report, a few seconds after it is Alive again.
   */
  readonly settleMs: number;
}

/** The gate's verdict. `latch` tells the caller to keep it open from now on. */
export type TabletGate =
  | { readonly kind: 'open'; readonly latch: boolean; readonly timedOut: boolean; readonly reason: string }
  | { readonly kind: 'wait'; readonly unhealthy: number | undefined; readonly reason: string };

/** Whether a restarted BE may report Ready as far as tablet health goes. Pure. */
export function tabletGate(input: TabletGateInput): TabletGate {
  if (!input.applies) return { kind: 'open', latch: true, timedOut: false, reason: 'a new BE: nothing to heal' };
  if (input.opened) return { kind: 'open', latch: true, timedOut: false, reason: 'tablets were healthy after this restart' };
  const waited = input.now - input.startedAt;
  if (waited >= input.maxWaitMs) {
    const left = input.health === undefined ? 'an unknown number of' : String(input.health.unhealthy);
    return {
      kind: 'open',
      latch: true,
      timedOut: true,
      reason: `gave up waiting for tablet health after ${Math.round(waited / 1000)} s (limit ${Math.round(input.maxWaitMs / 1000)} s) with ${left} unhealthy tablet(s)`,
    };
  }
  if (!input.selfAlive) return { kind: 'wait', unhealthy: input.health?.unhealthy, reason: 'this BE is not alive yet: tablet health not judged' };
  if (input.othersAlive === false) {
    return { kind: 'open', latch: false, timedOut: false, reason: 'another BE is not alive: not holding readiness for tablets that may need it' };
  }
  if (input.health === undefined) return { kind: 'wait', unhealthy: undefined, reason: 'tablet health cannot be read yet' };
  if (input.health.unhealthy > 0) {
    return { kind: 'wait', unhealthy: input.health.unhealthy, reason: `${input.health.unhealthy} unhealthy tablet(s) in the cluster: waiting for StarRocks to heal them` };
  }
  const healthyFor = input.healthySince === undefined ? 0 : input.now - input.healthySince;
  if (healthyFor < input.settleMs) {
    return {
      kind: 'wait',
      unhealthy: 0,
      reason: `no unhealthy tablet for ${Math.round(healthyFor / 1000)} s: waiting ${Math.round(input.settleMs / 1000)} s for this BE's tablet report to settle`,
    };
  }
  return { kind: 'open', latch: true, timedOut: false, reason: `no unhealthy tablet in the cluster for ${Math.round(healthyFor / 1000)} s` };
}
