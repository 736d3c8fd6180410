/**
 * The FE start plan (DESIGN.md §3): a pure function from what the init container observed to
 * what the FE does. It replaces `fe_entrypoint.sh`'s "ROLE file absent means first start" and its
 * 30 s pod-0 timeout (official-k8s-scripts.md W1-W13):
 *
 * - bootstrap only as ordinal 0, with empty meta, with the fence and the second record of the
 *   cluster id (StarRocksCluster status, FE pod annotations) read and absent, and with no
 *   peer that reports a cluster or answers in a way that leaves doubt (W2); never on a timeout;
 * - join through the leader's own view, found by its `Role` column (W3, W5), with the leader's
 *   `EditLogPort` as helper (W6), as OBSERVER for ordinals at or above the voters (W11), and ADD
 *   only when the leader's view lacks this host (W1, W4);
 * - restart from meta with no helper, unless the meta belongs to another host, another cluster,
 *   or a member the leader no longer knows (W12): then refuse with the fix;
 * - wait, with the reason, while DNS or the FE group is not there yet (W9, W10).
 *
 * @example
 * ```ts
 * const plan = planFeStart({ ordinal, self, hostType, voters, selfResolves, meta, fence, record, peers });
 * if (plan.kind === 'join' && plan.needsAdd) await leaderClient.exec(addFrontend(plan.role, self));
 * ```
 */
import type { HostType } from '../contract/index.ts';
import type { FrontendRow } from '../membership/frontends.ts';
import { findFrontendsByHost } from '../membership/queries.ts';
import type { FeMeta } from '../meta/fe-meta.ts';
import { hostPortText, sameHost } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';
import type { FrontendRole } from '../sql/statements.ts';
import { leaderViewOf, reportedClusterIds } from './observations.ts';
import type { LeaderView, PeerObservation } from './observations.ts';

/** The bootstrap fence as read from its store. */
export type FenceState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'present'; readonly clusterId: number }
  /** The store could not be read: never bootstrap on doubt. */
  | { readonly kind: 'unknown'; readonly reason: string };

/** The second record of the cluster id (StarRocksCluster status, FE pod annotations), as read. */
export type ClusterRecordState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'present'; readonly clusterId: string; readonly source: string }
  /** It could not be read: never bootstrap on doubt. */
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * What the second record says. Pure. Any id found is "present" (even one that is not a number:
 * someone recorded a cluster, so a new one must not be made); a status value that is not a
 * string is doubt.
 */
export function clusterRecordState(record: { statusClusterId: unknown; pods: readonly { pod: string; clusterId: string }[] }): ClusterRecordState {
  const status = record.statusClusterId;
  if (status !== undefined && status !== null && status !== '' && typeof status !== 'string') {
    return { kind: 'unknown', reason: `the StarRocksCluster's status.clusterId is ${JSON.stringify(status)}, not a string` };
  }
  if (typeof status === 'string' && status !== '') return { kind: 'present', clusterId: status, source: 'the StarRocksCluster status' };
  const pod = record.pods[0];
  if (pod !== undefined) return { kind: 'present', clusterId: pod.clusterId, source: `the annotation of pod ${pod.pod}` };
  return { kind: 'absent' };
}

/** Everything the FE start plan depends on. */
export interface FeStartInput {
  readonly ordinal: number;
  /** Own host (FQDN or pod IP, per host type) and own `edit_log_port` from fe.conf. */
  readonly self: HostPort;
  readonly hostType: HostType;
  /** Voting FEs wanted; ordinals at or above join as observers. */
  readonly voters: number;
  /** FQDN mode: the own FQDN resolves forward and reverse to this pod. Always true in IP mode. */
  readonly selfResolves: boolean;
  readonly meta: FeMeta;
  readonly fence: FenceState;
  /** The second record of the cluster id; bootstrap needs it read and absent, as the fence. */
  readonly record: ClusterRecordState;
  /** Every FE peer found through the search service (self excluded or not: it is ignored). */
  readonly peers: readonly PeerObservation[];
  /** Why the search service could not be listed (DNS timeout, SERVFAIL): `peers` is then unknown, not empty. */
  readonly peersUnknown?: string | undefined;
}

