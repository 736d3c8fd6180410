/**
 * Parser for the statements the simulated FE understands (reference §4.1, §9, §11). Anything
 * else is a syntax error, answered with 1064 as the real FE does for statements it cannot parse.
 */

/** Which membership table a SHOW reads, or `statistic` for `SHOW PROC '/statistic'` (tablet health per database). */
export type ShowTarget = 'frontends' | 'backends' | 'compute_nodes' | 'statistic';

/** What one SELECT item computes (no FROM: constants and session functions). */
type SelectExpr =
  | { fn: 'literal'; value: string }
  | { fn: 'variable'; name: string }
  | { fn: 'version-comment' | 'version' | 'current-version' | 'database' | 'user' | 'current-user' | 'connection-id' | 'current-role' };

/** One SELECT item and its column label. */
export type SelectItem = SelectExpr & { column: string };

/** `'user'@'host'`; the host is `%` when the statement leaves it out. */
export interface UserRef {
  user: string;
  host: string;
}

/** `IDENTIFIED BY 'plain'` or `PASSWORD('plain')`, or a scrambled `'*<40 hex>'`. */
export type PasswordSpec = { plain: string } | { hash: string };

/** The roles of `SET DEFAULT ROLE` / `ALTER USER ... DEFAULT ROLE`. */
export type RoleSet = { kind: 'none' } | { kind: 'all' } | { kind: 'list'; roles: string[] };

/** Who receives a privilege. */
export type Grantee = { user: UserRef } | { role: string };

/** User, password and grant statements (the parts of RBAC the simulator keeps). */
export type AccountStatement =
  | { op: 'create-user'; user: UserRef; ifNotExists: boolean; password: PasswordSpec | undefined; defaultRoles: string[] }
  | { op: 'drop-user'; user: UserRef; ifExists: boolean }
  | { op: 'alter-user-password'; user: UserRef; ifExists: boolean; password: PasswordSpec }
  | { op: 'set-password'; user: UserRef | undefined; password: PasswordSpec }
  | { op: 'default-role'; user: UserRef; roles: RoleSet }
  | { op: 'grant-role' | 'revoke-role'; roles: string[]; user: UserRef }
  | { op: 'grant-privilege' | 'revoke-privilege'; privileges: string[]; grantee: Grantee };

/** A parsed statement. */
export type Statement =
  | { kind: 'select'; items: SelectItem[] }
  | { kind: 'set' }
  | { kind: 'use'; database: string }
  | { kind: 'show-databases' }
  | { kind: 'create-database'; name: string; ifNotExists: boolean }
  | ({ kind: 'account' } & AccountStatement)
  | { kind: 'show'; target: ShowTarget; proc?: true }
  | { kind: 'frontend'; op: 'add' | 'drop'; role: 'FOLLOWER' | 'OBSERVER'; hostPort: string }
  | {
      kind: 'node';
      op: 'add' | 'drop' | 'decommission' | 'cancel-decommission';
      node: 'backend' | 'compute_node';
      hostPorts: string[];
      force: boolean;
      warehouse: string | undefined;
    }
  | { kind: 'admin-set-config'; key: string; value: string }
  | { kind: 'syntax-error'; message: string };

interface Token {
  /** Upper-cased word, or the punctuation itself, or the unquoted string text. */
  text: string;
  type: 'word' | 'string' | 'number' | 'punct' | 'var';
  /** Column (0-based) where the token starts, for syntax errors. */
  column: number;
  raw: string;
}

function tokenize(sql: string): Token[] | { error: Token } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"' || ch === "'" || ch === '`') {
      let text = '';
      i++;
      while (i < sql.length && sql[i] !== ch) {
        if (sql[i] === '\\' && i + 1 < sql.length) i++;
        text += sql[i];
        i++;
      }
      if (i >= sql.length) return { error: { text: sql.slice(start), type: 'punct', column: start, raw: sql.slice(start) } };
      i++;
      tokens.push({ text, type: ch === '`' ? 'word' : 'string', column: start, raw: sql.slice(start, i) });
      continue;
    }
    const word = /^(@@[A-Za-z_.]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i));
    if (word !== null) {
      const raw = word[0];
      i += raw.length;
      tokens.push({ text: raw.toUpperCase(), type: raw.startsWith('@@') ? 'var' : 'word', column: start, raw });
      continue;
    }
    const number = /^\d+/.exec(sql.slice(i));
    if (number !== null) {
      i += number[0].length;
      tokens.push({ text: number[0], type: 'number', column: start, raw: number[0] });
      continue;
    }
    i++;
    tokens.push({ text: ch, type: 'punct', column: start, raw: ch });
  }
  return tokens;
}

