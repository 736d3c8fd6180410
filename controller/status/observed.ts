/**
 * What the controller observes of a cluster's workloads, parsed at the edge from the API
 * server's StatefulSets and Pods into the few typed facts that status and upgrade order use.
 */
import { ANNOTATIONS, CONTAINERS, isComponent, LABELS, parseOrdinal } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { decodeMembership, membershipHostText } from '../../agent/contract/membership-annotation.ts';
import { asNumber, asString, asStringMap, dig, isObject } from '../json.ts';

/** The facts of one StatefulSet. */
export interface ObservedStatefulSet {
  name: string;
  component: Component;
  generation: number;
  observedGeneration: number;
  /** `spec.replicas`. */
  specReplicas: number;
  /** The main container's image in the pod template. */
  image: string;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  currentRevision: string;
  updateRevision: string;
}

/** The facts of one pod, including what its agent wrote into its annotations. */
export interface ObservedPod {
  name: string;
  component: Component;
  ordinal: number;
  ready: boolean;
  agentPhase: string | undefined;
  /** `host:port` the node is registered as, from its agent's membership record. */
  host: string | undefined;
  /** The FE role: the agent's `agent-fe-role` annotation (SHOW FRONTENDS Role), else its membership record's. */
  role: string | undefined;
  lastError: string | undefined;
  /** FE: the cluster id its agent recorded (`agent-cluster-id`); undefined when absent or not a cluster id. */
  clusterId: string | undefined;
  /** BE: while its readiness waits for unhealthy tablets to heal (`agent-tablet-health`). */
  tabletHealth: TabletHealthWait | undefined;
}

/** A restarted BE's wait for tablet health, as its agent annotates it. */
interface TabletHealthWait {
  unhealthy: number;
  /** RFC 3339: when the wait started. */
  since: string;
}

/** Parse a StatefulSet; undefined when it is not one of ours. */
export function observeStatefulSet(raw: unknown): ObservedStatefulSet | undefined {
  const component = asString(dig(raw, 'metadata', 'labels', LABELS.component)) ?? '';
  const name = asString(dig(raw, 'metadata', 'name'));
  if (name === undefined || !isComponent(component)) return undefined;
  const containers = dig(raw, 'spec', 'template', 'spec', 'containers');
  const main = Array.isArray(containers)
    ? containers.find((c) => isObject(c) && c.name === CONTAINERS.main(component))
    : undefined;
  const n = (...path: string[]): number => asNumber(dig(raw, ...path)) ?? 0;
  return {
    name,
    component,
    generation: n('metadata', 'generation'),
    observedGeneration: n('status', 'observedGeneration'),
    specReplicas: asNumber(dig(raw, 'spec', 'replicas')) ?? 1,
    image: asString(dig(main, 'image')) ?? '',
    replicas: n('status', 'replicas'),
    readyReplicas: n('status', 'readyReplicas'),
    updatedReplicas: n('status', 'updatedReplicas'),
    currentRevision: asString(dig(raw, 'status', 'currentRevision')) ?? '',
    updateRevision: asString(dig(raw, 'status', 'updateRevision')) ?? '',
  };
}

/** Parse a pod; undefined when it is not one of ours. */
export function observePod(raw: unknown): ObservedPod | undefined {
  const component = asString(dig(raw, 'metadata', 'labels', LABELS.component)) ?? '';
  const name = asString(dig(raw, 'metadata', 'name'));
  if (name === undefined || !isComponent(component)) return undefined;
  const annotations = asStringMap(dig(raw, 'metadata', 'annotations'));
  const conditions = dig(raw, 'status', 'conditions');
  const ready =
    Array.isArray(conditions) && conditions.some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
  // The agent's membership record, read with the codec it was written with; one of another
  // component (a hand edit, a reused pod name) says nothing about this pod.
  const membership = decodeMembership(annotations[ANNOTATIONS.membership]);
  const record = membership.kind === 'ok' && membership.record.component === component ? membership.record : undefined;
  return {
    name,
    component,
    ordinal: parseOrdinal(name) ?? -1,
    ready,
    agentPhase: annotations[ANNOTATIONS.phase],
    host: record === undefined ? undefined : membershipHostText(record.registeredAs),
    role: annotations[ANNOTATIONS.feRole] ?? record?.role,
    lastError: annotations[ANNOTATIONS.lastError],
    clusterId: component === 'fe' ? clusterIdOf(annotations[ANNOTATIONS.clusterId]) : undefined,
    tabletHealth: component === 'be' ? tabletHealthOf(annotations[ANNOTATIONS.tabletHealth]) : undefined,
  };
}

// StarRocks cluster ids are positive integers (image/VERSION clusterId); the agent writes String(id).
function clusterIdOf(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed !== undefined && /^[1-9][0-9]*$/.test(trimmed) ? trimmed : undefined;
}

// An annotation edited by hand into something else reads as no wait: the agent rewrites it each interval.
function tabletHealthOf(value: string | undefined): TabletHealthWait | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    const unhealthy = asNumber(dig(parsed, 'unhealthy'));
    const since = asString(dig(parsed, 'since'));
    return unhealthy !== undefined && Number.isInteger(unhealthy) && unhealthy >= 0 && since !== undefined ? { unhealthy, since } : undefined;
  } catch {
    return undefined;
  }
}

/** True when a StatefulSet's rollout is complete and every pod is Ready and updated. */
export function rolloutComplete(sts: ObservedStatefulSet): boolean {
  return (
    sts.observedGeneration >= sts.generation &&
    sts.replicas === sts.specReplicas &&
    sts.readyReplicas === sts.specReplicas &&
    sts.updatedReplicas === sts.specReplicas &&
    (sts.specReplicas === 0 || sts.currentRevision === sts.updateRevision)
  );
}

/** How long a FailedCreate event speaks for a StatefulSet: its controller retries with back-off up to about 17 minutes. */
const POD_CREATE_FAILURE_WINDOW_MS = 20 * 60_000;

/**
 * Why a StatefulSet cannot create its pods, from its `FailedCreate` events (the StatefulSet
 * controller records the API server's refusal there, e.g. a Pod Security violation): the newest
 * message seen within the window before `now`, or undefined. Pure; the events are parsed here.
 */
export function podCreateFailure(input: { events: readonly unknown[]; now: string }): string | undefined {
  const now = Date.parse(input.now);
  let newest: { at: number; message: string } | undefined;
  for (const event of input.events) {
    if (asString(dig(event, 'reason')) !== 'FailedCreate') continue;
    const message = asString(dig(event, 'message'));
    const when = asString(dig(event, 'lastTimestamp')) ?? asString(dig(event, 'eventTime')) ?? asString(dig(event, 'metadata', 'creationTimestamp'));
    const at = when === undefined ? Number.NaN : Date.parse(when);
    if (message === undefined || Number.isNaN(at) || now - at > POD_CREATE_FAILURE_WINDOW_MS) continue;
    if (newest === undefined || at > newest.at) newest = { at, message };
  }
  return newest?.message;
}
