import t from 'tap';
import { loadConfig, parseEndpoint } from '../../agent/config.ts';
import type { Env } from '../../agent/config.ts';
import { ERROR_CODES, isAgentError } from '../../agent/contract/errors.ts';
import type { ErrorCode } from '../../agent/contract/errors.ts';

const base: Env = {
  COMPONENT_NAME: 'fe',
  POD_NAME: 'prod-fe-1',
  POD_NAMESPACE: 'data',
  POD_IP: '127.0.0.11',
  FE_SERVICE_NAME: 'prod-fe-service.data',
};

t.test('a minimal official env gives documented defaults', async (t) => {
  const config = loadConfig(base);
  t.match(config, {
    component: 'fe',
    podName: 'prod-fe-1',
    ordinal: 1,
    namespace: 'data',
    cluster: 'prod',
    hostType: 'FQDN',
    clusterDomain: 'cluster.local',
    feQueryPort: 9030,
    mysqlPassword: '',
    starrocksRoot: '/opt/starrocks',
    feVoters: 3,
    agentPort: 8077,
    dnsServer: undefined,
    noKubernetes: false,
  });
});

t.test('cluster name: explicit, else FE service, else pod name', async (t) => {
  t.equal(loadConfig({ ...base, STARROCKS_CLUSTER_NAME: 'other' }).cluster, 'other');
  t.equal(loadConfig({ ...base, FE_SERVICE_NAME: 'kube-starrocks-fe-service' }).cluster, 'kube-starrocks');
  t.equal(loadConfig({ ...base, FE_SERVICE_NAME: undefined, POD_NAME: 'my-sr-be-4', COMPONENT_NAME: 'be' }).cluster, 'my-sr');
  t.equal(loadConfig({ ...base, FE_SERVICE_NAME: undefined }).feServiceName, 'prod-fe-service');
});

t.test('values are parsed and trimmed', async (t) => {
  const config = loadConfig({
    ...base,
    HOST_TYPE: 'ip',
    COMPONENT_NAME: ' BE ',
    POD_NAME: 'prod-be-0',
    FE_QUERY_PORT: '19030',
    MYSQL_PWD: 's3cret',
    STARROCKS_AGENT_DNS_SERVER: '127.0.0.53:5353',
    STARROCKS_FE_VOTERS: '5',
    STARROCKS_AGENT_NO_KUBERNETES: 'true',
  });
  t.match(config, {
    component: 'be',
    hostType: 'IP',
    feQueryPort: 19030,
    mysqlPassword: 's3cret',
    dnsServer: { host: '127.0.0.53', port: 5353 },
    feVoters: 5,
    noKubernetes: true,
  });
  t.same(parseEndpoint('[::1]:53', 'X'), { host: '::1', port: 53 });
});

