/**
 * Pure queries over membership rows: the leader by its `Role` column, a node by the host form it
 * was registered with, voters and quorum arithmetic.
 *
 * @example
 * ```ts
 * const leader = findLeader(frontends);
 * const me = findFrontendByHost(frontends, self.host);
 * ```
 */
import { sameHost, sameHostPort } from '../sql/host-port.ts';
import type { FrontendRow } from './frontends.ts';
import type { NodeRow } from './nodes.ts';

/** The one LEADER row, or undefined when there is none or (mid-election) more than one. */
export function findLeader(frontends: readonly FrontendRow[]): FrontendRow | undefined {
  const leaders = frontends.filter((f) => f.role === 'LEADER');
  return leaders.length === 1 ? leaders[0] : undefined;
}

/**
 * The FE rows registered for `host` (any port: StarRocks rejects a second FE on the same host
 * whatever its port, so a row on another port is still "this host").
 */
export function findFrontendsByHost(frontends: readonly FrontendRow[], host: string): FrontendRow[] {
  return frontends.filter((f) => sameHost(f.host, host));
}

/** The FE row for `host`, when exactly one exists. */
export function findFrontendByHost(frontends: readonly FrontendRow[], host: string): FrontendRow | undefined {
  const rows = findFrontendsByHost(frontends, host);
  return rows.length === 1 ? rows[0] : undefined;
}

/** Voting members: FOLLOWER rows and the LEADER row. */
export function voters(frontends: readonly FrontendRow[]): FrontendRow[] {
  return frontends.filter((f) => f.role === 'LEADER' || f.role === 'FOLLOWER');
}

/** Voting members the leader sees alive. */
export function aliveVoters(frontends: readonly FrontendRow[]): FrontendRow[] {
  return voters(frontends).filter((f) => f.alive);
}

/** The smallest majority of `n` voters. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The distinct cluster ids the rows report. */
export function clusterIds(frontends: readonly FrontendRow[]): number[] {
  return [...new Set(frontends.map((f) => f.clusterId).filter((id): id is number => id !== undefined))];
}

/** The BE/CN row for host:heartbeat port, comparing hosts as StarRocks does. */
export function findNode(rows: readonly NodeRow[], target: { host: string; port: number }): NodeRow | undefined {
  return rows.find((r) => r.heartbeatPort !== undefined && sameHostPort({ host: r.host, port: r.heartbeatPort }, target));
}

/** BE/CN rows on `host`, any port. */
export function findNodesByHost(rows: readonly NodeRow[], host: string): NodeRow[] {
  return rows.filter((r) => sameHost(r.host, host));
}
