/**
 * Membership follows the desired state (DESIGN.md §3): a pod can leave without running its
 * scale-in preStop (crash loop, component removed from the CR, an HPA scale-down during a
 * rollout), and its row then stays for ever as a ghost. The agent of the FE leader compares the
 * rows with the desired state and removes what no desired pod backs, once its pod has been gone
 * for longer than a grace time: a CN is dropped, a BE is decommissioned and dropped only at zero
 * tablets (never with data), an FE is dropped only while the remaining voters keep a majority,
 * one at a time, highest ordinal first. Pure: the caller reads the rows, pods and intent.
 *
 * @example
 * ```ts
 * const { actions, pending } = planMembershipReconcile({ cluster: 'prod', desired, frontends, backends, computeNodes, pods, goneSince, now, graceMs });
 * ```
 */
import type { Component } from '../contract/index.ts';
import type { FrontendRow } from '../membership/frontends.ts';
import type { NodeRow } from '../membership/nodes.ts';
import { aliveVoters, majority, voters } from '../membership/queries.ts';
import type { HostPort } from '../sql/host-port.ts';
import type { FrontendRole } from '../sql/statements.ts';

/** A row's pod, from the first label of its FQDN (`<cluster>-<component>-<ordinal>`). */
export interface RowPod {
  readonly component: Component;
  readonly ordinal: number;
  readonly pod: string;
}

/** The pod a registered host belongs to, when it is one of this cluster's FQDNs. Pure. */
export function podOfHost(host: string, cluster: string): RowPod | undefined {
  // The cluster name is a DNS label (config.ts checks it): nothing in it needs escaping.
  const match = new RegExp(`^(${cluster}-(fe|be|cn)-(\\d+))(\\.|$)`).exec(host);
  if (match === null) return undefined;
  return { pod: match[1] as string, component: match[2] as Component, ordinal: Number(match[3]) };
}

/** Inputs of planMembershipReconcile. */
export interface ReconcileInput {
  readonly cluster: string;
  /** Desired replicas per component (0 for a component the CR no longer has). */
  readonly desired: Readonly<Record<Component, number>>;
  readonly frontends: readonly FrontendRow[];
  readonly backends: readonly NodeRow[];
  readonly computeNodes: readonly NodeRow[];
  /** For each pod of a row above its desired count: whether the pod exists. */
  readonly podExists: Readonly<Record<string, boolean>>;
  /** When each pod was first seen gone (epoch ms), kept by the caller between rounds. */
  readonly goneSince: Readonly<Record<string, number>>;
  readonly now: number;
  readonly graceMs: number;
}

/** One step of removing a ghost. */
export type ReconcileAction =
  | { readonly kind: 'drop-compute-node'; readonly target: HostPort; readonly reason: string }
  | { readonly kind: 'decommission-backend'; readonly target: HostPort; readonly reason: string }
  | { readonly kind: 'drop-backend'; readonly target: HostPort; readonly reason: string }
  | { readonly kind: 'drop-frontend'; readonly role: FrontendRole; readonly target: HostPort; readonly reason: string };

/** What to do this round; `gone` lists the pods now seen gone (the caller records first sightings). */
export interface ReconcilePlan {
  readonly actions: readonly ReconcileAction[];
  /** Ghost candidates still inside their grace time, or waiting (tablets, quorum), with why. */
  readonly waiting: readonly { readonly pod: string; readonly reason: string }[];
  /** Pods of rows above the desired count that do not exist. */
  readonly gone: readonly string[];
  /** Pods above the desired count that exist again (the caller forgets their first sighting). */
  readonly back: readonly string[];
}

/** The pods the plan needs to know about: rows of this cluster above their desired count. Pure. */
export function podsToCheck(input: Pick<ReconcileInput, 'cluster' | 'desired' | 'frontends' | 'backends' | 'computeNodes'>): string[] {
  const hosts = [...input.frontends.map((r) => r.host), ...input.backends.map((r) => r.host), ...input.computeNodes.map((r) => r.host)];
  const pods = hosts.map((h) => podOfHost(h, input.cluster)).filter((p): p is RowPod => p !== undefined && p.ordinal >= input.desired[p.component]);
  return [...new Set(pods.map((p) => p.pod))];
}

