/**
 * One reconcile of one StarRocksCluster, the executor of `planReconcile`: read the cluster and
 * what it owns from the informers' cache, render, plan (plan.ts, pure), then apply every rendered
 * object (server-side apply), delete what is no longer rendered, own the bootstrap fence, write
 * status when it changed and record the plan's events. This file only sequences I/O.
 */
import { CRD, LABELS, LABEL_VALUES, names } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { parseStarRocksConf } from '../../agent/contract/starrocks-conf.ts';
import type { StarRocksConf } from '../../agent/contract/starrocks-conf.ts';
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { presentComponents } from '../cr/parse.ts';
import type { StarRocksCluster } from '../cr/types.ts';
import { asJsonObject, asString, canonicalJson, dig, isObject } from '../json.ts';
import type { JsonObject } from '../json.ts';
import { OWNED_KINDS, httpStatusOf } from '../kube/kube-api.ts';
import type { KubeApi, ObjectCache } from '../kube/kube-api.ts';
import { ASSUMED_SERVED, monitoringServed } from '../kube/served-apis.ts';
import type { ServedApis } from '../kube/served-apis.ts';
import { objectKey } from '../render/objects.ts';
import type { KubernetesObject } from '../render/objects.ts';
import { agentPasswordSecret, generateAgentPassword } from '../render/agent-secret.ts';
import { render } from '../render/render.ts';
import { podCreateFailure } from '../status/observed.ts';
import type { ObservedStatefulSet } from '../status/observed.ts';
import type { EventRecorder } from './events.ts';
import { mirrorAgentEvents } from './mirror-events.ts';
import { clusterCache, observe, planReconcile } from './plan.ts';
import type { ReconcilePlan } from './plan.ts';

/** What a reconcile needs. */
export interface ReconcileDeps {
  api: KubeApi;
  /** The informers' cache: the cluster, what it owns, its pods. */
  cache: ObjectCache;
  log: Log;
  events: EventRecorder;
  /** RFC 3339 now (a parameter so tests control time). */
  now: () => string;
  /** The agent image of `install-agent` when the CR names none (`--agent-image`). */
  agentImage?: string;
  /** What the API server serves, from the last discovery; `ASSUMED_SERVED` when absent. */
  served?: () => ServedApis;
}

/** What a reconcile did. */
export interface ReconcileResult {
  /** Objects the apply changed (their resourceVersion moved) or created. */
  applied: string[];
  deleted: string[];
  statusWritten: boolean;
  /** True when the cluster is not settled yet (the caller re-checks later). */
  progressing: boolean;
}

/** Reconcile one cluster. */
export async function reconcile(deps: ReconcileDeps, key: { namespace: string; name: string }): Promise<ReconcileResult> {
  const result: ReconcileResult = { applied: [], deleted: [], statusWritten: false, progressing: false };
  const raw = deps.cache.get(CRD.kind, key.namespace, key.name);
  if (raw === undefined || dig(raw, 'metadata', 'deletionTimestamp') !== undefined) return result;
  const served = deps.served?.() ?? ASSUMED_SERVED;
  const cache = clusterCache({
    name: key.name,
    owned: [
      ...OWNED_KINDS.flatMap((kind) => deps.cache.list(kind, key.namespace).map((o) => ({ ...o, kind }))),
      ...(await listPodMonitors({ deps, served, namespace: key.namespace, cluster: key.name })),
    ],
    pods: deps.cache.list('Pod', key.namespace),
  });
  const seen = observe({ cluster: raw, cache });
  for (const component of seen.keptEphemeral) {
    deps.log.warn({ cluster: key.name, component }, 'data volume kept on its emptyDir: the StatefulSet was created with it and its volumeClaimTemplates cannot change');
  }
  for (const [component, waitFor] of Object.entries(seen.rollout.waitingFor)) {
    deps.log.info({ cluster: key.name, component, waitFor }, 'image change held until the earlier component is rolled out');
  }
  if (seen.problems.length > 0) deps.log.warn({ cluster: key.name, problems: seen.problems }, 'invalid StarRocksCluster spec');

  const podCreateFailures = await readPodCreateFailures(deps, key.namespace, seen.statefulSets);
  const planInput = { cluster: raw, cache, now: deps.now(), podCreateFailures, served };
  let plan: ReconcilePlan;
  const cluster = seen.cluster;
  if (cluster === undefined) {
    plan = planReconcile({ ...planInput, rendered: undefined });
  } else {
    try {
      const confs = await readConfs(deps.api, cluster);
      const fePods = seen.pods.filter((p) => p.component === 'fe').map((p) => ({ ordinal: p.ordinal, role: p.role }));
      plan = planReconcile({ ...planInput, rendered: render({ cluster, confs, heldImages: seen.rollout.heldImages, fePods, agentImage: deps.agentImage, served }) });
      // Before the pods: they mount it, and wait for it while it is missing.
      await ensureAgentPasswordSecret({ deps, cluster });
      await execute({ deps, plan, cache, result, cluster });
      await ownFence({ deps, cluster, uid: seen.uid });
    } catch (error) {
      const applyError = describeError(error);
      deps.log.warn({ cluster: key.name, err: applyError }, 'apply failed');
      plan = planReconcile({ ...planInput, rendered: undefined, applyError });
    }
  }
  result.progressing = plan.computedStatus.phase !== 'running';
  await mirrorAgentEvents({ api: deps.api, log: deps.log, cluster: raw, namespace: key.namespace, name: key.name, now: deps.now() });
  if (plan.status !== undefined) {
    await deps.api.applyStatus({ namespace: key.namespace, name: key.name, status: plan.status });
    result.statusWritten = true;
  }
  for (const event of plan.events) await deps.events.record({ cluster: raw, ...event });
  return result;
}

