/**
 * Passwords as the agent handles them, without I/O: the content of a mounted Secret file parsed
 * into a password, the order in which a login tries the passwords it knows while a Secret is
 * being rotated, and a password written into SQL as a string literal.
 *
 * @example
 * ```ts
 * const password = parsePasswordFile(await readFile(path, 'utf8'), path); // 'hunter2'
 * loginOrder({ accepted: 'old', current: 'new', previous: 'old', fallback: [''] }); // ['old', 'new', '']
 * passwordLiteral("it's"); // "'it\\'s'"
 * ```
 */
import { AgentError } from '../contract/errors.ts';

/** The longest password the agent accepts (StarRocks stores the hash; this only bounds input). */
const MAX_PASSWORD_LENGTH = 1024;

// Control characters cannot be typed by a person and would end a log line or a SQL literal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The password held by a Secret file. One trailing line break is dropped (`kubectl create secret
 * --from-file` keeps the file's last newline); anything else that is not printable is refused, as
 * is a value over MAX_PASSWORD_LENGTH. An empty file is the empty password. Throws
 * ERR_PASSWORD_FILE naming the path, never the content.
 */
export function parsePasswordFile(content: string, path: string): string {
  const password = content.replace(/\r?\n$/, '');
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AgentError('ERR_PASSWORD_FILE', `the password in ${path} is ${password.length} characters long: keep it at most ${MAX_PASSWORD_LENGTH}`);
  }
  if (CONTROL.test(password)) {
    throw new AgentError('ERR_PASSWORD_FILE', `the password in ${path} holds a control character (a line break or tab inside it): put the password alone in the Secret key, with printable characters only`);
  }
  return password;
}

/** What a login knows about the passwords of one SQL user. */
export interface LoginState {
  /** The password the server accepted last, if any. */
  accepted: string | undefined;
  /** The Secret file's content now. */
  current: string | undefined;
  /** The Secret file's content before its last change (rotation), if it changed. */
  previous: string | undefined;
  /** Tried last (root's empty password before FE 0's agent has set it). */
  fallback: readonly string[];
}

/**
 * The passwords to try, in order, without repeats: the one that worked last (no failed handshake
 * while nothing changes), then the file's current content, then its previous content (the Secret
 * was rotated, the cluster still has the old one until the FE leader's agent applies it), then
 * the fallbacks. Pure.
 */
export function loginOrder(state: LoginState): string[] {
  const out: string[] = [];
  for (const candidate of [state.accepted, state.current, state.previous, ...state.fallback]) {
    if (candidate !== undefined && !out.includes(candidate)) out.push(candidate);
  }
  return out;
}

/**
 * A password as a StarRocks string literal in single quotes. StarRocks' lexer reads a backslash as
 * an escape inside literals, so backslash and quote are escaped; control characters are refused
 * (parsePasswordFile already keeps them out), so nothing can end the literal. Throws ERR_INTERNAL.
 */
export function passwordLiteral(password: string): string {
  if (CONTROL.test(password) || password.length > MAX_PASSWORD_LENGTH) {
    throw new AgentError('ERR_INTERNAL', 'refusing to put a password with control characters (or too long) into SQL');
  }
  return `'${password.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
