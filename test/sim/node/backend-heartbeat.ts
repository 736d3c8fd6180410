/** What a BE/CN answers on its health and heartbeat ports (reference §7.2, §10.2), as pure data. */

/** The exact body of BE/CN `/api/health`. */
export const BACKEND_HEALTH_BODY = '{"status": "OK","msg": "To Be Added"}';

/** A heartbeat request as the world's leader sends it (one JSON line). */
export interface HeartbeatRequest {
  clusterId: number;
  token: string;
  epoch: number;
  /** The host the FE stored for this node (`TMasterInfo.backend_ip`: an IP or an FQDN). */
  host: string;
  nodeType: 'backend' | 'compute_node';
}

/**
 * The BE's master info: the cluster id comes from its storage at start, the token and epoch
 * only from the last accepted heartbeat (heartbeat_server.cpp `init_cluster_id_or_die`).
 */
export interface BoundMaster {
  clusterId: number;
  token?: string | undefined;
  epoch: number;
}

/**
 * The BE's checks of a heartbeat, in the order of `compare_master_info` (heartbeat_server.cpp):
 * shutting down, epoch, token, cluster id, node type. The host check that follows is
 * {@link checkBackendHost}; a node applies `bound` only once both pass.
 */
export function checkHeartbeat(options: {
  request: HeartbeatRequest;
  bound: BoundMaster | undefined;
  isCn: boolean;
  shuttingDown: boolean;
}): { ok: true; bound: BoundMaster } | { ok: false; status: 'ERROR' | 'SHUTDOWN'; message: string } {
  const { request, bound } = options;
  if (options.shuttingDown) return { ok: false, status: 'SHUTDOWN', message: 'BE is shutting down' };
  if (bound !== undefined) {
    if (request.epoch < bound.epoch) return { ok: false, status: 'ERROR', message: 'Out-dated epoch' };
    if (bound.token !== undefined && bound.token !== request.token) return { ok: false, status: 'ERROR', message: 'Unmatched token' };
    if (bound.clusterId !== request.clusterId) return { ok: false, status: 'ERROR', message: 'Unmatched cluster id' };
  }
  if (request.nodeType === 'backend' && options.isCn) return { ok: false, status: 'ERROR', message: 'expect to be BE but actually CN,Unmatched node type!' };
  if (request.nodeType === 'compute_node' && !options.isCn) return { ok: false, status: 'ERROR', message: 'expect to be CN but actually BE,Unmatched node type!' };
  return { ok: true, bound: { clusterId: request.clusterId, token: request.token, epoch: request.epoch } };
}

/** How the node sees itself: its current `localhost` and the addresses of its interfaces. */
export interface BackendSelf {
  localhost: string;
  addresses: readonly string[];
}

/**
 * The `backend_ip` step of `compare_master_info` (heartbeat_server.cpp): the host the FE stored
 * must be this node. An IP that differs from an IP localhost is refused at once; otherwise the
 * host is resolved and must be one of the node's addresses, which makes it the new localhost.
 */
export async function checkBackendHost(
  host: string,
  self: BackendSelf,
  resolve: (name: string) => Promise<string | undefined>,
): Promise<{ ok: true; localhost: string } | { ok: false; message: string }> {
  if (host === self.localhost) return { ok: true, localhost: self.localhost };
  const savedIsIp = isIp(host);
  if (savedIsIp && isIp(self.localhost)) return { ok: false, message: 'FE saved address not match backend address' };
  const ip = savedIsIp ? host : await resolve(host);
  // network_util.cpp hostname_to_ipv4; gai_strerror(EAI_NONAME).
  if (ip === undefined) return { ok: false, message: `failed to get ipv4 from host: ${host}, err: Name or service not known` };
  if (!self.addresses.includes(ip)) return { ok: false, message: 'Unmatched backend ip' };
  return { ok: true, localhost: host };
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
