import t from 'tap';
import {
  COMPONENTS,
  ENV,
  LABELS,
  PORTS,
  configMapMountPath,
  isComponent,
  names,
  parseOrdinal,
  podFqdn,
  selectorLabels,
} from '../../../agent/contract/index.ts';

t.test('names derived for a sample cluster', async (t) => {
  const n = names('prod');
  t.same(COMPONENTS.map((c) => n.statefulSet(c)), ['prod-fe', 'prod-be', 'prod-cn']);
  t.same(COMPONENTS.map((c) => n.externalService(c)), ['prod-fe-service', 'prod-be-service', 'prod-cn-service']);
  t.same(COMPONENTS.map((c) => n.searchService(c)), ['prod-fe-search', 'prod-be-search', 'prod-cn-search']);
  t.equal(n.pod('be', 3), 'prod-be-3');
  t.equal(n.fence, 'prod-fe-bootstrap');
  t.equal(n.cnAutoscaler, 'prod-cn-autoscaler');
  t.equal(n.configMap('cn'), 'prod-cn-conf');
});

t.test('pod FQDN goes through the headless search service', async (t) => {
  t.equal(
    podFqdn({ pod: 'prod-fe-2', cluster: 'prod', component: 'fe', namespace: 'data', domain: 'cluster.local' }),
    'prod-fe-2.prod-fe-search.data.svc.cluster.local',
  );
});

t.test('ordinal parsing', async (t) => {
  t.equal(parseOrdinal('prod-fe-0'), 0);
  t.equal(parseOrdinal('prod-cn-14'), 14);
  t.equal(parseOrdinal('prod-fe'), undefined);
  t.equal(parseOrdinal('prod-fe-01'), undefined, 'Kubernetes never pads ordinals');
  t.equal(parseOrdinal('prod-fe-'), undefined);
});

t.test('official env names and default ports are kept', async (t) => {
  for (const key of [
    'POD_NAME', 'POD_NAMESPACE', 'POD_IP', 'HOST_TYPE', 'COMPONENT_NAME', 'FE_SERVICE_NAME',
    'FE_QUERY_PORT', 'MYSQL_PWD', 'CONFIGMAP_MOUNT_PATH', 'STARROCKS_ROOT',
  ] as const) {
    t.equal(ENV[key], key);
  }
  t.same(PORTS.fe, { http: 8030, rpc: 9020, query: 9030, editLog: 9010 });
  t.same(PORTS.be, { be: 9060, http: 8040, heartbeat: 9050, brpc: 8060 });
  t.same(PORTS.cn, PORTS.be);
  t.equal(configMapMountPath('fe'), '/etc/starrocks/fe/conf');
});

t.test('selector labels are the official ones plus the instance', async (t) => {
  t.same(selectorLabels('prod', 'be'), {
    [LABELS.ownerName]: 'prod-be',
    [LABELS.component]: 'be',
    [LABELS.instance]: 'prod',
  });
  t.ok(isComponent('cn'));
  t.notOk(isComponent('broker'));
});
