// Result sets shaped like real StarRocks output (column sets and value formats from
// starrocks-fe-protocol.md §1-3), and small builders used by the plan tests.
import type { ResultSet } from '../../../agent/membership/result-set.ts';

/** SHOW FRONTENDS columns, 3.0-3.4. */
export const FE_COLUMNS_33 = [
  'Name', 'IP', 'EditLogPort', 'HttpPort', 'QueryPort', 'RpcPort', 'Role', 'ClusterId', 'Join', 'Alive',
  'ReplayedJournalId', 'LastHeartbeat', 'IsHelper', 'ErrMsg', 'StartTime', 'Version',
];
/** SHOW FRONTENDS columns, 3.5+ (Id first). */
export const FE_COLUMNS_35 = ['Id', ...FE_COLUMNS_33];

/** SHOW BACKENDS columns, 3.3 (29). */
export const BE_COLUMNS_33 = [
  'BackendId', 'IP', 'HeartbeatPort', 'BePort', 'HttpPort', 'BrpcPort', 'LastStartTime', 'LastHeartbeat', 'Alive',
  'SystemDecommissioned', 'ClusterDecommissioned', 'TabletNum', 'DataUsedCapacity', 'AvailCapacity', 'TotalCapacity',
  'UsedPct', 'MaxDiskUsedPct', 'ErrMsg', 'Version', 'Status', 'DataTotalCapacity', 'DataUsedPct', 'CpuCores',
  'MemLimit', 'NumRunningQueries', 'MemUsedPct', 'CpuUsedPct', 'DataCacheMetrics', 'Location',
];
/** SHOW BACKENDS columns, 3.4/3.5+ (30). */
export const BE_COLUMNS_35 = [...BE_COLUMNS_33, 'StatusCode'];

/** SHOW COMPUTE NODES columns, 3.3 shared-data docs. */
export const CN_COLUMNS_33 = [
  'ComputeNodeId', 'IP', 'HeartbeatPort', 'BePort', 'HttpPort', 'BrpcPort', 'LastStartTime', 'LastHeartbeat', 'Alive',
  'SystemDecommissioned', 'ClusterDecommissioned', 'ErrMsg', 'Version', 'CpuCores', 'NumRunningQueries', 'MemUsedPct',
  'CpuUsedPct', 'HasStoragePath', 'StarletPort', 'WorkerId', 'WarehouseName', 'TabletNum',
];
/** SHOW COMPUTE NODES columns, newest shared-nothing. */
export const CN_COLUMNS_35 = [
  'ComputeNodeId', 'IP', 'HeartbeatPort', 'BePort', 'HttpPort', 'BrpcPort', 'LastStartTime', 'LastHeartbeat', 'Alive',
  'SystemDecommissioned', 'ClusterDecommissioned', 'ErrMsg', 'Version', 'CpuCores', 'MemLimit', 'NumRunningQueries',
  'MemUsedPct', 'CpuUsedPct', 'DataCacheMetrics', 'HasStoragePath', 'StatusCode',
];

/** Which column set to produce. */
export type Profile = '3.3' | '3.5';

/** An FE as a test describes it; everything else gets realistic defaults. */
export interface FeSpec {
  host: string;
  role?: 'LEADER' | 'FOLLOWER' | 'OBSERVER';
  editLogPort?: number;
  clusterId?: number;
  alive?: boolean;
  join?: boolean;
  errMsg?: string;
}

