/**
 * The chaos suite's invariants as pure functions of what the runner observed: one cluster id, every
 * desired member registered and Alive, no ghost, no lost or under-replicated tablet, no node added
 * twice, the FE voters' majority never broken by a membership statement, no secret anywhere.
 *
 * @example
 * ```ts
 * const broken = checkFinal({ clusterIds: [1], desired, pods, rows, tablets: { lost: 0, underReplicated: 0 }, statements, secretHits: [], quorumBreaks: [] });
 * // [] when every invariant held
 * ```
 */

/** The invariants, by stable name (the report counts them). */
type InvariantName = 'one-cluster-id' | 'all-registered' | 'no-ghost' | 'no-lost-tablet' | 'no-double-add' | 'quorum-kept' | 'no-secret';

/** One broken invariant, with what shows it. */
export interface Violation {
  invariant: InvariantName;
  detail: string;
}

/** A member row as the leader lists it (host without port). */
interface MemberRow {
  host: string;
  alive: boolean;
}

/** The leader's rows by kind. */
export interface Rows {
  frontends: MemberRow[];
  backends: MemberRow[];
  computeNodes: MemberRow[];
}

/** The hosts (FQDNs) the desired state includes, by kind. */
export interface DesiredHosts {
  fe: string[];
  be: string[];
  cn: string[];
}

/** A statement from the simulator's log. */
export interface LoggedStatement {
  at: number;
  sql: string;
  result: 'ok' | 'rows' | 'error';
}

/** A membership statement that left the FE voters without a majority (see `quorumBreak`). */
export interface QuorumBreak {
  at: number;
  detail: string;
}

/** A pod of the cluster as the API server shows it. */
export interface PodState {
  name: string;
  ready: boolean;
  terminating: boolean;
}

/** What the runner saw once the faults stopped and the bound passed. */
export interface FinalObservation {
  clusterIds: readonly number[];
  desired: DesiredHosts;
  /** The desired pods' names, and the component pods that exist. */
  pods: { desired: readonly string[]; actual: readonly PodState[] };
  /** Undefined when no FE answered as leader. */
  rows: Rows | undefined;
  tablets: { lost: number; underReplicated: number };
  statements: readonly LoggedStatement[];
  /** Where the root password was found (log file, event, annotation, metric). */
  secretHits: readonly string[];
  quorumBreaks: readonly QuorumBreak[];
}

/** Every invariant broken by the final observation (empty when all held). */
export function checkFinal(o: FinalObservation): Violation[] {
  const out: Violation[] = [];
  if (o.clusterIds.length !== 1) out.push({ invariant: 'one-cluster-id', detail: `${o.clusterIds.length} clusters created (ids ${o.clusterIds.join(', ') || 'none'})` });
  out.push(...podViolations(o.pods.desired, o.pods.actual));
  out.push(...membershipViolations(o.desired, o.rows));
  if (o.tablets.lost > 0 || o.tablets.underReplicated > 0) {
    out.push({ invariant: 'no-lost-tablet', detail: `${o.tablets.lost} tablets lost, ${o.tablets.underReplicated} under-replicated` });
  }
  for (const d of doubleAdds(o.statements)) out.push({ invariant: 'no-double-add', detail: d });
  for (const b of o.quorumBreaks) out.push({ invariant: 'quorum-kept', detail: b.detail });
  for (const hit of o.secretHits) out.push({ invariant: 'no-secret', detail: `the root password appears in ${hit}` });
  return out;
}

/**
 * Desired pods not Running and Ready, and pods beyond the desired shape: a member whose process
 * was just killed can still be listed Alive until heartbeats notice, its pod cannot be Ready.
 */
