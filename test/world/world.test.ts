/**
 * The Kubernetes world against itself: a CRD applied with kubectl is served; a StatefulSet of 3
 * local pods gets loopback addresses, is listed by a publishNotReadyAddresses headless service
 * while not ready, resolves forward and reverse through CoreDNS, becomes Ready through HTTP
 * probes; scaling in runs the highest ordinal's preStop before SIGTERM; the re-created pod finds
 * its claim's files again. SIGTERM reaches a container's first process only, and the rest of the
 * container dies with it. Images: an unknown one cannot be pulled; `kubectl apply -k deploy/` runs
 * the controller from its image. The API server reports its release to kubectl.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm as rmFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startWorld } from './world.ts';
import type { World } from './world.ts';
import { VersionApi } from '@kubernetes/client-node';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { MERGE_PATCH, unlessNotFound, wire } from './kube.ts';
import { httpStatus, waitCrdEstablished, waitFor } from './wait.ts';
import type { Pod } from './pods/pod-types.ts';

const exec = promisify(execFile);
// One world start and a StatefulSet's life take longer than the suite's default per-file limit.
t.setTimeout(420_000);
const NS = 'world-test';

let world: World;
t.before(async () => {
  // A short crash-loop back-off keeps the restart check quick; kubelet's is 10 s.
  world = await startWorld({ backoffBaseMs: 500 });
});
t.teardown(async () => {
  await world.stop();
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 60_000 });
  return stdout;
}

async function apply(manifest: unknown): Promise<void> {
  const file = join(world.dir, `manifest-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(manifest));
  await kubectl('apply', '-f', file);
}

async function namespaceWithAccount(ns: string): Promise<void> {
  await kubectl('create', 'namespace', ns);
  await waitFor(async () => ((await defaultAccount(ns)) === undefined ? undefined : true), {
    what: `the default service account of ${ns}`,
    timeoutMs: 60_000,
  });
}

function defaultAccount(namespace: string): Promise<unknown> {
  return unlessNotFound(world.kube.core.readNamespacedServiceAccount({ namespace, name: 'default' }));
}

async function pods(): Promise<Pod[]> {
  return (await world.kube.core.listNamespacedPod({ namespace: NS, labelSelector: 'app=web' })).items.map((p) => wire(p) as Pod);
}

/** A pod as the wire has it, read as the runner's Pod with the fields a test looks at. */
async function readPod<T extends Pod>(namespace: string, name: string): Promise<T> {
  return wire(await world.kube.core.readNamespacedPod({ namespace, name })) as T;
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.world.starrocks.com' },
  spec: {
    group: 'world.starrocks.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['replicas'],
                properties: { replicas: { type: 'integer', minimum: 0 }, image: { type: 'string', maxLength: 100 } },
                'x-kubernetes-validations': [{ rule: "self.replicas <= 9 || self.image != ''", message: 'large widgets need an image' }],
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

t.test('a CRD applied with kubectl apply is served, with schema validation and a status subresource', async (t) => {
  await apply(CRD);
  await waitCrdEstablished(kubectl, 'widgets.world.starrocks.com');
  await waitFor(async () => ((await kubectl('api-resources', '--api-group=world.starrocks.com', '-o', 'name')).includes('widgets') ? true : undefined), {
    what: 'widgets in discovery',
    timeoutMs: 30_000,
    intervalMs: 500,
  });
  await apply({ apiVersion: 'world.starrocks.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { replicas: 3 } });
  const got = JSON.parse(await kubectl('get', 'widget', 'w', '-o', 'json')) as { spec?: { replicas?: number } };
  t.equal(got.spec?.replicas, 3, 'the custom resource is stored and served');
  await t.rejects(apply({ apiVersion: 'world.starrocks.com/v1', kind: 'Widget', metadata: { name: 'bad', namespace: 'default' }, spec: { replicas: -1 } }), /replicas/, 'the OpenAPI schema is enforced');
  await t.rejects(apply({ apiVersion: 'world.starrocks.com/v1', kind: 'Widget', metadata: { name: 'big', namespace: 'default' }, spec: { replicas: 12, image: '' } }), /large widgets need an image/, 'CEL rules are enforced');
  await world.kube.custom.patchNamespacedCustomObjectStatus(
    { group: 'world.starrocks.com', version: 'v1', namespace: 'default', plural: 'widgets', name: 'w', body: { status: { phase: 'Ready' } } },
    MERGE_PATCH,
  );
  const withStatus = JSON.parse(await kubectl('get', 'widget', 'w', '-o', 'json')) as { status?: { phase?: string } };
  t.equal(withStatus.status?.phase, 'Ready', 'the status subresource is served');
});

t.test('a StatefulSet of local pods: addresses, DNS, readiness, preStop, claims', async (t) => {
  const world_ = world;
  await kubectl('create', 'namespace', NS);
  await waitFor(async () => ((await defaultAccount(NS)) === undefined ? undefined : true), {
    what: 'the default service account',
    timeoutMs: 60_000,
  });
  await apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: NS },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
  });
  // sh records SIGTERM in the claim, the preStop hook records itself there first.
  const script = 'trap \'echo "term $(date +%s%N)" >> /data/events; kill $PID 2>/dev/null; wait $PID; exit 0\' TERM; python3 -m http.server 8080 --bind "$POD_IP" --directory /data & PID=$!; wait $PID';
  await apply({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: NS },
    spec: {
      serviceName: 'web',
      replicas: 3,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: 'web',
              image: 'python:3',
              command: ['sh', '-c', script],
              env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
              lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo "prestop $(date +%s%N)" >> /data/events'] } } },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
    },
  });

  const running = await waitFor(
    async () => {
      const list = await pods();
      return list.length === 3 && list.every((p) => p.status?.phase === 'Running' && p.status.podIP !== undefined) ? list : undefined;
    },
    { what: '3 running pods with addresses', timeoutMs: 90_000, intervalMs: 500 },
  );
  const ipOf = new Map(running.map((p) => [p.metadata.name ?? '', p.status?.podIP ?? '']));
  t.equal(new Set(ipOf.values()).size, 3, 'each pod has its own address');
  for (const ip of ipOf.values()) t.match(ip, new RegExp(`^${world_.plan.prefix.replace(/\./g, '\\.')}\\.\\d+$`), 'inside the world /24');
  t.ok(running.every((p) => !isReady(p)), 'not ready while /ready is missing');

  const slices = await waitFor(
    async () => {
      const list = await world_.kube.objects.list<V1EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice', NS, undefined, undefined, undefined, undefined, 'kubernetes.io/service-name=web');
      const addresses = list.items.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses));
      return addresses.length === 3 ? addresses : undefined;
    },
    { what: 'the headless service to list the 3 not-ready pods', timeoutMs: 60_000, intervalMs: 500 },
  );
  t.same([...slices].sort(), [...ipOf.values()].sort(), 'publishNotReadyAddresses lists not-ready pods');

  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`${world_.dns.host}:${world_.dns.port}`]);
  for (const [name, ip] of ipOf) {
    const fqdn = `${name}.web.${NS}.svc.cluster.local`;
    const forward = await waitFor(async () => ((await resolver.resolve4(fqdn)).includes(ip) ? true : undefined), { what: `A ${fqdn}`, timeoutMs: 30_000, intervalMs: 500 });
    t.ok(forward, `${fqdn} -> ${ip}`);
    const names = await waitFor(async () => {
      const ptr = await resolver.reverse(ip);
      return ptr.length > 0 ? ptr : undefined;
    }, { what: `PTR ${ip}`, timeoutMs: 30_000, intervalMs: 500 });
    t.same(names, [fqdn], `${ip} -> ${fqdn}`);
  }

  for (const ordinal of [0, 1, 2]) writeFileSync(join(world_.runner.claimDir(NS, `data-web-${ordinal}`), 'ready'), 'ok\n');
  await waitFor(async () => ((await pods()).filter(isReady).length === 3 ? true : undefined), {
    what: '3 pods Ready through their HTTP readiness probes',
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  const readyReplicas = await waitFor(
    async () => {
      const sts = await world_.kube.apps.readNamespacedStatefulSet({ namespace: NS, name: 'web' });
      return sts.status?.readyReplicas === 3 ? 3 : undefined;
    },
    { what: 'the StatefulSet to count 3 ready replicas', timeoutMs: 30_000, intervalMs: 500 },
  );
  t.equal(readyReplicas, 3);

  const claim2 = world_.runner.claimDir(NS, 'data-web-2');
  await kubectl('-n', NS, 'scale', 'statefulset/web', '--replicas=2');
  await waitFor(async () => ((await pods()).some((p) => p.metadata.name === 'web-2') ? undefined : true), {
    what: 'web-2 to be gone',
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  const events = readFileSync(join(claim2, 'events'), 'utf8').trim().split('\n');
  t.match(events[0], /^prestop \d+$/, 'the preStop hook ran first');
  t.match(events[1], /^term \d+$/, 'then SIGTERM reached the container');
  t.ok(Number(events[0]?.split(' ')[1]) <= Number(events[1]?.split(' ')[1]), 'preStop before SIGTERM');
  t.equal(existsSync(join(claim2, 'ready')), true, 'the claim folder outlives the pod');
  t.notOk((await pods()).some((p) => p.metadata.name === 'web-1' && !isReady(p)), 'lower ordinals untouched');

  await kubectl('-n', NS, 'scale', 'statefulset/web', '--replicas=3');
  const back = await waitFor(
    async () => {
      const pod = (await pods()).find((p) => p.metadata.name === 'web-2');
      return pod !== undefined && isReady(pod) ? pod : undefined;
    },
    { what: 'web-2 back and Ready', timeoutMs: 90_000, intervalMs: 500 },
  );
  const served = await httpStatus(`http://${back.status?.podIP ?? ''}:8080/events`);
  t.equal(served.status, 200);
  t.match(served.body, /^prestop \d+\nterm \d+\n/, 'the re-created pod serves the files its claim kept');
});

t.test('a pod: init container, env as kubelet resolves it, volumes as files, probes, restarts, the agent', async (t) => {
  const ns = 'world-pod';
  await kubectl('create', 'namespace', ns);
  await waitFor(async () => ((await defaultAccount(ns)) === undefined ? undefined : true), {
    what: 'the default service account',
    timeoutMs: 60_000,
  });
  await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw', namespace: ns }, stringData: { password: 'hunter22' } });
  await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: ns }, data: { 'fe.conf': 'http_port = 8030\n', mode: 'sim' } });
  // The main container starts only after the init container wrote /work/init; it records its env,
  // serves TCP on 9000, and the liveness probe fails once /work/kill exists (one restart).
  const main = [
    'test -f /work/init || exit 3',
    'echo "$POD_NAME $MYSQL_PWD $MODE $ADDR" > /work/env',
    'cat /etc/conf/fe.conf > /work/conf-copy',
    'cat /etc/podinfo/labels > /work/labels-copy',
    'cat /etc/secret/password > /work/secret-copy',
    'exec python3 -m http.server 9000 --bind "$POD_IP" --directory /work',
  ].join(' && ');
  await apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'full', namespace: ns, labels: { app: 'full' } },
    spec: {
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo done > /work/init'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
      containers: [
        {
          name: 'main',
          image: 'python:3',
          command: ['sh', '-c', main],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MYSQL_PWD', valueFrom: { secretKeyRef: { name: 'pw', key: 'password' } } },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'conf', key: 'mode' } } },
            { name: 'ADDR', value: '$(POD_NAME):$(MODE)' },
          ],
          startupProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1, failureThreshold: 30 },
          readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 },
          livenessProbe: { exec: { command: ['sh', '-c', 'test ! -f /work/kill'] }, periodSeconds: 1, failureThreshold: 2 },
          volumeMounts: [
            { name: 'work', mountPath: '/work' },
            { name: 'conf', mountPath: '/etc/conf' },
            { name: 'podinfo', mountPath: '/etc/podinfo' },
            { name: 'secret', mountPath: '/etc/secret', readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: 'work', emptyDir: {} },
        { name: 'conf', configMap: { name: 'conf' } },
        { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'secret', secret: { secretName: 'pw' } },
      ],
    },
  });
  type Full = Pod & { status?: { containerStatuses?: { restartCount: number; ready: boolean }[] } };
  const ready = await waitFor(async () => {
    const pod = await readPod<Full>(ns, 'full');
    return isReady(pod) ? pod : undefined;
  }, { what: 'the pod to be Ready through its startup and TCP probes', timeoutMs: 60_000, intervalMs: 500 });
  const ip = ready.status?.podIP ?? '';
  t.match(ready.status?.conditions?.find((c) => c.type === 'Initialized'), { status: 'True' }, 'initialized after the init container');
  t.equal((await httpStatus(`http://${ip}:9000/env`)).body, 'full hunter22 sim full:sim\n', 'fieldRef, secretKeyRef, configMapKeyRef and $(VAR) resolved');
  t.equal((await httpStatus(`http://${ip}:9000/conf-copy`)).body, 'http_port = 8030\n', 'ConfigMap volume as files');
  t.equal((await httpStatus(`http://${ip}:9000/labels-copy`)).body, 'app="full"', 'downward API volume as files');
  t.equal((await httpStatus(`http://${ip}:9000/secret-copy`)).body, 'hunter22', 'Secret volume as files, decoded');

  const workDir = join(world.dir, 'pods', ready.metadata.uid ?? '', 'volumes', 'work');
  writeFileSync(join(workDir, 'kill'), '');
  const restarted = await waitFor(async () => {
    const pod = await readPod<Full>(ns, 'full');
    return (pod.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? pod : undefined;
  }, { what: 'a restart after the liveness probe failed', timeoutMs: 60_000, intervalMs: 500 });
  t.equal(restarted.status?.containerStatuses?.[0]?.restartCount, 1, 'restarted once');
  await rmFile(join(workDir, 'kill'));
  await waitFor(async () => (isReady(await readPod(ns, 'full')) ? true : undefined), { what: 'Ready again after the restart', timeoutMs: 60_000, intervalMs: 500 });

  await apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'agent', namespace: ns },
    spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'starrocks-fe-agent:3.5', command: ['/opt/starrocks-agent/starrocks-agent', '--version'] }] },
  });
  const agentPod = await waitFor(async () => {
    const pod = await readPod(ns, 'agent');
    return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' ? pod : undefined;
  }, { what: 'the agent pod to finish', timeoutMs: 60_000, intervalMs: 500 });
  t.equal(agentPod.status?.phase, 'Succeeded', 'a command naming the agent runs the agent from this repository');
  t.match(readFileSync(join(world.dir, 'pods', agentPod.metadata.uid ?? '', 'logs', 'agent.log'), 'utf8'), /^starrocks-agent /);
  await kubectl('delete', 'namespace', ns, '--wait=false');
});

