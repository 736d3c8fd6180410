/**
 * Users, roles and system privileges of one cluster, as the leader's AuthenticationMgr and
 * AuthorizationMgr hold them (StarRocks 3.0+ RBAC): the built-in roles, `root` with its password,
 * login lookups, the user and grant statements and the privilege checks of the statements the
 * simulator runs. Free of I/O, like the cluster it belongs to.
 */
import { passwordHashStage2 } from '../node/mysql-auth.ts';
import { analysisError } from '../sql/host-port.ts';
import type { AccountStatement, Grantee, PasswordSpec, RoleSet, UserRef } from '../sql/statement.ts';

/** What a connection carries to every statement: who is logged in, from where, with which roles. */
export interface SessionInfo {
  connectionId: number;
  /** The login name. */
  user: string;
  /** The host pattern of the matched user identity (`%` for most). */
  host: string;
  /** The client's address, as USER() shows it. */
  clientIp: string;
  /** Roles activated at login (the user's default roles). */
  roles: string[];
  /** The current database (USE), undefined before any. */
  database: string | undefined;
}

/** Root's session, for statements the simulator runs itself (no client connection). */
export function rootSession(clientIp: string): SessionInfo {
  return { connectionId: 0, user: 'root', host: '%', clientIp, roles: ['root'], database: undefined };
}

/** A statement's failure, before the MySQL layer wraps it. */
export interface AccountError {
  kind: 'error';
  code: number;
  state: string;
  message: string;
}

/**
 * An account statement's outcome; `ddl-error` is a DdlException from the executor, which the
 * cluster words per version.
 */
export type AccountResult = AccountError | { kind: 'ok' } | { kind: 'ddl-error'; message: string };

/** The system privileges StarRocks knows (`PrivilegeType` on `ObjectType.SYSTEM`). */
const SYSTEM_PRIVILEGES = [
  'GRANT',
  'NODE',
  'OPERATE',
  'CREATE RESOURCE GROUP',
  'CREATE RESOURCE',
  'CREATE EXTERNAL CATALOG',
  'PLUGIN',
  'REPOSITORY',
  'BLACKLIST',
  'FILE',
  'CREATE GLOBAL FUNCTION',
  'CREATE STORAGE VOLUME',
  'SECURITY',
] as const;

/** One system privilege. */
export type SystemPrivilege = (typeof SYSTEM_PRIVILEGES)[number];

// AuthorizationMgr.initBuiltinRolesAndUsers: root has everything, db_admin every system
// privilege but GRANT and NODE, cluster_admin NODE, user_admin GRANT, public none on SYSTEM.
const BUILTIN_ROLES: Readonly<Record<string, readonly SystemPrivilege[]>> = {
  root: SYSTEM_PRIVILEGES,
  db_admin: SYSTEM_PRIVILEGES.filter((p) => p !== 'GRANT' && p !== 'NODE'),
  cluster_admin: ['NODE'],
  user_admin: ['GRANT'],
  public: [],
};

interface Account {
  user: string;
  host: string;
  /** SHA1(SHA1(password)) in hex; empty for no password. */
  stage2: string;
  roles: Set<string>;
  defaultRoles: Set<string>;
  privileges: Set<SystemPrivilege>;
}

/** What a login needs: the stored hash to check the client's proof and the roles to activate. */
export interface LoginRecord {
  user: string;
  host: string;
  stage2: string;
  roles: string[];
}

/** `'user'@'host'`, as UserIdentity.toString prints it. */
export function identityText(user: string, host: string): string {
  return `'${user}'@'${host}'`;
}

function analysis(detail: string): AccountError {
  return { kind: 'error', code: 1064, state: 'HY000', message: analysisError(detail) };
}

function listText(names: string[]): string {
  return names.length === 0 ? 'NONE' : `[${names.join(', ')}]`;
}

