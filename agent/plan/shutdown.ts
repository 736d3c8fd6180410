/**
 * Shutdown decisions (DESIGN.md §3, issue 6), pure functions of observed state, so a preStop that
 * runs twice or after a crash half-way continues the same job:
 *
 * - restart or scale-in: an ordinal at or above both the StatefulSet's `spec.replicas` and the
 *   StarRocksCluster's replicas is leaving; when either cannot be read, it is a restart (never
 *   deregister on doubt);
 * - FE scale-in: drop only while the remaining voters keep a majority; a leader first stops
 *   gracefully so another FE takes over, and is then dropped through that FE;
 * - BE scale-in: DECOMMISSION, wait while tablets remain, DROP only at zero tablets (or the row is
 *   gone: StarRocks dropped it); a refused decommission keeps the BE registered, never dropped;
 * - CN scale-in: graceful stop, then DROP COMPUTE NODE with the host form it is registered with.
 *
 * @example
 * ```ts
 * const intent = shutdownIntent({ ordinal: 3, replicas: 3, intended: 3 }); // scale-in
 * const step = planBeScaleIn({ self, view, refusal });
 * ```
 */
import type { FrontendRow } from '../membership/frontends.ts';
import { aliveVoters, findFrontendsByHost, findLeader, findNode, majority, voters } from '../membership/queries.ts';
import { hostPortText, sameHost } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';
import type { SqlFailure } from '../sql/sql-error.ts';
import type { FrontendRole } from '../sql/statements.ts';
import type { NodeView } from './registration.ts';

/** Restart (keep membership) or scale-in (leave the cluster). */
export type ShutdownIntent = { readonly kind: 'restart' | 'scale-in'; readonly reason: string };

/** Inputs of shutdownIntent. */
export interface ShutdownIntentInput {
  readonly ordinal: number;
  /** The StatefulSet's `spec.replicas`; undefined when it could not be read. */
  readonly replicas: number | undefined;
  /** Why `replicas` could not be read. */
  readonly unknownReason?: string;
  /**
   * The user's intent: the StarRocksCluster's replicas for the component; `'statefulset'` when
   * the StatefulSet's count is the intent (no StarRocksCluster, or CN under an HPA);
   * `{ unknown }` when the StarRocksCluster could not be read.
   */
  readonly intended: number | 'statefulset' | { readonly unknown: string };
}

/**
 * Decide restart versus scale-in. Scale-in needs both the StatefulSet and the user's intent to
 * say this ordinal is leaving: a `kubectl scale sts` below the StarRocksCluster's replicas is a
 * restart (the controller restores the count), and so is anything unreadable. Pure.
 */
export function shutdownIntent(input: ShutdownIntentInput): ShutdownIntent {
  if (input.replicas === undefined || !Number.isInteger(input.replicas) || input.replicas < 0) {
    return {
      kind: 'restart',
      reason: `the StatefulSet's replicas cannot be read (${input.unknownReason ?? 'unknown'}): assuming a restart, nothing is deregistered on doubt`,
    };
  }
  if (input.ordinal < input.replicas) {
    return { kind: 'restart', reason: `ordinal ${input.ordinal} is below replicas ${input.replicas}: a restart, membership stays` };
  }
  const intended = input.intended;
  if (typeof intended === 'object') {
    return { kind: 'restart', reason: `the StarRocksCluster cannot be read (${intended.unknown}): assuming a restart, nothing is deregistered on doubt` };
  }
  if (typeof intended === 'number' && input.ordinal < intended) {
    return {
      kind: 'restart',
      reason: `the StatefulSet says ${input.replicas} replicas but the StarRocksCluster wants ${intended}: ordinal ${input.ordinal} stays registered (the controller restores the StatefulSet)`,
    };
  }
  return { kind: 'scale-in', reason: `ordinal ${input.ordinal} is at or above replicas ${input.replicas}${typeof intended === 'number' ? ` and the StarRocksCluster's ${intended}` : ''}: this pod is leaving` };
}

/** The FE leader's view, or why it could not be read. */
export type FrontendView =
  | { readonly kind: 'rows'; readonly rows: readonly FrontendRow[] }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** An FE to send a statement through: host and query port as the view reports them. */
interface FeTarget {
  readonly host: string;
  readonly queryPort: number | undefined;
}

/** The next FE scale-in step. */
export type FeScaleInStep =
  | { readonly kind: 'done'; readonly reason: string }
  | { readonly kind: 'graceful-stop'; readonly reason: string }
  | { readonly kind: 'drop'; readonly role: FrontendRole; readonly target: HostPort; readonly via: FeTarget; readonly reason: string }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string };

