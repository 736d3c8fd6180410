/**
 * Where the controller finds the API server, as client-node's KubeConfig: in a pod, its
 * ServiceAccount (explicitly, never a stray kubeconfig); elsewhere the kubeconfig named by
 * `--kubeconfig` or `KUBECONFIG`, or `~/.kube/config`, with whatever it holds (tokens, client
 * certificates, exec plugins).
 */
import { KubeConfig } from '@kubernetes/client-node';

/** Options of `loadKubeConfig`. */
export interface KubeConfigOptions {
  kubeconfig: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Every request impersonates this user (tests run the controller with its own RBAC). */
  impersonate?: string;
}

/** The KubeConfig the controller talks with. */
export function loadKubeConfig(options: KubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  const file = options.kubeconfig ?? firstPath(options.env.KUBECONFIG);
  if (file === undefined && options.env.KUBERNETES_SERVICE_HOST !== undefined) kc.loadFromCluster();
  else if (file !== undefined) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (options.impersonate === undefined) return kc;
  const impersonate = options.impersonate;
  const current = kc.getCurrentContext();
  const users = kc.users.map((u) => (u.name === kc.getContextObject(current)?.user ? { ...u, impersonateUser: impersonate } : u));
  const out = new KubeConfig();
  out.loadFromOptions({ clusters: kc.clusters, users, contexts: kc.contexts, currentContext: current });
  return out;
}

// KUBECONFIG may list several files; the first is the one read (merging is kubectl's business).
function firstPath(value: string | undefined): string | undefined {
  const first = value?.split(':').find((p) => p !== '');
  return first === undefined || first === '' ? undefined : first;
}
