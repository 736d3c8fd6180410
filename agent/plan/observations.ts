/**
 * What the agent observed about its FE peers, as plain data for the pure plans: per peer pod
 * (dialed by its search-service FQDN, so not-ready pods count too), whether it resolved, and what
 * its SHOW FRONTENDS answered. Shared by the FE start plan and the FE scale-in plan.
 */
import type { FrontendRow } from '../membership/frontends.ts';
import { findLeader } from '../membership/queries.ts';
import { sameHost } from '../sql/host-port.ts';
import type { SqlFailure } from '../sql/sql-error.ts';

/** One FE peer as observed. */
export interface PeerObservation {
  /** The host dialed: the peer pod's FQDN (or an address). */
  readonly host: string;
  /** Addresses `host` resolved to; lets an IP-mode row be matched to the peer dialed by name. */
  readonly addresses?: readonly string[];
  readonly result:
    | { readonly kind: 'unresolved' }
    | { readonly kind: 'failed'; readonly failure: SqlFailure }
    | { readonly kind: 'frontends'; readonly rows: readonly FrontendRow[] };
}

/** A SHOW FRONTENDS answer that came from the leader itself. */
export interface LeaderView {
  /** The peer that answered (the leader). */
  readonly peer: PeerObservation;
  readonly leader: FrontendRow;
  readonly rows: readonly FrontendRow[];
}

/** True when a row's host is the peer that was dialed (by name or by one of its addresses). */
function rowIsPeer(row: FrontendRow, peer: PeerObservation): boolean {
  return sameHost(row.host, peer.host) || (peer.addresses ?? []).some((a) => sameHost(row.host, a));
}

/** The leader's own view, none, or several FEs each answering that they lead. */
export type LeaderViewResult =
  | { readonly kind: 'one'; readonly view: LeaderView }
  | { readonly kind: 'none' }
  | { readonly kind: 'conflict'; readonly leaders: readonly string[] };

/**
 * The view answered by the FE that its own `Role` column names LEADER (W3: never trust a leader
 * named by another FE or reached through a load balancer without asking it directly).
 */
export function leaderViewOf(peers: readonly PeerObservation[]): LeaderViewResult {
  const views: LeaderView[] = [];
  for (const peer of peers) {
    if (peer.result.kind !== 'frontends') continue;
    const leader = findLeader(peer.result.rows);
    if (leader !== undefined && rowIsPeer(leader, peer)) views.push({ peer, leader, rows: peer.result.rows });
  }
  const first = views[0];
  if (first === undefined) return { kind: 'none' };
  const leaders = [...new Set(views.map((v) => `${v.leader.host.toLowerCase()} (cluster ${v.leader.clusterId ?? '?'})`))];
  return leaders.length === 1 ? { kind: 'one', view: first } : { kind: 'conflict', leaders };
}

/** Every cluster id any peer reports. */
export function reportedClusterIds(peers: readonly PeerObservation[]): number[] {
  const ids = new Set<number>();
  for (const peer of peers) {
    if (peer.result.kind !== 'frontends') continue;
    for (const row of peer.result.rows) if (row.clusterId !== undefined) ids.add(row.clusterId);
  }
  return [...ids];
}
