/**
 * Per component, the external Service (ready pods only, load-balanced; what clients and the
 * official scripts use) and the headless `-search` Service with `publishNotReadyAddresses`, which
 * gives every pod a DNS name before it is ready (FE FQDN start and heartbeats need it).
 */
import { names, selectorLabels } from '../../agent/contract/index.ts';
import type { ComponentSpec, StarRocksCluster } from '../cr/types.ts';
import type { V1ServicePort, V1ServiceSpec } from '@kubernetes/client-node';
import { modelled, objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';
import type { ComponentPort } from './ports.ts';

/** Options of the Service renderers. */
export interface ServiceOptions {
  cluster: StarRocksCluster;
  spec: ComponentSpec;
  ports: ComponentPort[];
}

/** The external `<cluster>-<component>-service`. */
export function renderExternalService(options: ServiceOptions): KubernetesObject {
  const { cluster, spec } = options;
  const user = spec.service;
  const ports = options.ports.map((p) => {
    // A CR port entry overrides the rendered port it names (by name or container port).
    const override = user?.ports.find((o) => o.name === p.serviceName || o.containerPort === p.port);
    const port: V1ServicePort = { name: p.serviceName, port: override?.port ?? p.port, targetPort: p.port, protocol: 'TCP' };
    if (p.appProtocol !== undefined) port.appProtocol = p.appProtocol;
    if (override?.nodePort !== undefined) port.nodePort = override.nodePort;
    return port;
  });
  const serviceSpec: V1ServiceSpec = {
    type: user?.type ?? 'ClusterIP',
    selector: selectorLabels(cluster.name, spec.component),
    ports,
  };
  if (user?.loadBalancerIP !== undefined) serviceSpec.loadBalancerIP = user.loadBalancerIP;
  if (user !== undefined && user.loadBalancerSourceRanges.length > 0) {
    serviceSpec.loadBalancerSourceRanges = user.loadBalancerSourceRanges;
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta({
      cluster,
      name: names(cluster.name).externalService(spec.component),
      component: spec.component,
      labels: user?.labels,
      annotations: user?.annotations,
    }),
    spec: modelled<V1ServiceSpec>(serviceSpec),
  };
}

/** The headless `<cluster>-<component>-search`. */
export function renderSearchService(options: ServiceOptions & { port: ComponentPort }): KubernetesObject {
  const { cluster, spec, port } = options;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta({ cluster, name: names(cluster.name).searchService(spec.component), component: spec.component }),
    spec: modelled<V1ServiceSpec>({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(cluster.name, spec.component),
      ports: [{ name: `${port.serviceName}-port`, port: port.port, targetPort: port.port, protocol: 'TCP' }],
    }),
  };
}
