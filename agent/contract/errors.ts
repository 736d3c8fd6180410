/**
 * Every error the agent and controller raise on purpose, with a stable code and the process exit
 * code it maps to. Messages say what failed, with the value, and what to do.
 *
 * Exit codes: 64-79 for bad env or config (the agent stops before touching anything), 80-99 for
 * refusals and failures at run time. A StarRocks process's own exit code is passed through
 * unchanged and is never one of these.
 *
 * @example
 * ```ts
 * throw new AgentError('ERR_ENV_PORT', `FE_QUERY_PORT="${raw}" is not a port (1-65535)`);
 * ```
 */

/** Stable error codes and the exit code each one ends the agent with. */
export const ERROR_CODES = {
  // Bad env or config: stop at once with a one-line reason.
  ERR_ENV_MISSING: 64,
  ERR_ENV_COMPONENT: 65,
  ERR_ENV_POD_NAME: 66,
  ERR_ENV_NAMESPACE: 67,
  ERR_ENV_POD_IP: 68,
  ERR_ENV_HOST_TYPE: 69,
  ERR_ENV_PORT: 70,
  ERR_ENV_NUMBER: 71,
  ERR_ENV_NAME: 72,
  ERR_ENV_ENDPOINT: 73,
  ERR_ENV_LOG_LEVEL: 74,
  ERR_ENV_BOOLEAN: 75,
  ERR_CONF_INVALID: 76,
  ERR_USAGE: 77,
  ERR_PLAN_INVALID: 78,
  /** `install` run from the sources or the `.mjs` bundle: only the single executable can copy itself. */
  ERR_INSTALL_SOURCE: 79,
  // Refusals and failures at run time.
  ERR_REFUSED: 80,
  ERR_HOST_INVALID: 81,
  ERR_SQL: 82,
  ERR_SQL_TIMEOUT: 83,
  ERR_DNS: 84,
  ERR_KUBERNETES: 85,
  ERR_PROCESS: 86,
  ERR_TIMEOUT: 87,
  /** A SHOW result set lacks a column the agent needs, or a value has the wrong shape. */
  ERR_SQL_RESULT: 88,
  /** `install` could not copy the executable into its target folder. */
  ERR_INSTALL: 89,
  /** A password file is unreadable, holds no valid password, or is set where it must not be (root on BE/CN). */
  ERR_PASSWORD_FILE: 90,
  /** StarRocks refused a statement for a missing privilege (1227, or 5203 since 3.3): a grant is missing. */
  ERR_SQL_PRIVILEGE: 91,
  ERR_INTERNAL: 99,
} as const;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code. `message` is one line that names the value and the fix. */
export class AgentError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentError';
    this.code = code;
    this.exitCode = ERROR_CODES[code];
  }
}

/** True when `error` is an AgentError, optionally with the given code. */
export function isAgentError(error: unknown, code?: ErrorCode): error is AgentError {
  return error instanceof AgentError && (code === undefined || error.code === code);
}

/** The one line printed when the agent stops on an error: `CODE: message`. */
export function describeError(error: unknown): string {
  if (error instanceof AgentError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `ERR_INTERNAL: ${error.message}`;
  return `ERR_INTERNAL: ${String(error)}`;
}

/** The exit code for an error that ends the process. */
export function exitCodeOf(error: unknown): number {
  return error instanceof AgentError ? error.exitCode : ERROR_CODES.ERR_INTERNAL;
}
