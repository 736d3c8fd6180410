/**
 * The Services and pods of a StarRocks cluster as the official operator renders them, in the
 * shape the cluster DNS takes: load-balanced `<cluster>-<component>-service` (ready pods only)
 * and headless `<cluster>-<component>-search` with `publishNotReadyAddresses`, with the
 * official port names (reference: official-k8s-scripts.md §9.9).
 *
 * @example
 * ```ts
 * for (const s of starrocksServices({ namespace: 'ns', cluster: 'sr' })) dns.setService(s);
 * dns.setPod(starrocksPod({ namespace: 'ns', cluster: 'sr', component: 'fe', ordinal: 0, ip, ready: false }));
 * ```
 */
import { COMPONENTS, PORTS, names } from '../../../agent/contract/index.ts';
import type { Component } from '../../../agent/contract/index.ts';
import { FE_SEARCH_QUERY_PORT_NAME } from '../../../agent/dns/fe-peers.ts';
import type { PodSpec, ServicePort, ServiceSpec } from './zone.ts';

const tcp = (name: string, port: number): ServicePort => ({ name, port, protocol: 'TCP' });

/** Ports of the load-balanced services, by component. */
const EXTERNAL_SERVICE_PORTS: Record<Component, readonly ServicePort[]> = {
  fe: [tcp('http', PORTS.fe.http), tcp('rpc', PORTS.fe.rpc), tcp('query', PORTS.fe.query), tcp('edit-log', PORTS.fe.editLog)],
  be: [tcp('be', PORTS.be.be), tcp('webserver', PORTS.be.http), tcp('heartbeat', PORTS.be.heartbeat), tcp('brpc', PORTS.be.brpc)],
  cn: [tcp('thrift', PORTS.cn.be), tcp('webserver', PORTS.cn.http), tcp('heartbeat', PORTS.cn.heartbeat), tcp('brpc', PORTS.cn.brpc)],
};

/** Ports of the headless search services, by component. */
const SEARCH_SERVICE_PORTS: Record<Component, readonly ServicePort[]> = {
  fe: [tcp(FE_SEARCH_QUERY_PORT_NAME, PORTS.fe.query)],
  be: [tcp('heartbeat', PORTS.be.heartbeat)],
  cn: [tcp('heartbeat', PORTS.cn.heartbeat)],
};

/** The six Services of a cluster (external and search, per component). */
export function starrocksServices(input: { namespace: string; cluster: string; components?: readonly Component[] }): ServiceSpec[] {
  const n = names(input.cluster);
  return (input.components ?? COMPONENTS).flatMap((c): ServiceSpec[] => [
    { namespace: input.namespace, name: n.externalService(c), headless: false, publishNotReadyAddresses: false, ports: EXTERNAL_SERVICE_PORTS[c] },
    { namespace: input.namespace, name: n.searchService(c), headless: true, publishNotReadyAddresses: true, ports: SEARCH_SERVICE_PORTS[c] },
  ]);
}

/** A StatefulSet pod of a cluster: named by the search service, selected by the external one. */
export function starrocksPod(input: {
  namespace: string;
  cluster: string;
  component: Component;
  ordinal: number;
  ip: string;
  ready: boolean;
}): PodSpec {
  const n = names(input.cluster);
  return {
    namespace: input.namespace,
    hostname: n.pod(input.component, input.ordinal),
    service: n.searchService(input.component),
    alsoIn: [n.externalService(input.component)],
    ip: input.ip,
    ready: input.ready,
  };
}

/** One pod of {@link addStarRocksCluster}. */
export interface StarRocksPodEntry {
  component: Component;
  ordinal: number;
  ip: string;
  ready: boolean;
}

/** Register a cluster's six Services and the given pods with a DNS server (or anything with the same two methods). */
export function addStarRocksCluster(
  dns: { setService(spec: ServiceSpec): void; setPod(spec: PodSpec): void },
  input: { namespace: string; cluster: string; pods?: readonly StarRocksPodEntry[] },
): void {
  for (const service of starrocksServices(input)) dns.setService(service);
  for (const pod of input.pods ?? []) dns.setPod(starrocksPod({ namespace: input.namespace, cluster: input.cluster, ...pod }));
}
