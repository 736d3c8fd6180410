/**
 * The kubeconfig of a world: one cluster (the loopback kube-apiserver and its CA), one user (the
 * admin token), one context, for the tests, the pod runner, CoreDNS and `kubectl`.
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** The context name in every world's kubeconfig. */
const CONTEXT = 'starrocks-world';

/** What a kubeconfig needs. */
export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
}

/** The kubeconfig document as YAML. */
export function kubeconfigYaml(input: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT, cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') } }],
    users: [{ name: 'world-admin', user: { token: input.token } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: 'world-admin', namespace: 'default' } }],
    'current-context': CONTEXT,
  });
}

/** Writes the kubeconfig, readable by its owner only (it holds the admin token). */
export async function writeKubeconfig(path: string, input: KubeconfigInput): Promise<void> {
  await writeFile(path, kubeconfigYaml(input), { mode: 0o600 });
}
