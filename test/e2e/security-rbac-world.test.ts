/**
 * Issue 12 item 1 in the Kubernetes world, with real tokens: the agent's Role
 * (controller/render/agent-rbac.ts) and the admission policy deploy/agent-policy.yaml hold an
 * agent to its own pod's `starrocks.com/agent-` annotations and its own cluster's fence. Tokens
 * are minted by the API server's TokenRequest bound to a pod, as kubelet (and the world's pod
 * runner) projects them, so the pod name reaches the policy as `authentication.kubernetes.io/pod-name`.
 * What the agent does (annotateSelf, createFence, readFence, readPod, statefulSetReplicas,
 * readStarRocksCluster, emitEvent) goes through the agent's own client, createAgentKube.
 * Item 3: the default rendering of every example is admitted by Pod Security `restricted`, a
 * privileged sidecar is not. Item 4: the controller's effective rights, as `kubectl auth can-i
 * --list` reports them for its ServiceAccount, are the committed list.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ANNOTATIONS, CRD, names } from '../../agent/contract/index.ts';
import { createAgentKube } from '../../agent/kube/kube-client.ts';
import type { AgentKube } from '../../agent/kube/agent-kube.ts';
import { parseCluster } from '../../controller/cr/parse.ts';
import { agentRbacRules } from '../../controller/render/agent-rbac.ts';
import { render } from '../../controller/render/render.ts';
import { clustersInFile } from '../controller/fixtures/manifests.ts';
import { kubeconfigYaml } from '../world/control-plane/kubeconfig.ts';
import type { V1Container, V1Pod, V1ValidatingAdmissionPolicy, V1Volume } from '@kubernetes/client-node';
import { MERGE_PATCH, apiMessage, httpStatus, kubeWithToken, unlessNotFound, wire } from '../world/kube.ts';
import type { WorldKube } from '../world/kube.ts';
import { waitCrdEstablished, waitFor } from '../world/wait.ts';
import { REPO_ROOT, startWorld } from '../world/world.ts';
import type { World } from '../world/world.ts';

const exec = promisify(execFile);
t.setTimeout(300_000);

const NS = 'sec';
let world: World;

t.before(async () => {
  world = await startWorld();
});
t.teardown(async () => {
  await world.stop();
});

async function kubectl(...args: string[]): Promise<string> {
  return (await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 60_000 })).stdout;
}

/** The ServiceAccount, Role and RoleBinding the controller renders for a cluster (without owner). */
async function agentAccount(cluster: string): Promise<void> {
  const sa = names(cluster).agentServiceAccount;
  await world.kube.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: sa } } });
  await world.kube.rbac.createNamespacedRole({ namespace: NS, body: { metadata: { name: sa }, rules: agentRbacRules(cluster) } });
  await world.kube.rbac.createNamespacedRoleBinding({
    namespace: NS,
    body: {
      metadata: { name: sa },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: NS }],
    },
  });
}

/** A pod of the cluster that never runs (bound to no real node): only its identity matters here. */
async function pod(cluster: string, name: string): Promise<{ uid: string }> {
  const created = await world.kube.core.createNamespacedPod({
    namespace: NS,
    body: {
      metadata: { name, labels: { 'app.kubernetes.io/instance': cluster }, annotations: { 'user.example/keep': 'yes' } },
      spec: {
        serviceAccountName: names(cluster).agentServiceAccount,
        nodeName: 'no-such-node',
        containers: [{ name: 'main', image: 'starrocks/be-ubuntu:3.3.0' }],
      },
    },
  });
  return { uid: created.metadata?.uid ?? '' };
}

