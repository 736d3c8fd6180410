/**
 * Classification of FE errors into the few cases the agent decides on, by the exact texts of
 * starrocks-fe-protocol.md §4.4-4.5 (3.0-3.2 `Unexpected exception: ` prefix included) and by
 * the MySQL client's transport codes. Pure: the input is the error's code, errno and message.
 *
 * @example
 * ```ts
 * classifySqlError({ errno: 1064, message: 'Backend already exists with same host h and port 9050' });
 * // 'already_exists'
 * ```
 */

/** What an FE error means to the agent. */
export type SqlErrorKind =
  /** A node with that host (FE) or host:port (BE/CN) is already registered. */
  | 'already_exists'
  /** The node to drop, decommission or recommission is not registered. */
  | 'does_not_exist'
  /** DROP of the FE that is the leader right now. */
  | 'cannot_drop_leader'
  /** DECOMMISSION refused: too few BEs left for a table's replication number. */
  | 'insufficient_be_number'
  /** DECOMMISSION refused: the other BEs lack the disk space. */
  | 'insufficient_disk_space'
  /** DROP BACKEND refused: single-replica tablets live on the BE. */
  | 'only_one_replica'
  /** The FE cannot resolve the host (FQDN not in DNS yet). */
  | 'unknown_host'
  /** The FE asks to retry (lock busy, node name collision). */
  | 'retry'
  /** Access denied at login (1045): wrong password, or no such user yet. */
  | 'auth'
  /**
   * The user lacks a privilege the statement needs: 1227 (ER_SPECIFIC_ACCESS_DENIED_ERROR) or,
   * since StarRocks PR #38531 (3.3+), 5203 (ERR_ACCESS_DENIED) "Access denied; you need (at least
   * one of) the NODE privilege(s) on SYSTEM ...". A grant is missing: retrying cannot help.
   */
  | 'privilege'
  /** The statement or the connect did not finish in time. */
  | 'timeout'
  /** Nothing listens on the query port (FE not started or not ready). */
  | 'connection_refused'
  /** The connection broke or the host is unreachable. */
  | 'connection_lost'
  /** The result set did not have the expected shape. */
  | 'bad_result'
  | 'other';

/** A failed statement, classified. `message` is the server's or the client's text. */
export interface SqlFailure {
  readonly kind: SqlErrorKind;
  readonly message: string;
  /** MySQL errno (1064, 1045, ...) when the server sent one. */
  readonly errno: number | undefined;
}

/** What a client error carries. */
export interface RawSqlError {
  /** mysql2 / Node code: `ER_ACCESS_DENIED_ERROR`, `ECONNREFUSED`, `ETIMEDOUT`, ... */
  code?: string | undefined;
  errno?: number | undefined;
  message: string;
}

const TRANSPORT: Readonly<Record<string, SqlErrorKind>> = {
  ECONNREFUSED: 'connection_refused',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'connection_lost',
  EPIPE: 'connection_lost',
  EHOSTUNREACH: 'connection_lost',
  ENETUNREACH: 'connection_lost',
  ENOTFOUND: 'connection_lost',
  EAI_AGAIN: 'connection_lost',
  PROTOCOL_CONNECTION_LOST: 'connection_lost',
  PROTOCOL_SEQUENCE_TIMEOUT: 'timeout',
  ER_ACCESS_DENIED_ERROR: 'auth',
};

// Order matters: "frontend name already exists <n>. Try again" is a retry, not a membership fact.
const MESSAGES: ReadonlyArray<readonly [RegExp, SqlErrorKind]> = [
  [/Try again/, 'retry'],
  [/insufficient BE number/i, 'insufficient_be_number'],
  [/insufficient disk space/i, 'insufficient_disk_space'],
  [/have only one replica/, 'only_one_replica'],
  [/can not drop current master/, 'cannot_drop_leader'],
  [/already exists/, 'already_exists'],
  [/does not exists?\[/i, 'does_not_exist'],
  [/unknown (fqdn )?host/i, 'unknown_host'],
  [/Access denied for user/, 'auth'],
  [/Access denied; you need/, 'privilege'],
];

/** Classify an error from the MySQL client or the FE. */
export function classifySqlError(error: RawSqlError): SqlErrorKind {
  if (error.errno === 1045) return 'auth';
  if (error.errno === 1227 || error.errno === 5203) return 'privilege';
  const transport = error.code === undefined ? undefined : TRANSPORT[error.code];
  if (transport !== undefined) return transport;
  for (const [pattern, kind] of MESSAGES) {
    if (pattern.test(error.message)) return kind;
  }
  return 'other';
}

/** A SqlFailure from a raw error. */
export function sqlFailure(error: RawSqlError): SqlFailure {
  return { kind: classifySqlError(error), message: error.message, errno: error.errno };
}