class Cursor {
  readonly tokens: Token[];
  pos = 0;
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }
  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  word(...options: string[]): string | undefined {
    const t = this.peek();
    if (t !== undefined && t.type === 'word' && options.includes(t.text)) {
      this.pos++;
      return t.text;
    }
    return undefined;
  }
  punct(p: string): boolean {
    const t = this.peek();
    if (t !== undefined && t.type === 'punct' && t.text === p) {
      this.pos++;
      return true;
    }
    return false;
  }
  string(): string | undefined {
    const t = this.peek();
    if (t !== undefined && t.type === 'string') {
      this.pos++;
      return t.text;
    }
    return undefined;
  }
  /** True at the end, allowing one trailing semicolon. */
  atEnd(): boolean {
    if (this.pos === this.tokens.length) return true;
    return this.pos === this.tokens.length - 1 && this.peek()?.text === ';';
  }
}

/** The 1064 text for input the grammar does not accept. */
function syntaxErrorMessage(token: { raw: string; column: number } | undefined): string {
  if (token === undefined) {
    return 'Getting syntax error at line 1, column 0. Detail message: Unexpected input \'<EOF>\'.';
  }
  return `Getting syntax error at line 1, column ${token.column}. Detail message: Unexpected input '${token.raw}'.`;
}

function fail(c: Cursor): Statement {
  return { kind: 'syntax-error', message: syntaxErrorMessage(c.peek() ?? (c.tokens.length === 0 ? undefined : { raw: '<EOF>', column: (c.tokens.at(-1)?.column ?? 0) + (c.tokens.at(-1)?.raw.length ?? 0) })) };
}

/** Parse one statement. Never throws: unknown input is a `syntax-error` statement. */
export function parseStatement(sql: string): Statement {
  const tokens = tokenize(sql.trim());
  if (!Array.isArray(tokens)) return { kind: 'syntax-error', message: syntaxErrorMessage(tokens.error) };
  const c = new Cursor(tokens);
  const first = c.word('SELECT', 'SET', 'SHOW', 'ALTER', 'CANCEL', 'ADMIN', 'USE', 'CREATE', 'DROP', 'GRANT', 'REVOKE');
  let statement: Statement | undefined;
  switch (first) {
    case 'SELECT':
      statement = parseSelect(c);
      break;
    case 'SET':
      if (c.peek()?.text === 'PASSWORD' || (c.peek()?.text === 'DEFAULT' && c.peek(1)?.text === 'ROLE')) {
        statement = parseSetAccount(c);
        break;
      }
      // SET takes many forms (names, session variables); the FE accepts them all with OK.
      return c.peek() === undefined ? fail(c) : { kind: 'set' };
    case 'SHOW':
      statement = parseShow(c);
      break;
    case 'ALTER':
      statement = c.word('SYSTEM') !== undefined ? parseAlterSystem(c) : c.word('USER') !== undefined ? parseAlterUser(c) : undefined;
      break;
    case 'USE': {
      const db = name(c);
      statement = db === undefined ? undefined : { kind: 'use', database: db };
      break;
    }
    case 'CREATE':
    case 'DROP':
      // Other CREATE and DROP forms are not simulated: refused at their first word.
      if (c.peek()?.text === 'USER' || (first === 'CREATE' && c.peek()?.text === 'DATABASE')) statement = parseCreateDrop(c, first);
      else c.pos = 0;
      break;
    case 'GRANT':
    case 'REVOKE':
      statement = parseGrant(c, first);
      break;
    case 'CANCEL':
      statement =
        c.word('DECOMMISSION') !== undefined && c.word('BACKEND') !== undefined
          ? nodeList(c, 'cancel-decommission', 'backend')
          : undefined;
      break;
    case 'ADMIN':
      statement = parseAdminSet(c);
      break;
    default:
      break;
  }
  if (statement === undefined || !c.atEnd()) return fail(c);
  return statement;
}

