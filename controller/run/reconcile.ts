/**
 * One reconcile of one StarRocksCluster: read it and what it owns, render, apply what changed
 * (server-side apply, skipped when the stored spec hash matches and nobody else edited the
 * StatefulSet), delete what is no longer rendered, own the bootstrap fence, and write status when
 * it changed. Decisions are the pure functions it calls; this file only sequences I/O.
 */
import { CRD, LABELS, LABEL_VALUES, names } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { parseStarRocksConf } from '../../agent/contract/starrocks-conf.ts';
import type { StarRocksConf } from '../../agent/contract/starrocks-conf.ts';
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { parseCluster, presentComponents } from '../cr/parse.ts';
import type { StarRocksCluster } from '../cr/types.ts';
import { asJsonObject, asNumber, asString, canonicalJson, dig, isObject } from '../json.ts';
import type { JsonObject } from '../json.ts';
import { httpStatusOf } from '../kube/kube-api.ts';
import type { KubeApi } from '../kube/kube-api.ts';
import { OWNED_KINDS } from '../kube/resources.ts';
import { objectKey } from '../render/objects.ts';
import type { KubernetesObject } from '../render/objects.ts';
import { agentPasswordSecret, generateAgentPassword } from '../render/agent-secret.ts';
import { render } from '../render/render.ts';
import { specHash, storedSpecHash, withSpecHash } from '../render/spec-hash.ts';
import { STATUS_FIELDS } from '../crd/crd.ts';
import { statefulSetDrift } from './drift.ts';
import { CONDITION_TYPES, parseConditions } from '../status/conditions.ts';
import type { Condition } from '../status/conditions.ts';
import { computeStatus, tabletWaitText } from '../status/compute.ts';
import { observePod, observeStatefulSet, podCreateFailure } from '../status/observed.ts';
import { keepEphemeralData, observeStorage } from '../render/kept-storage.ts';
import type { ObservedStorage } from '../render/kept-storage.ts';
import type { ObservedPod, ObservedStatefulSet } from '../status/observed.ts';
import { NO_ROLLOUT, decideRollout } from '../upgrade-order.ts';
import type { RolloutDecision } from '../upgrade-order.ts';
import type { EventRecorder } from './events.ts';
import { mirrorAgentEvents } from './mirror-events.ts';

/** What a reconcile needs. */
export interface ReconcileDeps {
  api: KubeApi;
  log: Log;
  events: EventRecorder;
  /** RFC 3339 now (a parameter so tests control time). */
  now: () => string;
  /** The agent image of `install-agent` when the CR names none (`--agent-image`). */
  agentImage?: string;
}

/** What a reconcile did. */
export interface ReconcileResult {
  /** Objects applied or deleted, and whether status was written. */
  applied: string[];
  deleted: string[];
  statusWritten: boolean;
  /** True when the cluster is not settled yet (the caller re-checks later). */
  progressing: boolean;
}

/** The label selector of everything a cluster owns. */
export function ownedSelector(cluster: string): string {
  return `${LABELS.instance}=${cluster},${LABELS.managedBy}=${LABEL_VALUES.managedBy}`;
}

