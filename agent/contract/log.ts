/**
 * Structured JSON logging (pino) with secrets removed twice: by key (any field
 * named like a password) and by value (any registered secret string, wherever it appears, even
 * inside a message or an error text).
 *
 * @example
 * ```ts
 * const log = createLogger({ level: 'info', secrets: [config.mysqlPassword] });
 * log.info({ host }, 'registered');
 * ```
 */
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

/** What replaces a secret in every log line. */
export const REDACTED = '[REDACTED]';

/** Field paths removed from every log object. */
const REDACT_PATHS = [
  'password',
  'pwd',
  'MYSQL_PWD',
  'token',
  '*.password',
  '*.pwd',
  '*.MYSQL_PWD',
  '*.token',
  'env.MYSQL_PWD',
  'config.mysqlPassword',
  'mysqlPassword',
  '*.mysqlPassword',
  'passwords',
  '*.passwords',
  'rootPassword',
  '*.rootPassword',
  'agentPassword',
  '*.agentPassword',
  'sql',
  '*.sql',
  'headers.authorization',
];

/** Logger options. */
export interface LoggerOptions {
  level?: string;
  /**
   * Secret values to scrub from every line, wherever they appear. Empty strings are ignored. A
   * function is asked at every line: passwords read from files change while the agent runs.
   */
  secrets?: readonly string[] | (() => readonly string[]);
  /** Where lines go; stdout by default. Tests pass a buffer. */
  destination?: DestinationStream;
  /** Fields on every line (component, pod). */
  base?: Record<string, string>;
}

/** The agent's logger type. */
export type Log = Logger;

/** A JSON logger that never prints a registered secret. */
export function createLogger(options: LoggerOptions = {}): Log {
  // Short secrets would scrub innocent text ("a" in every word): only values of 3+ characters
  // are scrubbed by value; shorter ones are still removed by key.
  const given = options.secrets ?? [];
  const secrets = (): readonly string[] => (typeof given === 'function' ? given() : given).filter((s) => s.length >= 3);
  const scrub = (line: string): string => {
    let out = line;
    for (const secret of secrets()) {
      out = out.split(secret).join(REDACTED);
      const encoded = JSON.stringify(secret).slice(1, -1);
      if (encoded !== secret) out = out.split(encoded).join(REDACTED);
    }
    return out;
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: typeof given === 'function' || secrets().length > 0 ? { streamWrite: scrub } : {},
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
