/**
 * The agents' important pod events, mirrored onto their StarRocksCluster so `kubectl describe src`
 * lists them. The admission policy (deploy/agent-policy.yaml) lets an agent record events only
 * about its own pod, and `kubectl describe` lists the events whose involvedObject is the object
 * described: so the controller, which may already list and create events (deploy/rbac.yaml),
 * copies them as its own events about the cluster. No agent gains a right. Pure: the API
 * server's events are parsed here.
 *
 * A mirror is named after the event it copies (`<source name>.mirror`): the cluster's events
 * say what is already mirrored, and a second create of the same one is refused with 409, so a
 * restarted controller or two reconciles at once never copy an event twice.
 */
import { AGENT_EVENT_SOURCE, COMPONENTS, CRD, names } from '../../agent/contract/index.ts';
import { asNumber, asString, dig } from '../json.ts';
import type { JsonObject } from '../json.ts';

/** The suffix that names a mirror after the agent event it copies. */
const MIRROR_SUFFIX = '.mirror';

/**
 * Normal agent events worth a line in `describe` (every Warning is mirrored). Left out:
 * `WaitingForTabletHealth`, which the controller records itself from status, once per wait.
 */
const MIRRORED_NORMAL_REASONS: ReadonlySet<string> = new Set([
  'ScalingIn',
  'Restarting',
  'Decommissioning',
  'Decommissioned',
  'Deregistered',
  'GhostRemoved',
  'TabletsHealthy',
  'SqlAccountUpdated',
]);

/** Events older than this are not mirrored: kube-apiserver keeps events one hour by default (--event-ttl). */
const MIRROR_WINDOW_MS = 60 * 60_000;

/** At most this many mirrors per call (the newest): a burst of agent events cannot flood the cluster's events. */
export const MIRROR_LIMIT = 20;

/** One event to record on the StarRocksCluster. */
export interface MirroredEvent {
  /** The mirror's own name: `<source event name>.mirror`. */
  name: string;
  /** The pod the agent's event was about. */
  pod: string;
  type: 'Normal' | 'Warning';
  reason: string;
  /** `<pod>: <the agent's message>`. */
  message: string;
  /** The agent event's times and count: describe shows when it happened, not when it was copied. */
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

/** Options of `eventsToMirror`. */
export interface EventsToMirrorInput {
  /** The StarRocksCluster's name: only events about its pods are mirrored. */
  cluster: string;
  /** Events about pods, as the API server lists them (any source; filtered here). */
  podEvents: readonly unknown[];
  /** Events about the StarRocksCluster, as listed: the mirrors among them are not made again. */
  alreadyMirrored: readonly unknown[];
  /** RFC 3339 now. */
  now: string;
}

/** The agents' events to mirror onto the cluster now, oldest first, at most MIRROR_LIMIT (the newest). */
export function eventsToMirror(input: EventsToMirrorInput): MirroredEvent[] {
  const done = new Set(input.alreadyMirrored.flatMap((e) => asString(dig(e, 'metadata', 'name')) ?? []));
  const now = Date.parse(input.now);
  const out: (MirroredEvent & { at: number })[] = [];
  for (const event of input.podEvents) {
    const parsed = parseAgentEvent(event);
    if (parsed === undefined || !isClusterPod(input.cluster, parsed.pod)) continue;
    const name = `${parsed.sourceName}${MIRROR_SUFFIX}`;
    if (done.has(name)) continue;
    if (parsed.type === 'Normal' && !MIRRORED_NORMAL_REASONS.has(parsed.reason)) continue;
    const at = Date.parse(parsed.lastTimestamp);
    if (Number.isNaN(at) || now - at > MIRROR_WINDOW_MS) continue;
    out.push({
      name,
      pod: parsed.pod,
      type: parsed.type,
      reason: parsed.reason,
      message: `${parsed.pod}: ${parsed.message}`,
      firstTimestamp: parsed.firstTimestamp,
      lastTimestamp: parsed.lastTimestamp,
      count: parsed.count,
      at,
    });
  }
  out.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
  return out.slice(-MIRROR_LIMIT).map(({ at: _at, ...event }) => event);
}

/** The core/v1 Event of a mirror, about the StarRocksCluster `cluster` (as read from the API server). */
export function mirrorEventObject(input: { cluster: unknown; event: MirroredEvent }): JsonObject & { kind: string } {
  const namespace = asString(dig(input.cluster, 'metadata', 'namespace')) ?? 'default';
  const name = asString(dig(input.cluster, 'metadata', 'name')) ?? '';
  const e = input.event;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: e.name, namespace },
    involvedObject: {
      apiVersion: `${CRD.group}/${CRD.version}`,
      kind: CRD.kind,
      name,
      namespace,
      uid: asString(dig(input.cluster, 'metadata', 'uid')) ?? '',
    },
    // What it is about, beside the cluster: the pod (kubectl get events -o wide shows it).
    related: { apiVersion: 'v1', kind: 'Pod', name: e.pod, namespace },
    type: e.type,
    reason: e.reason,
    message: e.message.slice(0, 1024),
    // describe's "From" column reads `starrocks-agent, <pod>`: who said it; the reporter is the controller.
    source: { component: AGENT_EVENT_SOURCE, host: e.pod },
    reportingComponent: 'starrocks-controller',
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    count: e.count,
  };
}

interface AgentEvent {
  sourceName: string;
  pod: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

// An agent's event about a pod; anything else (kubelet's, the scheduler's, a malformed one) is undefined.
function parseAgentEvent(event: unknown): AgentEvent | undefined {
  const source = asString(dig(event, 'source', 'component')) ?? asString(dig(event, 'reportingComponent'));
  if (source !== AGENT_EVENT_SOURCE || asString(dig(event, 'involvedObject', 'kind')) !== 'Pod') return undefined;
  const sourceName = asString(dig(event, 'metadata', 'name'));
  const pod = asString(dig(event, 'involvedObject', 'name'));
  const type = asString(dig(event, 'type'));
  const reason = asString(dig(event, 'reason'));
  const lastTimestamp = asString(dig(event, 'lastTimestamp')) ?? asString(dig(event, 'eventTime')) ?? asString(dig(event, 'metadata', 'creationTimestamp'));
  if (sourceName === undefined || pod === undefined || reason === undefined || lastTimestamp === undefined) return undefined;
  if (type !== 'Normal' && type !== 'Warning') return undefined;
  const count = asNumber(dig(event, 'count'));
  return {
    sourceName,
    pod,
    type,
    reason,
    message: asString(dig(event, 'message')) ?? '',
    firstTimestamp: asString(dig(event, 'firstTimestamp')) ?? lastTimestamp,
    lastTimestamp,
    count: count !== undefined && Number.isInteger(count) && count > 0 ? count : 1,
  };
}

// `<cluster>-<component>-<ordinal>` exactly: cluster `sr` does not claim cluster `sr-fe`'s pod `sr-fe-fe-0`.
function isClusterPod(cluster: string, pod: string): boolean {
  return COMPONENTS.some((c) => {
    const prefix = `${names(cluster).statefulSet(c)}-`;
    return pod.startsWith(prefix) && /^(0|[1-9][0-9]{0,8})$/.test(pod.slice(prefix.length));
  });
}
