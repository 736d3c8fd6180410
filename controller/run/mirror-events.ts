/**
 * Copies the agents' important pod events onto their StarRocksCluster (status/event-mirror.ts
 * decides which), so `kubectl describe src` lists them. Best effort, like every event: a failed
 * list or create is logged and retried on the next reconcile, never fails one.
 */
import { AGENT_EVENT_SOURCE, CRD } from '../../agent/contract/index.ts';
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { httpStatusOf } from '../kube/kube-api.ts';
import type { KubeApi } from '../kube/kube-api.ts';
import { eventsToMirror, mirrorEventObject } from '../status/event-mirror.ts';

/** Options of `mirrorAgentEvents`. */
export interface MirrorAgentEventsInput {
  api: KubeApi;
  log: Log;
  /** The StarRocksCluster as read from the API server. */
  cluster: unknown;
  namespace: string;
  name: string;
  /** RFC 3339 now. */
  now: string;
}

/** Mirror what is new; returns how many mirrors were created. */
export async function mirrorAgentEvents(input: MirrorAgentEventsInput): Promise<number> {
  const { api, namespace, name } = input;
  try {
    // Two field-selected lists (answered from the API server's watch cache): the agents' pod
    // events in the namespace, and the cluster's own events, where the mirrors already made are.
    const [podEvents, clusterEvents] = await Promise.all([
      api.list({ kind: 'Event', namespace, fieldSelector: `involvedObject.kind=Pod,source=${AGENT_EVENT_SOURCE}` }),
      api.list({ kind: 'Event', namespace, fieldSelector: `involvedObject.kind=${CRD.kind},involvedObject.name=${name}` }),
    ]);
    const mirrors = eventsToMirror({ cluster: name, podEvents: podEvents.items, alreadyMirrored: clusterEvents.items, now: input.now });
    let created = 0;
    for (const event of mirrors) {
      try {
        await api.create(mirrorEventObject({ cluster: input.cluster, event }));
        created += 1;
      } catch (error) {
        // 409: another reconcile made this mirror first.
        if (httpStatusOf(error) !== 409) throw error;
      }
    }
    return created;
  } catch (error) {
    input.log.warn({ cluster: name, err: describeError(error) }, "could not mirror the agents' events onto the StarRocksCluster; retrying next reconcile");
    return 0;
  }
}