// Functions without arguments a client sends on its own (`status`, connectors' probes).
const SELECT_FUNCTIONS: Readonly<Record<string, SelectExpr['fn']>> = {
  CURRENT_VERSION: 'current-version',
  VERSION: 'version',
  DATABASE: 'database',
  SCHEMA: 'database',
  USER: 'user',
  CURRENT_USER: 'current-user',
  CONNECTION_ID: 'connection-id',
  CURRENT_ROLE: 'current-role',
};

const SELECT_VARIABLES: Readonly<Record<string, SelectExpr['fn']>> = {
  VERSION_COMMENT: 'version-comment',
  VERSION: 'version',
};

/** Session variables a client reads as `@@name` (the mariadb client's `status` reads the charsets). */
export const SESSION_VARIABLES: Readonly<Record<string, string>> = {
  // SessionVariable: every character_set_* is `utf8`.
  character_set_client: 'utf8',
  character_set_connection: 'utf8',
  character_set_results: 'utf8',
  character_set_server: 'utf8',
  character_set_database: 'utf8',
};

function selectItem(c: Cursor): SelectItem | undefined {
  const t = c.peek();
  if (t === undefined) return undefined;
  if (t.type === 'number') {
    c.pos++;
    return { fn: 'literal', value: t.raw, column: t.raw };
  }
  if (t.type === 'var') {
    const bare = t.text.replace(/^@@((SESSION|GLOBAL)\.)?/, '');
    const special = SELECT_VARIABLES[bare];
    const plain = bare.toLowerCase();
    if (special === undefined && SESSION_VARIABLES[plain] === undefined) return undefined;
    c.pos++;
    return (special === undefined ? { fn: 'variable', name: plain, column: t.raw } : { fn: special, column: t.raw }) as SelectItem;
  }
  const fn = t.type === 'word' ? SELECT_FUNCTIONS[t.text] : undefined;
  if (fn !== undefined && c.peek(1)?.text === '(' && c.peek(2)?.text === ')') {
    c.pos += 3;
    // The column label is the expression as the FE prints it: the function name in lower case.
    return { fn, column: `${t.raw.toLowerCase()}()` } as SelectItem;
  }
  return undefined;
}

function parseSelect(c: Cursor): Statement | undefined {
  const items: SelectItem[] = [];
  do {
    const item = selectItem(c);
    if (item === undefined) return undefined;
    items.push(item);
  } while (c.punct(','));
  // `LIMIT n`, as the mysql command line sends with @@version_comment.
  if (c.word('LIMIT') !== undefined) {
    if (c.peek()?.type !== 'number') return undefined;
    c.pos++;
  }
  return { kind: 'select', items };
}

function parseShow(c: Cursor): Statement | undefined {
  if (c.word('DATABASES') !== undefined) return { kind: 'show-databases' };
  if (c.word('FRONTENDS') !== undefined) return { kind: 'show', target: 'frontends' };
  if (c.word('BACKENDS') !== undefined) return { kind: 'show', target: 'backends' };
  if (c.word('COMPUTE') !== undefined) return c.word('NODES') === undefined ? undefined : { kind: 'show', target: 'compute_nodes' };
  if (c.word('PROC') !== undefined) {
    const path = c.string();
    if (path === '/frontends' || path === '/backends' || path === '/compute_nodes' || path === '/statistic') {
      return { kind: 'show', target: path.slice(1) as ShowTarget, proc: true };
    }
  }
  return undefined;
}

function parseAlterSystem(c: Cursor): Statement | undefined {
  const op = c.word('ADD', 'DROP', 'DECOMMISSION');
  if (op === undefined) return undefined;
  const lower = op.toLowerCase() as 'add' | 'drop' | 'decommission';
  if (op !== 'DECOMMISSION') {
    const role = c.word('FOLLOWER', 'OBSERVER');
    if (role !== undefined) {
      const hostPort = c.string();
      return hostPort === undefined ? undefined : { kind: 'frontend', op: lower as 'add' | 'drop', role: role as 'FOLLOWER' | 'OBSERVER', hostPort };
    }
  }
  if (c.word('BACKEND') !== undefined) return nodeList(c, lower, 'backend');
  if (op !== 'DECOMMISSION' && c.word('COMPUTE') !== undefined && c.word('NODE') !== undefined) {
    return nodeList(c, lower, 'compute_node');
  }
  return undefined;
}

