/** What a BE/CN answers on its health and heartbeat ports (reference §7.2, §10.2), as pure data. */

/** The exact body of BE/CN `/api/health`. */
export const BACKEND_HEALTH_BODY = '{"status": "OK","msg": "To Be Added"}';

/** A heartbeat request as the world's leader sends it (one JSON line). */
export interface HeartbeatRequest {
  clusterId: number;
  token: string;
  epoch: number;
  host: string;
  nodeType: 'backend' | 'compute_node';
}

/** The BE's bound identity: what it persisted at its first heartbeat. */
export interface BoundMaster {
  clusterId: number;
  token: string;
  epoch: number;
}

/** The BE's checks of a heartbeat (`compare_master_info`), as a pure function. */
export function checkHeartbeat(options: {
  request: HeartbeatRequest;
  bound: BoundMaster | undefined;
  isCn: boolean;
  shuttingDown: boolean;
}): { ok: true; bound: BoundMaster } | { ok: false; status: 'ERROR' | 'SHUTDOWN'; message: string } {
  const { request, bound } = options;
  if (options.shuttingDown) return { ok: false, status: 'SHUTDOWN', message: 'BE is shutting down' };
  if (request.nodeType === 'backend' && options.isCn) return { ok: false, status: 'ERROR', message: 'expect to be BE but actually CN,Unmatched node type!' };
  if (request.nodeType === 'compute_node' && !options.isCn) return { ok: false, status: 'ERROR', message: 'expect to be CN but actually BE,Unmatched node type!' };
  if (bound !== undefined) {
    if (bound.clusterId !== request.clusterId) return { ok: false, status: 'ERROR', message: 'Unmatched cluster id' };
    if (request.epoch < bound.epoch) return { ok: false, status: 'ERROR', message: 'Out-dated epoch' };
    if (bound.token !== request.token) return { ok: false, status: 'ERROR', message: 'Unmatched token' };
  }
  return { ok: true, bound: { clusterId: request.clusterId, token: request.token, epoch: Math.max(request.epoch, bound?.epoch ?? 0) } };
}
