/**
 * Statements any FE answers by itself, from its session and replayed meta, without the leader:
 * constant and session SELECTs, SET, USE and SHOW DATABASES — what MySQL clients send on their
 * own (the mariadb client's `status`, connectors' probes).
 */
import type { Profile } from '../profile.ts';
import { SESSION_VARIABLES } from '../sql/statement.ts';
import type { SelectItem, Statement } from '../sql/statement.ts';
import type { SessionInfo } from './accounts.ts';
import { identityText } from './accounts.ts';
import type { Cluster, SqlResult } from './cluster.ts';

/** What a local answer needs. */
export interface LocalContext {
  profile: Profile;
  session: SessionInfo;
  /** The FE's cluster; undefined only before it joined one (its ports are closed then). */
  cluster: Cluster | undefined;
}

function selectValue(item: SelectItem, ctx: LocalContext): string | null {
  const { profile, session } = ctx;
  switch (item.fn) {
    case 'literal':
      return item.value;
    case 'variable':
      return SESSION_VARIABLES[item.name] ?? null;
    case 'version-comment':
      return `StarRocks version ${profile.release}`;
    case 'current-version':
      return `${profile.release} ${profile.commit}`;
    case 'version':
      // `version()` and `@@version` are Config.mysql_server_version (reference §9).
      return profile.mysqlServerVersion;
    case 'database':
      return session.database ?? null;
    case 'user':
      // USER() is the login name at the client's address; CURRENT_USER() the matched identity.
      return identityText(session.user, session.clientIp);
    case 'current-user':
      return identityText(session.user, session.host);
    case 'connection-id':
      return String(session.connectionId);
    case 'current-role':
      return session.roles.length === 0 ? 'NONE' : session.roles.join(', ');
  }
}

/** The answer when the FE gives it itself, or undefined when the statement needs the leader. */
export function answerLocally(statement: Statement, ctx: LocalContext): SqlResult | undefined {
  switch (statement.kind) {
    case 'select':
      return { kind: 'rows', columns: statement.items.map((i) => i.column), rows: [statement.items.map((i) => selectValue(i, ctx))] };
    case 'set':
      return { kind: 'ok' };
    case 'show-databases':
      return { kind: 'rows', columns: ['Database'], rows: visibleDatabases(ctx).map((db) => [db]) };
    case 'use':
      // StmtExecutor.handleUseDbStmt: ERR_BAD_DB_ERROR, 5501/3F000 in the reorganised ErrorCode.
      if (!visibleDatabases(ctx).includes(statement.database)) {
        return { kind: 'error', code: 5501, state: '3F000', message: `Unknown database '${statement.database}'` };
      }
      return { kind: 'ok', database: statement.database };
    default:
      return undefined;
  }
}

// ShowExecutor lists the databases the user holds any privilege on: all of them for root and
// db_admin; information_schema (granted to the public role) for everyone.
function visibleDatabases(ctx: LocalContext): string[] {
  const all = ctx.cluster?.databases() ?? ['information_schema'];
  const admin = ctx.session.roles.includes('root') || ctx.session.roles.includes('db_admin');
  return admin ? all : all.filter((db) => db === 'information_schema');
}