/** Where the ADD is sent: the peer dialed, which is the leader. */
interface LeaderTarget {
  /** The peer host dialed (its client is already open). */
  readonly host: string;
  /** The leader's query port as it reports it. */
  readonly queryPort: number | undefined;
}

/** What the FE does. */
export type FeStartPlan =
  | { readonly kind: 'bootstrap'; readonly reason: string }
  | {
      readonly kind: 'join';
      readonly role: FrontendRole;
      /** `--helper`: the leader's host and its EditLogPort. */
      readonly helper: HostPort;
      /** True when the leader's view lacks this host: run ADD on `leader` first. */
      readonly needsAdd: boolean;
      readonly leader: LeaderTarget;
      readonly clusterId: number | undefined;
      readonly reason: string;
    }
  | {
      readonly kind: 'restart-from-meta';
      readonly clusterId: number;
      /** Set when the fence is absent: create it with this cluster id (create-only). */
      readonly createFence: boolean;
      readonly reason: string;
    }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string; readonly fix: string };

/** Decide how the FE starts. Pure. */
export function planFeStart(input: FeStartInput): FeStartPlan {
  const self = hostPortText(input.self);
  if (!input.selfResolves) {
    return wait(`${input.self.host} does not resolve forward and reverse to this pod yet; the FE would exit at start (W10)`);
  }
  const peers = input.peers.filter((p) => !sameHost(p.host, input.self.host));
  const meta = input.meta;
  switch (meta.kind) {
    case 'unreadable':
      return refuse(`the FE meta cannot be read: ${meta.reason}`, 'check the meta volume (mounted, owned by the StarRocks user, not corrupted)');
    case 'partial':
      return refuse(
        `the meta has image/${meta.present} but not image/${meta.present === 'ROLE' ? 'VERSION' : 'ROLE'}; StarRocks refuses to start from that`,
        'move the meta directory aside (keep it for inspection); the agent then rejoins this FE to the cluster as a new member',
      );
    case 'complete':
      return planWithMeta(input, meta, peers);
    case 'empty':
      return planWithoutMeta(input, self, peers);
  }
}

function planWithMeta(input: FeStartInput, meta: Extract<FeMeta, { kind: 'complete' }>, peers: readonly PeerObservation[]): FeStartPlan {
  if (!sameHost(meta.host, input.self.host)) {
    const fix =
      input.hostType === 'IP' && (meta.hostType ?? 'IP') === 'IP'
        ? `the pod IP changed and an FE in IP mode cannot change address: use HOST_TYPE=FQDN (switch with ALTER SYSTEM MODIFY FRONTEND HOST "${meta.host}" TO "<fqdn>"), or move the meta directory aside so the agent rejoins this FE as a new member`
        : `give each FE pod its own meta volume, or, if HOST_TYPE changed, set it back to ${meta.hostType ?? 'IP'}; to reuse the volume, move the meta directory aside and the agent rejoins this FE as a new member`;
    return refuse(`the meta was written by FE ${meta.host}, but this pod is ${input.self.host}`, fix);
  }
  if (meta.editLogPort !== input.self.port) {
    return refuse(
      `the meta records edit_log_port ${meta.editLogPort}, but fe.conf sets ${input.self.port}; the FE would never rejoin its group`,
      `set edit_log_port back to ${meta.editLogPort} in fe.conf`,
    );
  }
  if (meta.hostType !== undefined && meta.hostType !== input.hostType) {
    return refuse(
      `the meta records host type ${meta.hostType}, but HOST_TYPE is ${input.hostType}`,
      `set HOST_TYPE back to ${meta.hostType}, or switch the cluster with ALTER SYSTEM MODIFY FRONTEND HOST first`,
    );
  }
  if (input.fence.kind === 'present' && input.fence.clusterId !== meta.clusterId) {
    return refuse(
      `the meta belongs to cluster ${meta.clusterId}, but the bootstrap fence records cluster ${input.fence.clusterId}`,
      'this volume holds another cluster\'s meta: move it aside so the agent rejoins this FE to the fenced cluster',
    );
  }
  const found = leaderViewOf(peers);
  if (found.kind === 'one') {
    const { view } = found;
    const clusterId = view.leader.clusterId;
    if (clusterId !== undefined && clusterId !== meta.clusterId) {
      return refuse(
        `the meta belongs to cluster ${meta.clusterId}, but the running leader ${view.leader.host} leads cluster ${clusterId}`,
        'this FE formed or kept another cluster: move its meta directory aside so the agent rejoins it to the running cluster',
      );
    }
    const own = findFrontendsByHost(view.rows, input.self.host);
    if (own.length === 0) {
      return refuse(
        `the meta says this FE is a member of cluster ${meta.clusterId}, but the leader ${view.leader.host} does not list ${input.self.host}: it was dropped from the group (W12)`,
        'move the meta directory aside; the agent then adds this FE again and it rejoins from the leader',
      );
    }
    const row = own[0] as FrontendRow;
    const rowRole = row.role === 'LEADER' ? 'FOLLOWER' : row.role;
    if (own.length === 1 && (rowRole === 'FOLLOWER' || rowRole === 'OBSERVER') && rowRole !== meta.role) {
      return refuse(
        `the meta records role ${meta.role}, but the leader lists this FE as ${row.role}; StarRocks would exit at start`,
        `drop the FE (ALTER SYSTEM DROP ${rowRole} "${row.host}:${row.editLogPort ?? input.self.port}") and move its meta aside; the agent then adds it again`,
      );
    }
  }
  return {
    kind: 'restart-from-meta',
    clusterId: meta.clusterId,
    createFence: input.fence.kind === 'absent',
    reason: `meta of cluster ${meta.clusterId} present: restart with no helper (the group view is local)`,
  };
}