/** Reconcile one cluster. */
export async function reconcile(deps: ReconcileDeps, key: { namespace: string; name: string }): Promise<ReconcileResult> {
  const result: ReconcileResult = { applied: [], deleted: [], statusWritten: false, progressing: false };
  const raw = await deps.api.get(CRD.kind, key.namespace, key.name);
  if (raw === undefined || dig(raw, 'metadata', 'deletionTimestamp') !== undefined) return result;
  const uid = asString(dig(raw, 'metadata', 'uid')) ?? '';
  const generation = Number(dig(raw, 'metadata', 'generation') ?? 0);
  const parsed = parseCluster(raw);
  const { problems } = parsed;

  const selector = ownedSelector(key.name);
  const owned = new Map<string, JsonObject>();
  const [pods, ...lists] = await Promise.all([
    deps.api.list({ kind: 'Pod', namespace: key.namespace, labelSelector: `${LABELS.instance}=${key.name}` }),
    ...OWNED_KINDS.map((kind) => deps.api.list({ kind, namespace: key.namespace, labelSelector: selector })),
  ]);
  OWNED_KINDS.forEach((kind, i) => {
    for (const item of lists[i]?.items ?? []) {
      owned.set(objectKey({ kind, metadata: isObject(item.metadata) ? item.metadata : {} }), { ...item, kind });
    }
  });

  const statefulSets: Partial<Record<Component, ObservedStatefulSet>> = {};
  const storage: Partial<Record<Component, ObservedStorage>> = {};
  for (const object of owned.values()) {
    if (object.kind !== 'StatefulSet' || !ownedBy(object, uid)) continue;
    const sts = observeStatefulSet(object);
    if (sts === undefined) continue;
    statefulSets[sts.component] = sts;
    storage[sts.component] = observeStorage(object);
  }
  // What the pods really have, where a StatefulSet cannot take what the CR now asks for.
  const keptData = parsed.cluster === undefined ? undefined : keepEphemeralData(parsed.cluster, storage);
  const cluster = keptData?.cluster;
  for (const component of keptData?.kept ?? []) {
    deps.log.warn({ cluster: key.name, component }, 'data volume kept on its emptyDir: the StatefulSet was created with it and its volumeClaimTemplates cannot change');
  }
  const observedPods: ObservedPod[] = pods.items.flatMap((p) => observePod(p) ?? []);

  const previousStatus = asJsonObject(dig(raw, 'status')) ?? {};
  const generations = recordedGenerations(previousStatus);
  let rollout: RolloutDecision = NO_ROLLOUT;
  let applyError: string | undefined;
  if (cluster !== undefined && problems.length === 0) {
    const desired: Partial<Record<Component, string>> = {};
    for (const spec of presentComponents(cluster)) desired[spec.component] = spec.image;
    rollout = decideRollout({ desired, observed: statefulSets, waitForFullRollout: cluster.waitForFullRollout });
    for (const [component, waitFor] of Object.entries(rollout.waitingFor)) {
      deps.log.info({ cluster: key.name, component, waitFor }, 'image change held until the earlier component is rolled out');
    }
    try {
      const confs = await readConfs(deps.api, cluster);
      const fePods = observedPods.filter((p) => p.component === 'fe').map((p) => ({ ordinal: p.ordinal, role: p.role }));
      const objects = render({ cluster, confs, heldImages: rollout.heldImages, fePods, agentImage: deps.agentImage });
      // Before the pods: they mount it, and wait for it while it is missing.
      await ensureAgentPasswordSecret({ deps, cluster });
      await applyAll({ deps, objects, owned, result, cluster, raw, generations });
      await prune({ deps, objects, owned, uid, result, cluster, raw, generations });
      await ownFence({ deps, cluster, uid });
    } catch (error) {
      applyError = describeError(error);
      deps.log.warn({ cluster: key.name, err: applyError }, 'apply failed');
      await deps.events.record({ cluster: raw, type: 'Warning', reason: 'ApplyFailed', message: applyError });
    }
  } else if (problems.length > 0) {
    deps.log.warn({ cluster: key.name, problems }, 'invalid StarRocksCluster spec');
  }

  const status = computeStatus({
    cluster,
    generation,
    problems,
    statefulSets,
    pods: observedPods,
    rollout,
    applyError,
    previousConditions: parseConditions(previousStatus.conditions),
    now: deps.now(),
    storedClusterId: asString(previousStatus.clusterId),
    keptEphemeral: keptData?.kept,
    podCreateFailures: await podCreateFailures(deps, key.namespace, statefulSets),
  });
  for (const [component, generation] of generations) {
    const componentStatus = status[STATUS_FIELDS[component]];
    if (isObject(componentStatus)) componentStatus.statefulSetGeneration = generation;
  }
  result.progressing = status.phase !== 'running';
  await recordWarnings({ deps, raw, previousStatus, status, rollout });
  await mirrorAgentEvents({ api: deps.api, log: deps.log, cluster: raw, namespace: key.namespace, name: key.name, now: deps.now() });
  if (canonicalJson(status) !== canonicalJson(previousStatus)) {
    await deps.api.applyStatus({ namespace: key.namespace, name: key.name, status });
    result.statusWritten = true;
    const phaseBefore = asString(previousStatus.phase);
    if (phaseBefore !== status.phase) {
      const reason = asString(status.reason);
      await deps.events.record({
        cluster: raw,
        type: status.phase === 'failed' ? 'Warning' : 'Normal',
        reason: `Phase${capitalize(String(status.phase))}`,
        message: `phase ${phaseBefore ?? 'none'} -> ${String(status.phase)}${reason === undefined ? '' : `: ${reason}`}`,
      });
    }
  }
  return result;
}

