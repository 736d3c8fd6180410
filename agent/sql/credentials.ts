/**
 * The agent's SQL logins, fed by mounted Secret files. A Secret volume is updated in place by
 * kubelet (an atomic swap of the files), so a file is re-read whenever its stat (inode, size,
 * mtime) changes: every connect asks, and a `stat` is all it costs while nothing changed. While a
 * Secret is rotated the file and the cluster disagree for a moment; a login then tries the
 * passwords it knows in `loginOrder` (passwords.ts) and remembers the one the server accepted.
 *
 * @example
 * ```ts
 * const agent = passwordFile('/etc/starrocks-agent/agent-password/password');
 * const login = sqlLogin({ user: 'starrocks_agent', source: agent });
 * createFeClient({ host, port, login, timeoutMs: 10_000 });
 * ```
 */
import { readFile, stat } from 'node:fs/promises';
import { AgentError, isAgentError } from '../contract/errors.ts';
import { loginOrder, parsePasswordFile } from './passwords.ts';

/** Who a client logs in as, and the passwords to try (rotation: new and old). */
export interface SqlLogin {
  readonly user: string;
  /** The passwords to try, in order; read at each connect. */
  passwords(): Promise<readonly string[]>;
  /** The server accepted `password`: tried first from now on. */
  accepted(password: string): void;
}

/** A password kept in a file: the content now and before its last change. */
export interface PasswordSource {
  /** Where it is read from, for messages. */
  readonly path: string;
  /** Re-read the file when it changed; resolves with the content now and before the last change. */
  read(): Promise<{ current: string; previous: string | undefined }>;
  /** Every value seen so far (log scrubbing). */
  seen(): readonly string[];
}

/**
 * A PasswordSource over a file. A file that cannot be read after a first good read keeps the last
 * value (kubelet's swap is atomic, so this is a real fault, reported through `onError`); one that
 * was never read throws ERR_PASSWORD_FILE.
 */
export function passwordFile(path: string, onError?: (error: AgentError) => void): PasswordSource {
  let stamp: string | undefined;
  let current: string | undefined;
  let previous: string | undefined;
  const seen: string[] = [];
  return {
    path,
    read: async () => {
      try {
        const info = await stat(path);
        const next = `${info.ino}:${info.size}:${info.mtimeMs}`;
        if (next !== stamp || current === undefined) {
          const value = parsePasswordFile(await readFile(path, 'utf8'), path);
          stamp = next;
          if (value !== current) {
            if (current !== undefined) previous = current;
            current = value;
            if (!seen.includes(value)) seen.push(value);
          }
        }
      } catch (error) {
        const failure = isAgentError(error)
          ? error
          : new AgentError('ERR_PASSWORD_FILE', `cannot read the password file ${path} (${(error as { code?: string }).code ?? String(error)}): check that the Secret exists and is mounted there`);
        if (current === undefined) throw failure;
        onError?.(failure);
      }
      return { current: current as string, previous };
    },
    seen: () => seen,
  };
}

/** A password that never changes (MYSQL_PWD, tests). */
export function fixedPassword(password: string, what = 'MYSQL_PWD'): PasswordSource {
  return { path: what, read: () => Promise.resolve({ current: password, previous: undefined }), seen: () => [password] };
}

/** Options of sqlLogin. */
export interface SqlLoginOptions {
  user: string;
  source: PasswordSource;
  /** Tried after the file's values: root's empty password, before FE 0's agent has set it. */
  fallback?: readonly string[];
}

/** A SqlLogin reading its passwords from a source. */
export function sqlLogin(options: SqlLoginOptions): SqlLogin {
  let accepted: string | undefined;
  return {
    user: options.user,
    passwords: async () => {
      const { current, previous } = await options.source.read();
      return loginOrder({ accepted, current, previous, fallback: options.fallback ?? [] });
    },
    accepted: (password) => {
      accepted = password;
    },
  };
}
