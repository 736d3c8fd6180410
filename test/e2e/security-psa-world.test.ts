/**
 * Issue 12 item 3 end to end: in a namespace that enforces Pod Security `restricted`, a
 * StarRocksCluster whose BE has a privileged sidecar is refused pod by pod by the API server, and
 * the running controller says why in the cluster's status (condition Degraded, reason
 * PodCreateFailed, with the API server's message); the default rendering of the FEs is admitted
 * and runs.
 */
import t from 'tap';
import { CRD } from '../../agent/contract/index.ts';
import { waitFor } from '../world/wait.ts';
import { startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldCluster } from './fixtures/world-cluster.ts';

t.setTimeout(300_000);

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
});

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

t.test('a privileged sidecar under PSA restricted: refused by the API server, the reason in status', async (t) => {
  const c = (cluster = await startWorldCluster({
    shape: { fe: 1, be: 1, cn: 0 },
    beforeApply: async (kubectl) => {
      await kubectl('label', 'namespace', 'e2e', 'pod-security.kubernetes.io/enforce=restricted');
    },
    components: { be: { spec: { sidecars: [{ name: 'debug', image: 'busybox', command: ['sleep', '3600'], securityContext: { privileged: true } }] } } },
  }));
  const degraded = await waitFor(
    async () => {
      const cr = (await c.world.kube.custom.getNamespacedCustomObject({ group: CRD.group, version: CRD.version, namespace: c.namespace, plural: CRD.plural, name: c.name })) as {
        status?: { conditions?: Condition[] };
      };
      const found = cr.status?.conditions?.find((x) => x.type === 'Degraded' && x.status === 'True' && x.reason === 'PodCreateFailed');
      return found;
    },
    { what: 'condition Degraded/PodCreateFailed in the cluster status', timeoutMs: 120_000, intervalMs: 500 },
  );
  t.comment(`status: ${degraded.reason ?? ''}: ${degraded.message ?? ''}`);
  t.match(degraded.message ?? '', /be pods cannot be created: .*violates PodSecurity "restricted:latest": privileged \(container "debug"/, 'the API server refusal, named per component');
  t.same((await c.pods('be')).map((p) => p.name), [], 'no BE pod exists');
  const fe = await waitFor(async () => (await c.pods('fe')).find((p) => p.ready), { what: 'FE 0 Ready', timeoutMs: 120_000, intervalMs: 500 });
  t.ok(fe.ready, 'the FE, rendered by default, is admitted under restricted and runs');
});
