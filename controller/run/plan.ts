/**
 * One reconcile as data: from the StarRocksCluster, the informers' view of what it owns and the
 * rendered objects, the objects to apply, the objects to prune, the status to write and the
 * events to record. Every rendered object is applied on every reconcile (a server-side apply
 * that changes nothing is cheap and writes nothing), so a hand edit (`kubectl scale sts`, a
 * relabelled Service) is repaired within one resync. Pure; `reconcile.ts` carries it out.
 */
import { CRD, LABELS, LABEL_VALUES } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { parseCluster, presentComponents } from '../cr/parse.ts';
import type { SpecProblem, StarRocksCluster } from '../cr/types.ts';
import { STATUS_FIELDS } from '../crd/crd.ts';
import { asJsonObject, asNumber, asString, canonicalJson, dig, isObject } from '../json.ts';
import type { JsonObject } from '../json.ts';
import { keepEphemeralData, observeStorage } from '../render/kept-storage.ts';
import type { ObservedStorage } from '../render/kept-storage.ts';
import { objectKey } from '../render/objects.ts';
import type { KubernetesObject } from '../render/objects.ts';
import { specHash, storedSpecHash, withSpecHash } from '../render/spec-hash.ts';
import { computeStatus, tabletWaitText } from '../status/compute.ts';
import { CONDITION_TYPES, mergeConditions, parseConditions } from '../status/conditions.ts';
import type { Condition } from '../status/conditions.ts';
import { observePod, observeStatefulSet } from '../status/observed.ts';
import type { ObservedPod, ObservedStatefulSet } from '../status/observed.ts';
import { NO_ROLLOUT, decideRollout } from '../upgrade-order.ts';
import { ASSUMED_SERVED } from '../kube/served-apis.ts';
import type { ServedApis } from '../kube/served-apis.ts';
import { API_CONDITION_TYPES, servedApiConditions } from './api-conditions.ts';
import type { RolloutDecision } from '../upgrade-order.ts';

/** What the informers hold of one cluster: its owned objects (with their kind) and its pods. */
export interface ClusterCache {
  owned: readonly JsonObject[];
  pods: readonly JsonObject[];
}

/** What the cluster and its cache say, before rendering. */
export interface Observation {
  uid: string;
  generation: number;
  /** The parsed cluster, with data volumes kept where the StatefulSet cannot change; undefined when invalid. */
  cluster: StarRocksCluster | undefined;
  problems: readonly SpecProblem[];
  statefulSets: Partial<Record<Component, ObservedStatefulSet>>;
  pods: ObservedPod[];
  keptEphemeral: Component[];
  rollout: RolloutDecision;
}

/** Parse the cluster and read the cache: what rendering and status start from. */
export function observe(input: { cluster: JsonObject; cache: ClusterCache }): Observation {
  const uid = asString(dig(input.cluster, 'metadata', 'uid')) ?? '';
  const generation = asNumber(dig(input.cluster, 'metadata', 'generation')) ?? 0;
  const parsed = parseCluster(input.cluster);
  const statefulSets: Partial<Record<Component, ObservedStatefulSet>> = {};
  const storage: Partial<Record<Component, ObservedStorage>> = {};
  for (const object of input.cache.owned) {
    if (object.kind !== 'StatefulSet' || !ownedBy(object, uid)) continue;
    const sts = observeStatefulSet(object);
    if (sts === undefined) continue;
    statefulSets[sts.component] = sts;
    storage[sts.component] = observeStorage(object);
  }
  // What the pods really have, where a StatefulSet cannot take what the CR now asks for.
  const kept = parsed.cluster === undefined ? undefined : keepEphemeralData(parsed.cluster, storage);
  const cluster = parsed.problems.length === 0 ? kept?.cluster : undefined;
  let rollout: RolloutDecision = NO_ROLLOUT;
  if (cluster !== undefined) {
    const desired: Partial<Record<Component, string>> = {};
    for (const spec of presentComponents(cluster)) desired[spec.component] = spec.image;
    rollout = decideRollout({ desired, observed: statefulSets, waitForFullRollout: cluster.waitForFullRollout });
  }
  return {
    uid,
    generation,
    cluster,
    problems: parsed.problems,
    statefulSets,
    pods: input.cache.pods.flatMap((p) => observePod(p) ?? []),
    keptEphemeral: kept?.kept ?? [],
    rollout,
  };
}

/** An event to record on the StarRocksCluster. */
interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** An object to delete. */
interface PruneTarget {
  kind: string;
  namespace: string;
  name: string;
}

