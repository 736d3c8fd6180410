import t from 'tap';
import { parse } from 'yaml';
import {
  AGENT_ROUTES,
  ANNOTATIONS,
  CONTAINERS,
  DATA_PATHS,
  DEFAULTS,
  ENV,
  LABELS,
  PASSWORD_MOUNTS,
  PATHS,
  PORTS,
  configMapMountPath,
  names,
  selectorLabels,
} from '../../../agent/contract/index.ts';
import { parseStarRocksConf } from '../../../agent/contract/starrocks-conf.ts';
import { BE_STORAGE_SIZE, DEFAULT_GRACE_SECONDS, DEFAULT_PROBE_SECONDS, FE_META_SIZE } from '../../../controller/cr/defaults.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { StarRocksCluster } from '../../../controller/cr/types.ts';
import { agentRbacRules } from '../../../controller/render/agent-rbac.ts';
import { POD_INDEX_LABEL, feVoterOrdinals } from '../../../controller/render/pdb.ts';
import { render } from '../../../controller/render/render.ts';
import { OFFICIAL_STYLE_YAML, baseCluster } from '../fixtures/manifests.ts';
import { container, envOf, find, podSpec } from '../fixtures/objects.ts';

type Loose = Record<string, unknown>;

function parsed(raw: unknown): StarRocksCluster {
  const { cluster, problems } = parseCluster(raw);
  if (cluster === undefined || problems.length > 0) throw new Error(JSON.stringify(problems));
  return cluster;
}