t.test('deletion sends SIGTERM to the first process only; the rest of the container dies with it', async (t) => {
  const ns = 'world-signals';
  await namespaceWithAccount(ns);
  const dir = join(world.dir, 'signals');
  mkdirSync(dir);
  // The first process records SIGTERM and exits a second later; its child records any SIGTERM it
  // gets, and otherwise runs until something kills it. ($$$$ is $$ once kubelet expanded the command.)
  const child = `trap "echo TERM > ${dir}/child" TERM; echo $$$$ > ${dir}/child.pid; while :; do sleep 0.1; done`;
  const first = `trap 'echo TERM > ${dir}/first; sleep 1; exit 0' TERM; sh -c '${child}' & wait`;
  await apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'signals', namespace: ns },
    spec: { terminationGracePeriodSeconds: 10, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', first] }] },
  });
  const childPid = await waitFor(async () => (existsSync(join(dir, 'child.pid')) ? Number(readFileSync(join(dir, 'child.pid'), 'utf8')) : undefined), {
    what: 'the child to start',
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  await kubectl('-n', ns, 'delete', 'pod', 'signals', '--timeout=60s');
  t.equal(readFileSync(join(dir, 'first'), 'utf8'), 'TERM\n', 'the first process got SIGTERM');
  t.equal(existsSync(join(dir, 'child')), false, 'its child got no SIGTERM');
  const gone = await waitFor(async () => (existsSync(`/proc/${childPid}`) ? undefined : true), { what: 'the child to be gone', timeoutMs: 5_000, intervalMs: 100 });
  t.ok(gone, 'the child died with the first process');
});

