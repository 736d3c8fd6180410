/**
 * Kubernetes events on the StarRocksCluster for what the controller does. Best effort: a failed
 * event is logged, never fails a reconcile.
 */
import { CRD } from '../../agent/contract/index.ts';
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { asString, dig } from '../json.ts';
import type { KubeApi } from '../kube/kube-api.ts';

/** One event. */
export interface ClusterEvent {
  /** The StarRocksCluster as read from the API server. */
  cluster: unknown;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Records events. */
export interface EventRecorder {
  record(event: ClusterEvent): Promise<void>;
}

/** Options of `apiEventRecorder`. */
export interface EventRecorderOptions {
  api: KubeApi;
  log: Log;
  /** The reporting controller instance (pod name). */
  instance: string;
  now: () => string;
}

/** An EventRecorder writing core/v1 Events. */
export function apiEventRecorder(options: EventRecorderOptions): EventRecorder {
  let sequence = 0;
  return {
    async record(event) {
      const namespace = asString(dig(event.cluster, 'metadata', 'namespace')) ?? 'default';
      const name = asString(dig(event.cluster, 'metadata', 'name')) ?? '';
      const now = options.now();
      sequence += 1;
      try {
        await options.api.create({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${name}.${Date.now().toString(36)}${sequence.toString(36)}`, namespace },
          involvedObject: {
            apiVersion: `${CRD.group}/${CRD.version}`,
            kind: CRD.kind,
            name,
            namespace,
            uid: asString(dig(event.cluster, 'metadata', 'uid')) ?? '',
          },
          type: event.type,
          reason: event.reason,
          message: event.message.slice(0, 1024),
          source: { component: 'starrocks-controller' },
          reportingComponent: 'starrocks-controller',
          reportingInstance: options.instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        });
      } catch (error) {
        options.log.warn({ err: describeError(error), reason: event.reason }, 'could not record an event');
      }
    },
  };
}
