/**
 * Issue 6 in the Kubernetes world: the agent's preStop hook tells a restart from a scale-in by
 * reading its StatefulSet's replicas from the real API server, with its own service account.
 * On 1 FE, 4 BE and 2 CN (a table with 3 replicas on the BEs):
 * - a restart of one pod of every component deregisters nothing and adds nothing;
 * - scaling BE 4 -> 3 and CN 2 -> 1 (through the StarRocksCluster) decommissions BE 3 until
 *   every tablet moved (none lost, none under-replicated) and drops CN 1: no ghost row;
 * - with the agent's permission to read StatefulSets taken away (the API cannot answer), a
 *   scale-in BE stops as for a restart and stays registered;
 * - a decommission StarRocks refuses (3 replicas need 3 BEs) keeps the BE registered, with the
 *   reason in an event and in the pod annotation.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ANNOTATIONS, names } from '../../agent/contract/index.ts';
import { agentRbacRules } from '../../controller/render/agent-rbac.ts';
import { addsByTarget } from '../agent/fixtures/sim-pods.ts';
import { MERGE_PATCH, wire } from '../world/kube.ts';
import { waitFor } from '../world/wait.ts';
import { describeView, startWorldCluster } from './fixtures/world-cluster.ts';
import type { WorldCluster } from './fixtures/world-cluster.ts';

t.setTimeout(480_000);

let cluster: WorldCluster | undefined;
t.teardown(async () => {
  if (cluster !== undefined && !t.passing()) t.comment(cluster.diagnostics());
  await cluster?.stop();
});

const c = (cluster = await startWorldCluster({ shape: { fe: 1, be: 4, cn: 2 }, graceSeconds: { fe: 30, be: 60, cn: 30 } }));
const n = names(c.name);
await c.converged({ fe: 1, be: 4, cn: 2 }, 300_000);
c.sim.createTable({ db: 'db1', table: 'orders', buckets: 12, replicationNum: 3 });

const statementsFor = (pattern: RegExp, host: string): string[] =>
  c.sim
    .statements()
    .filter((s) => pattern.test(s.sql) && s.sql.includes(host))
    .map((s) => s.sql);
const eventsOf = async (pod: string): Promise<{ type: string; reason: string; message: string }[]> =>
  (await c.agentEvents()).filter((e) => e.pod === pod);
const podGone = (component: 'be' | 'cn', count: number): Promise<true> =>
  waitFor(async () => ((await c.pods(component)).length === count ? true : undefined), {
    what: `${count} ${component.toUpperCase()} pods left`,
    timeoutMs: 120_000,
    intervalMs: 500,
  });
const patchRoleRules = async (rules: unknown): Promise<void> => {
  await c.world.kube.rbac.patchNamespacedRole({ namespace: c.namespace, name: n.agentServiceAccount, body: { rules } }, MERGE_PATCH);
};
const agentUser = `system:serviceaccount:${c.namespace}:${n.agentServiceAccount}`;
// The controller applies the whole desired state on every change it sees, so a hand edit of the
// agent Role is repaired at once. The fault: an admission policy refusing any write of that Role
// which grants StatefulSets, armed before the edit; the controller's repair is refused meanwhile.
const roleFaultFile = join(tmpdir(), `agent-role-fault-${process.pid}.yaml`);
writeFileSync(
  roleFaultFile,
  `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: fault-agent-role-statefulsets
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: ['rbac.authorization.k8s.io']
        apiVersions: ['v1']
        operations: ['CREATE', 'UPDATE']
        resources: ['roles']
  validations:
    - expression: "object.metadata.name != '${n.agentServiceAccount}' || !object.rules.exists(r, has(r.resources) && r.resources.exists(x, x == 'statefulsets'))"
      message: 'fault injected by the test: the agent Role may not grant statefulsets'
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: fault-agent-role-statefulsets
spec:
  policyName: fault-agent-role-statefulsets
  validationActions: [Deny]
`,
);
/** Whether the API server refuses a write of the agent Role that keeps StatefulSets (the fault is loaded). */
const roleFaultArmed = async (): Promise<boolean> => {
  try {
    await c.kubectl('label', 'role', n.agentServiceAccount, '-n', c.namespace, 'probe=fault', '--overwrite', '--dry-run=server');
    return false;
  } catch (error) {
    return /fault injected/.test(String(error));
  }
};
const canReadStatefulSets = async (): Promise<boolean> => {
  const out = await c.kubectl('auth', 'can-i', 'get', `statefulsets.apps/${n.statefulSet('be')}`, '-n', c.namespace, '--as', agentUser).catch((error: { stdout?: string }) => error.stdout ?? '');
  return out.trim() === 'yes';
};