t.test('a pod whose image the world does not know waits in ErrImagePull and runs nothing', async (t) => {
  const ns = 'world-images';
  await namespaceWithAccount(ns);
  const marker = join(world.dir, 'unknown-image-ran');
  await apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'unknown', namespace: ns },
    spec: { containers: [{ name: 'main', image: 'any/fe:3.3', command: ['sh', '-c', `touch ${marker}; sleep 60`] }] },
  });
  type Waiting = Pod & { status?: { containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[] } };
  const waiting = await waitFor(
    async () => {
      const pod = await readPod<Waiting>(ns, 'unknown');
      const state = pod.status?.containerStatuses?.[0]?.state?.waiting;
      return state?.reason === 'ErrImagePull' ? { pod, state } : undefined;
    },
    { what: 'the container to wait in ErrImagePull', timeoutMs: 30_000, intervalMs: 200 },
  );
  t.match(waiting.state.message, /^Failed to pull image "any\/fe:3\.3": .*docker\.io\/any\/fe:3\.3: not found$/, 'the message names the image');
  t.equal(waiting.pod.status?.phase, 'Pending');
  const backOff = await waitFor(
    async () => {
      const state = (await readPod<Waiting>(ns, 'unknown')).status?.containerStatuses?.[0]?.state?.waiting;
      return state?.reason === 'ImagePullBackOff' ? state : undefined;
    },
    { what: 'the back-off after the failed pull', timeoutMs: 30_000, intervalMs: 200 },
  );
  t.equal(backOff.message, 'Back-off pulling image "any/fe:3.3"');
  t.equal(existsSync(marker), false, 'the command never ran');
  await kubectl('-n', ns, 'delete', 'pod', 'unknown', '--timeout=60s');
});