/** A token of the cluster's agent account, bound to a pod as kubelet's projected token is (or unbound). */
async function token(cluster: string, boundTo?: { name: string; uid: string }): Promise<string> {
  const response = await world.kube.core.createNamespacedServiceAccountToken({
    namespace: NS,
    name: names(cluster).agentServiceAccount,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [], expirationSeconds: 3600, ...(boundTo === undefined ? {} : { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', ...boundTo } }) },
    },
  });
  const issued = response.status?.token;
  if (issued === undefined) throw new Error(`TokenRequest for ${names(cluster).agentServiceAccount} returned no token`);
  return issued;
}

function kubeAs(bearer: string): WorldKube {
  return kubeWithToken(world.kube.config, bearer);
}

/** A JSON merge patch of a pod, as `kube`'s identity. */
function patchPod(kube: WorldKube, name: string, body: unknown): Promise<V1Pod> {
  return kube.core.patchNamespacedPod({ namespace: NS, name, body }, MERGE_PATCH);
}

function agentAs(options: { bearer: string; cluster: string; pod: string }): AgentKube {
  const kubeconfig = join(world.dir, `kubeconfig-${options.pod}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(kubeconfig, kubeconfigYaml({ server: world.controlPlane.apiServerUrl, caPem: world.controlPlane.caPem, token: options.bearer }), { mode: 0o600 });
  return createAgentKube({ namespace: NS, podName: options.pod, cluster: options.cluster, timeoutMs: 10_000, env: { KUBECONFIG: kubeconfig }, command: 'run' });
}

/** The HTTP status and message of a request that is expected to fail. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call;
    return { status: 200, message: 'allowed' };
  } catch (error) {
    const status = httpStatus(error);
    if (status === undefined) throw error;
    return { status, message: apiMessage(error) };
  }
}

/** A JSON merge patch that changes only the pod's image (a merge patch replaces the whole list). */
async function imagePatch(name: string): Promise<unknown> {
  const current = wire(await world.kube.core.readNamespacedPod({ namespace: NS, name })) as { spec: { containers: Record<string, unknown>[] } };
  return { spec: { containers: current.spec.containers.map((c) => ({ ...c, image: 'evil/image:1' })) } };
}

let a0: { uid: string };
let aBe: { uid: string };
let aToken: string;

t.before(async () => {
  await kubectl('apply', '-f', join(REPO_ROOT, 'deploy', 'agent-policy.yaml'));
  await kubectl('apply', '-f', join(REPO_ROOT, 'crds', 'starrocks.com_starrocksclusters.yaml'));
  await waitCrdEstablished(kubectl, `${CRD.plural}.${CRD.group}`);
  await kubectl('create', 'namespace', NS);
  await agentAccount('a');
  await agentAccount('b');
  a0 = await pod('a', 'a-fe-0');
  aBe = await pod('a', 'a-be-0');
  await pod('b', 'b-fe-0');
  await world.kube.apps.createNamespacedStatefulSet({
    namespace: NS,
    body: {
      metadata: { name: 'a-be' },
      spec: {
        replicas: 0,
        serviceName: 'a-be-search',
        selector: { matchLabels: { app: 'a-be' } },
        template: { metadata: { labels: { app: 'a-be' } }, spec: { containers: [{ name: 'be', image: 'starrocks/be-ubuntu:3.3.0' }] } },
      },
    },
  });
  await world.kube.custom.createNamespacedCustomObject({
    group: CRD.group,
    version: CRD.version,
    namespace: NS,
    plural: CRD.plural,
    body: { apiVersion: `${CRD.group}/${CRD.version}`, kind: CRD.kind, metadata: { name: 'a' }, spec: { starRocksFeSpec: { image: 'starrocks/fe-ubuntu:3.3.0' } } },
  });
  aToken = await token('a', { name: 'a-be-0', uid: aBe.uid });
  // The API server loads a new policy asynchronously: wait until it holds, with a request that
  // changes nothing (dry run) and is not one of the assertions below.
  const probe = kubeAs(aToken);
  await waitFor(
    async () => {
      const r = await refusal(probe.core.createNamespacedConfigMap({ namespace: NS, dryRun: 'All', body: { metadata: { name: 'policy-probe' } } }));
      return r.status === 403 && r.message.includes('may create only the fence') ? true : undefined;
    },
    { what: 'the starrocks-agent admission policy in force', timeoutMs: 30_000, intervalMs: 250 },
  );
});

t.test('the policy type-checks against the API server (no CEL warnings)', async (t) => {
  const policy = await world.kube.objects.read<V1ValidatingAdmissionPolicy>({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'starrocks-agent' },
  });
  t.same(policy.status?.typeChecking?.expressionWarnings ?? [], []);
});

t.test("an agent token cannot change another pod's image", async (t) => {
  const r = await refusal(patchPod(kubeAs(aToken), 'a-fe-0', await imagePatch('a-fe-0')));
  t.equal(r.status, 403, r.message);
  t.match(r.message, /may patch only its own pod \(a-be-0\), not a-fe-0/);
  const other = await refusal(patchPod(kubeAs(aToken), 'b-fe-0', { metadata: { annotations: { [ANNOTATIONS.phase]: 'x' } } }));
  t.equal(other.status, 403, `another cluster's pod, even its agent annotations: ${other.message}`);
  const after = await world.kube.core.readNamespacedPod({ namespace: NS, name: 'a-fe-0' });
  t.equal(after.spec?.containers[0]?.image, 'starrocks/be-ubuntu:3.3.0');
  // The same patch is a valid pod update: only the policy stops it.
  const admin = await refusal(patchPod(world.kube, 'b-fe-0', await imagePatch('b-fe-0')));
  t.equal(admin.status, 200, `the admin may change an image with the same patch: ${admin.message}`);
});

t.test("an agent token cannot change its own pod's spec, labels or other annotations", async (t) => {
  const agent = kubeAs(aToken);
  const spec = await refusal(patchPod(agent, 'a-be-0', await imagePatch('a-be-0')));
  t.equal(spec.status, 403, spec.message);
  t.match(spec.message, /may change only annotations under starrocks\.com\/agent- of pod a-be-0/);
  const label = await refusal(patchPod(agent, 'a-be-0', { metadata: { labels: { 'app.kubernetes.io/instance': 'b' } } }));
  t.equal(label.status, 403, label.message);
  const userAnnotation = await refusal(patchPod(agent, 'a-be-0', { metadata: { annotations: { 'user.example/keep': 'no' } } }));
  t.equal(userAnnotation.status, 403, userAnnotation.message);
  const removeUserAnnotation = await refusal(patchPod(agent, 'a-be-0', { metadata: { annotations: { 'user.example/keep': null } } }));
  t.equal(removeUserAnnotation.status, 403, removeUserAnnotation.message);
  const foreign = await refusal(patchPod(agent, 'a-be-0', { metadata: { annotations: { 'starrocks.com/spec-hash': 'x' } } }));
  t.equal(foreign.status, 403, `starrocks.com/ keys outside agent- are not the agent's: ${foreign.message}`);
});

t.test('a token of the agent account not bound to a pod patches no pod', async (t) => {
  const unbound = await token('a');
  const r = await refusal(patchPod(kubeAs(unbound), 'a-be-0', { metadata: { annotations: { [ANNOTATIONS.phase]: 'x' } } }));
  t.equal(r.status, 403, r.message);
  t.match(r.message, /its token is not bound to a pod/);
});

t.test('the agent annotates its own pod with its own client (server-side apply), reads peers, its StatefulSet and cluster', async (t) => {
  const agent = agentAs({ bearer: aToken, cluster: 'a', pod: 'a-be-0' });
  await agent.annotateSelf({ [ANNOTATIONS.phase]: 'running', [ANNOTATIONS.lastError]: 'none' });
  await agent.annotateSelf({ [ANNOTATIONS.lastError]: null });
  const self = await agent.readPod('a-be-0');
  t.equal(self?.annotations[ANNOTATIONS.phase], 'running');
  t.notOk(ANNOTATIONS.lastError in (self?.annotations ?? {}), 'an agent annotation removed');
  t.equal(self?.annotations['user.example/keep'], 'yes', "the user's annotation is kept");
  const merge = await refusal(patchPod(kubeAs(aToken), 'a-be-0', { metadata: { annotations: { [ANNOTATIONS.decommission]: '{}' } } }));
  t.equal(merge.status, 200, 'a merge patch of an agent annotation is allowed too');
  t.ok((await agent.readPod('a-fe-0')) !== undefined, 'a peer pod is readable');
  t.equal(await agent.statefulSetReplicas('a-be'), 0);
  t.match(await agent.readStarRocksCluster(), { metadata: { name: 'a' } });
  await agent.emitEvent({ type: 'Normal', reason: 'PolicyCheck', message: 'own pod' });
  const events = await world.kube.core.listNamespacedEvent({ namespace: NS });
  t.ok(events.items.some((e) => e.reason === 'PolicyCheck' && e.involvedObject.name === 'a-be-0'), 'an event about its own pod is recorded');
  const foreignEvent = await refusal(
    kubeAs(aToken).core.createNamespacedEvent({
      namespace: NS,
      body: { metadata: { name: 'forged' }, involvedObject: { kind: 'Pod', name: 'b-fe-0', namespace: NS }, reason: 'Forged', message: 'x', type: 'Warning' },
    }),
  );
  t.equal(foreignEvent.status, 403, `an event about another pod: ${foreignEvent.message}`);
});

t.test("an agent may create its own cluster's fence, never another cluster's, and reads only its own", async (t) => {
  const a = agentAs({ bearer: aToken, cluster: 'a', pod: 'a-be-0' });
  const fence = { clusterId: '42', bootstrappedBy: 'a-fe-0', at: new Date(0).toISOString() };
  await t.rejects(a.createFence(names('b').fence, fence), { code: 'ERR_KUBERNETES', message: /may create only the fence ConfigMap a-fe-bootstrap, not b-fe-bootstrap/ });
  t.equal(await unlessNotFound(world.kube.core.readNamespacedConfigMap({ namespace: NS, name: names('b').fence })), undefined, "cluster b's fence was not pre-created");
  const other = await refusal(kubeAs(aToken).core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'a-fe-conf' }, data: { x: '1' } } }));
  t.equal(other.status, 403, `any other ConfigMap: ${other.message}`);
  t.equal(await a.createFence(names('a').fence, fence), 'created');
  t.equal(await a.createFence(names('a').fence, fence), 'exists', 'create-only semantics kept');
  t.match(await a.readFence(names('a').fence), { clusterId: '42' });
  const feToken = await token('a', { name: 'a-fe-0', uid: a0.uid });
  t.equal(await agentAs({ bearer: feToken, cluster: 'a', pod: 'a-fe-0' }).createFence(names('a').fence, fence), 'exists', 'every agent of the cluster may (re)create its fence');
  // RBAC: no update of the fence, no other ConfigMap read, no list.
  const update = await refusal(kubeAs(aToken).core.patchNamespacedConfigMap({ namespace: NS, name: names('a').fence, body: { data: { clusterId: '7' } } }, MERGE_PATCH));
  t.equal(update.status, 403, update.message);
  const list = await refusal(kubeAs(aToken).core.listNamespacedPod({ namespace: NS }));
  t.equal(list.status, 403, `no pod list: ${list.message}`);
  const otherSts = await refusal(kubeAs(aToken).apps.readNamespacedStatefulSet({ namespace: NS, name: 'b-be' }));
  t.equal(otherSts.status, 403, `no other StatefulSet: ${otherSts.message}`);
});