t.test('a restart of FE 0, BE 0 and CN 0 deregisters nothing and adds nothing', async (t) => {
  const addsBefore = addsByTarget(c.sim);
  const restarted = [n.pod('fe', 0), n.pod('be', 0), n.pod('cn', 0)];
  // One after the other, as a rolling restart goes (without waiting for Ready in between).
  for (const name of restarted) await c.restartPod(name);
  const ips = (await Promise.all((['fe', 'be', 'cn'] as const).map((component) => c.pods(component)))).flat().map((p) => p.ip);
  t.equal(new Set(ips).size, ips.length, `every pod has its own address: ${ips.join(', ')}`);
  const view = await c.converged({ fe: 1, be: 4, cn: 2 }, 180_000);
  t.same(
    c.sim.statements().filter((s) => /DECOMMISSION|DROP/i.test(s.sql)).map((s) => s.sql),
    [],
    'no DECOMMISSION or DROP statement',
  );
  t.same(addsByTarget(c.sim), addsBefore, 'no ADD statement: every restarted node was still registered');
  t.equal(view.backends.length, 4, `every BE still registered and alive: ${describeView(view)}`);
  t.equal(view.computeNodes.length, 2, 'both CNs still registered and alive');
  for (const name of restarted) {
    const events = await eventsOf(name);
    t.ok(events.some((e) => e.type === 'Normal' && e.reason === 'Restarting'), `${name}'s preStop saw a restart`);
    t.notOk(events.some((e) => e.reason === 'ScalingIn'), `${name}'s preStop saw no scale-in`);
  }
  t.same(c.sim.lostTablets(), [], 'no lost tablet');
  t.equal(c.sim.clusterIdsCreated().length, 1, 'still one cluster id');
  t.equal((await c.pod(n.pod('fe', 0)))?.annotations[ANNOTATIONS.plan], 'restart-from-meta', 'FE 0 restarted from its meta (no helper, no bootstrap)');
});

t.test('BE 4 -> 3 and CN 2 -> 1: BE 3 decommissions with every tablet moved, CN 1 is dropped, no ghost', async (t) => {
  await c.patchSpec({ starRocksBeSpec: { replicas: 3 }, starRocksCnSpec: { replicas: 1 } });
  const view = await c.converged({ fe: 1, be: 3, cn: 1 }, 180_000);
  t.same(
    view.backends.map((b) => b.host).sort(),
    [0, 1, 2].map((i) => c.fqdn('be', i)),
    'BE 3 is gone from SHOW BACKENDS, BE 0-2 stay',
  );
  t.same(
    view.computeNodes.map((row) => row.host),
    [c.fqdn('cn', 0)],
    'no CN 1 row left behind, CN 0 stays',
  );
  t.ok(statementsFor(/^ALTER SYSTEM DECOMMISSION BACKEND/i, c.fqdn('be', 3)).length >= 1, 'DECOMMISSION BACKEND was sent for BE 3');
  t.same(statementsFor(/^ALTER SYSTEM (DROP|DECOMMISSION) BACKEND/i, '').filter((sql) => !sql.includes(c.fqdn('be', 3))), [], 'no other BE decommissioned or dropped');
  t.equal(statementsFor(/^ALTER SYSTEM DROP COMPUTE NODE/i, c.fqdn('cn', 1)).length, 1, 'CN 1 dropped once');
  t.same(c.sim.lostTablets(), [], 'zero lost tablets');
  t.same(c.sim.underReplicatedTablets(), [], 'zero under-replicated tablets');
  // Events are listed in no particular order: look for each one.
  t.ok((await eventsOf(n.pod('be', 3))).some((e) => e.reason === 'ScalingIn'), 'BE 3 saw a scale-in');
  t.ok((await eventsOf(n.pod('be', 3))).some((e) => e.reason === 'Decommissioned'), 'BE 3 reported Decommissioned');
  t.ok((await eventsOf(n.pod('cn', 1))).some((e) => e.reason === 'Deregistered'), 'CN 1 reported Deregistered');
});