t.test('kubectl apply -k deploy/ runs the controller from its image; one replica holds the Lease', async (t) => {
  await kubectl('apply', '-k', join(REPO_ROOT, 'deploy'));
  type ControllerPod = Pod & { spec: { containers: { image?: string }[] }; status?: { containerStatuses?: { state?: { running?: unknown }; imageID?: string }[] } };
  const running = await waitFor(
    async () => {
      const list = await world.kube.core.listNamespacedPod({ namespace: 'starrocks-system', labelSelector: 'app.kubernetes.io/name=starrocks-controller' });
      const items = list.items.map((p) => wire(p) as ControllerPod);
      const up = items.filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running !== undefined);
      return items.length === 2 && up.length === 2 ? up : undefined;
    },
    { what: 'the 2 controller pods Running', timeoutMs: 120_000, intervalMs: 500 },
  );
  t.same(running.map((p) => p.spec.containers[0]?.image), ['starrocks-controller:0.1.0', 'starrocks-controller:0.1.0'], 'from the image kustomize set');
  t.same(running.map((p) => p.status?.containerStatuses?.[0]?.imageID), ['world-local://starrocks-controller', 'world-local://starrocks-controller']);
  const names = running.map((p) => p.metadata.name ?? '');
  const holder = await waitFor(
    async () => {
      const lease = await unlessNotFound(world.kube.coordination.readNamespacedLease({ namespace: 'starrocks-system', name: 'starrocks-controller' }));
      const identity = lease?.spec?.holderIdentity;
      return identity !== undefined && names.includes(identity) ? identity : undefined;
    },
    { what: 'a controller pod to hold the leader Lease', timeoutMs: 60_000, intervalMs: 500 },
  );
  t.ok(names.includes(holder), `${holder} leads`);
  const log = readFileSync(join(world.dir, 'pods', running.find((p) => p.metadata.name === holder)?.metadata.uid ?? '', 'logs', 'controller.log'), 'utf8');
  t.match(log, /leading/, 'the leader says so in its log');
  await kubectl('delete', 'deployment', 'starrocks-controller', '-n', 'starrocks-system', '--wait=false');
});

t.test('the API server reports its release to kubectl and on /version', async (t) => {
  const printed = JSON.parse(await kubectl('version', '-o', 'json')) as { serverVersion?: { gitVersion?: string } };
  t.equal(printed.serverVersion?.gitVersion, 'v1.35.4', 'kubectl version');
  const version = await world.kube.config.makeApiClient(VersionApi).getCode();
  t.match(version, { gitVersion: 'v1.35.4', major: '1', minor: '35', gitTreeState: 'clean' }, '/version');
});
