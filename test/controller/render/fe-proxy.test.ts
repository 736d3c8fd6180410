import t from 'tap';
import { LABELS } from '../../../agent/contract/index.ts';
import { parseStarRocksConf } from '../../../agent/contract/starrocks-conf.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { StarRocksCluster } from '../../../controller/cr/types.ts';
import { renderNginxConf } from '../../../controller/render/fe-proxy.ts';
import { render } from '../../../controller/render/render.ts';
import { baseCluster } from '../fixtures/manifests.ts';

type Loose = Record<string, unknown>;

function parsed(proxy: Loose | undefined): StarRocksCluster {
  const raw = baseCluster('prod');
  const spec = raw.spec as Loose;
  delete spec.starRocksCnSpec;
  if (proxy !== undefined) spec.starRocksFeProxySpec = proxy;
  const { cluster, problems } = parseCluster(raw);
  if (cluster === undefined || problems.length > 0) throw new Error(JSON.stringify(problems));
  return cluster;
}

const kinds = (objects: { kind: string; metadata: { name: string } }[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`);

t.test('without starRocksFeProxySpec nothing of the proxy is rendered', async (t) => {
  const objects = render({ cluster: parsed(undefined) });
  t.notOk(kinds(objects).some((k) => k.includes('fe-proxy')), kinds(objects).join(', '));
});

t.test('an empty starRocksFeProxySpec renders the official ConfigMap, Deployment and Service', async (t) => {
  const objects = render({ cluster: parsed({}) });
  const proxy = objects.filter((o) => o.metadata.name.startsWith('prod-fe-proxy'));
  t.same(kinds(proxy), ['ConfigMap/prod-fe-proxy', 'Deployment/prod-fe-proxy', 'Service/prod-fe-proxy-service']);
  for (const o of proxy) t.match(o.metadata, { labels: { [LABELS.instance]: 'prod', [LABELS.component]: 'fe-proxy' }, ownerReferences: [{ kind: 'StarRocksCluster', name: 'prod' }] });
  const [configMap, deployment, service] = proxy;
  const conf = String((configMap?.data as Loose)['nginx.conf']);
  t.match(conf, /listen 8080;/);
  t.match(conf, /resolver kube-dns\.kube-system\.svc\.cluster\.local valid=10s;/);
  t.match(conf, /set \$fe_service "http:\/\/prod-fe-service\.default\.svc\.cluster\.local:8030";/);
  t.match(conf, /proxy_intercept_errors on;/);
  t.match(conf, /location ~ \^\/api\/\.\*\/\.\*\/_stream_load\$ \{[^}]*proxy_pass_request_body off;[^}]*error_page 307 = @handle_redirect;/);
  t.match(conf, /if \(\$upstream_http_location ~ "prod-fe-search"\)/);
  t.match(conf, /location \/_redirect_to_others \{[^}]*proxy_pass \$redirect_uri;[^}]*proxy_pass_request_body on;/);
  t.match(deployment, {
    spec: {
      replicas: 1,
      selector: { matchLabels: { [LABELS.instance]: 'prod', [LABELS.component]: 'fe-proxy' } },
      template: {
        metadata: { labels: { [LABELS.component]: 'fe-proxy' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.24.0',
              ports: [{ name: 'http-port', containerPort: 8080 }],
              volumeMounts: [{ name: 'prod-fe-proxy', mountPath: '/etc/nginx' }],
              livenessProbe: { httpGet: { path: '/nginx/health', port: 8080 } },
              readinessProbe: { httpGet: { path: '/nginx/health', port: 8080 } },
              securityContext: { runAsUser: 101, runAsNonRoot: true },
            },
          ],
          volumes: [{ name: 'prod-fe-proxy', configMap: { name: 'prod-fe-proxy' } }],
        },
      },
    },
  });
  t.match(service, { spec: { type: 'ClusterIP', selector: { [LABELS.component]: 'fe-proxy' }, ports: [{ name: 'http-port', port: 8080, targetPort: 8080 }] } });
});

t.test('the spec fields reach the objects; the FE conf http_port reaches nginx.conf', async (t) => {
  const cluster = parsed({
    image: 'registry.local/nginx:1.25',
    replicas: 2,
    resolver: '10.0.0.10',
    requests: { cpu: '100m' },
    nodeSelector: { pool: 'edge' },
    tolerations: [{ key: 'edge', operator: 'Exists', effect: 'NoSchedule' }],
    service: { type: 'NodePort', ports: [{ name: 'http-port', nodePort: 30080 }] },
    livenessProbeFailureSeconds: 0,
  });
  const objects = render({ cluster, confs: { fe: parseStarRocksConf('http_port = 8130\n') } });
  const deployment = objects.find((o) => o.kind === 'Deployment');
  const container = ((deployment?.spec as Loose).template as { spec: { containers: Loose[] } }).spec.containers[0];
  t.match(deployment, { spec: { replicas: 2, template: { spec: { nodeSelector: { pool: 'edge' }, tolerations: [{ key: 'edge' }] } } } });
  t.match(container, { image: 'registry.local/nginx:1.25', resources: { requests: { cpu: '100m' } } });
  t.equal(container?.livenessProbe, undefined, 'a 0 budget disables the probe');
  const conf = String((objects.find((o) => o.kind === 'ConfigMap')?.data as Loose)['nginx.conf']);
  t.match(conf, /resolver 10\.0\.0\.10 valid=10s;/);
  t.match(conf, /prod-fe-service\.default\.svc\.cluster\.local:8130"/);
  t.match(objects.find((o) => o.metadata.name === 'prod-fe-proxy-service'), { spec: { type: 'NodePort', ports: [{ port: 8080, nodePort: 30080 }] } });
});

t.test('an image starting with ":" falls back to the default image, as officially', async (t) => {
  const deployment = render({ cluster: parsed({ image: ':1.2' }) }).find((o) => o.kind === 'Deployment');
  t.match(deployment, { spec: { template: { spec: { containers: [{ image: 'nginx:1.24.0' }] } } } });
});

t.test('a new nginx.conf changes the pod template, so the pods roll', async (t) => {
  const hash = (resolver: string): unknown => {
    const deployment = render({ cluster: parsed({ resolver }) }).find((o) => o.kind === 'Deployment');
    return ((deployment?.spec as Loose).template as { metadata: { annotations: Loose } }).metadata.annotations['starrocks.com/fe-proxy-conf-hash'];
  };
  t.type(hash('10.0.0.1'), 'string');
  t.not(hash('10.0.0.1'), hash('10.0.0.2'));
});

t.test('nginx.conf is balanced and every location forwards the 307 to @handle_redirect', async (t) => {
  const conf = renderNginxConf({ resolver: 'dns', feUrl: 'http://fe:8030', feSearchService: 'x-fe-search' });
  t.equal((conf.match(/\{/g) ?? []).length, (conf.match(/\}/g) ?? []).length);
  t.equal((conf.match(/error_page 307 = @handle_redirect;/g) ?? []).length, 5);
  t.ok(conf.endsWith('  }\n}\n'));
});