export function podViolations(desired: readonly string[], actual: readonly PodState[]): Violation[] {
  const out: Violation[] = [];
  for (const name of desired) {
    const pod = actual.find((p) => p.name === name);
    if (pod === undefined || !pod.ready || pod.terminating) out.push({ invariant: 'all-registered', detail: `pod ${name} is ${pod === undefined ? 'missing' : pod.terminating ? 'terminating' : 'not Ready'}` });
  }
  for (const pod of actual) if (!desired.includes(pod.name)) out.push({ invariant: 'all-registered', detail: `pod ${pod.name} exists beyond the desired shape` });
  return out;
}

/** Desired members missing or not Alive, and rows no desired pod stands behind (ghosts). */
export function membershipViolations(desired: DesiredHosts, rows: Rows | undefined): Violation[] {
  if (rows === undefined) return [{ invariant: 'all-registered', detail: 'no FE answers as leader' }];
  const out: Violation[] = [];
  const kinds = [
    ['FE', desired.fe, rows.frontends],
    ['BE', desired.be, rows.backends],
    ['CN', desired.cn, rows.computeNodes],
  ] as const;
  for (const [kind, hosts, list] of kinds) {
    for (const host of hosts) {
      const row = list.find((r) => r.host === host);
      if (row === undefined) out.push({ invariant: 'all-registered', detail: `${kind} ${host} is not registered` });
      else if (!row.alive) out.push({ invariant: 'all-registered', detail: `${kind} ${host} is registered but not Alive` });
    }
    for (const row of list) {
      if (!hosts.includes(row.host)) out.push({ invariant: 'no-ghost', detail: `${kind} row ${row.host} (${row.alive ? 'alive' : 'dead'}) has no desired pod` });
    }
  }
  return out;
}

const ADD = /^\s*ALTER\s+SYSTEM\s+ADD\s+(FOLLOWER|OBSERVER|BACKEND|COMPUTE\s+NODE)\s+["']([^"']+)["']/i;
const DROP = /^\s*ALTER\s+SYSTEM\s+(?:DROP|DECOMMISSION)\s+(FOLLOWER|OBSERVER|BACKEND|COMPUTE\s+NODE)\s+["']([^"']+)["']/i;

/** A node (`host:port`) added successfully twice with no successful drop or decommission of it in between. */
export function doubleAdds(statements: readonly LoggedStatement[]): string[] {
  const member = new Set<string>();
  const out: string[] = [];
  for (const s of statements) {
    if (s.result === 'error') continue;
    const add = ADD.exec(s.sql);
    if (add !== null) {
      const key = (add[2] ?? '').toLowerCase();
      if (member.has(key)) out.push(`${add[1]?.toUpperCase()} ${key} added again while still a member (at ${new Date(s.at).toISOString()})`);
      member.add(key);
      continue;
    }
    const drop = DROP.exec(s.sql);
    if (drop !== null) member.delete((drop[2] ?? '').toLowerCase());
  }
  return out;
}

/** One sample of an FE group's voters. */
export interface VoterSample {
  at: number;
  voters: readonly string[];
  live: readonly string[];
  quorum: number;
}

/**
 * A break of the voters' majority caused by a membership change: the group had a live majority,
 * its voter set changed (only ADD/DROP statements change it: the scenario's faults kill or cut
 * members, they do not change the set), and now it has none. Undefined otherwise.
 */
export function quorumBreak(before: VoterSample, after: VoterSample): QuorumBreak | undefined {
  const hadMajority = before.live.length >= before.quorum;
  const hasMajority = after.live.length >= after.quorum;
  const sameSet = before.voters.length === after.voters.length && before.voters.every((v) => after.voters.includes(v));
  if (!hadMajority || hasMajority || sameSet) return undefined;
  const added = after.voters.filter((v) => !before.voters.includes(v));
  const removed = before.voters.filter((v) => !after.voters.includes(v));
  return {
    at: after.at,
    detail: `voters ${before.voters.length} -> ${after.voters.length} (added ${added.join(', ') || 'none'}; removed ${removed.join(', ') || 'none'}): ${after.live.length} live of quorum ${after.quorum}`,
  };
}
