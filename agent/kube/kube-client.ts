/**
 * AgentKube on `@kubernetes/client-node`. Loaded with a dynamic import by the commands that need
 * it, because importing client-node costs about half a second.
 *
 * Credentials: `KUBECONFIG` when set (the local world and out-of-cluster use), otherwise the
 * in-cluster service account, loaded explicitly (`loadFromDefault` would prefer a stray
 * kubeconfig, see typescript-stack.md).
 */
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { AgentError } from '../errors.ts';
import { ANNOTATIONS, LABELS } from '../contract.ts';
import type { AgentEvent, AgentKube, Fence } from './agent-kube.ts';

/** Options of createAgentKube. */
export interface KubeClientOptions {
  namespace: string;
  podName: string;
  /** The StarRocksCluster name, for labels on the fence. */
  cluster: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Path of a kubeconfig; the in-cluster service account when undefined. */
  kubeconfigPath?: string;
}

/** AgentKube talking to a real API server. */
export function createAgentKube(options: KubeClientOptions): AgentKube {
  const kc = new KubeConfig();
  if (options.kubeconfigPath !== undefined) kc.loadFromFile(options.kubeconfigPath);
  else kc.loadFromCluster();
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const { namespace } = options;

  // A fresh AbortSignal per request: client-node has no default timeout at all.
  const timeout: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(options.timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  const withTimeout = (extra?: ConfigurationOptions): ConfigurationOptions => ({
    ...extra,
    middleware: [...(extra?.middleware ?? []), timeout],
    middlewareMergeStrategy: 'append',
  });

  const fail = (what: string, error: unknown): AgentError =>
    new AgentError('ERR_KUBERNETES', `${what} failed: ${describe(error)}; check the API server and the agent's Role`, {
      cause: error,
    });

  return {
    async statefulSetReplicas(name) {
      try {
        const sts = await apps.readNamespacedStatefulSet({ name, namespace }, withTimeout());
        return sts.spec?.replicas ?? 1;
      } catch (error) {
        throw fail(`reading StatefulSet ${namespace}/${name}`, error);
      }
    },

    async readFence(name) {
      try {
        const cm = await core.readNamespacedConfigMap({ name, namespace }, withTimeout());
        const data = cm.data ?? {};
        if (data.clusterId === undefined) return undefined;
        return { clusterId: data.clusterId, bootstrappedBy: data.bootstrappedBy ?? '', at: data.at ?? '' };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw fail(`reading the fence ConfigMap ${namespace}/${name}`, error);
      }
    },

    async createFence(name, fence: Fence) {
      try {
        await core.createNamespacedConfigMap(
          {
            namespace,
            body: {
              metadata: {
                name,
                namespace,
                labels: { [LABELS.instance]: options.cluster, [LABELS.component]: 'fe' },
                annotations: { [ANNOTATIONS.bootstrappedBy]: fence.bootstrappedBy },
              },
              data: { clusterId: fence.clusterId, bootstrappedBy: fence.bootstrappedBy, at: fence.at },
            },
          },
          withTimeout(),
        );
        return 'created';
      } catch (error) {
        if (statusOf(error) === 409) return 'exists';
        throw fail(`creating the fence ConfigMap ${namespace}/${name}`, error);
      }
    },

    async annotateSelf(annotations) {
      try {
        await core.patchNamespacedPod(
          { name: options.podName, namespace, body: { metadata: { annotations } } },
          withTimeout(setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
        );
      } catch (error) {
        throw fail(`annotating pod ${namespace}/${options.podName}`, error);
      }
    },

    async emitEvent(event: AgentEvent) {
      const now = new Date();
      try {
        await core.createNamespacedEvent(
          {
            namespace,
            body: {
              metadata: { generateName: `${options.podName}.`, namespace },
              involvedObject: { kind: 'Pod', name: options.podName, namespace, apiVersion: 'v1' },
              type: event.type,
              reason: event.reason,
              message: event.message,
              firstTimestamp: now,
              lastTimestamp: now,
              count: 1,
              source: { component: 'starrocks-agent' },
            },
          },
          withTimeout(),
        );
      } catch {
        // Events are best effort: a failed event must never fail a decision.
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function describe(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
    const message = /"message":"([^"]*)"/.exec(body)?.[1];
    return `HTTP ${error.code}${message === undefined ? '' : `: ${message}`}`;
  }
  if (error instanceof Error) return error.name === 'AbortError' || error.name === 'TimeoutError' ? 'request timed out' : error.message;
  return String(error);
}