interface WarningInput {
  deps: ReconcileDeps;
  raw: JsonObject;
  previousStatus: JsonObject;
  status: JsonObject;
  rollout: RolloutDecision;
}

// Warnings are recorded when they start (compared with the stored status), not on every
// reconcile while they last.
async function recordWarnings(input: WarningInput): Promise<void> {
  const { deps, raw, previousStatus, status, rollout } = input;
  const ephemeral = findCondition(status.conditions, CONDITION_TYPES.dataOnEphemeralStorage);
  const ephemeralBefore = findCondition(previousStatus.conditions, CONDITION_TYPES.dataOnEphemeralStorage);
  if (ephemeral?.status === 'True' && (ephemeralBefore?.status !== 'True' || ephemeralBefore.message !== ephemeral.message)) {
    await deps.events.record({ cluster: raw, type: 'Warning', reason: CONDITION_TYPES.dataOnEphemeralStorage, message: ephemeral.message });
  }
  const mismatch = findCondition(status.conditions, CONDITION_TYPES.clusterIdMismatch);
  const mismatchBefore = findCondition(previousStatus.conditions, CONDITION_TYPES.clusterIdMismatch);
  if (mismatch?.status === 'True' && (mismatchBefore?.status !== 'True' || mismatchBefore.message !== mismatch.message)) {
    await deps.events.record({ cluster: raw, type: 'Warning', reason: CONDITION_TYPES.clusterIdMismatch, message: mismatch.message });
  }
  for (const wait of newTabletWaits(previousStatus, status)) {
    await deps.events.record({ cluster: raw, type: 'Normal', reason: 'WaitingForTabletHealth', message: tabletWaitText(wait.pod, wait) });
  }
  const directionBefore = asString(dig(previousStatus, 'imageRollout', 'direction'));
  if (rollout.direction === 'unknown' && directionBefore !== 'unknown' && rollout.unknownReason !== undefined) {
    await deps.events.record({ cluster: raw, type: 'Warning', reason: 'UnknownImageVersionOrder', message: rollout.unknownReason });
  }
}

