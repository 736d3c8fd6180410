/**
 * `KubeApi` on @kubernetes/client-node: KubernetesObjectApi for objects (server-side apply with
 * one field manager, forced), CustomObjectsApi for the StarRocksCluster's status subresource. A
 * timeout on every request. Answers are turned into plain JSON at this edge (client-node
 * deserialises timestamps into Dates; the cache's watch events are plain JSON).
 */
import {
  ApiException,
  CustomObjectsApi,
  HttpMethod,
  KubernetesObjectApi,
  Observable,
  PatchStrategy,
  ServerConfiguration,
  createConfiguration,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject as ClientObject, ObservableMiddleware } from '@kubernetes/client-node';
import { CRD } from '../../agent/contract/index.ts';
import { AgentError } from '../../agent/contract/errors.ts';
import { asJsonObject } from '../json.ts';
import type { JsonObject } from '../json.ts';
import type { KubeApi } from './kube-api.ts';

/** A failed API call: ERR_KUBERNETES with the HTTP status (0 when the server was not reached). */
class KubeCallError extends AgentError {
  readonly httpStatus: number;
  constructor(httpStatus: number, message: string, options?: { cause?: unknown }) {
    super('ERR_KUBERNETES', message, options);
    this.httpStatus = httpStatus;
  }
}

/** Options of `clientNodeKubeApi`. */
export interface ClientNodeKubeApiOptions {
  kubeConfig: KubeConfig;
  fieldManager: string;
  /** Timeout of every request, in milliseconds. */
  timeoutMs: number;
  /**
   * Asked right before each write is sent; a write is refused when it answers false. The
   * controller passes its lease's `isLeading`, so a leader paused between deciding a write and
   * sending it (client-node awaits authentication first) sends nothing once it resumes.
   */
  writeAllowed?: () => boolean;
}

/** Aborts every request after `ms`. */
export function timeoutMiddleware(ms: number): ObservableMiddleware {
  return {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/** Refuses every request but GET when `allowed()` is false: the last step before the request is sent. */
function writeGateMiddleware(allowed: () => boolean): ObservableMiddleware {
  return {
    pre: (context) => {
      if (context.getHttpMethod() === HttpMethod.GET || allowed()) return new Observable(Promise.resolve(context));
      const refused = new KubeCallError(0, `${context.getHttpMethod()} ${new URL(context.getUrl()).pathname} refused: this controller is not the leader (its lease was not renewed in time)`);
      return new Observable(Promise.reject(refused));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/** A KubeApi over client-node. */
export function clientNodeKubeApi(options: ClientNodeKubeApiOptions): KubeApi {
  const kc = options.kubeConfig;
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new AgentError('ERR_KUBERNETES', 'the kubeconfig has no current cluster: name one with its current-context');
  const middleware = [timeoutMiddleware(options.timeoutMs)];
  if (options.writeAllowed !== undefined) middleware.push(writeGateMiddleware(options.writeAllowed));
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kc },
    middleware,
  });
  const objects = new KubernetesObjectApi(configuration);
  const custom = new CustomObjectsApi(configuration);
  const manager = options.fieldManager;

  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw callError(what, error);
    }
  };

  return {
    async get(kind, namespace, name) {
      try {
        return plain(await objects.read({ apiVersion: apiVersionOf(kind), kind, metadata: { name, namespace } }));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw callError(`GET ${kind} ${namespace}/${name}`, error);
      }
    },
    async list(list) {
      const result = await call(`LIST ${list.kind}`, () =>
        objects.list(apiVersionOf(list.kind), list.kind, list.namespace, undefined, undefined, undefined, list.fieldSelector, list.labelSelector),
      );
      return {
        items: result.items.map(plain),
        resourceVersion: result.metadata?.resourceVersion ?? '',
      };
    },
    async apply(object) {
      const what = `apply ${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
      return plain(await call(what, () => objects.patch(object as ClientObject, undefined, undefined, manager, true, PatchStrategy.ServerSideApply)));
    },
    async applyStatus(input) {
      const body = {
        apiVersion: `${CRD.group}/${CRD.version}`,
        kind: CRD.kind,
        metadata: { name: input.name, namespace: input.namespace },
        status: input.status,
      };
      await call(`apply status of ${CRD.kind} ${input.namespace}/${input.name}`, () =>
        custom.patchNamespacedCustomObjectStatus(
          { group: CRD.group, version: CRD.version, namespace: input.namespace, plural: CRD.plural, name: input.name, body, fieldManager: manager, force: true },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        ),
      );
    },
    async create(object) {
      return plain(await call(`create ${object.kind}`, () => objects.create(object as ClientObject, undefined, undefined, manager)));
    },
    async replace(object) {
      return plain(await call(`replace ${object.kind}`, () => objects.replace(object as ClientObject, undefined, undefined, manager)));
    },
    async delete(kind, namespace, name) {
      try {
        await objects.delete({ apiVersion: apiVersionOf(kind), kind, metadata: { name, namespace } });
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return;
        throw callError(`DELETE ${kind} ${namespace}/${name}`, error);
      }
    },
  };
}

const API_VERSIONS: Readonly<Record<string, string>> = {
  [CRD.kind]: `${CRD.group}/${CRD.version}`,
  StatefulSet: 'apps/v1',
  Deployment: 'apps/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodMonitor: 'monitoring.coreos.com/v1',
  Lease: 'coordination.k8s.io/v1',
};

/** The apiVersion the controller uses for a kind (core kinds: v1). */
export function apiVersionOf(kind: string): string {
  return API_VERSIONS[kind] ?? 'v1';
}

/** Plain JSON of a client-node answer (Dates become RFC 3339 strings). */
export function plain(value: unknown): JsonObject {
  return asJsonObject(JSON.parse(JSON.stringify(value ?? {}))) ?? {};
}

function callError(what: string, error: unknown): KubeCallError {
  if (error instanceof KubeCallError) return error;
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    const message = typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : String(body);
    return new KubeCallError(error.code, `${what} failed: HTTP ${error.code}: ${message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new KubeCallError(0, `${what} failed: ${message}: check that the API server is reachable`, { cause: error });
}