t.test('the agent cannot read its StatefulSet: a scale-in BE stops as for a restart and stays registered', async (t) => {
  const role = await c.world.kube.rbac.readNamespacedRole({ namespace: c.namespace, name: n.agentServiceAccount });
  t.same(wire(role.rules), agentRbacRules(c.name), 'the rendered Role holds the agent rules');
  const withoutStatefulSets = agentRbacRules(c.name).filter((rule) => !rule.resources.includes('statefulsets'));
  await c.kubectl('apply', '-f', roleFaultFile);
  await waitFor(async () => ((await roleFaultArmed()) ? true : undefined), { what: 'the agent Role fault armed', timeoutMs: 30_000, intervalMs: 200 });
  await patchRoleRules(withoutStatefulSets);
  try {
    await waitFor(async () => ((await canReadStatefulSets()) ? undefined : true), { what: 'RBAC to deny StatefulSets', timeoutMs: 30_000, intervalMs: 500 });
    await c.patchSpec({ starRocksBeSpec: { replicas: 2 } });
    await podGone('be', 2);
    const events = await eventsOf(n.pod('be', 2));
    t.ok(
      events.some((e) => e.type === 'Warning' && e.reason === 'ScaleInUnknown' && /assuming a restart/.test(e.message)),
      'an event says the replicas could not be read',
    );
    t.ok(events.some((e) => e.reason === 'Restarting'), 'and that it stopped as for a restart');
    t.same(statementsFor(/DECOMMISSION|DROP/i, c.fqdn('be', 2)), [], 'no DECOMMISSION or DROP for BE 2');
    const view = await c.view();
    t.ok(view?.backends.some((b) => b.host === c.fqdn('be', 2) && !b.systemDecommissioned), 'BE 2 is still registered, not decommissioning');
  } finally {
    await c.kubectl('delete', '-f', roleFaultFile, '--ignore-not-found');
    // Refused until the API server has unloaded the policy (the controller may restore it first).
    const restored = async (): Promise<true | undefined> => patchRoleRules(agentRbacRules(c.name)).then(() => true as const, () => undefined);
    await waitFor(restored, { what: 'the agent Role restored once the fault is lifted', timeoutMs: 30_000, intervalMs: 200 });
  }
  await waitFor(async () => ((await canReadStatefulSets()) ? true : undefined), { what: 'RBAC to allow StatefulSets again', timeoutMs: 30_000, intervalMs: 500 });
  await c.patchSpec({ starRocksBeSpec: { replicas: 3 } });
  await c.converged({ fe: 1, be: 3, cn: 1 }, 180_000);
  t.same(statementsFor(/^ALTER SYSTEM ADD BACKEND/i, c.fqdn('be', 2)).length, 1, 'BE 2 came back without a second ADD');
});

t.test('a decommission StarRocks refuses keeps the BE registered, the reason visible', async (t) => {
  await c.patchSpec({ starRocksBeSpec: { replicas: 2 } });
  const name = n.pod('be', 2);
  const refused = await waitFor(async () => (await eventsOf(name)).find((e) => e.reason === 'DecommissionRefused'), {
    what: 'the DecommissionRefused event',
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  t.match(refused, { type: 'Warning', message: /insufficient BE number/ }, 'a Warning event gives StarRocks reason');
  const pod = await waitFor(
    async () => {
      const p = await c.pod(name);
      return /blocked/.test(p?.annotations[ANNOTATIONS.decommission] ?? '') ? p : undefined;
    },
    { what: 'the refusal in the pod annotation', timeoutMs: 30_000, intervalMs: 500 },
  );
  t.ok(pod.terminating, 'the pod is terminating (it ends only at its grace period)');
  t.equal(pod.annotations[ANNOTATIONS.phase], 'deregistering', 'phase deregistering');
  const view = await c.view();
  const row = view?.backends.find((b) => b.host === c.fqdn('be', 2));
  t.ok(row !== undefined && row.alive && (row.tabletNum ?? 0) > 0, `BE 2 stays registered and alive with its tablets: ${view === undefined ? 'no view' : describeView(view)}`);
  t.same(statementsFor(/^ALTER SYSTEM DROP BACKEND/i, c.fqdn('be', 2)), [], 'never dropped');
  t.same(c.sim.underReplicatedTablets(), [], 'nothing under-replicated');
  t.same(c.sim.lostTablets(), [], 'nothing lost');
});