function planWithoutMeta(input: FeStartInput, self: string, peers: readonly PeerObservation[]): FeStartPlan {
  if (input.peersUnknown !== undefined) {
    // A DNS failure is doubt, not "nobody there": without meta nothing is decided on it (W2).
    return wait(`the FE peers cannot be listed (${input.peersUnknown}); an FE without meta decides nothing until DNS answers`);
  }
  const ids = reportedClusterIds(peers);
  if (ids.length > 1) {
    return refuse(
      `FE peers report different clusters (${ids.join(', ')}): the FE group is split`,
      'keep the cluster that holds the data (see SHOW FRONTENDS on each FE); move the other FEs\' meta aside so they rejoin it',
    );
  }
  if (input.fence.kind === 'present' && ids.length === 1 && ids[0] !== input.fence.clusterId) {
    return refuse(
      `FE peers report cluster ${ids[0]}, but the bootstrap fence records cluster ${input.fence.clusterId}`,
      'a second cluster was created beside the fenced one: keep the one that holds the data and rebuild the other FEs from it',
    );
  }
  const found = leaderViewOf(peers);
  if (found.kind === 'conflict') {
    return refuse(
      `several FEs answer that they lead: ${found.leaders.join(', ')}`,
      'the FE group is split: keep the cluster that holds the data and move the other FEs\' meta aside',
    );
  }
  if (found.kind === 'one') return join(input, self, found.view);

  const denied = peers.find((p) => p.result.kind === 'failed' && p.result.failure.kind === 'auth');
  if (denied !== undefined) {
    return refuse(`FE ${denied.host} denies access to root: a cluster exists and MYSQL_PWD does not match it`, 'set MYSQL_PWD to the root password of the cluster');
  }
  if (ids.length === 1) {
    return wait(`FE peers report cluster ${ids[0]}, but its leader has not answered yet`);
  }
  if (input.fence.kind === 'unknown') {
    return wait(`the bootstrap fence cannot be read (${input.fence.reason}); an FE never bootstraps on doubt`);
  }
  if (input.fence.kind === 'present') {
    return wait(`cluster ${input.fence.clusterId} exists (bootstrap fence); waiting for its leader to answer, this FE never bootstraps a new one`);
  }
  if (input.ordinal !== 0) {
    return wait('no FE leader answers yet; only FE ordinal 0 bootstraps a new cluster');
  }
  if (input.record.kind === 'unknown') {
    return wait(`the cluster id record cannot be read (${input.record.reason}); an FE never bootstraps on doubt`);
  }
  if (input.record.kind === 'present') {
    return wait(
      `cluster ${input.record.clusterId} exists (recorded in ${input.record.source}) although the bootstrap fence is gone; waiting for its leader to answer, this FE never bootstraps a new one`,
    );
  }
  const doubtful = peers.filter(
    (p) =>
      (p.result.kind === 'failed' && p.result.failure.kind !== 'connection_refused') ||
      (p.result.kind === 'frontends' && p.result.rows.length === 0),
  );
  if (doubtful.length > 0) {
    const which = doubtful
      .map((p) => `${p.host}: ${p.result.kind === 'failed' ? p.result.failure.kind : 'empty answer'}`)
      .join('; ');
    return wait(`an FE peer answered in a way that does not rule out a cluster (${which}); bootstrap waits for a clear answer`);
  }
  return {
    kind: 'bootstrap',
    reason: `ordinal 0, empty meta, no fence, and no FE peer reports a cluster (${peers.length} peer(s): ${peers.map((p) => `${p.host} ${p.result.kind === 'failed' ? p.result.failure.kind : p.result.kind}`).join(', ') || 'none'})`,
  };
}