/** What one reconcile does. */
export interface ReconcilePlan {
  /** Every rendered object, with its spec hash: applied whatever the cache says. */
  apply: KubernetesObject[];
  /** Owned objects no longer rendered. */
  prune: PruneTarget[];
  /** The status to write; undefined when it equals the stored one. */
  status: JsonObject | undefined;
  /** The status computed (written or not): its phase tells whether the cluster is settled. */
  computedStatus: JsonObject;
  events: PlannedEvent[];
  /** Owned objects changed behind the cluster's back (repaired by `apply`), `namespace/kind/name` -> what. */
  drift: Map<string, string>;
}

/** Options of `planReconcile`. */
export interface PlanInput {
  /** The StarRocksCluster as cached. */
  cluster: JsonObject;
  cache: ClusterCache;
  /** The objects rendered from the cluster; undefined when the spec is invalid (status only). */
  rendered: readonly KubernetesObject[] | undefined;
  /** RFC 3339 now. */
  now: string;
  /** Per component, why its StatefulSet cannot create pods (read from events by the executor). */
  podCreateFailures?: Partial<Record<Component, string>>;
  /** The error of this reconcile's apply, when it failed: status and events only. */
  applyError?: string;
  /** What the API server serves (discovery), as rendering was given it; `ASSUMED_SERVED` when not known. */
  served?: ServedApis;
}

/** Plan one reconcile. Pure. */
export function planReconcile(input: PlanInput): ReconcilePlan {
  const seen = observe(input);
  const rendered = input.applyError === undefined ? (input.rendered ?? []) : [];
  const events: PlannedEvent[] = [];
  if (input.applyError !== undefined) events.push({ type: 'Warning', reason: 'ApplyFailed', message: input.applyError });

  const cached = new Map<string, JsonObject>();
  for (const object of input.cache.owned) {
    cached.set(objectKey({ kind: String(object.kind), metadata: asJsonObject(object.metadata) ?? {} }), object);
  }
  const drift = new Map<string, string>();
  for (const object of rendered) {
    const key = objectKey(object);
    const what = driftOf(object, cached.get(key));
    if (what === undefined) continue;
    drift.set(key, what);
    events.push({
      type: 'Warning',
      reason: 'DriftRepaired',
      message: `${object.kind} ${object.metadata.name} was changed outside the StarRocksCluster (${what}): applied the StarRocksCluster's spec again`,
    });
  }

  const keys = new Set(rendered.map(objectKey));
  const prune: PruneTarget[] = [];
  if (input.rendered !== undefined && input.applyError === undefined) {
    for (const [key, object] of cached) {
      if (keys.has(key) || !ownedBy(object, seen.uid)) continue;
      prune.push({ kind: String(object.kind), namespace: asString(dig(object, 'metadata', 'namespace')) ?? '', name: asString(dig(object, 'metadata', 'name')) ?? '' });
    }
  }
  if (prune.length > 0) {
    events.push({ type: 'Normal', reason: 'Deleted', message: `deleted ${prune.map((p) => `${p.kind}/${p.name}`).join(', ')}` });
  }

  const previousStatus = asJsonObject(dig(input.cluster, 'status')) ?? {};
  const status = computeStatus({
    cluster: seen.cluster,
    generation: seen.generation,
    problems: seen.problems,
    statefulSets: seen.statefulSets,
    pods: seen.pods,
    rollout: seen.rollout,
    applyError: input.applyError,
    previousConditions: parseConditions(previousStatus.conditions),
    now: input.now,
    storedClusterId: asString(previousStatus.clusterId),
    keptEphemeral: seen.keptEphemeral,
    podCreateFailures: input.podCreateFailures ?? {},
  });
  if (seen.cluster !== undefined) {
    const previous = parseConditions(previousStatus.conditions);
    const apiConditions = mergeConditions({ previous, next: servedApiConditions(seen.cluster, input.served ?? ASSUMED_SERVED), now: input.now });
    if (apiConditions.length > 0) status.conditions = [...(Array.isArray(status.conditions) ? status.conditions : []), ...apiConditions.map((c) => ({ ...c }))];
  }
  events.push(...warningEvents({ previousStatus, status, rollout: seen.rollout }));
  const changed = canonicalJson(status) !== canonicalJson(previousStatus);
  const phaseBefore = asString(previousStatus.phase);
  if (changed && phaseBefore !== status.phase) {
    const reason = asString(status.reason);
    events.push({
      type: status.phase === 'failed' ? 'Warning' : 'Normal',
      reason: `Phase${capitalize(String(status.phase))}`,
      message: `phase ${phaseBefore ?? 'none'} -> ${String(status.phase)}${reason === undefined ? '' : `: ${reason}`}`,
    });
  }
  return { apply: rendered.map(withSpecHash), prune, status: changed ? status : undefined, computedStatus: status, events, drift };
}