function nodeList(c: Cursor, op: 'add' | 'drop' | 'decommission' | 'cancel-decommission', node: 'backend' | 'compute_node'): Statement | undefined {
  const hostPorts: string[] = [];
  do {
    const s = c.string();
    if (s === undefined) return undefined;
    hostPorts.push(s);
  } while (c.punct(','));
  let force = false;
  let warehouse: string | undefined;
  if (op === 'drop' && node === 'backend' && c.word('FORCE') !== undefined) force = true;
  if ((op === 'add' && c.word('INTO') !== undefined) || (op === 'drop' && c.word('FROM') !== undefined)) {
    if (c.word('WAREHOUSE') === undefined) return undefined;
    const t = c.peek();
    if (t === undefined || (t.type !== 'word' && t.type !== 'string')) return undefined;
    c.pos++;
    warehouse = t.type === 'word' ? t.raw.replace(/^`|`$/g, '') : t.text;
    if (op === 'add' && c.word('CNGROUP') !== undefined) {
      const g = c.peek();
      if (g === undefined || (g.type !== 'word' && g.type !== 'string')) return undefined;
      c.pos++;
    }
  }
  return { kind: 'node', op, node, hostPorts, force, warehouse };
}

function parseAdminSet(c: Cursor): Statement | undefined {
  if (c.word('SET') === undefined || c.word('FRONTEND') === undefined || c.word('CONFIG') === undefined) return undefined;
  if (!c.punct('(')) return undefined;
  const key = c.string();
  if (key === undefined || !c.punct('=')) return undefined;
  const value = c.string();
  if (value === undefined || !c.punct(')')) return undefined;
  return { kind: 'admin-set-config', key, value };
}

// ---- users, passwords, grants (StarRocks.g4: createUserStatement, alterUserStatement,
// setPasswordStatement, setDefaultRoleStatement, grantRoleStatement, grantPrivilegeStatement) ----

/** An identifier: a bare or back-quoted word, or a quoted string. */
function name(c: Cursor): string | undefined {
  const t = c.peek();
  if (t === undefined || (t.type !== 'word' && t.type !== 'string')) return undefined;
  c.pos++;
  return t.type === 'string' ? t.text : t.raw.replace(/^`|`$/g, '');
}

function userRef(c: Cursor): UserRef | undefined {
  const user = name(c);
  if (user === undefined) return undefined;
  if (!c.punct('@')) return { user, host: '%' };
  const host = name(c);
  return host === undefined ? undefined : { user, host };
}

function ifClause(c: Cursor, not: boolean): boolean | undefined {
  if (c.word('IF') === undefined) return false;
  if (not && c.word('NOT') === undefined) return undefined;
  return c.word('EXISTS') === undefined ? undefined : true;
}

/** `BY 'p'` or `BY PASSWORD '*hash'`, after IDENTIFIED. */
function identifiedBy(c: Cursor): PasswordSpec | undefined {
  if (c.word('BY') === undefined) return undefined;
  const hashed = c.word('PASSWORD') !== undefined;
  const text = c.string();
  if (text === undefined) return undefined;
  return hashed ? { hash: text } : { plain: text };
}

function nameList(c: Cursor): string[] | undefined {
  const names: string[] = [];
  do {
    const n = name(c);
    if (n === undefined) return undefined;
    names.push(n);
  } while (c.punct(','));
  return names;
}

function roleSet(c: Cursor): RoleSet | undefined {
  if (c.word('NONE') !== undefined) return { kind: 'none' };
  if (c.word('ALL') !== undefined) return { kind: 'all' };
  const roles = nameList(c);
  return roles === undefined ? undefined : { kind: 'list', roles };
}