interface TabletWait {
  pod: string;
  unhealthy: number;
  since: string;
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

// One event per wait: a wait is its pod and its start, and the stored status holds the waits
// already announced (the count changes while the same wait goes on).
function newTabletWaits(previousStatus: JsonObject, status: JsonObject): TabletWait[] {
  const known = new Set(tabletWaits(previousStatus).map((w) => `${w.pod} ${w.since}`));
  return tabletWaits(status).filter((w) => !known.has(`${w.pod} ${w.since}`));
}

function findCondition(conditions: unknown, type: string): Condition | undefined {
  return parseConditions(conditions).find((c) => c.type === type);
}

async function readConfs(api: KubeApi, cluster: StarRocksCluster): Promise<Partial<Record<Component, StarRocksConf>>> {
  const confs: Partial<Record<Component, StarRocksConf>> = {};
  for (const spec of presentComponents(cluster)) {
    if (spec.configMapInfo === undefined) continue;
    const cm = await api.get('ConfigMap', cluster.namespace, spec.configMapInfo.configMapName);
    const text = asString(dig(cm, 'data', spec.configMapInfo.resolveKey));
    // A missing ConfigMap leaves StarRocks' default ports; the pods wait for the volume anyway.
    if (text !== undefined) confs[spec.component] = parseStarRocksConf(text);
  }
  return confs;
}

interface ApplyInput {
  deps: ReconcileDeps;
  objects: KubernetesObject[];
  owned: Map<string, JsonObject>;
  result: ReconcileResult;
  cluster: StarRocksCluster;
  raw: JsonObject;
  /** Each StatefulSet's generation as of the last apply or check (status.<component>.statefulSetGeneration); updated here. */
  generations: Map<Component, number>;
}

async function applyAll(input: ApplyInput): Promise<void> {
  // Rendered objects carry the owner labels, so one missing from the lists is missing or was
  // relabelled by someone: either way it is applied. A StatefulSet edited by hand (kubectl
  // scale, edit, set image) keeps our spec hash: drift.ts finds it, and it is applied again.
  const drifts = new Map<KubernetesObject, string>();
  const stale = input.objects.filter((object) => {
    const existing = input.owned.get(objectKey(object));
    if (existing === undefined || storedSpecHash(existing) !== specHash(object)) return true;
    const component = componentOf(object);
    if (object.kind !== 'StatefulSet' || component === undefined) return false;
    const drift = statefulSetDrift({ rendered: object, observed: existing, recordedGeneration: input.generations.get(component) });
    const generation = asNumber(dig(existing, 'metadata', 'generation'));
    if (drift === undefined && generation !== undefined) input.generations.set(component, generation);
    if (drift !== undefined) drifts.set(object, drift);
    return drift !== undefined;
  });
  // Independent objects: applied together (Kubernetes converges whatever the order), and every
  // one is attempted even when another fails.
  const outcomes = await Promise.allSettled(stale.map((object) => input.deps.api.apply(withSpecHash(object))));
  for (const [i, outcome] of outcomes.entries()) {
    const object = stale[i];
    if (outcome.status !== 'fulfilled' || object === undefined) continue;
    const component = componentOf(object);
    const generation = asNumber(dig(outcome.value, 'metadata', 'generation'));
    if (object.kind === 'StatefulSet' && component !== undefined) {
      if (generation === undefined) input.generations.delete(component);
      else input.generations.set(component, generation);
    }
    const drift = drifts.get(object);
    // A re-apply that changed nothing found only others' fields (a rollout restart's annotation): not a repair.
    if (drift !== undefined && generation === asNumber(dig(input.owned.get(objectKey(object)), 'metadata', 'generation'))) continue;
    input.result.applied.push(objectKey(object));
    if (drift !== undefined) {
      input.deps.log.warn({ cluster: input.cluster.name, object: objectKey(object), drift }, 'repaired a hand edit');
      await input.deps.events.record({
        cluster: input.raw,
        type: 'Warning',
        reason: 'DriftRepaired',
        message: `${object.kind} ${object.metadata.name} was changed outside the StarRocksCluster (${drift}): applied the StarRocksCluster's spec again`,
      });
    }
  }
  if (input.result.applied.length > 0) {
    input.deps.log.info({ cluster: input.cluster.name, applied: input.result.applied }, 'applied');
    await input.deps.events.record({
      cluster: input.raw,
      type: 'Normal',
      reason: 'Applied',
      message: `applied ${input.result.applied.map((k) => k.split('/').slice(1).join('/')).join(', ')}`,
    });
  }
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

async function prune(input: ApplyInput & { uid: string }): Promise<void> {
  const rendered = new Set(input.objects.map(objectKey));
  for (const [key, object] of input.owned) {
    if (rendered.has(key) || !ownedBy(object, input.uid)) continue;
    const name = asString(dig(object, 'metadata', 'name')) ?? '';
    await input.deps.api.delete(String(object.kind), input.cluster.namespace, name);
    input.result.deleted.push(key);
  }
  if (input.result.deleted.length > 0) {
    input.deps.log.info({ cluster: input.cluster.name, deleted: input.result.deleted }, 'deleted objects no longer rendered');
    await input.deps.events.record({
      cluster: input.raw,
      type: 'Normal',
      reason: 'Deleted',
      message: `deleted ${input.result.deleted.map((k) => k.split('/').slice(1).join('/')).join(', ')}`,
    });
  }
}

// The fence ConfigMap is the agent's (created by the FE that bootstrapped, without an owner): the
// cluster becomes its owner here, so deleting the StarRocksCluster deletes the fence with it and a
// new cluster of the same name can bootstrap. Update, not apply: the controller's Role may update
// ConfigMaps, and the fence's data stays as the agent wrote it. Best effort: retried next reconcile.
async function ownFence(input: { deps: ReconcileDeps; cluster: StarRocksCluster; uid: string }): Promise<void> {
  if (input.uid === '') return;
  const name = names(input.cluster.name).fence;
  try {
    const fence = await input.deps.api.get('ConfigMap', input.cluster.namespace, name);
    if (fence === undefined) return;
    const refs = dig(fence, 'metadata', 'ownerReferences');
    const current = Array.isArray(refs) ? refs : [];
    if (current.some((r) => isObject(r) && r.uid === input.uid)) return;
    const owner = { apiVersion: `${CRD.group}/${CRD.version}`, kind: CRD.kind, name: input.cluster.name, uid: input.uid };
    const metadata = asJsonObject(fence.metadata) ?? {};
    await input.deps.api.replace({ ...fence, kind: 'ConfigMap', metadata: { ...metadata, ownerReferences: [...current, owner] } });
    input.deps.log.info({ cluster: input.cluster.name, fence: name }, 'the bootstrap fence is now owned by the StarRocksCluster');
  } catch (error) {
    input.deps.log.warn({ cluster: input.cluster.name, fence: name, err: describeError(error) }, 'could not own the bootstrap fence; retrying next reconcile');
  }
}

// Created once with a random password, never overwritten (agent-secret.ts): a create, and 409
// means it exists (the first one's password is kept). No get first: the controller may only
// create Secrets (deploy/rbac.yaml), as a ClusterRole cannot narrow get to per-cluster names,
// and reading every Secret would reach the root passwords. The password is never logged.
async function ensureAgentPasswordSecret(input: { deps: ReconcileDeps; cluster: StarRocksCluster }): Promise<void> {
  const name = names(input.cluster.name).agentPasswordSecret;
  try {
    await input.deps.api.create(agentPasswordSecret({ cluster: input.cluster, password: generateAgentPassword() }));
    input.deps.log.info({ cluster: input.cluster.name, secret: name }, 'generated the agent SQL user\'s password Secret');
  } catch (error) {
    if (httpStatusOf(error) !== 409) throw error;
  }
}

// Only for a StatefulSet short of pods (no call in steady state); best effort: the events are
// only the explanation, so a failed list leaves it out.
async function podCreateFailures(deps: ReconcileDeps, namespace: string, statefulSets: Partial<Record<Component, ObservedStatefulSet>>): Promise<Partial<Record<Component, string>>> {
  const out: Partial<Record<Component, string>> = {};
  for (const sts of Object.values(statefulSets)) {
    if (sts.replicas >= sts.specReplicas) continue;
    const events = await deps.api
      .list({ kind: 'Event', namespace, fieldSelector: `involvedObject.kind=StatefulSet,involvedObject.name=${sts.name},reason=FailedCreate` })
      .catch(() => undefined);
    const failure = events === undefined ? undefined : podCreateFailure({ events: events.items, now: deps.now() });
    if (failure !== undefined) out[sts.component] = failure;
  }
  return out;
}

// Recorded per component in status; a StatefulSet at another generation was edited by someone else.
function recordedGenerations(previousStatus: JsonObject): Map<Component, number> {
  const out = new Map<Component, number>();
  for (const [component, field] of Object.entries(STATUS_FIELDS) as [Component, string][]) {
    const generation = asNumber(dig(previousStatus, field, 'statefulSetGeneration'));
    if (generation !== undefined) out.set(component, generation);
  }
  return out;
}

function componentOf(object: KubernetesObject): Component | undefined {
  const value = object.metadata.labels[LABELS.component];
  return value === 'fe' || value === 'be' || value === 'cn' ? value : undefined;
}

function ownedBy(object: unknown, uid: string): boolean {
  const refs = dig(object, 'metadata', 'ownerReferences');
  return Array.isArray(refs) && refs.some((r) => isObject(r) && r.uid === uid && r.kind === CRD.kind);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
