/**
 * What the official scripts read from their environment, taken from the env our controller
 * renders (controller/render/env.ts): the component, `FE_SERVICE_NAME`, `FE_QUERY_PORT`,
 * `HOST_TYPE`, `POD_IP`, `STARROCKS_ROOT`, `MYSQL_PWD`; plus what `hostname -f` would print (the
 * FQDN kubelet writes into /etc/hosts: `<pod>.<statefulset serviceName>.<ns>.svc.<domain>`) and
 * where this world's DNS server and the pod's probe port are. Pure.
 */
import { DEFAULTS, ENV, PATHS, PORTS, isComponent, names, podFqdn } from '../../../agent/contract/index.ts';
import type { Component } from '../../../agent/contract/index.ts';

/** The pod as the baseline sees it. */
export interface PodEnv {
  component: Component;
  /** `FE_SERVICE_NAME` (or the entrypoint's first argument); empty when neither is given. */
  feService: string;
  /** `FE_QUERY_PORT`, default 9030 (BE/CN only read it). */
  feQueryPort: number;
  /** `HOST_TYPE`, default `IP` as in the scripts. */
  hostType: string;
  podIp: string;
  podName: string;
  namespace: string;
  /** `hostname -f` (or `POD_FQDN` when set). */
  hostnameF: string;
  /** `STARROCKS_ROOT`, default /opt/starrocks. */
  root: string;
  /** `CONFIGMAP_MOUNT_PATH`, empty when unset. */
  configMapMountPath: string;
  /** `LOG_CONSOLE=1` adds `--logconsole`. */
  logConsole: boolean;
  /** `KUBE_STARROCKS_MULTI_WAREHOUSE` (CN only). */
  warehouse: string | undefined;
  /** DNS server `host:port` the pod is given; undefined: the system's. */
  dnsServer: string | undefined;
  /** Cluster domain for name qualification. */
  domain: string;
  /** Where the probe server binds, and its port. */
  bind: string;
  agentPort: number;
}

/** Reads the pod's env. Throws when the component cannot be told. */
export function readPodEnv(env: Readonly<Record<string, string | undefined>>, serviceArg: string | undefined): PodEnv {
  const component = env[ENV.COMPONENT_NAME] ?? '';
  if (!isComponent(component)) throw new Error(`${ENV.COMPONENT_NAME}="${component}" is not fe, be or cn: the baseline cannot tell which entrypoint to run`);
  const podName = env[ENV.POD_NAME] ?? env.HOSTNAME ?? '';
  const namespace = env[ENV.POD_NAMESPACE] ?? 'default';
  const domain = env[ENV.CLUSTER_DOMAIN] ?? DEFAULTS.clusterDomain;
  // The StatefulSet is `<cluster>-<component>`: the cluster is the pod name without `-<c>-<n>`.
  const cluster = env[ENV.CLUSTER_NAME] ?? podName.replace(new RegExp(`-${component}-\\d+$`), '');
  const podIp = env[ENV.POD_IP] ?? '';
  const queryPort = Number(env[ENV.FE_QUERY_PORT] ?? '');
  return {
    component,
    feService: serviceArg ?? env[ENV.FE_SERVICE_NAME] ?? '',
    feQueryPort: Number.isInteger(queryPort) && queryPort > 0 ? queryPort : PORTS.fe.query,
    hostType: env[ENV.HOST_TYPE] ?? 'IP',
    podIp,
    podName,
    namespace,
    hostnameF: env.POD_FQDN ?? podFqdn({ pod: podName, cluster, component, namespace, domain }),
    root: env[ENV.STARROCKS_ROOT] ?? PATHS.starrocksRoot,
    configMapMountPath: env[ENV.CONFIGMAP_MOUNT_PATH] ?? '',
    logConsole: env[ENV.LOG_CONSOLE] === '1',
    warehouse: env.KUBE_STARROCKS_MULTI_WAREHOUSE,
    dnsServer: env[ENV.DNS_SERVER],
    domain,
    bind: env[ENV.AGENT_BIND] ?? (podIp || '0.0.0.0'),
    agentPort: Number(env[ENV.AGENT_PORT] ?? PORTS.agent),
  };
}

/** The search domains kubelet writes into a pod's resolv.conf. */
export function searchDomains(namespace: string, domain: string): string[] {
  return [`${namespace}.svc.${domain}`, `svc.${domain}`, domain];
}

/** The cluster name behind a load-balanced FE service name (`<cluster>-fe-service[.ns]`), if it is one. */
export function feServiceCluster(name: string): string | undefined {
  const first = name.split('.')[0] ?? '';
  const match = /^(.+)-fe-service$/.exec(first);
  return match?.[1];
}

/** The headless twin of the FE service (`<cluster>-fe-search.<ns>.svc.<domain>`), which lists every FE pod. */
export function feSearchName(cluster: string, namespace: string, domain: string): string {
  return `${names(cluster).searchService('fe')}.${namespace}.svc.${domain}`;
}
