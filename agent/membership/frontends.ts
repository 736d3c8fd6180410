/**
 * SHOW FRONTENDS rows, parsed by column name into typed values, for the 3.0-3.4 column set (16
 * columns) and the 3.5+ one (an `Id`/`ID` column added first).
 *
 * @example
 * ```ts
 * const rows = parseFrontends(await client.query(showFrontends()));
 * ```
 */
import { tryHostPort } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';
import { columnsOf } from './result-set.ts';
import type { ResultSet } from './result-set.ts';

/** FE roles as SHOW FRONTENDS prints them. */
const FRONTEND_ROLES = ['LEADER', 'FOLLOWER', 'OBSERVER', 'INIT', 'UNKNOWN'] as const;
/** One FE role. */
type FrontendRowRole = (typeof FRONTEND_ROLES)[number];

/** One SHOW FRONTENDS row. */
export interface FrontendRow {
  /** 3.5+ only. */
  readonly id: string | undefined;
  /** BDB-JE node name, `<host>_<edit_log_port>_<ms>`. */
  readonly name: string;
  /** The host exactly as registered (IP or FQDN; the column is called IP either way). */
  readonly host: string;
  readonly editLogPort: number | undefined;
  /** Host and EditLogPort when both are valid: the form to use in DROP and as a helper. */
  readonly address: HostPort | undefined;
  readonly httpPort: number | undefined;
  /** Undefined until the first heartbeat (StarRocks shows 0). */
  readonly queryPort: number | undefined;
  readonly rpcPort: number | undefined;
  readonly role: FrontendRowRole;
  readonly clusterId: number | undefined;
  readonly join: boolean;
  readonly alive: boolean;
  readonly replayedJournalId: number | undefined;
  readonly lastHeartbeat: string | undefined;
  readonly isHelper: boolean;
  readonly errMsg: string;
  readonly startTime: string | undefined;
  readonly version: string | undefined;
}

const REQUIRED = ['Name', 'IP', 'EditLogPort', 'HttpPort', 'QueryPort', 'Role', 'ClusterId', 'Join', 'Alive', 'IsHelper', 'ErrMsg'];

/** Parse SHOW FRONTENDS. Throws ERR_SQL_RESULT on a missing column or a malformed value. */
export function parseFrontends(resultSet: ResultSet): FrontendRow[] {
  const c = columnsOf(resultSet, { required: REQUIRED, what: 'SHOW FRONTENDS' });
  return resultSet.rows.map((row) => {
    const host = c.textOrEmpty(row, 'IP').trim();
    const editLogPort = c.port(row, 'EditLogPort');
    const roleText = (c.text(row, 'Role') ?? 'UNKNOWN').toUpperCase();
    const role = (FRONTEND_ROLES as readonly string[]).includes(roleText) ? (roleText as FrontendRowRole) : 'UNKNOWN';
    return {
      id: c.text(row, 'Id'),
      name: c.textOrEmpty(row, 'Name'),
      host,
      editLogPort,
      address: editLogPort === undefined ? undefined : tryHostPort(host, editLogPort),
      httpPort: c.port(row, 'HttpPort'),
      queryPort: c.port(row, 'QueryPort'),
      rpcPort: c.port(row, 'RpcPort'),
      role,
      clusterId: c.int(row, 'ClusterId'),
      join: c.bool(row, 'Join') ?? false,
      alive: c.bool(row, 'Alive') ?? false,
      replayedJournalId: c.int(row, 'ReplayedJournalId'),
      lastHeartbeat: c.text(row, 'LastHeartbeat'),
      isHelper: c.bool(row, 'IsHelper') ?? false,
      errMsg: c.textOrEmpty(row, 'ErrMsg'),
      startTime: c.text(row, 'StartTime'),
      version: c.text(row, 'Version'),
    };
  });
}
