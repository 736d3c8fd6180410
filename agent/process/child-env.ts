/**
 * The environment the StarRocks process gets: the agent's own, minus every secret. The root
 * password reaches the agent (MYSQL_PWD, the official images' contract) for its SQL only; a
 * StarRocks process, its UDFs and anything they start can read their own environment
 * (`/proc/<pid>/environ`), so it must not be there. Pure.
 *
 * @example
 * ```ts
 * spawn(startScript, args, { env: childEnv(process.env) });
 * ```
 */
import { ENV } from '../contract/index.ts';

/** Variables never passed to the StarRocks process. */
const SECRET_ENV: readonly string[] = [ENV.MYSQL_PWD];

/** A copy of `env` without the secrets. */
export function childEnv(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !SECRET_ENV.includes(key)) out[key] = value;
  }
  return out;
}
