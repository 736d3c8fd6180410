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
import { AgentError } from '../errors.ts';
import { hostPortText, isValidHost, isValidPort } from './host-port.ts';
import type { HostPort } from './host-port.ts';

declare const statementBrand: unique symbol;

/** Kinds of read statements. */
export type ShowKind = 'show_frontends' | 'show_backends' | 'show_compute_nodes' | 'show_statistic';
/** Kinds of write statements. */
export type AlterKind =
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
  | 'set_frontend_config';
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
