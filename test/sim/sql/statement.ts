/**
 * Parser for the statements the simulated FE understands (reference §4.1, §9, §11). Anything
 * else is a syntax error, answered with 1064 as the real FE does for statements it cannot parse.
 */

/** Which membership table a SHOW reads. */
export type ShowTarget = 'frontends' | 'backends' | 'compute_nodes';

/** A parsed statement. */
export type Statement =
  | { kind: 'select-literal'; column: string; value: string }
  | { kind: 'version-comment'; column: string }
  | { kind: 'current-version'; column: string }
  | { kind: 'set' }
  | { kind: 'show'; target: ShowTarget }
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
export function syntaxErrorMessage(token: { raw: string; column: number } | undefined): string {
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
  const first = c.word('SELECT', 'SET', 'SHOW', 'ALTER', 'CANCEL', 'ADMIN');
  let statement: Statement | undefined;
  switch (first) {
    case 'SELECT':
      statement = parseSelect(c);
      break;
    case 'SET':
      // SET takes many forms (names, session variables); the FE accepts them all with OK.
      return c.peek() === undefined ? fail(c) : { kind: 'set' };
    case 'SHOW':
      statement = parseShow(c);
      break;
    case 'ALTER':
      statement = c.word('SYSTEM') === undefined ? undefined : parseAlterSystem(c);
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

function parseSelect(c: Cursor): Statement | undefined {
  const t = c.peek();
  if (t === undefined) return undefined;
  let statement: Statement | undefined;
  if (t.type === 'number') {
    c.pos++;
    statement = { kind: 'select-literal', column: t.raw, value: t.raw };
  } else if (t.type === 'var' && t.text === '@@VERSION_COMMENT') {
    c.pos++;
    statement = { kind: 'version-comment', column: t.raw };
  } else if (t.type === 'word' && t.text === 'CURRENT_VERSION' && c.peek(1)?.text === '(' && c.peek(2)?.text === ')') {
    c.pos += 3;
    statement = { kind: 'current-version', column: `${t.raw}()` };
  }
  if (statement === undefined) return undefined;
  // `LIMIT n`, as the mysql command line sends with @@version_comment.
  if (c.word('LIMIT') !== undefined) {
    if (c.peek()?.type !== 'number') return undefined;
    c.pos++;
  }
  return statement;
}

function parseShow(c: Cursor): Statement | undefined {
  if (c.word('FRONTENDS') !== undefined) return { kind: 'show', target: 'frontends' };
  if (c.word('BACKENDS') !== undefined) return { kind: 'show', target: 'backends' };
  if (c.word('COMPUTE') !== undefined) return c.word('NODES') === undefined ? undefined : { kind: 'show', target: 'compute_nodes' };
  if (c.word('PROC') !== undefined) {
    const path = c.string();
    if (path === '/frontends' || path === '/backends' || path === '/compute_nodes') {
      return { kind: 'show', target: path.slice(1) as ShowTarget };
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