/** Inputs of planFeScaleIn. */
export interface FeScaleInInput {
  /** Own host and edit_log_port. */
  readonly self: HostPort;
  readonly view: FrontendView;
  /** True once this FE's process has stopped (graceful stop done). */
  readonly stopped: boolean;
  /** Hosts of FE rows with a higher ordinal (see higherFrontends): they leave first. */
  readonly higher: readonly string[];
}

/**
 * FE rows of this cluster whose pod ordinal is above `ordinal`, read from the FQDN's first label
 * (`<cluster>-fe-<i>`). Leaving FEs drop one at a time, highest ordinal first, so each drop
 * re-checks the majority after the previous one. Pure.
 */
export function higherFrontends(rows: readonly FrontendRow[], self: { cluster: string; ordinal: number }): string[] {
  // The cluster name is a DNS label (config.ts checks it): nothing in it needs escaping.
  const pattern = new RegExp(`^${self.cluster}-fe-(\\d+)(\\.|$)`);
  return rows.filter((row) => Number(pattern.exec(row.host)?.[1] ?? -1) > self.ordinal).map((row) => row.host);
}

/** The next FE scale-in step. Pure. */
export function planFeScaleIn(input: FeScaleInInput): FeScaleInStep {
  const { view, self } = input;
  if (view.kind === 'unavailable') return { kind: 'wait', reason: `the FE view cannot be read: ${view.reason}` };
  const own = findFrontendsByHost(view.rows, self.host);
  const row = own.find((r) => r.editLogPort === self.port) ?? own[0];
  if (row === undefined) return { kind: 'done', reason: `${hostPortText(self)} is not in the FE group (already dropped)` };
  if (input.higher.length > 0) {
    return { kind: 'wait', reason: `FEs leave one at a time, highest ordinal first: waiting for ${input.higher.join(', ')} to be dropped` };
  }
  const leader = findLeader(view.rows);
  if (leader === undefined) return { kind: 'wait', reason: 'no FE is LEADER right now' };
  if (sameHost(leader.host, row.host)) {
    return input.stopped
      ? { kind: 'wait', reason: 'this FE stopped but is still named LEADER: waiting for another FE to take over' }
      : { kind: 'graceful-stop', reason: 'this FE is the leader: it stops gracefully first so another FE takes over, then it is dropped through that FE' };
  }
  if (row.address === undefined) {
    return { kind: 'refuse', reason: `this FE's row has no usable host:EditLogPort (${JSON.stringify(row.host)}:${row.editLogPort ?? '?'})` };
  }
  const via: FeTarget = { host: leader.host, queryPort: leader.queryPort };
  if (row.role === 'OBSERVER') {
    return { kind: 'drop', role: 'OBSERVER', target: row.address, via, reason: 'an observer does not vote: drop it through the leader' };
  }
  const voting = voters(view.rows);
  const remaining = voting.length - 1;
  const aliveOthers = aliveVoters(view.rows).filter((r) => !sameHost(r.host, row.host)).length;
  if (remaining < 1) {
    return { kind: 'refuse', reason: 'this is the only voting FE: dropping it would leave no FE group' };
  }
  if (aliveOthers < majority(remaining)) {
    return {
      kind: 'refuse',
      reason: `dropping this follower leaves ${remaining} voter(s) of which ${aliveOthers} alive, below the majority of ${majority(remaining)}: it stays until more FEs are alive`,
    };
  }
  return {
    kind: 'drop',
    role: 'FOLLOWER',
    target: row.address,
    via,
    reason: `${remaining} voter(s) remain, ${aliveOthers} alive, majority ${majority(remaining)} kept: drop through the leader`,
  };
}