t.test('Pod Security restricted admits the default rendering of every example, and refuses a privileged sidecar', async (t) => {
  const ns = 'restricted';
  await kubectl('create', 'namespace', ns);
  await kubectl('label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted');
  const dir = join(REPO_ROOT, 'deploy', 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  t.ok(files.length >= 3, files.join(', '));
  type Template = { metadata?: Record<string, unknown>; spec: { volumes?: V1Volume[]; containers: V1Container[] } };
  type StatefulSet = { kind: string; metadata: { name: string }; spec: { template: Template; volumeClaimTemplates?: { metadata: { name: string } }[] } };
  // The StatefulSet's pod, as its controller creates it: the template plus the claims as volumes.
  const podOf = (sts: StatefulSet): V1Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...sts.spec.template.metadata, name: `${sts.metadata.name}-0` },
    spec: {
      ...sts.spec.template.spec,
      volumes: [
        ...(sts.spec.template.spec.volumes ?? []),
        ...(sts.spec.volumeClaimTemplates ?? []).map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${sts.metadata.name}-0` } })),
      ],
    },
  });
  const rendered = (raw: Record<string, unknown>): StatefulSet[] => {
    const { cluster, problems } = parseCluster({ ...raw, metadata: { ...(raw.metadata as object), namespace: ns, uid: 'u' } });
    if (cluster === undefined || problems.length > 0) throw new Error(`example does not parse: ${problems.join('; ')}`);
    return render({ cluster }).filter((o) => o.kind === 'StatefulSet') as unknown as StatefulSet[];
  };
  const accounts = new Set<string>();
  let admitted = 0;
  for (const file of files) {
    for (const raw of clustersInFile(join(dir, file))) {
      const sa = names(String((raw.metadata as { name: string }).name)).agentServiceAccount;
      if (!accounts.has(sa)) await world.kube.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa } } });
      accounts.add(sa);
      for (const sts of rendered(raw)) {
        const r = await refusal(world.kube.core.createNamespacedPod({ namespace: ns, dryRun: 'All', body: podOf(sts) }));
        t.equal(r.status, 200, `${file}: ${sts.metadata.name} admitted: ${r.message}`);
        admitted += 1;
      }
    }
  }
  t.ok(admitted >= 6, `${admitted} pod templates admitted`);

  const [minimal] = clustersInFile(join(dir, 'minimal.yaml'));
  if (minimal === undefined) throw new Error('deploy/examples/minimal.yaml has no StarRocksCluster');
  const spec = minimal.spec as Record<string, Record<string, unknown>>;
  const privileged = {
    ...minimal,
    spec: { ...spec, starRocksBeSpec: { ...spec.starRocksBeSpec, sidecars: [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }] } },
  };
  const be = rendered(privileged).find((s) => s.metadata.name.endsWith('-be'));
  if (be === undefined) throw new Error('no BE StatefulSet rendered');
  const refused = await refusal(world.kube.core.createNamespacedPod({ namespace: ns, dryRun: 'All', body: podOf(be) }));
  t.equal(refused.status, 403, refused.message);
  t.match(refused.message, /violates PodSecurity "restricted:latest": privileged \(container "debug" must not set securityContext\.privileged=true\)/);
});

t.test("the controller's effective rights are the committed list (kubectl auth can-i --list as its ServiceAccount)", async (t) => {
  await kubectl('apply', '-f', join(REPO_ROOT, 'deploy', 'namespace.yaml'), '-f', join(REPO_ROOT, 'deploy', 'rbac.yaml'));
  const as = 'system:serviceaccount:starrocks-system:starrocks-controller';
  // A cluster's namespace (ClusterRole only) and the controller's own (plus its Lease Role).
  const rights = async (namespace: string): Promise<string[]> => {
    const out = await kubectl('auth', 'can-i', '--list', `--as=${as}`, '-n', namespace);
    // Rows: Resources, Non-Resource URLs, Resource Names, Verbs. Self-review rows every account has are left out.
    return out
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s{2,}/))
      .filter((cols) => cols.length >= 4 && !/^(selfsubject|tokenreviews)/.test(cols[0] ?? '') && (cols[0] ?? '') !== '')
      .map((cols) => `${namespace === 'starrocks-system' ? 'own-ns ' : ''}${cols[0]} ${cols[2]} ${cols[3]}`)
      .sort();
  };
  const actual = [...(await rights(NS)), ...(await rights('starrocks-system')).filter((r) => r.includes('leases'))];
  const expected = readFileSync(join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'controller-rights.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  t.same(actual, expected, actual.join('\n'));
  for (const line of actual) {
    t.notOk(/\*|\bescalate\b|\bbind\b|\bimpersonate\b/.test(line), `no wildcard, escalate, bind or impersonate: ${line}`);
    if (line.startsWith('secrets')) t.match(line, /^secrets \S+ \[create\]$/, 'secrets: create only');
  }
});