// Each bad input has its own error code, and the message names the variable and the value.
const bad: Array<[string, Env, ErrorCode, RegExp]> = [
  ['missing component', { ...base, COMPONENT_NAME: undefined }, 'ERR_ENV_MISSING', /^COMPONENT_NAME is not set/],
  ['empty pod name', { ...base, POD_NAME: '  ' }, 'ERR_ENV_MISSING', /^POD_NAME is not set/],
  ['unknown component', { ...base, COMPONENT_NAME: 'broker' }, 'ERR_ENV_COMPONENT', /COMPONENT_NAME="broker".*fe, be or cn/],
  ['pod name without ordinal', { ...base, POD_NAME: 'prod-fe' }, 'ERR_ENV_POD_NAME', /POD_NAME="prod-fe"/],
  ['pod name uppercase', { ...base, POD_NAME: 'Prod-fe-0' }, 'ERR_ENV_POD_NAME', /POD_NAME="Prod-fe-0"/],
  ['bad namespace', { ...base, POD_NAMESPACE: 'Data_1' }, 'ERR_ENV_NAMESPACE', /POD_NAMESPACE="Data_1"/],
  ['bad pod ip', { ...base, POD_IP: '10.0.0.300' }, 'ERR_ENV_POD_IP', /POD_IP="10.0.0.300"/],
  ['IP mode without pod ip', { ...base, POD_IP: undefined, HOST_TYPE: 'IP', STARROCKS_AGENT_NO_KUBERNETES: 'true' }, 'ERR_ENV_POD_IP', /HOST_TYPE=IP needs POD_IP/],
  // Issue 11 item 5: IP mode re-adds a BE under its new pod IP while the old row keeps the tablets.
  ['IP mode on Kubernetes', { ...base, HOST_TYPE: 'IP' }, 'ERR_ENV_HOST_TYPE', /HOST_TYPE=IP is refused on Kubernetes: pod IPs change .* ghost nodes holding tablets; remove HOST_TYPE/],
  ['bad host type', { ...base, HOST_TYPE: 'dns' }, 'ERR_ENV_HOST_TYPE', /HOST_TYPE="DNS".*FQDN or IP/],
  ['port not a number', { ...base, FE_QUERY_PORT: '90x30' }, 'ERR_ENV_PORT', /FE_QUERY_PORT="90x30"/],
  ['port out of range', { ...base, FE_QUERY_PORT: '70000' }, 'ERR_ENV_PORT', /FE_QUERY_PORT="70000"/],
  ['agent port zero', { ...base, STARROCKS_AGENT_PORT: '0' }, 'ERR_ENV_PORT', /STARROCKS_AGENT_PORT="0"/],
  ['voters zero', { ...base, STARROCKS_FE_VOTERS: '0' }, 'ERR_ENV_NUMBER', /STARROCKS_FE_VOTERS="0".*1 to 99/],
  ['timeout negative', { ...base, STARROCKS_AGENT_SQL_TIMEOUT_MS: '-5' }, 'ERR_ENV_NUMBER', /STARROCKS_AGENT_SQL_TIMEOUT_MS="-5"/],
  ['bad domain', { ...base, STARROCKS_CLUSTER_DOMAIN: 'cluster..local' }, 'ERR_ENV_NAME', /STARROCKS_CLUSTER_DOMAIN="cluster..local"/],
  ['bad fe service', { ...base, FE_SERVICE_NAME: 'fe service' }, 'ERR_ENV_NAME', /FE_SERVICE_NAME="fe service"/],
  ['bad cluster name', { ...base, STARROCKS_CLUSTER_NAME: 'Prod!' }, 'ERR_ENV_NAME', /cannot tell the cluster name/],
  ['bad dns server', { ...base, STARROCKS_AGENT_DNS_SERVER: '127.0.0.1' }, 'ERR_ENV_ENDPOINT', /STARROCKS_AGENT_DNS_SERVER="127.0.0.1"/],
  ['bad log level', { ...base, STARROCKS_AGENT_LOG_LEVEL: 'loud' }, 'ERR_ENV_LOG_LEVEL', /STARROCKS_AGENT_LOG_LEVEL="loud"/],
  ['bad boolean', { ...base, STARROCKS_AGENT_NO_KUBERNETES: 'yes' }, 'ERR_ENV_BOOLEAN', /STARROCKS_AGENT_NO_KUBERNETES="yes"/],
];

for (const [name, env, code, message] of bad) {
  t.test(`rejects ${name} with ${code}`, async (t) => {
    const error = (() => {
      try {
        loadConfig(env);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    t.ok(isAgentError(error, code), `code is ${code}, got ${String(error)}`);
    if (!isAgentError(error)) return;
    t.match(error.message, message);
    t.notMatch(error.message, /\n/, 'one line');
    t.equal(error.exitCode, ERROR_CODES[code]);
  });
}

t.test('config exit codes are distinct from each other and from run-time failures', async (t) => {
  const codes = Object.values(ERROR_CODES);
  t.equal(new Set(codes).size, codes.length);
});