t.test('a minimal cluster renders every object with the documented defaults', async (t) => {
  const raw = baseCluster('prod');
  delete (raw.spec as Loose).starRocksCnSpec;
  const cluster = parsed(raw);
  const objects = render({ cluster });
  t.same(
    objects.map((o) => `${o.kind}/${o.metadata.name}`),
    [
      'ServiceAccount/prod-starrocks-agent',
      'Role/prod-starrocks-agent',
      'RoleBinding/prod-starrocks-agent',
      'Service/prod-fe-search',
      'Service/prod-fe-service',
      'StatefulSet/prod-fe',
      'PodDisruptionBudget/prod-fe-pdb',
      'Service/prod-be-search',
      'Service/prod-be-service',
      'StatefulSet/prod-be',
      'PodDisruptionBudget/prod-be-pdb',
    ],
  );
  for (const o of objects) {
    t.match(o.metadata, {
      namespace: 'default',
      labels: { [LABELS.instance]: 'prod', [LABELS.managedBy]: 'starrocks-controller' },
      ownerReferences: [{ apiVersion: 'starrocks.com/v1', kind: 'StarRocksCluster', name: 'prod', uid: 'uid-1', controller: true }],
    });
  }

  const fe = find(objects, 'StatefulSet', 'prod-fe');
  t.match(fe.spec, {
    replicas: 3,
    serviceName: 'prod-fe-search',
    podManagementPolicy: 'Parallel',
    selector: { matchLabels: selectorLabels('prod', 'fe') },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    volumeClaimTemplates: [{ metadata: { name: 'fe-meta' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: FE_META_SIZE } } } }],
  });
  const pod = podSpec(fe);
  t.equal(pod.serviceAccountName, 'prod-starrocks-agent');
  t.equal(pod.automountServiceAccountToken, true);
  t.equal(pod.terminationGracePeriodSeconds, DEFAULT_GRACE_SECONDS.fe);
  t.equal(podSpec(find(objects, 'StatefulSet', 'prod-be')).terminationGracePeriodSeconds, 3600);
  // Pod Security `restricted` by default (issue 12 item 3); the world test admits it in such a namespace.
  t.same(pod.securityContext, {
    fsGroup: 1000,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
    runAsNonRoot: true,
    runAsUser: 1000,
    runAsGroup: 1000,
  });
  for (const c of [...(pod.initContainers as Loose[]), ...(pod.containers as Loose[])]) {
    t.match(c.securityContext, { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } }, String(c.name));
  }

  const init = container(fe, CONTAINERS.init);
  t.same(init.command, [PATHS.agentBin, 'init']);
  const main = container(fe, 'fe');
  t.same(main.command, [PATHS.agentBin, 'run']);
  t.same((main.lifecycle as Loose).preStop, { exec: { command: [PATHS.agentBin, 'prestop'] } });
  t.same(main.startupProbe, { httpGet: { path: AGENT_ROUTES.startupz, port: PORTS.agent }, periodSeconds: 5, failureThreshold: DEFAULT_PROBE_SECONDS.startup / 5 });
  t.same(main.livenessProbe, { httpGet: { path: AGENT_ROUTES.livez, port: PORTS.agent }, periodSeconds: 5, failureThreshold: 3 });
  t.same(main.readinessProbe, { httpGet: { path: AGENT_ROUTES.readyz, port: PORTS.agent }, periodSeconds: 5, failureThreshold: 3 });
  t.same(
    (main.ports as Loose[]).map((p) => [p.name, p.containerPort]),
    [['http-port', 8030], ['rpc-port', 9020], ['query-port', 9030], ['agent', PORTS.agent]],
  );
  t.match(main.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false });

  const env = envOf(main);
  t.same(env.get(ENV.POD_NAME), { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } });
  t.same(env.get(ENV.POD_IP)?.valueFrom, { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } });
  t.same(env.get(ENV.HOST_IP)?.valueFrom, { fieldRef: { apiVersion: 'v1', fieldPath: 'status.hostIP' } });
  t.same(env.get(ENV.POD_NAMESPACE)?.valueFrom, { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } });
  t.equal(env.get(ENV.HOST_TYPE)?.value, 'FQDN');
  t.equal(env.get(ENV.COMPONENT_NAME)?.value, 'fe');
  t.equal(env.get(ENV.FE_SERVICE_NAME)?.value, 'prod-fe-service.default');
  t.equal(envOf(container(find(objects, 'StatefulSet', 'prod-be'), 'be')).get(ENV.FE_SERVICE_NAME)?.value, 'prod-fe-service');
  t.equal(env.get(ENV.FE_QUERY_PORT)?.value, '9030');
  t.equal(env.get(ENV.CLUSTER_NAME)?.value, 'prod');
  t.equal(env.get(ENV.FE_VOTERS)?.value, '3');
  t.notOk(env.has(ENV.MYSQL_PWD), 'no password unless the CR names a secret');
  t.notOk(env.has(ENV.CONFIGMAP_MOUNT_PATH));
  t.same(init.env, main.env, 'init and main containers see the same env');

  const volumes = pod.volumes as Loose[];
  t.same(volumes.find((v) => v.name === 'fe-log'), { name: 'fe-log', emptyDir: {} });
  t.same(volumes.find((v) => v.name === 'agent-state'), { name: 'agent-state', emptyDir: {} });
  t.notOk(volumes.some((v) => v.name === 'fe-meta'), 'FE meta is a PVC, not a pod volume');
  const mounts = (main.volumeMounts as Loose[]).map((m) => [m.name, m.mountPath]);
  t.same(mounts, [['fe-meta', DATA_PATHS.feMeta], ['fe-log', DATA_PATHS.feLog], ['agent-state', PATHS.agentStateDir], ['agent-bin', PATHS.agentBinDir], ['agent-password', PASSWORD_MOUNTS.agentDir]]);

  t.match(find(objects, 'Service', 'prod-fe-search').spec, {
    clusterIP: 'None',
    publishNotReadyAddresses: true,
    selector: selectorLabels('prod', 'fe'),
    ports: [{ port: 9030 }],
  });
  const external = find(objects, 'Service', 'prod-fe-service').spec as Loose;
  t.equal(external.type, 'ClusterIP');
  t.notOk(external.publishNotReadyAddresses);
  t.same((external.ports as Loose[]).map((p) => [p.name, p.port]), [['http', 8030], ['rpc', 9020], ['query', 9030], ['edit-log', 9010]]);
  t.equal(((external.ports as Loose[])[2] as Loose).appProtocol, 'mysql');
  t.same(
    (find(objects, 'Service', 'prod-be-service').spec as { ports: Loose[] }).ports.map((p) => [p.name, p.port]),
    [['be', 9060], ['webserver', 8040], ['heartbeat', 9050], ['brpc', 8060]],
  );

  t.match(find(objects, 'PodDisruptionBudget', 'prod-fe-pdb').spec, {
    minAvailable: 2,
    selector: { matchLabels: selectorLabels('prod', 'fe'), matchExpressions: [{ key: POD_INDEX_LABEL, operator: 'In', values: ['0', '1', '2'] }] },
  });
  t.same(find(objects, 'PodDisruptionBudget', 'prod-be-pdb').spec, { selector: { matchLabels: selectorLabels('prod', 'be') }, maxUnavailable: 1 });
  t.same(find(objects, 'Role', 'prod-starrocks-agent').rules, agentRbacRules('prod'));
  t.same(find(objects, 'RoleBinding', 'prod-starrocks-agent').subjects, [{ kind: 'ServiceAccount', name: 'prod-starrocks-agent', namespace: 'default' }]);
});

