// Builders of plan inputs for the plan tests: FE peers as the shell would observe them.
import { parseFrontends } from '../../../agent/membership/frontends.ts';
import type { FrontendRow } from '../../../agent/membership/frontends.ts';
import type { FeMeta } from '../../../agent/meta/fe-meta.ts';
import type { PeerObservation } from '../../../agent/plan/observations.ts';
import type { SqlErrorKind } from '../../../agent/sql/sql-error.ts';
import { frontendsResult } from '../membership/fixtures.ts';
import type { FeSpec, Profile } from '../membership/fixtures.ts';

export const CLUSTER = 1_234_567_890;
/** The FQDN of FE pod `i` of cluster `prod` in namespace `ns`. */
export const fe = (i: number): string => `prod-fe-${i}.prod-fe-search.ns.svc.cluster.local`;

/** SHOW FRONTENDS rows. */
export function rows(fes: readonly FeSpec[], profile: Profile = '3.3'): FrontendRow[] {
  return parseFrontends(frontendsResult(fes, profile));
}

/** A peer that answered SHOW FRONTENDS with these FEs. */
export function answered(host: string, fes: readonly FeSpec[], profile: Profile = '3.3'): PeerObservation {
  return { host, result: { kind: 'frontends', rows: rows(fes, profile) } };
}

/** A peer whose statement failed. */
export function failed(host: string, kind: SqlErrorKind): PeerObservation {
  return { host, result: { kind: 'failed', failure: { kind, message: kind, errno: kind === 'auth' ? 1045 : undefined } } };
}

/** A peer whose name does not resolve yet. */
export function unresolved(host: string): PeerObservation {
  return { host, result: { kind: 'unresolved' } };
}

/** A running cluster of `n` FEs, fe-0 leader, as answered by every one of them. */
export function runningCluster(n: number, options: { except?: number[]; profile?: Profile; clusterId?: number } = {}): PeerObservation[] {
  const members: FeSpec[] = [];
  for (let i = 0; i < n; i++) {
    if (options.except?.includes(i)) continue;
    members.push({ host: fe(i), role: i === 0 ? 'LEADER' : 'FOLLOWER', clusterId: options.clusterId ?? CLUSTER });
  }
  return members.map((m) => answered(m.host, members, options.profile));
}

/** Complete meta for FE `i`. */
export function metaOf(i: number, overrides: Partial<Extract<FeMeta, { kind: 'complete' }>> = {}): FeMeta {
  return {
    kind: 'complete',
    role: 'FOLLOWER',
    name: `${fe(i)}_9010_1760641496296`,
    host: fe(i),
    editLogPort: 9010,
    hostType: 'FQDN',
    clusterId: CLUSTER,
    runMode: 'shared_nothing',
    hasToken: true,
    ...overrides,
  };
}