/**
 * Whether an apply changed what the controller manages: its spec (the generation moves, where
 * there is one), its labels or annotations, or, for kinds without a generation, anything (the
 * resourceVersion moves). Status written by others in between (an HPA's) is no change of ours.
 */
export function applyChanged(before: JsonObject | undefined, after: JsonObject): boolean {
  if (before === undefined) return true;
  const meta = (o: JsonObject, key: string): string => canonicalJson(dig(o, 'metadata', key) ?? {});
  if (meta(before, 'labels') !== meta(after, 'labels') || meta(before, 'annotations') !== meta(after, 'annotations')) return true;
  const generation = dig(after, 'metadata', 'generation');
  if (generation !== undefined) return generation !== dig(before, 'metadata', 'generation');
  return dig(after, 'metadata', 'resourceVersion') !== dig(before, 'metadata', 'resourceVersion');
}

// Objects are applied together and every one is attempted even when another fails, except that
// RoleBindings go after the rest: the API server's RBAC escalation check resolves a binding's Role
// when the binding is written, and answers 404 while that Role's create is still in flight.
async function execute(input: { deps: ReconcileDeps; plan: ReconcilePlan; cache: { owned: readonly JsonObject[] }; result: ReconcileResult; cluster: StarRocksCluster }): Promise<void> {
  const { deps, plan, result } = input;
  const before = new Map(input.cache.owned.map((o) => [objectKey({ kind: String(o.kind), metadata: asJsonObject(o.metadata) ?? {} }), o]));
  const bindings = plan.apply.filter((o) => o.kind === 'RoleBinding');
  const first = plan.apply.filter((o) => o.kind !== 'RoleBinding');
  const ordered = [...first, ...bindings];
  const outcomes = [...(await Promise.allSettled(first.map((object) => deps.api.apply(object)))), ...(await Promise.allSettled(bindings.map((object) => deps.api.apply(object))))];
  for (const [i, outcome] of outcomes.entries()) {
    const object: KubernetesObject | undefined = ordered[i];
    if (outcome.status !== 'fulfilled' || object === undefined) continue;
    const key = objectKey(object);
    if (!applyChanged(before.get(key), outcome.value)) continue;
    result.applied.push(key);
    const drift = plan.drift.get(key);
    if (drift !== undefined) deps.log.warn({ cluster: input.cluster.name, object: key, drift }, 'repaired a hand edit');
  }
  if (result.applied.length > 0) {
    deps.log.info({ cluster: input.cluster.name, applied: result.applied }, 'applied');
    await deps.events.record({
      cluster: { metadata: { name: input.cluster.name, namespace: input.cluster.namespace, uid: input.cluster.uid } },
      type: 'Normal',
      reason: 'Applied',
      message: `applied ${result.applied.map((k) => k.split('/').slice(1).join('/')).join(', ')}`,
    });
  }
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  for (const target of plan.prune) {
    await deps.api.delete(target.kind, target.namespace, target.name);
    result.deleted.push(`${target.namespace}/${target.kind}/${target.name}`);
  }
  if (result.deleted.length > 0) deps.log.info({ cluster: input.cluster.name, deleted: result.deleted }, 'deleted objects no longer rendered');
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

// PodMonitors are not cached (their CRD may come and go; an informer would hold up the start):
// listed per reconcile, only while discovery finds the API, so they are compared and pruned like
// the cached kinds. A failed list leaves them out: nothing is pruned, the next reconcile lists again.
async function listPodMonitors(input: { deps: ReconcileDeps; served: ServedApis; namespace: string; cluster: string }): Promise<JsonObject[]> {
  if (!monitoringServed(input.served)) return [];
  const list = await input.deps.api
    .list({ kind: 'PodMonitor', namespace: input.namespace, labelSelector: `${LABELS.instance}=${input.cluster},${LABELS.managedBy}=${LABEL_VALUES.managedBy}` })
    .catch((error: unknown) => {
      input.deps.log.warn({ cluster: input.cluster, err: describeError(error) }, 'could not list PodMonitors');
      return undefined;
    });
  return (list?.items ?? []).map((o) => ({ ...o, kind: 'PodMonitor' }));
}

// Only for a StatefulSet short of pods (no call in steady state); best effort: the events are
// only the explanation, so a failed list leaves it out.
async function readPodCreateFailures(deps: ReconcileDeps, namespace: string, statefulSets: Partial<Record<Component, ObservedStatefulSet>>): Promise<Partial<Record<Component, string>>> {
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