/** The next BE scale-in step. */
export type BeScaleInStep =
  | { readonly kind: 'done'; readonly reason: string }
  | { readonly kind: 'decommission'; readonly target: HostPort; readonly tablets: number | undefined; readonly reason: string }
  | { readonly kind: 'wait-tablets'; readonly tablets: number | undefined; readonly reason: string }
  | { readonly kind: 'drop'; readonly target: HostPort; readonly reason: string }
  | { readonly kind: 'blocked'; readonly reason: string }
  | { readonly kind: 'wait'; readonly reason: string };

/** Inputs of planBeScaleIn. */
export interface BeScaleInInput {
  /** The host:heartbeat port it is registered as. */
  readonly self: HostPort;
  readonly view: NodeView;
  /** The last DECOMMISSION or DROP failure StarRocks answered, if any. */
  readonly refusal?: SqlFailure | undefined;
}

/** The next BE scale-in step. Pure. */
export function planBeScaleIn(input: BeScaleInInput): BeScaleInStep {
  const { view, self, refusal } = input;
  const text = hostPortText(self);
  if (view.kind === 'unavailable') return { kind: 'wait', reason: `the FE leader's view cannot be read: ${view.reason}` };
  const row = findNode(view.rows, self);
  if (row === undefined) return { kind: 'done', reason: `${text} is no longer registered` };
  const target = row.address ?? self;
  if (refusal !== undefined && isScaleInRefusal(refusal)) {
    return { kind: 'blocked', reason: `StarRocks refuses to remove ${text}: ${refusal.message}; it stays registered with its data` };
  }
  if (!row.systemDecommissioned) {
    return { kind: 'decommission', target, tablets: row.tabletNum, reason: `${text} holds ${row.tabletNum ?? 'an unknown number of'} tablet(s): decommission it so they migrate` };
  }
  if (row.tabletNum === undefined) {
    return { kind: 'wait-tablets', tablets: undefined, reason: `${text} is decommissioning; its tablet count is unknown, so it is not dropped` };
  }
  if (row.tabletNum > 0) {
    return { kind: 'wait-tablets', tablets: row.tabletNum, reason: `${text} is decommissioning: ${row.tabletNum} tablet(s) left` };
  }
  return { kind: 'drop', target, reason: `${text} is decommissioned and holds no tablets: drop it` };
}

/**
 * True when StarRocks said no to removing a BE (too few BEs for a table's replicas, no disk
 * space elsewhere, single-replica tablets). Anything else (a timeout, a broken connection, a
 * leader change, an error we cannot classify) is the statement not getting through: it is
 * retried with back-off, and never makes the BE give up for the rest of its grace period.
 */
export function isScaleInRefusal(failure: SqlFailure): boolean {
  return failure.kind === 'insufficient_be_number' || failure.kind === 'insufficient_disk_space' || failure.kind === 'only_one_replica';
}

/** The next CN scale-in step. */
export type CnScaleInStep =
  | { readonly kind: 'graceful-stop'; readonly reason: string }
  | { readonly kind: 'drop'; readonly target: HostPort; readonly reason: string }
  | { readonly kind: 'done'; readonly reason: string }
  | { readonly kind: 'wait'; readonly reason: string };

/** Inputs of planCnScaleIn. */
export interface CnScaleInInput {
  /** The host:heartbeat port it is registered as. */
  readonly self: HostPort;
  readonly view: NodeView;
  readonly stopped: boolean;
}

/** The next CN scale-in step. Pure. */
export function planCnScaleIn(input: CnScaleInInput): CnScaleInStep {
  if (!input.stopped) return { kind: 'graceful-stop', reason: 'stop the CN gracefully so running queries finish, then drop it' };
  if (input.view.kind === 'unavailable') return { kind: 'wait', reason: `the FE leader's view cannot be read: ${input.view.reason}` };
  const row = findNode(input.view.rows, input.self);
  if (row === undefined) return { kind: 'done', reason: `${hostPortText(input.self)} is no longer registered` };
  return {
    kind: 'drop',
    target: row.address ?? input.self,
    reason: `drop the CN as registered (${row.host}:${row.heartbeatPort ?? input.self.port})`,
  };
}