function parseCreateDrop(c: Cursor, verb: 'CREATE' | 'DROP'): Statement | undefined {
  if (verb === 'CREATE' && c.word('DATABASE') !== undefined) {
    const ifNotExists = ifClause(c, true);
    const db = ifNotExists === undefined ? undefined : name(c);
    return db === undefined || ifNotExists === undefined ? undefined : { kind: 'create-database', name: db, ifNotExists };
  }
  if (c.word('USER') === undefined) return undefined;
  const cond = ifClause(c, verb === 'CREATE');
  const user = cond === undefined ? undefined : userRef(c);
  if (user === undefined || cond === undefined) return undefined;
  if (verb === 'DROP') return { kind: 'account', op: 'drop-user', user, ifExists: cond };
  let password: PasswordSpec | undefined;
  if (c.word('IDENTIFIED') !== undefined) {
    password = identifiedBy(c);
    if (password === undefined) return undefined;
  }
  let defaultRoles: string[] = [];
  if (c.word('DEFAULT') !== undefined) {
    if (c.word('ROLE') === undefined) return undefined;
    const roles = nameList(c);
    if (roles === undefined) return undefined;
    defaultRoles = roles;
  }
  return { kind: 'account', op: 'create-user', user, ifNotExists: cond, password, defaultRoles };
}

function parseAlterUser(c: Cursor): Statement | undefined {
  const ifExists = ifClause(c, false);
  const user = ifExists === undefined ? undefined : userRef(c);
  if (user === undefined || ifExists === undefined) return undefined;
  if (c.word('IDENTIFIED') !== undefined) {
    const password = identifiedBy(c);
    return password === undefined ? undefined : { kind: 'account', op: 'alter-user-password', user, ifExists, password };
  }
  if (c.word('DEFAULT') === undefined || c.word('ROLE') === undefined) return undefined;
  const roles = roleSet(c);
  return roles === undefined ? undefined : { kind: 'account', op: 'default-role', user, roles };
}

/** `SET PASSWORD [FOR u] = PASSWORD('p') | '*hash'` and `SET DEFAULT ROLE ... TO u`, after SET. */
function parseSetAccount(c: Cursor): Statement | undefined {
  if (c.word('DEFAULT') !== undefined) {
    c.word('ROLE');
    const roles = roleSet(c);
    if (roles === undefined || c.word('TO') === undefined) return undefined;
    const user = userRef(c);
    return user === undefined ? undefined : { kind: 'account', op: 'default-role', user, roles };
  }
  c.word('PASSWORD');
  let user: UserRef | undefined;
  if (c.word('FOR') !== undefined) {
    user = userRef(c);
    if (user === undefined) return undefined;
  }
  if (!c.punct('=')) return undefined;
  if (c.word('PASSWORD') !== undefined) {
    if (!c.punct('(')) return undefined;
    const plain = c.string();
    return plain === undefined || !c.punct(')') ? undefined : { kind: 'account', op: 'set-password', user, password: { plain } };
  }
  const hash = c.string();
  return hash === undefined ? undefined : { kind: 'account', op: 'set-password', user, password: { hash } };
}

/** `GRANT r[, r] TO [USER] u` or `GRANT p[, p] ON SYSTEM TO [USER] u | ROLE r`, and REVOKE ... FROM. */
function parseGrant(c: Cursor, verb: 'GRANT' | 'REVOKE'): Statement | undefined {
  const grant = verb === 'GRANT';
  const items: string[] = [];
  let current: string[] = [];
  for (;;) {
    const t = c.peek();
    if (t === undefined) return undefined;
    if (t.type === 'word' && (t.text === 'ON' || t.text === (grant ? 'TO' : 'FROM'))) break;
    if (t.type === 'punct' && t.text === ',') {
      if (current.length === 0) return undefined;
      items.push(current.join(' '));
      current = [];
      c.pos++;
      continue;
    }
    const n = name(c);
    if (n === undefined) return undefined;
    current.push(n);
  }
  if (current.length === 0) return undefined;
  items.push(current.join(' '));
  const onSystem = c.word('ON') !== undefined;
  if (onSystem && c.word('SYSTEM') === undefined) return undefined;
  if (c.word(grant ? 'TO' : 'FROM') === undefined) return undefined;
  if (onSystem && c.word('ROLE') !== undefined) {
    const role = name(c);
    return role === undefined ? undefined : { kind: 'account', op: grant ? 'grant-privilege' : 'revoke-privilege', privileges: items, grantee: { role } };
  }
  c.word('USER');
  const user = userRef(c);
  if (user === undefined) return undefined;
  if (onSystem) return { kind: 'account', op: grant ? 'grant-privilege' : 'revoke-privilege', privileges: items, grantee: { user } };
  return { kind: 'account', op: grant ? 'grant-role' : 'revoke-role', roles: items, user };
}
