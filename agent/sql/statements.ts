/**
 * Builders for every SQL statement the agent sends to an FE. They take validated values only
 * (HostPort from host-port.ts), quote per the StarRocks grammar (`ALTER SYSTEM ADD FOLLOWER
 * "host:port"`), and check the finished text once more, so nothing but a valid host:port ever
 * reaches the server. `kind` names the statement for logs and metrics.
 *
 * @example
 * ```ts
 * addFrontend('FOLLOWER', hostPort('fe-1.prod-fe-search.ns.svc.cluster.local', 9010)).sql;
 * // 'ALTER SYSTEM ADD FOLLOWER "fe-1.prod-fe-search.ns.svc.cluster.local:9010"'
 * ```
 */
import { AgentError } from '../contract/errors.ts';
import { hostPortText, isValidHost, isValidPort } from './host-port.ts';
import { passwordLiteral } from './passwords.ts';
import type { HostPort } from './host-port.ts';

declare const statementBrand: unique symbol;

/** Kinds of read statements. */
type ShowKind = 'show_frontends' | 'show_backends' | 'show_compute_nodes' | 'show_statistic';
/** Kinds of write statements. */
type AlterKind =
  | 'add_follower'
  | 'add_observer'
  | 'drop_follower'
  | 'drop_observer'
  | 'add_backend'
  | 'drop_backend'
  | 'decommission_backend'
  | 'cancel_decommission_backend'
  | 'add_compute_node'
  | 'drop_compute_node'
  | 'set_frontend_config'
  | 'set_password'
  | 'create_user'
  | 'grant_role'
  | 'grant_operate'
  | 'set_default_role';
/** Every statement kind, for metrics labels. */
export type StatementKind = ShowKind | AlterKind;

/** A read statement made by a builder here. */
export interface ShowStatement {
  readonly kind: ShowKind;
  readonly sql: string;
  readonly [statementBrand]: 'show';
}

/** A write statement made by a builder here; `target` is the node it is about, if any. */
export interface AlterStatement {
  readonly kind: AlterKind;
  readonly sql: string;
  readonly target: HostPort | undefined;
  readonly [statementBrand]: 'alter';
}

/** FE roles that can be added or dropped. */
export type FrontendRole = 'FOLLOWER' | 'OBSERVER';

/** FE configs the agent may change, with the values it may set. */
export const FRONTEND_CONFIGS = {
  drop_backend_after_decommission: ['true', 'false'],
} as const;
/** A changeable FE config key. */
export type FrontendConfigKey = keyof typeof FRONTEND_CONFIGS;

/** `SHOW FRONTENDS` */
export function showFrontends(): ShowStatement {
  return show('show_frontends', 'SHOW FRONTENDS');
}
/** `SHOW BACKENDS` */
export function showBackends(): ShowStatement {
  return show('show_backends', 'SHOW BACKENDS');
}
/** `SHOW COMPUTE NODES` */
export function showComputeNodes(): ShowStatement {
  return show('show_compute_nodes', 'SHOW COMPUTE NODES');
}

/** `SHOW PROC '/statistic'`: tablet health per database. */
export function showStatistic(): ShowStatement {
  return show('show_statistic', "SHOW PROC '/statistic'");
}

/** `ALTER SYSTEM ADD FOLLOWER|OBSERVER "host:edit_log_port"` */
export function addFrontend(role: FrontendRole, target: HostPort): AlterStatement {
  return alter(role === 'FOLLOWER' ? 'add_follower' : 'add_observer', `ALTER SYSTEM ADD ${role}`, target);
}
/** `ALTER SYSTEM DROP FOLLOWER|OBSERVER "host:edit_log_port"` */
export function dropFrontend(role: FrontendRole, target: HostPort): AlterStatement {
  return alter(role === 'FOLLOWER' ? 'drop_follower' : 'drop_observer', `ALTER SYSTEM DROP ${role}`, target);
}
/** `ALTER SYSTEM ADD BACKEND "host:heartbeat_port"` */
export function addBackend(target: HostPort): AlterStatement {
  return alter('add_backend', 'ALTER SYSTEM ADD BACKEND', target);
}
/** `ALTER SYSTEM DROP BACKEND "host:heartbeat_port"`, never with FORCE: data is never dropped. */
export function dropBackend(target: HostPort): AlterStatement {
  return alter('drop_backend', 'ALTER SYSTEM DROP BACKEND', target);
}
/** `ALTER SYSTEM DECOMMISSION BACKEND "host:heartbeat_port"` */
export function decommissionBackend(target: HostPort): AlterStatement {
  return alter('decommission_backend', 'ALTER SYSTEM DECOMMISSION BACKEND', target);
}
/** `CANCEL DECOMMISSION BACKEND "host:heartbeat_port"` */
export function cancelDecommissionBackend(target: HostPort): AlterStatement {
  return alter('cancel_decommission_backend', 'CANCEL DECOMMISSION BACKEND', target);
}
/** `ALTER SYSTEM ADD COMPUTE NODE "host:heartbeat_port"` */
export function addComputeNode(target: HostPort): AlterStatement {
  return alter('add_compute_node', 'ALTER SYSTEM ADD COMPUTE NODE', target);
}
/** `ALTER SYSTEM DROP COMPUTE NODE "host:heartbeat_port"` */
export function dropComputeNode(target: HostPort): AlterStatement {
  return alter('drop_compute_node', 'ALTER SYSTEM DROP COMPUTE NODE', target);
}