/**
 * How a cached object differs from the rendered one, when the controller's inputs did not change
 * since its last apply (same spec hash: otherwise the difference is the CR's own change): its
 * replicas or a rendered label. Undefined when it does not, or when it does not exist yet.
 */
function driftOf(rendered: KubernetesObject, cached: JsonObject | undefined): string | undefined {
  if (cached === undefined || storedSpecHash(cached) !== specHash(rendered)) return undefined;
  if (rendered.kind === 'StatefulSet') {
    const want = asNumber(dig(rendered, 'spec', 'replicas'));
    // The API server defaults replicas to 1.
    const have = asNumber(dig(cached, 'spec', 'replicas')) ?? 1;
    if (want !== undefined && want !== have) return `spec.replicas is ${have}, the StarRocksCluster says ${want}`;
  }
  const labels = isObject(dig(cached, 'metadata', 'labels')) ? (dig(cached, 'metadata', 'labels') as Record<string, unknown>) : {};
  for (const [name, value] of Object.entries(rendered.metadata.labels)) {
    if (labels[name] !== value) return `label ${name} is ${labels[name] === undefined ? 'missing' : `"${String(labels[name])}"`}, the StarRocksCluster says "${value}"`;
  }
  return undefined;
}

/** The cluster's share of the cache: owned objects (with their kind) and pods, by the instance label. */
export function clusterCache(input: { name: string; owned: readonly JsonObject[]; pods: readonly JsonObject[] }): ClusterCache {
  const mine = (o: JsonObject): boolean => dig(o, 'metadata', 'labels', LABELS.instance) === input.name;
  return { owned: input.owned.filter(mine), pods: input.pods.filter(mine) };
}

interface TabletWait {
  pod: string;
  unhealthy: number;
  since: string;
}

// Warnings are recorded when they start (compared with the stored status), not on every
// reconcile while they last.
function warningEvents(input: { previousStatus: JsonObject; status: JsonObject; rollout: RolloutDecision }): PlannedEvent[] {
  const { previousStatus, status, rollout } = input;
  const events: PlannedEvent[] = [];
  const warnings = [CONDITION_TYPES.dataOnEphemeralStorage, CONDITION_TYPES.clusterIdMismatch, ...Object.values(API_CONDITION_TYPES)];
  for (const type of warnings) {
    const now = findCondition(status.conditions, type);
    const before = findCondition(previousStatus.conditions, type);
    if (now?.status === 'True' && (before?.status !== 'True' || before.message !== now.message)) {
      events.push({ type: 'Warning', reason: type, message: now.message });
    }
  }
  const known = new Set(tabletWaits(previousStatus).map((w) => `${w.pod} ${w.since}`));
  // One event per wait: a wait is its pod and its start (the count changes while it goes on).
  for (const wait of tabletWaits(status).filter((w) => !known.has(`${w.pod} ${w.since}`))) {
    events.push({ type: 'Normal', reason: 'WaitingForTabletHealth', message: tabletWaitText(wait.pod, wait) });
  }
  const directionBefore = asString(dig(previousStatus, 'imageRollout', 'direction'));
  if (rollout.direction === 'unknown' && directionBefore !== 'unknown' && rollout.unknownReason !== undefined) {
    events.push({ type: 'Warning', reason: 'UnknownImageVersionOrder', message: rollout.unknownReason });
  }
  return events;
}

function tabletWaits(status: JsonObject): TabletWait[] {
  const members = dig(status, STATUS_FIELDS.be, 'members');
  if (!Array.isArray(members)) return [];
  return members.flatMap((m) => {
    const pod = asString(dig(m, 'pod'));
    const unhealthy = dig(m, 'waitingForTablets', 'unhealthy');
    const since = asString(dig(m, 'waitingForTablets', 'since'));
    return pod !== undefined && typeof unhealthy === 'number' && since !== undefined ? [{ pod, unhealthy, since }] : [];
  });
}

function findCondition(conditions: unknown, type: string): Condition | undefined {
  return parseConditions(conditions).find((c) => c.type === type);
}

/** True when the object names the StarRocksCluster of this uid among its owners. */
// Pruned only what the controller renders: owned by the cluster AND labelled managed-by us. The
// agents' bootstrap fence is owned by the cluster too (the controller adds that reference) but
// carries no managed-by label; deleting it would reopen the bootstrap race it closes.
function ownedBy(object: unknown, uid: string): boolean {
  if (dig(object, 'metadata', 'labels', LABELS.managedBy) !== LABEL_VALUES.managedBy) return false;
  const refs = dig(object, 'metadata', 'ownerReferences');
  return Array.isArray(refs) && refs.some((r) => isObject(r) && r.uid === uid && r.kind === CRD.kind);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
