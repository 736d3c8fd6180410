/**
 * Where the controller finds the API server, as client-node's KubeConfig: in a pod, its
 * ServiceAccount (explicitly, never a stray kubeconfig); elsewhere the kubeconfig named by
 * `--kubeconfig` or `KUBECONFIG`, or `~/.kube/config`, with whatever it holds (tokens, client
 * certificates, exec plugins).
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * client-node's KubeConfig with one HTTP dispatcher (undici Agent, keep-alive) per cluster and
 * user. client-node 2.0.1 builds a new undici Agent in every `applySecurityAuthentication`, so
 * every request and every watch opened its own TLS connection (a handshake and a SecureContext
 * from the CA each time, the socket then idle until undici's keep-alive timeout): 3,300 applies
 * left about 400 MiB of native memory. client-node takes no dispatcher option (`createDispatcher`
 * is private; its `agentCache` serves only the WebSocket/https.Agent path), and its `Watch` takes
 * a KubeConfig, so the one method every API client and watch calls is overridden here: the first
 * dispatcher client-node builds, with all its TLS/proxy handling, is kept and reused. Keyed like
 * client-node's own agent cache (cluster and user names).
 */
class SharedDispatcherKubeConfig extends KubeConfig {
  readonly #dispatchers = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const built = context.getDispatcher();
    if (built === undefined) return;
    const key = JSON.stringify([this.getCurrentCluster()?.name ?? '', this.getCurrentUser()?.name ?? '']);
    const shared = this.#dispatchers.get(key);
    // The one just built has no connection yet: dropping it costs nothing.
    if (shared === undefined) this.#dispatchers.set(key, built);
    else context.setDispatcher(shared);
  }
}

/** Options of `loadKubeConfig`. */
export interface KubeConfigOptions {
  kubeconfig: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Every request impersonates this user (tests run the controller with its own RBAC). */
  impersonate?: string;
}

/** The KubeConfig the controller talks with: every request over one keep-alive connection pool. */
export function loadKubeConfig(options: KubeConfigOptions): KubeConfig {
  const kc = new SharedDispatcherKubeConfig();
  const file = options.kubeconfig ?? firstPath(options.env.KUBECONFIG);
  if (file === undefined && options.env.KUBERNETES_SERVICE_HOST !== undefined) kc.loadFromCluster();
  else if (file !== undefined) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (options.impersonate === undefined) return kc;
  const impersonate = options.impersonate;
  const current = kc.getCurrentContext();
  const users = kc.users.map((u) => (u.name === kc.getContextObject(current)?.user ? { ...u, impersonateUser: impersonate } : u));
  const out = new SharedDispatcherKubeConfig();
  out.loadFromOptions({ clusters: kc.clusters, users, contexts: kc.contexts, currentContext: current });
  return out;
}

// KUBECONFIG may list several files; the first is the one read (merging is kubectl's business).
function firstPath(value: string | undefined): string | undefined {
  const first = value?.split(':').find((p) => p !== '');
  return first === undefined || first === '' ? undefined : first;
}