// A MySQL host pattern: `%` any run, `_` one character.
function hostMatches(pattern: string, ip: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`);
  return re.test(ip);
}

/** The users and grants of one cluster. */
export class Accounts {
  readonly #accounts = new Map<string, Account>();
  readonly #rolePrivileges = new Map<string, Set<SystemPrivilege>>(
    Object.entries(BUILTIN_ROLES).map(([name, privileges]) => [name, new Set(privileges)]),
  );

  constructor(rootPassword: string) {
    this.#accounts.set(identityText('root', '%'), {
      user: 'root',
      host: '%',
      stage2: passwordHashStage2(rootPassword),
      roles: new Set(['root']),
      defaultRoles: new Set(['root']),
      privileges: new Set(),
    });
  }

  /** The best-matching identity for a login from `clientIp`: an exact host before a pattern. */
  login(user: string, clientIp: string): LoginRecord | undefined {
    const candidates = [...this.#accounts.values()].filter((a) => a.user === user && hostMatches(a.host, clientIp));
    candidates.sort((a, b) => wildcardCount(a.host) - wildcardCount(b.host));
    const account = candidates[0];
    if (account === undefined) return undefined;
    return { user: account.user, host: account.host, stage2: account.stage2, roles: [...account.defaultRoles].filter((r) => this.#rolePrivileges.has(r)) };
  }

  /** True when the session's active roles or the user's own grants hold `privilege` on SYSTEM. */
  holds(session: SessionInfo, privilege: SystemPrivilege): boolean {
    if (session.roles.some((r) => this.#rolePrivileges.get(r)?.has(privilege) === true)) return true;
    return this.#accounts.get(identityText(session.user, session.host))?.privileges.has(privilege) === true;
  }

  /**
   * The error of a session that lacks every one of `privileges` (AccessDeniedException.reportAccessDenied,
   * ErrorCode.ERR_ACCESS_DENIED: 5203/42000 since StarRocks PR #38531, which every profile includes),
   * or undefined when it holds one. The message names the first privilege.
   */
  deny(session: SessionInfo, privileges: SystemPrivilege[]): AccountError | undefined {
    if (privileges.length === 0 || privileges.some((p) => this.holds(session, p))) return undefined;
    return this.accessDenied(session, privileges[0] as string, 'SYSTEM');
  }

  /** ERR_ACCESS_DENIED for `privilege` on `object` (`SYSTEM`, `CATALOG default_catalog`), with the session's roles. */
  accessDenied(session: SessionInfo, privilege: string, object: string): AccountError {
    const account = this.#accounts.get(identityText(session.user, session.host));
    const inactive = account === undefined ? [] : [...account.roles].filter((r) => !session.roles.includes(r));
    return {
      kind: 'error',
      code: 5203,
      state: '42000',
      message:
        `Access denied; you need (at least one of) the ${privilege} privilege(s) on ${object} for this operation. ` +
        `Please ask the admin to grant permission(s) or try activating existing roles using <set [default] role>. ` +
        `Current role(s): ${listText(session.roles)}. Inactivated role(s): ${listText(inactive)}.`,
    };
  }

  /** Run a user, password or grant statement; `session` is who runs it. */
  execute(s: AccountStatement, session: SessionInfo): AccountResult {
    const denied = this.#authorize(s, session);
    if (denied !== undefined) return denied;
    switch (s.op) {
      case 'create-user':
        return this.#createUser(s.user, s.ifNotExists, s.password, s.defaultRoles);
      case 'drop-user':
        return this.#dropUser(s.user, s.ifExists);
      case 'alter-user-password':
        return this.#alterPassword(s.user, s.ifExists, s.password);
      case 'set-password':
        return this.#alterPassword(s.user ?? { user: session.user, host: session.host }, false, s.password);
      case 'default-role':
        return this.#setDefaultRoles(s.user, s.roles);
      case 'grant-role':
      case 'revoke-role':
        return this.#grantRoles(s.op === 'grant-role', s.roles, s.user);
      case 'grant-privilege':
      case 'revoke-privilege':
        return this.#grantPrivileges(s.op === 'grant-privilege', s.privileges, s.grantee);
    }
  }

  // AuthorizerStmtVisitor: user and grant statements need GRANT on SYSTEM; changing one's own
  // password does not.
  #authorize(s: AccountStatement, session: SessionInfo): AccountError | undefined {
    const self = (u: UserRef | undefined): boolean => u === undefined || (u.user === session.user && u.host === session.host);
    if (s.op === 'set-password' && self(s.user)) return undefined;
    if (s.op === 'alter-user-password' && self(s.user)) return undefined;
    return this.deny(session, ['GRANT']);
  }

  #find(u: UserRef): Account | undefined {
    return this.#accounts.get(identityText(u.user, u.host));
  }

  #roleCheck(roles: string[], errMsg: string): AccountError | undefined {
    const unknown = roles.find((r) => !this.#rolePrivileges.has(r));
    return unknown === undefined ? undefined : analysis(`${errMsg}: cannot find role ${unknown}!`);
  }

  #stage2(password: PasswordSpec | undefined): string | AccountError {
    if (password === undefined) return '';
    if ('plain' in password) return passwordHashStage2(password.plain);
    // UserAuthOptionAnalyzer: a scrambled password is `*` and 40 hex digits (ERR_PASSWD_LENGTH).
    if (password.hash === '') return '';
    if (!/^\*[0-9A-Fa-f]{40}$/.test(password.hash)) return analysis('Password hash should be a 41-digit hexadecimal number');
    return password.hash.slice(1).toLowerCase();
  }

  // AuthenticationAnalyzer.visitCreateUserStatement, AuthenticationMgr.createUser.
  #createUser(u: UserRef, ifNotExists: boolean, password: PasswordSpec | undefined, defaultRoles: string[]): AccountError | { kind: 'ok' } {
    if (this.#find(u) !== undefined) return ifNotExists ? { kind: 'ok' } : analysis(`user ${identityText(u.user, u.host)} already exists!`);
    const roleError = this.#roleCheck(defaultRoles, 'Valid role name fail');
    if (roleError !== undefined) return roleError;
    const stage2 = this.#stage2(password);
    if (typeof stage2 !== 'string') return stage2;
    this.#accounts.set(identityText(u.user, u.host), {
      user: u.user,
      host: u.host,
      stage2,
      roles: new Set(defaultRoles),
      defaultRoles: new Set(defaultRoles),
      privileges: new Set(),
    });
    return { kind: 'ok' };
  }

  #dropUser(u: UserRef, ifExists: boolean): AccountError | { kind: 'ok' } {
    if (u.user === 'root' && u.host === '%') return analysis(`Operation DROP USER failed for ${identityText('root', '%')} : cannot drop user ${identityText('root', '%')}`);
    if (this.#find(u) === undefined) return ifExists ? { kind: 'ok' } : analysis(`cannot find user ${identityText(u.user, u.host)}!`);
    this.#accounts.delete(identityText(u.user, u.host));
    return { kind: 'ok' };
  }

  #alterPassword(u: UserRef, ifExists: boolean, password: PasswordSpec): AccountError | { kind: 'ok' } {
    const account = this.#find(u);
    if (account === undefined) return ifExists ? { kind: 'ok' } : analysis(`cannot find user ${identityText(u.user, u.host)}!`);
    const stage2 = this.#stage2(password);
    if (typeof stage2 !== 'string') return stage2;
    account.stage2 = stage2;
    return { kind: 'ok' };
  }

  // AuthorizationAnalyzer.visitSetDefaultRoleStatement, SetDefaultRoleExecutor.
  #setDefaultRoles(u: UserRef, roles: RoleSet): AccountError | { kind: 'ok' } {
    const account = this.#find(u);
    if (account === undefined) return analysis(`cannot find user ${identityText(u.user, u.host)}!`);
    if (roles.kind === 'none') account.defaultRoles = new Set();
    else if (roles.kind === 'all') account.defaultRoles = new Set(account.roles);
    else {
      const roleError = this.#roleCheck(roles.roles, 'Cannot set role');
      if (roleError !== undefined) return roleError;
      const missing = roles.roles.find((r) => !account.roles.has(r));
      if (missing !== undefined) return analysis(`Role ${missing} is not granted to ${identityText(u.user, u.host)}`);
      account.defaultRoles = new Set(roles.roles);
    }
    return { kind: 'ok' };
  }

  // AuthorizationAnalyzer.visitGrantRevokeRoleStatement, AuthorizationMgr.grantRoleToUser.
  #grantRoles(grant: boolean, roles: string[], user: UserRef): AccountResult {
    const account = this.#find(user);
    if (account === undefined) return analysis(`cannot find user ${identityText(user.user, user.host)}!`);
    const roleError = this.#roleCheck(roles, 'Can not granted/revoke role to user');
    if (roleError !== undefined) return roleError;
    if (roles.includes('public')) {
      const verb = grant ? 'Granting' : 'Revoking';
      return { kind: 'ddl-error', message: `failed to ${grant ? 'grant' : 'revoke'} role: ${verb} role PUBLIC has no effect.  Every user and role has role PUBLIC implicitly granted.` };
    }
    for (const r of roles) {
      if (grant) account.roles.add(r);
      else {
        account.roles.delete(r);
        account.defaultRoles.delete(r);
      }
    }
    return { kind: 'ok' };
  }

  // AuthorizationAnalyzer.visitGrantRevokePrivilegeStatement; DefaultAuthorizationProvider.validateGrant
  // refuses GRANT and NODE on SYSTEM: only the built-in roles hold them.
  #grantPrivileges(grant: boolean, privileges: string[], grantee: Grantee): AccountError | { kind: 'ok' } {
    let target: Set<SystemPrivilege>;
    if ('user' in grantee) {
      const account = this.#find(grantee.user);
      if (account === undefined) return analysis(`cannot find user ${identityText(grantee.user.user, grantee.user.host)}!`);
      target = account.privileges;
    } else {
      const role = this.#rolePrivileges.get(grantee.role);
      if (role === undefined) return analysis(`Can not grant/revoke to role: cannot find role ${grantee.role}!`);
      target = role;
    }
    const resolved: SystemPrivilege[] = [];
    for (const p of privileges) {
      const known = SYSTEM_PRIVILEGES.find((x) => x === p.toUpperCase());
      if (known === undefined) return analysis(`cannot find privilege type ${p}`);
      resolved.push(known);
    }
    for (const bad of ['GRANT', 'NODE'] as const) {
      if (resolved.includes(bad)) return analysis(`Operation not permitted, '${bad}' cannot be granted to user or role directly, use built-in role instead`);
    }
    for (const p of resolved) {
      if (grant) target.add(p);
      else target.delete(p);
    }
    return { kind: 'ok' };
  }
}

function wildcardCount(host: string): number {
  return host === '%' ? 1000 : (host.match(/[%_]/g) ?? []).length;
}