/** The ghosts to remove this round. Pure. */
export function planMembershipReconcile(input: ReconcileInput): ReconcilePlan {
  const actions: ReconcileAction[] = [];
  const waiting: { pod: string; reason: string }[] = [];
  const gone: string[] = [];
  const back: string[] = [];
  // A row is a ghost once its pod, above the desired count, has been gone for the grace time.
  const ghost = (host: string): RowPod | undefined => {
    const pod = podOfHost(host, input.cluster);
    if (pod === undefined || pod.ordinal < input.desired[pod.component]) return undefined;
    if (input.podExists[pod.pod] !== false) {
      if (input.podExists[pod.pod] === true && input.goneSince[pod.pod] !== undefined) back.push(pod.pod);
      return undefined;
    }
    gone.push(pod.pod);
    const since = input.goneSince[pod.pod] ?? input.now;
    if (input.now - since < input.graceMs) {
      waiting.push({ pod: pod.pod, reason: `gone for ${Math.round((input.now - since) / 1000)} s, grace ${Math.round(input.graceMs / 1000)} s` });
      return undefined;
    }
    return pod;
  };

  for (const row of input.computeNodes) {
    const pod = ghost(row.host);
    if (pod === undefined) continue;
    if (row.address === undefined) {
      waiting.push({ pod: pod.pod, reason: `its row has no usable host:port (${row.host})` });
      continue;
    }
    actions.push({ kind: 'drop-compute-node', target: row.address, reason: `CN ${pod.pod} is beyond the desired ${input.desired.cn} and its pod is gone: drop the ghost` });
  }

  for (const row of input.backends) {
    const pod = ghost(row.host);
    if (pod === undefined) continue;
    if (row.address === undefined) {
      waiting.push({ pod: pod.pod, reason: `its row has no usable host:port (${row.host})` });
      continue;
    }
    if (!row.systemDecommissioned) {
      actions.push({ kind: 'decommission-backend', target: row.address, reason: `BE ${pod.pod} is beyond the desired ${input.desired.be} and its pod is gone: decommission it so its tablets move` });
    } else if (row.tabletNum === 0) {
      actions.push({ kind: 'drop-backend', target: row.address, reason: `BE ${pod.pod} is decommissioned and holds no tablets: drop it` });
    } else {
      waiting.push({ pod: pod.pod, reason: `decommissioning: ${row.tabletNum ?? 'an unknown number of'} tablet(s) left` });
    }
  }

  // FEs: one drop per round, highest ordinal first, and only while the majority holds after it.
  const feGhosts = input.frontends
    .map((row) => ({ row, pod: ghost(row.host) }))
    .filter((g): g is { row: FrontendRow; pod: RowPod } => g.pod !== undefined)
    .sort((a, b) => b.pod.ordinal - a.pod.ordinal);
  const first = feGhosts[0];
  if (first !== undefined) {
    const { row, pod } = first;
    for (const other of feGhosts.slice(1)) waiting.push({ pod: other.pod.pod, reason: 'FEs are dropped one at a time, highest ordinal first' });
    const voting = row.role === 'FOLLOWER' || row.role === 'LEADER';
    const remaining = voters(input.frontends).length - (voting ? 1 : 0);
    const aliveAfter = aliveVoters(input.frontends).filter((r) => r.host !== row.host).length;
    if (row.role === 'LEADER') {
      waiting.push({ pod: pod.pod, reason: 'it is named LEADER: waiting for the group to elect another' });
    } else if (row.address === undefined) {
      waiting.push({ pod: pod.pod, reason: `its row has no usable host:EditLogPort (${row.host})` });
    } else if (voting && (remaining < 1 || aliveAfter < majority(remaining))) {
      waiting.push({ pod: pod.pod, reason: `dropping it leaves ${remaining} voter(s) with ${aliveAfter} alive, below the majority of ${majority(remaining)}` });
    } else {
      actions.push({
        kind: 'drop-frontend',
        role: voting ? 'FOLLOWER' : 'OBSERVER',
        target: row.address,
        reason: `FE ${pod.pod} is beyond the desired ${input.desired.fe} and its pod is gone; ${remaining} voter(s) remain, ${aliveAfter} alive`,
      });
    }
  }
  return { actions, waiting, gone: [...new Set(gone)], back: [...new Set(back)] };
}
