import t from 'tap';
import { feSearchName, feServiceCluster, readPodEnv, searchDomains } from './pod-env.ts';

t.test('the scripts inputs come from the env our controller renders', async (t) => {
  const pod = readPodEnv(
    { COMPONENT_NAME: 'be', POD_NAME: 'sr-be-1', POD_NAMESPACE: 'e2e', POD_IP: '127.1.2.3', HOST_TYPE: 'FQDN', FE_SERVICE_NAME: 'sr-fe-service', FE_QUERY_PORT: '9031', STARROCKS_CLUSTER_NAME: 'sr', STARROCKS_ROOT: '/tree', STARROCKS_AGENT_BIND: '127.1.2.3' },
    undefined,
  );
  t.match(pod, { component: 'be', feService: 'sr-fe-service', feQueryPort: 9031, hostType: 'FQDN', hostnameF: 'sr-be-1.sr-be-search.e2e.svc.cluster.local', root: '/tree', bind: '127.1.2.3', agentPort: 8077 });
  t.equal(readPodEnv({ COMPONENT_NAME: 'fe', POD_NAME: 'prod-fe-0' }, 'x-fe-service.ns').feService, 'x-fe-service.ns', 'the entrypoint argument wins');
  t.equal(readPodEnv({ COMPONENT_NAME: 'fe', POD_NAME: 'prod-fe-0' }, undefined).hostnameF, 'prod-fe-0.prod-fe-search.default.svc.cluster.local', 'cluster from the pod name');
  t.match(readPodEnv({ COMPONENT_NAME: 'cn' }, undefined), { hostType: 'IP', feQueryPort: 9030, root: '/opt/starrocks', feService: '' }, 'the scripts defaults');
  t.throws(() => readPodEnv({}, undefined), /COMPONENT_NAME/);
});

t.test('the load-balanced FE service and its headless twin', async (t) => {
  t.equal(feServiceCluster('sr-fe-service'), 'sr');
  t.equal(feServiceCluster('sr-fe-service.e2e'), 'sr');
  t.equal(feServiceCluster('sr-fe-0.sr-fe-search.e2e.svc.cluster.local'), undefined);
  t.equal(feSearchName('sr', 'e2e', 'cluster.local'), 'sr-fe-search.e2e.svc.cluster.local');
  t.same(searchDomains('e2e', 'cluster.local'), ['e2e.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
});