function join(input: FeStartInput, self: string, view: LeaderView): FeStartPlan {
  const { leader } = view;
  if (leader.address === undefined) {
    return wait(`the leader row has no usable host:EditLogPort (${JSON.stringify(leader.host)}:${leader.editLogPort ?? '?'})`);
  }
  const target: LeaderTarget = { host: view.peer.host, queryPort: leader.queryPort };
  const own = findFrontendsByHost(view.rows, input.self.host);
  if (own.length > 1) {
    return refuse(
      `the leader lists ${own.length} FEs on host ${input.self.host} (${own.map((r) => `${r.role} ${r.host}:${r.editLogPort ?? '?'}`).join(', ')})`,
      'drop the stale entries with ALTER SYSTEM DROP FOLLOWER/OBSERVER, keeping none or one on the edit_log_port in fe.conf',
    );
  }
  const row = own[0];
  if (row !== undefined) {
    if (row.role === 'LEADER') {
      return wait(`the leader's view names this host ${input.self.host} as LEADER while this FE has no meta; waiting for the view to change`);
    }
    if (row.editLogPort !== input.self.port) {
      return refuse(
        `this host is registered with EditLogPort ${row.editLogPort ?? 'unknown'}, but fe.conf sets edit_log_port ${input.self.port}`,
        `set edit_log_port back to ${row.editLogPort ?? 'the registered port'}, or drop the entry (ALTER SYSTEM DROP ${row.role === 'OBSERVER' ? 'OBSERVER' : 'FOLLOWER'} "${row.host}:${row.editLogPort ?? '?'}") so the agent adds it again`,
      );
    }
    const role: FrontendRole = row.role === 'OBSERVER' ? 'OBSERVER' : 'FOLLOWER';
    return {
      kind: 'join',
      role,
      helper: leader.address,
      needsAdd: false,
      leader: target,
      clusterId: leader.clusterId,
      reason: `${self} is already a ${role} in cluster ${leader.clusterId ?? '?'}: start with helper ${hostPortText(leader.address)}, no ADD (W1)`,
    };
  }
  const role: FrontendRole = input.ordinal < input.voters ? 'FOLLOWER' : 'OBSERVER';
  return {
    kind: 'join',
    role,
    helper: leader.address,
    needsAdd: true,
    leader: target,
    clusterId: leader.clusterId,
    reason: `leader ${leader.host} does not list ${self}: ADD ${role} on it, then start with helper ${hostPortText(leader.address)}`,
  };
}

function wait(reason: string): FeStartPlan {
  return { kind: 'wait', reason };
}

function refuse(reason: string, fix: string): FeStartPlan {
  return { kind: 'refuse', reason, fix };
}
