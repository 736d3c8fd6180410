/**
 * The ports of each component, read from its conf when the CR gives one (`configMapInfo`), with
 * StarRocks' defaults otherwise. Names follow the official operator (container ports and Services).
 */
import { PORTS } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { confPort } from '../../agent/contract/starrocks-conf.ts';
import type { StarRocksConf } from '../../agent/contract/starrocks-conf.ts';
import { AgentError } from '../../agent/contract/errors.ts';

/** One port of a component. */
export interface ComponentPort {
  /** Name on the external Service. */
  serviceName: string;
  /** Name on the container, or undefined when the port is not a container port (FE edit log). */
  containerName: string | undefined;
  port: number;
  appProtocol?: string;
}

interface PortDef {
  serviceName: string;
  containerName: string | undefined;
  /** Conf keys, preferred first (newer name, then legacy). */
  keys: string[];
  fallback: number;
  appProtocol?: string;
}

const BACKEND_DEFS = (thrift: string): PortDef[] => [
  { serviceName: thrift, containerName: `${thrift}-port`, keys: ['be_port', 'thrift_port'], fallback: PORTS.be.be },
  { serviceName: 'webserver', containerName: 'webserver-port', keys: ['be_http_port', 'webserver_port'], fallback: PORTS.be.http },
  { serviceName: 'heartbeat', containerName: 'heartbeat-port', keys: ['heartbeat_service_port'], fallback: PORTS.be.heartbeat },
  { serviceName: 'brpc', containerName: 'brpc-port', keys: ['brpc_port'], fallback: PORTS.be.brpc },
];

const DEFS: Readonly<Record<Component, PortDef[]>> = {
  fe: [
    { serviceName: 'http', containerName: 'http-port', keys: ['http_port'], fallback: PORTS.fe.http },
    { serviceName: 'rpc', containerName: 'rpc-port', keys: ['rpc_port'], fallback: PORTS.fe.rpc },
    { serviceName: 'query', containerName: 'query-port', keys: ['query_port'], fallback: PORTS.fe.query, appProtocol: 'mysql' },
    { serviceName: 'edit-log', containerName: undefined, keys: ['edit_log_port'], fallback: PORTS.fe.editLog },
  ],
  be: BACKEND_DEFS('be'),
  cn: BACKEND_DEFS('thrift'),
};

/** The ports of a component given its conf (undefined: StarRocks' defaults). */
export function componentPorts(component: Component, conf: StarRocksConf | undefined): ComponentPort[] {
  return DEFS[component].map((def) => {
    let port = def.fallback;
    if (conf !== undefined) {
      const key = def.keys.find((k) => conf.has(k));
      if (key !== undefined) port = confPort(conf, key, def.fallback) ?? def.fallback;
    }
    const out: ComponentPort = { serviceName: def.serviceName, containerName: def.containerName, port };
    if (def.appProtocol !== undefined) out.appProtocol = def.appProtocol;
    return out;
  });
}

/** The one port the headless `-search` Service lists (DNS needs one): FE query, BE/CN heartbeat. */
export function searchPort(component: Component, conf: StarRocksConf | undefined): ComponentPort {
  const wanted = component === 'fe' ? 'query' : 'heartbeat';
  const port = componentPorts(component, conf).find((p) => p.serviceName === wanted);
  if (port === undefined) throw new AgentError('ERR_INTERNAL', `no ${wanted} port defined for ${component}`);
  return port;
}