/** `ADMIN SET FRONTEND CONFIG ("key" = "value")` for the few keys the agent may change. */
export function setFrontendConfig<K extends FrontendConfigKey>(
  key: K,
  value: (typeof FRONTEND_CONFIGS)[K][number],
): AlterStatement {
  const allowed: readonly string[] = FRONTEND_CONFIGS[key] ?? [];
  if (!allowed.includes(value)) {
    throw new AgentError('ERR_INTERNAL', `FE config ${JSON.stringify(key)} = ${JSON.stringify(value)} is not one the agent may set`);
  }
  return {
    kind: 'set_frontend_config',
    sql: `ADMIN SET FRONTEND CONFIG ("${key}" = "${value}")`,
    target: undefined,
  } as AlterStatement;
}

// A SQL user name the agent manages: our own constants only, checked so that nothing but a plain
// name goes between the quotes of `'user'@'%'`.
function userIdentity(user: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(user)) {
    throw new AgentError('ERR_INTERNAL', `refusing to put the user name ${JSON.stringify(user)} into SQL`);
  }
  return `'${user}'@'%'`;
}

// A role name: the built-in roles only (cluster_admin).
function roleName(role: string): string {
  if (!/^[a-z_]{1,64}$/.test(role)) throw new AgentError('ERR_INTERNAL', `refusing to put the role name ${JSON.stringify(role)} into SQL`);
  return role;
}

/**
 * `SET PASSWORD FOR 'user'@'%' = PASSWORD('...')` (StarRocks docs, SET PASSWORD: any user may set
 * their own; only root may set root's). The SQL holds the password: never log `sql`.
 */
export function setPassword(user: string, password: string): AlterStatement {
  return { kind: 'set_password', sql: `SET PASSWORD FOR ${userIdentity(user)} = PASSWORD(${passwordLiteral(password)})`, target: undefined } as AlterStatement;
}

/**
 * `CREATE USER IF NOT EXISTS 'user'@'%' IDENTIFIED BY '...' DEFAULT ROLE role`: DEFAULT ROLE grants
 * the role and activates it at login (StarRocks docs, CREATE USER). An existing user keeps its
 * password: setPassword follows when the login fails. The SQL holds the password.
 */
export function createUser(user: string, password: string, role: string): AlterStatement {
  return {
    kind: 'create_user',
    sql: `CREATE USER IF NOT EXISTS ${userIdentity(user)} IDENTIFIED BY ${passwordLiteral(password)} DEFAULT ROLE ${roleName(role)}`,
    target: undefined,
  } as AlterStatement;
}

/** `GRANT role TO USER 'user'@'%'` (repairs a user that existed without the role). */
export function grantRole(role: string, user: string): AlterStatement {
  return { kind: 'grant_role', sql: `GRANT ${roleName(role)} TO USER ${userIdentity(user)}`, target: undefined } as AlterStatement;
}

/**
 * `GRANT OPERATE ON SYSTEM TO USER 'user'@'%'`: the tablet-health gate's `SHOW PROC '/statistic'`
 * needs OPERATE (AuthorizerStmtVisitor.visitShowProcStmt), which cluster_admin does not hold.
 */
export function grantOperate(user: string): AlterStatement {
  return { kind: 'grant_operate', sql: `GRANT OPERATE ON SYSTEM TO USER ${userIdentity(user)}`, target: undefined } as AlterStatement;
}

/** `SET DEFAULT ROLE role TO 'user'@'%'`: roles are active at login only as default roles. */
export function setDefaultRole(role: string, user: string): AlterStatement {
  return { kind: 'set_default_role', sql: `SET DEFAULT ROLE ${roleName(role)} TO ${userIdentity(user)}`, target: undefined } as AlterStatement;
}

function show(kind: ShowKind, sql: string): ShowStatement {
  return { kind, sql } as ShowStatement;
}

// The host:port goes between double quotes. The value is re-checked here (a brand can be forged
// with a cast), and the quoted text must be plain host:port characters, so no quote, backslash,
// semicolon, comment or whitespace can end the literal.
function alter(kind: AlterKind, prefix: string, target: HostPort): AlterStatement {
  if (!isValidHost(target.host) || !isValidPort(target.port)) {
    throw new AgentError('ERR_HOST_INVALID', `refusing to put ${JSON.stringify(target)} into SQL: not a validated host and port`);
  }
  const text = hostPortText(target);
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(text)) {
    throw new AgentError('ERR_HOST_INVALID', `refusing to put ${JSON.stringify(text)} into SQL`);
  }
  return { kind, sql: `${prefix} "${text}"`, target } as AlterStatement;
}
