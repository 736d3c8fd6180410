/**
 * StarRocks version profiles the simulator can impersonate: the column sets of the membership
 * statements and the version strings, per `reference/starrocks-fe-protocol.md` §1-3 and §9.
 */

/**
 * Profile names: `3.3` (default, 16-column SHOW FRONTENDS, MySQL server version 5.1.0), `3.5` and
 * `4.1` (Id column first, StatusCode, MySQL server version 8.0.33).
 */
export const PROFILE_NAMES = ['3.3', '3.5', '4.1'] as const;
/** One profile name. */
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** What differs between versions. */
export interface Profile {
  name: ProfileName;
  /** `<release>` as in `StarRocks version <release>`. */
  release: string;
  /** Short commit hash shown after the release. */
  commit: string;
  /** The MySQL handshake's server version (`Config.mysql_server_version`). */
  mysqlServerVersion: string;
  frontendColumns: readonly string[];
  backendColumns: readonly string[];
  computeNodeColumns: readonly string[];
}

const FRONTEND_BASE = [
  'Name', 'IP', 'EditLogPort', 'HttpPort', 'QueryPort', 'RpcPort', 'Role', 'ClusterId', 'Join', 'Alive',
  'ReplayedJournalId', 'LastHeartbeat', 'IsHelper', 'ErrMsg', 'StartTime', 'Version',
] as const;

const BACKEND_33 = [
  'BackendId', 'IP', 'HeartbeatPort', 'BePort', 'HttpPort', 'BrpcPort', 'LastStartTime', 'LastHeartbeat',
  'Alive', 'SystemDecommissioned', 'ClusterDecommissioned', 'TabletNum', 'DataUsedCapacity', 'AvailCapacity',
  'TotalCapacity', 'UsedPct', 'MaxDiskUsedPct', 'ErrMsg', 'Version', 'Status', 'DataTotalCapacity',
  'DataUsedPct', 'CpuCores', 'MemLimit', 'NumRunningQueries', 'MemUsedPct', 'CpuUsedPct', 'DataCacheMetrics',
  'Location',
] as const;

// The reference gives the 2.5 base and the newest tail; 3.3 shared-nothing is the base plus the
// newest tail without StatusCode (which came with 3.4).
const COMPUTE_NODE_33 = [
  'ComputeNodeId', 'IP', 'HeartbeatPort', 'BePort', 'HttpPort', 'BrpcPort', 'LastStartTime', 'LastHeartbeat',
  'Alive', 'SystemDecommissioned', 'ClusterDecommissioned', 'ErrMsg', 'Version', 'CpuCores', 'MemLimit',
  'NumRunningQueries', 'MemUsedPct', 'CpuUsedPct', 'DataCacheMetrics', 'HasStoragePath',
] as const;

// 3.4 and later: `Id` first in SHOW FRONTENDS (3.5+, reference §1.1), `StatusCode` last in SHOW
// BACKENDS and SHOW COMPUTE NODES (§2.1, §3), and `mysql_server_version` 8.0.33 (StarRocks PR
// #52512, §9). 4.x adds no shared-nothing columns (§13).
const FRONTEND_35 = ['Id', ...FRONTEND_BASE] as const;
const BACKEND_35 = [...BACKEND_33, 'StatusCode'] as const;
const COMPUTE_NODE_35 = [...COMPUTE_NODE_33, 'StatusCode'] as const;

/** The profiles by name. */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  '3.3': {
    name: '3.3',
    release: '3.3.10',
    commit: '227b0b3',
    mysqlServerVersion: '5.1.0',
    frontendColumns: FRONTEND_BASE,
    backendColumns: BACKEND_33,
    computeNodeColumns: COMPUTE_NODE_33,
  },
  '3.5': {
    name: '3.5',
    release: '3.5.6',
    commit: '5ba0c4e',
    mysqlServerVersion: '8.0.33',
    frontendColumns: FRONTEND_35,
    backendColumns: BACKEND_35,
    computeNodeColumns: COMPUTE_NODE_35,
  },
  // 4.1.1 (2026-05-29), tag 4.1.1 at 14b7e3f (github.com/StarRocks/starrocks/releases/tag/4.1.1).
  '4.1': {
    name: '4.1',
    release: '4.1.1',
    commit: '14b7e3f',
    mysqlServerVersion: '8.0.33',
    frontendColumns: FRONTEND_35,
    backendColumns: BACKEND_35,
    computeNodeColumns: COMPUTE_NODE_35,
  },
};

/** True when `value` names a profile. */
export function isProfileName(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}

/** `<release>-<commit>`, as the Version columns show it. */
export function versionString(profile: Profile): string {
  return `${profile.release}-${profile.commit}`;
}
