/**
 * The FE proxy (`starRocksFeProxySpec`), as the official operator renders it: an nginx Deployment
 * `<cluster>-fe-proxy`, its ConfigMap of the same name holding `nginx.conf`, and the Service
 * `<cluster>-fe-proxy-service` on port 8080. nginx forwards to the FE external Service's HTTP port
 * and follows StarRocks' 307 redirects itself (stream load: FE to a BE's HTTP port; transaction
 * load: FE to the leader FE), so a client outside the cluster needs to reach the proxy only.
 */
import type { V1ConfigMap, V1Container, V1Deployment, V1Probe, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { LABELS, names } from '../../agent/contract/index.ts';
import { FE_PROXY_PORT, PROBE_PERIOD_SECONDS } from '../cr/defaults.ts';
import type { FeProxySpec, StarRocksCluster } from '../cr/types.ts';
import { objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';

/** The component label of the proxy's objects and pods (not a StarRocks component). */
const FE_PROXY_COMPONENT = 'fe-proxy';

/** Where the ConfigMap is mounted: nginx reads `/etc/nginx/nginx.conf`. */
const FE_PROXY_CONF_DIR = '/etc/nginx';

/** The pod template annotation holding the digest of nginx.conf: a new conf rolls the pods. */
const CONF_HASH_ANNOTATION = 'starrocks.com/fe-proxy-conf-hash';

/** Names of the proxy's objects. */
function feProxyNames(cluster: string): { deployment: string; configMap: string; service: string } {
  return { deployment: `${cluster}-fe-proxy`, configMap: `${cluster}-fe-proxy`, service: `${cluster}-fe-proxy-service` };
}

/** What the nginx configuration needs. */
export interface NginxConfInput {
  /** DNS server of the `resolver` line. */
  resolver: string;
  /** `http://<fe external service>.<namespace>.svc.cluster.local:<http port>`. */
  feUrl: string;
  /** The FE search Service's name: a redirect whose Location names it goes to an FE (transaction load). */
  feSearchService: string;
}

// The headers every proxied request carries; `Expect` is passed on so StarRocks sees curl's
// 100-continue (LoadAction refuses a stream load without it).
const FORWARDED_HEADERS = [
  'proxy_set_header Expect $http_expect;',
  'proxy_set_header Host $host;',
  'proxy_set_header X-Real-IP $remote_addr;',
  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
];

function location(match: string, body: string[]): string[] {
  return [`    location ${match} {`, ...body.map((line) => `      ${line}`), '    }', ''];
}

// A location proxied to `target` whose 307 answers nginx follows itself. `passBody` false: the FE
// only redirects, the body goes to where the redirect points (nginx keeps it meanwhile).
function proxied(match: string, options: { set: string; target: string; passBody: boolean | undefined }): string[] {
  return location(match, [
    options.set,
    `proxy_pass ${options.target};`,
    ...(options.passBody === undefined ? [] : [`proxy_pass_request_body ${options.passBody ? 'on' : 'off'};`]),
    ...FORWARDED_HEADERS,
    'error_page 307 = @handle_redirect;',
  ]);
}

/** nginx.conf of the proxy: the same directives as the official operator's, unprivileged paths in /tmp. */
export function renderNginxConf(input: NginxConfInput): string {
  const fe = { set: `set $fe_service "${input.feUrl}";`, target: '$fe_service' };
  const redirect = { set: "set $redirect_uri '$upstream_http_location';", target: '$redirect_uri' };
  const lines = [
    'pid   /tmp/nginx.pid;',
    'worker_processes 4;',
    'include /usr/share/nginx/modules/*.conf;',
    'events {',
    '  worker_connections 256;',
    '}',
    '',
    'http {',
    '  sendfile            on;',
    '  tcp_nopush          on;',
    '  tcp_nodelay         on;',
    '  keepalive_timeout   65;',
    '  types_hash_max_size 2048;',
    // Stream loads are files of any size.
    '  client_max_body_size 0;',
    // StarRocks' load headers (column_separator, ...) have underscores.
    '  ignore_invalid_headers off;',
    '  underscores_in_headers on;',
    '  proxy_read_timeout 600s;',
    '',
    // The nginx image runs as uid 101: every path it writes is under /tmp.
    '  client_body_temp_path /tmp/client_temp;',
    '  proxy_temp_path       /tmp/proxy_temp_path;',
    '  fastcgi_temp_path     /tmp/fastcgi_temp;',
    '  uwsgi_temp_path       /tmp/uwsgi_temp;',
    '  scgi_temp_path        /tmp/scgi_temp;',
    '',
    '  default_type        application/octet-stream;',
    '',
    '  server {',
    `    listen ${FE_PROXY_PORT};`,
    // proxy_pass with a variable resolves at request time: FE and BE pods come and go.
    `    resolver ${input.resolver} valid=10s;`,
    '    proxy_intercept_errors on;',
    '    recursive_error_pages on;',
    '',
    ...location('/nginx/health', ['access_log off;', 'return 200;']),
    ...proxied('/', { ...fe, passBody: undefined }),
    ...proxied('/api/transaction/load', { ...fe, passBody: false }),
    ...proxied('~ ^/api/.*/.*/_stream_load$', { ...fe, passBody: false }),
    ...location('@handle_redirect', [
      `if ($upstream_http_location ~ "${input.feSearchService}") {`,
      '  rewrite ^ /_redirect_to_fe last;',
      '}',
      `if ($upstream_http_location !~ "${input.feSearchService}") {`,
      '  rewrite ^ /_redirect_to_others last;',
      '}',
    ]),
    ...proxied('/_redirect_to_fe', { ...redirect, passBody: false }),
    ...proxied('/_redirect_to_others', { ...redirect, passBody: true }),
  ];
  // The last location's blank line closes nothing: the server and http blocks end here.
  lines.pop();
  return `${[...lines, '  }', '}'].join('\n')}\n`;
}

/** Options of `renderFeProxy`. */
export interface FeProxyInput {
  cluster: StarRocksCluster;
  proxy: FeProxySpec;
  /** The FE HTTP port (from the FE conf). */
  feHttpPort: number;
}

function probe(seconds: number): V1Probe | undefined {
  if (seconds <= 0) return undefined;
  return {
    httpGet: { path: '/nginx/health', port: FE_PROXY_PORT },
    periodSeconds: PROBE_PERIOD_SECONDS,
    failureThreshold: Math.ceil(seconds / PROBE_PERIOD_SECONDS),
  };
}

/** The ConfigMap, Deployment and Service of the FE proxy. */
export function renderFeProxy(input: FeProxyInput): KubernetesObject[] {
  const { cluster, proxy } = input;
  const objectNames = feProxyNames(cluster.name);
  const clusterNames = names(cluster.name);
  const selector = { [LABELS.instance]: cluster.name, [LABELS.component]: FE_PROXY_COMPONENT };
  const meta = (name: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}) =>
    objectMeta({ cluster, name, labels: { ...extra.labels, [LABELS.component]: FE_PROXY_COMPONENT }, annotations: extra.annotations });

  const conf = renderNginxConf({
    resolver: proxy.resolver,
    feUrl: `http://${clusterNames.externalService('fe')}.${cluster.namespace}.svc.cluster.local:${input.feHttpPort}`,
    feSearchService: clusterNames.searchService('fe'),
  });
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(objectNames.configMap), data: { 'nginx.conf': conf } } satisfies V1ConfigMap;

  const container: V1Container = {
    name: 'nginx',
    image: proxy.image,
    ports: [{ name: 'http-port', containerPort: FE_PROXY_PORT, protocol: 'TCP' }],
    resources: proxy.resources,
    volumeMounts: [{ name: objectNames.configMap, mountPath: FE_PROXY_CONF_DIR }],
    // The nginx image's own user; its root filesystem stays writable for the /tmp paths.
    securityContext: { runAsUser: 101, runAsGroup: 101, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false },
  };
  if (proxy.imagePullPolicy !== undefined) container.imagePullPolicy = proxy.imagePullPolicy;
  const liveness = probe(proxy.livenessSeconds);
  if (liveness !== undefined) container.livenessProbe = liveness;
  const readiness = probe(proxy.readinessSeconds);
  if (readiness !== undefined) container.readinessProbe = readiness;

  const podSpec: NonNullable<NonNullable<V1Deployment['spec']>['template']['spec']> = {
    containers: [container],
    volumes: [{ name: objectNames.configMap, configMap: { name: objectNames.configMap } }],
  };
  if (proxy.imagePullSecrets.length > 0) podSpec.imagePullSecrets = proxy.imagePullSecrets;
  if (Object.keys(proxy.nodeSelector).length > 0) podSpec.nodeSelector = proxy.nodeSelector;
  if (proxy.affinity !== undefined) podSpec.affinity = proxy.affinity;
  // The CR's schema checked these with the API server's own types (schema.ts `kube`).
  if (proxy.tolerations.length > 0) podSpec.tolerations = proxy.tolerations as NonNullable<typeof podSpec.tolerations>;
  if (proxy.topologySpreadConstraints.length > 0) {
    podSpec.topologySpreadConstraints = proxy.topologySpreadConstraints as unknown as NonNullable<typeof podSpec.topologySpreadConstraints>;
  }
  if (proxy.hostAliases.length > 0) podSpec.hostAliases = proxy.hostAliases as unknown as NonNullable<typeof podSpec.hostAliases>;
  if (proxy.schedulerName !== undefined) podSpec.schedulerName = proxy.schedulerName;
  if (proxy.priorityClassName !== undefined) podSpec.priorityClassName = proxy.priorityClassName;
  if (proxy.serviceAccount !== undefined) podSpec.serviceAccountName = proxy.serviceAccount;
  if (proxy.terminationGracePeriodSeconds !== undefined) podSpec.terminationGracePeriodSeconds = proxy.terminationGracePeriodSeconds;

  const confHash = createHash('sha256').update(conf).digest('hex').slice(0, 16);
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(objectNames.deployment),
    spec: {
      replicas: proxy.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...proxy.podLabels, ...meta(objectNames.deployment).labels },
          annotations: { ...proxy.annotations, [CONF_HASH_ANNOTATION]: confHash },
        },
        spec: podSpec,
      },
    },
  } satisfies V1Deployment;

  const user = proxy.service;
  const override = user?.ports.find((o) => o.name === 'http-port' || o.containerPort === FE_PROXY_PORT);
  const port: V1ServicePort = { name: 'http-port', port: override?.port ?? FE_PROXY_PORT, targetPort: FE_PROXY_PORT, protocol: 'TCP' };
  if (override?.nodePort !== undefined) port.nodePort = override.nodePort;
  const serviceSpec: NonNullable<V1Service['spec']> = { type: user?.type ?? 'ClusterIP', selector, ports: [port] };
  if (user?.loadBalancerIP !== undefined) serviceSpec.loadBalancerIP = user.loadBalancerIP;
  if (user !== undefined && user.loadBalancerSourceRanges.length > 0) serviceSpec.loadBalancerSourceRanges = user.loadBalancerSourceRanges;
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(objectNames.service, { labels: user?.labels, annotations: user?.annotations }),
    spec: serviceSpec,
  } satisfies V1Service;

  // client-node's types check the shapes; the rendered objects are the plain JSON they describe.
  return [configMap, deployment, service].map((object) => JSON.parse(JSON.stringify(object)) as KubernetesObject);
}
