/**
 * Probe verdicts (DESIGN.md §3, issue 6) as pure functions of state the agent refreshes in the
 * background, so a probe never waits on the FE:
 *
 * - live: the StarRocks process runs and the agent's loop ticked recently (not wedged);
 * - startup: the process's own `/api/health` has answered once (FE journal replay can be long);
 * - ready: not draining (false at once when a graceful stop or scale-in starts), the process's
 *   health answers, and the FE leader's view has this node Alive (FE: joined; BE/CN: not
 *   decommissioning). A view that cannot be read, or a heartbeat-derived "not alive", for less
 *   than the probe window (a leader change) keeps the last good answer; "absent" and
 *   "decommissioning" are definite and flip it at once. A restarted BE also waits for the
 *   cluster's tablets to be healthy (tablet-gate.ts) before its first Ready.
 *
 * @example
 * ```ts
 * readiness(state, Date.now()); // { ok: false, reason: 'draining: ...' }
 * ```
 */
import type { Component } from '../contract/index.ts';
import type { FrontendRow } from '../membership/frontends.ts';
import { findFrontendsByHost, findNode } from '../membership/queries.ts';
import type { NodeRow } from '../membership/nodes.ts';
import type { HostPort } from '../sql/host-port.ts';

/** A probe's answer (the HTTP server's Verdict shape). */
export interface ProbeVerdict {
  readonly ok: boolean;
  readonly reason: string;
}

/** How the leader's view shows this node. */
export type SelfMembership = 'alive' | 'not-alive' | 'not-joined' | 'decommissioning' | 'absent' | 'unavailable';

/** The state probes are answered from. Times are epoch milliseconds. */
export interface ProbeState {
  readonly processRunning: boolean;
  /** Last time the agent's main loop ran. */
  readonly loopTickAt: number;
  /** Whether the process's own health endpoint ever answered OK. */
  readonly healthEverOk: boolean;
  /** Whether its last health check answered OK. */
  readonly healthOk: boolean;
  /** The last membership reading, if any. */
  readonly membership: { readonly at: number; readonly self: SelfMembership; readonly detail?: string } | undefined;
  /** Last time membership showed this node alive. */
  readonly lastAliveAt: number | undefined;
  /** Set when a graceful stop or scale-in starts. */
  readonly draining: boolean;
  /** A restarted BE's tablet-health gate (tablet-gate.ts); undefined where none applies. */
  readonly tabletGate?: { readonly open: boolean; readonly reason: string } | undefined;
}

/** Timing that shapes the verdicts. */
export interface ProbeTiming {
  /** Liveness fails when the agent loop has not ticked for this long. */
  readonly wedgeAfterMs: number;
  /** A gap in good membership answers shorter than this keeps readiness (leader changes). */
  readonly probeWindowMs: number;
}

/** Liveness. Pure. */
export function liveness(state: ProbeState, now: number, timing: ProbeTiming): ProbeVerdict {
  if (!state.processRunning) return { ok: false, reason: 'the StarRocks process is not running' };
  const idle = now - state.loopTickAt;
  if (idle > timing.wedgeAfterMs) return { ok: false, reason: `the agent loop has not run for ${idle} ms` };
  return { ok: true, reason: 'process running, agent loop running' };
}

/** Startup. Pure. */
export function startup(state: ProbeState): ProbeVerdict {
  if (!state.processRunning) return { ok: false, reason: 'the StarRocks process is not running' };
  return state.healthEverOk
    ? { ok: true, reason: 'the process health endpoint has answered' }
    : { ok: false, reason: 'waiting for the process health endpoint to answer for the first time' };
}

/** Readiness. Pure. */
export function readiness(state: ProbeState, now: number, timing: ProbeTiming): ProbeVerdict {
  if (state.draining) return { ok: false, reason: 'draining: a graceful stop or scale-in has started' };
  if (!state.processRunning) return { ok: false, reason: 'the StarRocks process is not running' };
  if (!state.healthOk) return { ok: false, reason: 'the process health endpoint does not answer OK' };
  const m = state.membership;
  if (m === undefined) return { ok: false, reason: 'membership not read yet' };
  const fresh = now - m.at <= timing.probeWindowMs;
  if (state.tabletGate !== undefined && !state.tabletGate.open) return { ok: false, reason: `waiting for tablet health: ${state.tabletGate.reason}` };
  if (fresh && m.self === 'alive') return { ok: true, reason: 'alive in the FE leader\'s view' };
  if (fresh && (m.self === 'absent' || m.self === 'decommissioning')) {
    return { ok: false, reason: m.self === 'absent' ? 'not registered in the FE leader\'s view' : 'decommissioning' };
  }
  const goodFor = state.lastAliveAt === undefined ? undefined : now - state.lastAliveAt;
  if (goodFor !== undefined && goodFor <= timing.probeWindowMs) {
    return { ok: true, reason: `membership ${fresh ? m.self : 'stale'} for ${goodFor} ms, within the ${timing.probeWindowMs} ms window` };
  }
  const why = fresh ? describe(m.self) : `membership not refreshed for ${now - m.at} ms`;
  return { ok: false, reason: m.detail === undefined ? why : `${why}: ${m.detail}` };
}

/** How an FE's own row reads in SHOW FRONTENDS. Pure. */
export function frontendMembership(rows: readonly FrontendRow[], self: { host: string }): SelfMembership {
  const row = findFrontendsByHost(rows, self.host)[0];
  if (row === undefined) return 'absent';
  if (!row.join) return 'not-joined';
  return row.alive ? 'alive' : 'not-alive';
}

/** How a BE/CN's own row reads in SHOW BACKENDS / SHOW COMPUTE NODES. Pure. */
export function nodeMembership(rows: readonly NodeRow[], self: HostPort, component: Exclude<Component, 'fe'>): SelfMembership {
  const row = findNode(rows, self);
  if (row === undefined) return 'absent';
  if (component === 'be' && row.systemDecommissioned) return 'decommissioning';
  return row.alive ? 'alive' : 'not-alive';
}

function describe(self: SelfMembership): string {
  switch (self) {
    case 'not-alive':
      return 'not alive in the FE leader\'s view';
    case 'not-joined':
      return 'not joined to the FE group yet';
    case 'unavailable':
      return 'the FE view cannot be read';
    case 'absent':
      return 'not registered';
    case 'decommissioning':
      return 'decommissioning';
    case 'alive':
      return 'alive';
  }
}