t.test('the agent Role is least privilege: fence access by name, no wildcards, no secrets', async (t) => {
  const rules = agentRbacRules('prod');
  for (const rule of rules) {
    t.notOk(rule.verbs.includes('*') || rule.resources.includes('*') || rule.apiGroups.includes('*'));
    t.notOk(rule.resources.includes('secrets'));
    t.notOk(rule.verbs.includes('delete'));
  }
  const cmRules = rules.filter((r) => r.resources.includes('configmaps'));
  t.same(cmRules.find((r) => r.verbs.includes('get'))?.resourceNames, [names('prod').fence]);
  t.same(cmRules.find((r) => r.verbs.includes('create'))?.verbs, ['create']);
  t.same(
    rules.filter((r) => r.resources.includes('starrocksclusters')),
    [{ apiGroups: ['starrocks.com'], resources: ['starrocksclusters'], verbs: ['get'], resourceNames: ['prod'] }],
    'its own StarRocksCluster, read only (the second record of the cluster id)',
  );
  // Exactly the calls of agent/kube/kube-client.ts: no list/watch (it gets by name), no update.
  const verbs = rules.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${r.apiGroups.join()}/${res}${r.resourceNames === undefined ? '' : `[${r.resourceNames.join()}]`}`)));
  t.same(verbs.sort(), [
    'create /configmaps',
    'create /events',
    'get /configmaps[prod-fe-bootstrap]',
    'get /pods',
    'get apps/statefulsets[prod-fe,prod-be,prod-cn]',
    'get starrocks.com/starrocksclusters[prod]',
    'patch /pods',
  ]);
});

t.test('every field of a component reaches its place', async (t) => {
  const raw = baseCluster('full');
  const spec = raw.spec as Record<string, Loose>;
  spec.agent = { logLevel: 'debug', clusterDomain: 'corp.local', sqlTimeoutMs: 2000, probeIntervalMs: 1000, passwordSecret: { name: 'root-pw', key: 'pw' } };
  spec.starRocksBeSpec = {
    image: 'be:2',
    imagePullPolicy: 'Always',
    imagePullSecrets: [{ name: 'regcred' }],
    replicas: 4,
    requests: { cpu: '2', memory: '8Gi' },
    limits: { memory: '8Gi' },
    annotations: { 'example.com/a': '1' },
    podLabels: { team: 'data' },
    schedulerName: 'custom',
    nodeSelector: { disk: 'ssd' },
    affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
    tolerations: [{ key: 'dedicated', operator: 'Exists' }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
    priorityClassName: 'high',
    service: { type: 'NodePort', annotations: { lb: 'x' }, labels: { exposed: 'yes' }, ports: [{ name: 'webserver', port: 18040, nodePort: 30040 }] },
    storageVolumes: [
      { name: 'be-data', storageClassName: 'fast', storageSize: '100Gi', mountPath: DATA_PATHS.beStorage },
      { name: 'spill', storageClassName: 'emptyDir', mountPath: '/spill' },
      { name: 'host', storageClassName: 'hostPath', hostPath: { path: '/mnt/x', type: 'DirectoryOrCreate' }, mountPath: '/host', subPath: 'sub' },
      { name: 'be-log', storageSize: '0Gi', mountPath: DATA_PATHS.beLog },
    ],
    serviceAccount: 'be-sa',
    configMapInfo: { configMapName: 'be-conf', resolveKey: 'be.conf' },
    startupProbeFailureSeconds: 601,
    livenessProbeFailureSeconds: 0,
    readinessProbeFailureSeconds: 10,
    lifecycle: { postStart: { exec: { command: ['true'] } }, preStop: { exec: { command: ['ignored'] } } },
    shareProcessNamespace: true,
    runAsNonRoot: true,
    capabilities: { add: ['SYS_NICE'] },
    readOnlyRootFilesystem: true,
    sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
    configMaps: [{ name: 'extra', mountPath: '/etc/extra', subPath: 'x.conf' }],
    secrets: [{ name: 'keys', mountPath: '/etc/keys' }],
    hostAliases: [{ ip: '127.0.0.1', hostnames: ['local'] }],
    terminationGracePeriodSeconds: 7200,
    sidecars: [{ name: 'log-shipper', image: 'shipper:1' }],
    initContainers: [{ name: 'prepare', image: 'busybox' }],
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
    persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' },
    minReadySeconds: 10,
    podManagementPolicy: 'OrderedReady',
    beEnvVars: [{ name: 'TZ', value: 'UTC' }, { name: 'HOST_TYPE', value: 'fqdn' }],
  };
  const cluster = parsed(raw);
  const beConf = parseStarRocksConf('be_http_port = 8041\nheartbeat_service_port = 9051\n');
  const objects = render({ cluster, confs: { be: beConf } });
  const sts = find(objects, 'StatefulSet', 'full-be');
  const stsSpec = sts.spec as Loose;
  t.equal(stsSpec.replicas, 4);
  t.equal(stsSpec.podManagementPolicy, 'OrderedReady');
  t.equal(stsSpec.minReadySeconds, 10);
  t.same(stsSpec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 1 } });
  t.same(stsSpec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Delete' });
  t.same(stsSpec.volumeClaimTemplates, [
    {
      metadata: { name: 'be-data', labels: { 'app.kubernetes.io/name': 'starrocks', [LABELS.instance]: 'full', [LABELS.managedBy]: 'starrocks-controller', [LABELS.component]: 'be' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Gi' } }, storageClassName: 'fast' },
    },
  ]);
  const template = stsSpec.template as { metadata: Loose; spec: Loose };
  t.match(template.metadata.labels, { team: 'data', ...selectorLabels('full', 'be') });
  t.same(template.metadata.annotations, { 'example.com/a': '1' });
  const pod = template.spec;
  t.same(pod.imagePullSecrets, [{ name: 'regcred' }]);
  t.equal(pod.schedulerName, 'custom');
  t.same(pod.nodeSelector, { disk: 'ssd' });
  t.same(pod.affinity, { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } });
  t.same(pod.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
  t.same(pod.topologySpreadConstraints, [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }]);
  t.equal(pod.priorityClassName, 'high');
  t.equal(pod.serviceAccountName, 'full-starrocks-agent', "the CR's serviceAccount is not used: the agent needs the cluster's own");
  t.equal(pod.shareProcessNamespace, true);
  t.same(pod.hostAliases, [{ ip: '127.0.0.1', hostnames: ['local'] }]);
  t.equal(pod.terminationGracePeriodSeconds, 7200);
  t.same(pod.securityContext, {
    fsGroup: 1000,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
    runAsNonRoot: true,
    runAsUser: 1000,
    runAsGroup: 1000,
    sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
  });
  t.same((pod.initContainers as Loose[]).map((c) => c.name), [CONTAINERS.install, 'prepare', CONTAINERS.init]);
  t.same((pod.containers as Loose[]).map((c) => c.name), ['be', 'log-shipper']);

  const main = container(sts, 'be');
  t.equal(main.image, 'be:2');
  t.equal(container(sts, CONTAINERS.init).image, 'be:2');
  t.equal(main.imagePullPolicy, 'Always');
  t.same(main.resources, { requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '8Gi' } });
  t.same(main.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { add: ['SYS_NICE'] }, runAsNonRoot: true });
  // The CR's own preStop runs inside the agent's, for half of the 7200 s grace period.
  t.same(main.lifecycle, { postStart: { exec: { command: ['true'] } }, preStop: { exec: { command: [PATHS.agentBin, 'prestop', '--timeout-seconds', '3600', '--', 'ignored'] } } });
  t.equal((main.startupProbe as Loose).failureThreshold, 121, 'ceil(601 / 5)');
  t.notOk('livenessProbe' in main, '0 disables the probe');
  t.equal((main.readinessProbe as Loose).failureThreshold, 2);
  t.same((main.ports as Loose[]).map((p) => [p.name, p.containerPort]), [['be-port', 9060], ['webserver-port', 8041], ['heartbeat-port', 9051], ['brpc-port', 8060], ['agent', PORTS.agent]]);

  const env = envOf(main);
  t.equal(env.get('TZ')?.value, 'UTC');
  const order = [...env.keys()];
  t.ok(order.indexOf(ENV.POD_IP) < order.indexOf('TZ') && order.indexOf('TZ') < order.indexOf(ENV.COMPONENT_NAME), 'pod facts, then the CR env (which may use $(POD_IP)), then the rest');
  t.equal(env.get(ENV.HOST_TYPE)?.value, 'fqdn', 'the CR env wins over the injected one (IP itself is refused at admission)');
  t.equal([...env.keys()].filter((k) => k === ENV.HOST_TYPE).length, 1);
  t.equal(env.get(ENV.CONFIGMAP_MOUNT_PATH)?.value, configMapMountPath('be'));
  t.equal(env.get(ENV.CLUSTER_DOMAIN)?.value, 'corp.local');
  t.equal(env.get(ENV.LOG_LEVEL)?.value, 'debug');
  t.equal(env.get(ENV.SQL_TIMEOUT_MS)?.value, '2000');
  t.equal(env.get(ENV.PROBE_INTERVAL_MS)?.value, '1000');
  t.notOk(env.has(ENV.MYSQL_PWD), 'no password in env (issue 12): files only');
  t.notOk(env.has(ENV.ROOT_PASSWORD_FILE), 'a BE never gets the root password, even when the CR names its Secret');
  t.equal(env.get(ENV.AGENT_PASSWORD_FILE)?.value, '/etc/starrocks-agent/agent-password/password');

  const volumes = new Map((pod.volumes as Loose[]).map((v) => [v.name, v]));
  t.same(volumes.get('spill'), { name: 'spill', emptyDir: {} });
  t.same(volumes.get('host'), { name: 'host', hostPath: { path: '/mnt/x', type: 'DirectoryOrCreate' } });
  t.notOk(volumes.has('be-log'), 'a size starting with 0 drops the volume');
  t.same(volumes.get('starrocks-conf'), { name: 'starrocks-conf', configMap: { name: 'be-conf', items: [{ key: 'be.conf', path: 'be.conf' }] } });
  t.same(volumes.get('configmap-0'), { name: 'configmap-0', configMap: { name: 'extra' } });
  t.same(volumes.get('secret-0'), { name: 'secret-0', secret: { secretName: 'keys' } });
  t.same(volumes.get('tmp'), { name: 'tmp', emptyDir: {} }, 'a read-only root gets a writable /tmp');
  const mounts = new Map((main.volumeMounts as Loose[]).map((m) => [m.name, m]));
  t.same(mounts.get('host'), { name: 'host', mountPath: '/host', subPath: 'sub' });
  t.same(mounts.get('starrocks-conf'), { name: 'starrocks-conf', mountPath: configMapMountPath('be'), readOnly: true });
  t.same(mounts.get('configmap-0'), { name: 'configmap-0', mountPath: '/etc/extra', subPath: 'x.conf' });

  const svc = find(objects, 'Service', 'full-be-service');
  t.match(svc.metadata, { labels: { exposed: 'yes' }, annotations: { lb: 'x' } });
  const ports = (svc.spec as { ports: Loose[]; type: string }).ports;
  t.equal((svc.spec as Loose).type, 'NodePort');
  t.same(ports.find((p) => p.name === 'webserver'), { name: 'webserver', port: 18040, targetPort: 8041, protocol: 'TCP', nodePort: 30040 });
  t.same((find(objects, 'Service', 'full-be-search').spec as { ports: Loose[] }).ports, [{ name: 'heartbeat-port', port: 9051, targetPort: 9051, protocol: 'TCP' }]);
  t.same(
    find(objects, 'RoleBinding', 'full-starrocks-agent').subjects,
    [{ kind: 'ServiceAccount', name: 'full-starrocks-agent', namespace: 'default' }],
    'a ServiceAccount the CR names never gets the agent Role',
  );
});

t.test('FE meta is an emptyDir only when the CR asks for one', async (t) => {
  const raw = baseCluster('dev');
  (raw.spec as Record<string, Loose>).starRocksFeSpec = {
    image: 'fe:1',
    replicas: 1,
    storageVolumes: [{ name: 'fe-meta', storageClassName: 'emptyDir', mountPath: DATA_PATHS.feMeta }],
  };
  const sts = find(render({ cluster: parsed(raw) }), 'StatefulSet', 'dev-fe');
  t.notOk('volumeClaimTemplates' in (sts.spec as Loose));
  t.same((podSpec(sts).volumes as Loose[]).find((v) => v.name === 'fe-meta'), { name: 'fe-meta', emptyDir: {} });
});

t.test('BE storage is a PVC by default (like FE meta), an emptyDir only when the CR asks for one', async (t) => {
  const sts = find(render({ cluster: parsed(baseCluster('dev')) }), 'StatefulSet', 'dev-be');
  t.same((sts.spec as Loose).volumeClaimTemplates, [
    {
      metadata: { name: 'be-data', labels: { 'app.kubernetes.io/name': 'starrocks', [LABELS.instance]: 'dev', [LABELS.managedBy]: 'starrocks-controller', [LABELS.component]: 'be' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: BE_STORAGE_SIZE } } },
    },
  ]);
  t.equal(BE_STORAGE_SIZE, '100Gi');
  t.notOk((podSpec(sts).volumes as Loose[]).some((v) => v.name === 'be-data'), 'BE storage is a PVC, not a pod volume');
  t.same((podSpec(sts).volumes as Loose[]).find((v) => v.name === 'be-log'), { name: 'be-log', emptyDir: {} }, 'logs stay emptyDirs');
  t.same(
    (container(sts, 'be').volumeMounts as Loose[]).slice(0, 2).map((m) => [m.name, m.mountPath]),
    [['be-data', DATA_PATHS.beStorage], ['be-log', DATA_PATHS.beLog]],
  );

  const ephemeral = baseCluster('dev');
  ((ephemeral.spec as Record<string, Loose>).starRocksBeSpec as Loose).storageVolumes = [
    { name: 'be-data', storageClassName: 'emptyDir', mountPath: DATA_PATHS.beStorage },
  ];
  const asked = find(render({ cluster: parsed(ephemeral) }), 'StatefulSet', 'dev-be');
  t.notOk('volumeClaimTemplates' in (asked.spec as Loose));
  t.same((podSpec(asked).volumes as Loose[]).find((v) => v.name === 'be-data'), { name: 'be-data', emptyDir: {} });
});

t.test('spec.agent.tabletHealthMaxWaitSeconds reaches the agent in BE pods only', async (t) => {
  const raw = baseCluster('tab');
  (raw.spec as Loose).agent = { tabletHealthMaxWaitSeconds: 600 };
  const objects = render({ cluster: parsed(raw) });
  const value = (c: 'fe' | 'be' | 'cn'): unknown => envOf(container(find(objects, 'StatefulSet', `tab-${c}`), c)).get(ENV.TABLET_HEALTH_MAX_WAIT_SECONDS)?.value;
  t.equal(value('be'), '600');
  t.equal(value('fe'), undefined, 'FE pods do not change with it');
  t.equal(value('cn'), undefined, 'CN pods do not change with it');
  const defaults = render({ cluster: parsed(baseCluster('tab')) });
  t.notOk(envOf(container(find(defaults, 'StatefulSet', 'tab-be'), 'be')).has(ENV.TABLET_HEALTH_MAX_WAIT_SECONDS), 'unset: the agent default applies');
  t.equal(DEFAULTS.tabletHealthMaxWaitSeconds, 1800);
});

t.test('FE conf ports reach the FE Services, container ports and every FE_QUERY_PORT', async (t) => {
  const conf = parseStarRocksConf('query_port = 19030\nhttp_port = 18030\nedit_log_port = 19010\n');
  const objects = render({ cluster: parsed(baseCluster('p')), confs: { fe: conf } });
  for (const c of ['fe', 'be', 'cn'] as const) {
    t.equal(envOf(container(find(objects, 'StatefulSet', `p-${c}`), c)).get(ENV.FE_QUERY_PORT)?.value, '19030');
  }
  t.same((find(objects, 'Service', 'p-fe-search').spec as { ports: Loose[] }).ports[0]?.port, 19030);
  t.same((find(objects, 'Service', 'p-fe-service').spec as { ports: Loose[] }).ports.map((p) => p.port), [18030, 9020, 19030, 19010]);
});

t.test('CN autoscaling renders an HPA on the CR scale subresource; held images stay', async (t) => {
  const raw = baseCluster('e');
  (raw.spec as Record<string, Loose>).starRocksCnSpec = {
    image: 'cn:1',
    autoScalingPolicy: { maxReplicas: 7, hpaPolicy: { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }], behavior: { scaleDown: { selectPolicy: 'Disabled' } } } },
  };
  const objects = render({ cluster: parsed(raw), heldImages: { fe: 'fe:0' } });
  t.same(find(objects, 'HorizontalPodAutoscaler', 'e-cn-autoscaler').spec, {
    scaleTargetRef: { apiVersion: 'starrocks.com/v1', kind: 'StarRocksCluster', name: 'e' },
    minReplicas: 1,
    maxReplicas: 7,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
    behavior: { scaleDown: { selectPolicy: 'Disabled' } },
  });
  t.equal(container(find(objects, 'StatefulSet', 'e-fe'), 'fe').image, 'fe:0');
  t.equal(container(find(objects, 'StatefulSet', 'e-fe'), CONTAINERS.init).image, 'fe:0');
  t.equal(container(find(objects, 'StatefulSet', 'e-be'), 'be').image, 'be:1');
  t.notOk(render({ cluster: parsed(baseCluster('e')) }).some((o) => o.kind === 'HorizontalPodAutoscaler'));
});

t.test('an official-operator-style manifest renders equivalent workloads', async (t) => {
  const cluster = parsed(parse(OFFICIAL_STYLE_YAML));
  const objects = render({ cluster });
  const fe = find(objects, 'StatefulSet', 'official-style-fe');
  // Its volumes (named fe-storage-meta/-log) replace the defaults by mount path; "" means the default class.
  t.same(
    ((fe.spec as Loose).volumeClaimTemplates as { metadata: Loose; spec: Loose }[]).map((c) => [c.metadata.name, c.spec]),
    [
      ['fe-storage-meta', { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } }],
      ['fe-storage-log', { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }],
    ],
  );
  const main = container(fe, 'fe');
  t.same(main.resources, { requests: { cpu: 8, memory: '16Gi' }, limits: { cpu: 8, memory: '16Gi' } });
  t.equal(podSpec(fe).serviceAccountName, 'official-style-starrocks-agent', '"" serviceAccount means ours');
  t.notOk('schedulerName' in podSpec(fe));
  t.equal(envOf(main).get(ENV.CONFIGMAP_MOUNT_PATH)?.value, '/etc/starrocks/fe/conf');
  t.equal((find(objects, 'Service', 'official-style-fe-service').spec as Loose).type, 'ClusterIP');
  t.notOk('loadBalancerIP' in (find(objects, 'Service', 'official-style-fe-service').spec as Loose));
  const cn = find(objects, 'StatefulSet', 'official-style-cn');
  t.equal((cn.spec as Loose).replicas, 1, 'CN replicas default to 1 under an HPA');
  t.match(find(objects, 'HorizontalPodAutoscaler', 'official-style-cn-autoscaler').spec, { minReplicas: 1, maxReplicas: 10 });
  t.match(find(objects, 'Service', 'official-style-fe-proxy-service').spec, { type: 'NodePort', ports: [{ name: 'http-port', port: 8080 }] });
  t.match(find(objects, 'Deployment', 'official-style-fe-proxy').spec, { replicas: 1 });
  t.notOk(objects.some((o) => (o.metadata.annotations as Loose | undefined)?.[ANNOTATIONS.specHash] !== undefined), 'rendering adds no hash');
});

t.test('the FE budget: a majority of the voters, counted from the FE roles the agents report and the planned voters', async (t) => {
  const fe = (replicas: number, voters?: number): StarRocksCluster => {
    const raw = baseCluster('v');
    Object.assign((raw.spec as Record<string, Loose>).starRocksFeSpec as Loose, { replicas, ...(voters === undefined ? {} : { voters }) });
    return parsed(raw);
  };
  const budget = (cluster: StarRocksCluster, pods: { ordinal: number; role: string | undefined }[]): Loose =>
    find(render({ cluster, fePods: pods }), 'PodDisruptionBudget', 'v-fe-pdb').spec as Loose;
  const values = (spec: Loose): unknown => ((spec.selector as Loose).matchExpressions as Loose[])[0]?.values;

  t.same(feVoterOrdinals(fe(3).fe), [0, 1, 2], 'no pod seen: the planned voters');
  t.same(feVoterOrdinals(fe(1).fe), [0], 'a 1-FE cluster with the default 3 voters has one');
  t.same(feVoterOrdinals(fe(5, 3).fe, [0, 1, 2, 3, 4].map((ordinal) => ({ ordinal, role: ordinal < 3 ? 'FOLLOWER' : 'OBSERVER' }))), [0, 1, 2], 'observers are free');
  t.same(feVoterOrdinals(fe(3, 3).fe, [{ ordinal: 0, role: 'LEADER' }]), [0, 1, 2], 'a voter whose pod is gone keeps its vote');
  // A scale-in 5 -> 3 with 5 voters: FE 3 and 4 still vote until their preStop drops them.
  const scaleIn = budget(fe(3, 5), [0, 1, 2, 3, 4].map((ordinal) => ({ ordinal, role: ordinal === 0 ? 'LEADER' : 'FOLLOWER' })));
  t.same([scaleIn.minAvailable, values(scaleIn)], [3, ['0', '1', '2', '3', '4']], 'majority of 5, not of the 3 the CR asks for');
  const settled = budget(fe(3, 5), [0, 1, 2].map((ordinal) => ({ ordinal, role: 'FOLLOWER' })));
  t.same([settled.minAvailable, values(settled)], [2, ['0', '1', '2']], 'once dropped: majority of 3');
  const observerLow = budget(fe(3, 3), [{ ordinal: 0, role: 'LEADER' }, { ordinal: 1, role: 'OBSERVER' }, { ordinal: 2, role: 'FOLLOWER' }]);
  t.same([observerLow.minAvailable, values(observerLow)], [2, ['0', '2']], 'the role the FE group reports wins over the ordinal');
  const unsaid = budget(fe(3, 3), [{ ordinal: 0, role: 'INIT' }, { ordinal: 1, role: undefined }]);
  t.same([unsaid.minAvailable, values(unsaid)], [2, ['0', '1', '2']], 'INIT or no role yet: the ordinal rule');
});