/** A SHOW FRONTENDS result set for the given FEs, in the given column set. */
export function frontendsResult(fes: readonly FeSpec[], profile: Profile = '3.3'): ResultSet {
  const columns = profile === '3.5' ? FE_COLUMNS_35 : FE_COLUMNS_33;
  const rows = fes.map((fe, i) => {
    const alive = fe.alive ?? true;
    const port = fe.editLogPort ?? 9010;
    const role = fe.role ?? 'FOLLOWER';
    const values: Record<string, string> = {
      Id: String(i + 1),
      Name: `${fe.host}_${port}_17106417${String(i).padStart(5, '0')}`,
      IP: fe.host,
      EditLogPort: String(port),
      HttpPort: '8030',
      QueryPort: alive ? '9030' : '0',
      RpcPort: alive ? '9020' : '0',
      Role: role,
      ClusterId: String(fe.clusterId ?? 1_234_567_890),
      Join: String(fe.join ?? alive),
      Alive: String(alive),
      ReplayedJournalId: alive ? '2041' : '0',
      LastHeartbeat: alive ? '2026-11-22 21:03:11' : 'NULL',
      IsHelper: String(role !== 'OBSERVER'),
      ErrMsg: fe.errMsg ?? (alive ? '' : 'java.net.ConnectException: Connection refused'),
      StartTime: alive ? '2026-11-22 20:59:40' : 'NULL',
      Version: alive ? '3.3.10-227b0b3' : 'NULL',
    };
    return columns.map((c) => values[c] ?? '');
  });
  return { columns, rows };
}

/** A BE or CN as a test describes it. */
export interface NodeSpec {
  host: string;
  heartbeatPort?: number;
  alive?: boolean;
  decommissioned?: boolean;
  tablets?: number | 'NULL';
  statusCode?: string;
}

/** A SHOW BACKENDS (or, with `kind: 'cn'`, SHOW COMPUTE NODES) result set. */
export function nodesResult(nodes: readonly NodeSpec[], options: { profile?: Profile; kind?: 'be' | 'cn' } = {}): ResultSet {
  const kind = options.kind ?? 'be';
  const profile = options.profile ?? '3.3';
  const columns = kind === 'be' ? (profile === '3.5' ? BE_COLUMNS_35 : BE_COLUMNS_33) : profile === '3.5' ? CN_COLUMNS_35 : CN_COLUMNS_33;
  const rows = nodes.map((n, i) => {
    const alive = n.alive ?? true;
    const values: Record<string, string> = {
      BackendId: String(10001 + i),
      ComputeNodeId: String(10001 + i),
      IP: n.host,
      HeartbeatPort: String(n.heartbeatPort ?? 9050),
      BePort: alive ? '9060' : '-1',
      HttpPort: alive ? '8040' : '-1',
      BrpcPort: alive ? '8060' : '-1',
      LastStartTime: alive ? '2026-11-22 21:00:02' : 'NULL',
      LastHeartbeat: alive ? '2026-11-22 21:03:12' : 'NULL',
      Alive: String(alive),
      SystemDecommissioned: String(n.decommissioned ?? false),
      ClusterDecommissioned: 'false',
      TabletNum: String(n.tablets ?? 36),
      DataUsedCapacity: '25.122 GB',
      AvailCapacity: '1.088 TB',
      TotalCapacity: '1.968 TB',
      UsedPct: '44.72 %',
      MaxDiskUsedPct: '44.72 %',
      ErrMsg: alive ? '' : 'java.net.ConnectException: Connection refused',
      Version: '3.3.10-227b0b3',
      Status: '{"lastSuccessReportTabletsTime":"2026-11-22 21:03:01"}',
      DataTotalCapacity: '1.113 TB',
      DataUsedPct: '2.26 %',
      CpuCores: '8',
      MemLimit: '6.207GB',
      NumRunningQueries: '0',
      MemUsedPct: '3.21 %',
      CpuUsedPct: '0.2 %',
      DataCacheMetrics: 'N/A',
      Location: '',
      StatusCode: n.statusCode ?? (alive ? 'OK' : 'DISCONNECTED'),
      HasStoragePath: 'true',
      StarletPort: '9070',
      WorkerId: String(i + 1),
      WarehouseName: 'default_warehouse',
    };
    return columns.map((c) => values[c] ?? '');
  });
  return { columns, rows };
}
