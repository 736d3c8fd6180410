/**
 * SHOW BACKENDS and SHOW COMPUTE NODES rows, parsed by column name into typed values, for the 3.3
 * column set and the 3.4/3.5+ one (`StatusCode` added; shared-data adds `WarehouseName`,
 * `TabletNum` on compute nodes).
 *
 * @example
 * ```ts
 * const rows = parseBackends(await client.query(showBackends()));
 * ```
 */
import { tryHostPort } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';
import { columnsOf } from './result-set.ts';
import type { Columns, ResultSet } from './result-set.ts';

/** One BE or CN row. */
export interface NodeRow {
  /** `BackendId` or `ComputeNodeId`. */
  readonly id: string;
  /** The host exactly as registered: DROP must use this form. */
  readonly host: string;
  readonly heartbeatPort: number | undefined;
  /** Host and HeartbeatPort when both are valid: the form to use in DROP/DECOMMISSION. */
  readonly address: HostPort | undefined;
  /** Undefined until the first heartbeat (StarRocks shows -1). */
  readonly bePort: number | undefined;
  readonly httpPort: number | undefined;
  readonly brpcPort: number | undefined;
  readonly alive: boolean;
  readonly systemDecommissioned: boolean;
  /** Undefined when the column is absent (CN in shared-nothing) or NULL. */
  readonly tabletNum: number | undefined;
  readonly lastHeartbeat: string | undefined;
  readonly errMsg: string;
  readonly version: string | undefined;
  /** 3.4+: `OK`, `SHUTDOWN`, `DISCONNECTED`, ... */
  readonly statusCode: string | undefined;
  readonly warehouse: string | undefined;
}

const COMMON = ['IP', 'HeartbeatPort', 'Alive', 'SystemDecommissioned', 'ErrMsg'];

/** Parse SHOW BACKENDS. Throws ERR_SQL_RESULT on a missing column or a malformed value. */
export function parseBackends(resultSet: ResultSet): NodeRow[] {
  const c = columnsOf(resultSet, { required: ['BackendId', ...COMMON, 'TabletNum'], what: 'SHOW BACKENDS' });
  return resultSet.rows.map((row) => nodeRow(c, row, 'BackendId'));
}

/** Parse SHOW COMPUTE NODES. Throws ERR_SQL_RESULT on a missing column or a malformed value. */
export function parseComputeNodes(resultSet: ResultSet): NodeRow[] {
  const c = columnsOf(resultSet, { required: ['ComputeNodeId', ...COMMON], what: 'SHOW COMPUTE NODES' });
  return resultSet.rows.map((row) => nodeRow(c, row, 'ComputeNodeId'));
}

function nodeRow(c: Columns, row: readonly (string | null)[], idColumn: string): NodeRow {
  const host = c.textOrEmpty(row, 'IP').trim();
  const heartbeatPort = c.port(row, 'HeartbeatPort');
  return {
    id: c.textOrEmpty(row, idColumn),
    host,
    heartbeatPort,
    address: heartbeatPort === undefined ? undefined : tryHostPort(host, heartbeatPort),
    bePort: c.port(row, 'BePort'),
    httpPort: c.port(row, 'HttpPort'),
    brpcPort: c.port(row, 'BrpcPort'),
    alive: c.bool(row, 'Alive') ?? false,
    systemDecommissioned: c.bool(row, 'SystemDecommissioned') ?? false,
    tabletNum: c.int(row, 'TabletNum'),
    lastHeartbeat: c.text(row, 'LastHeartbeat'),
    errMsg: c.textOrEmpty(row, 'ErrMsg'),
    version: c.text(row, 'Version'),
    statusCode: c.text(row, 'StatusCode'),
    warehouse: c.text(row, 'WarehouseName'),
  };
}
