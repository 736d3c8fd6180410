/**
 * The `mysql` command line client as the official scripts call it:
 * `[timeout 15] mysql --connect-timeout 2 -h HOST -P PORT -u root --skip-column-names --batch -e SQL`,
 * over mysql2. Only the connect is bounded (2 s); the statement is bounded only when the script
 * wraps the call in `timeout` (W4: ADD FOLLOWER is not). The password is `MYSQL_PWD`, which the
 * client reads from its env, as in the official images; it never reaches argv or a log line.
 */
import { readFileSync } from 'node:fs';
import { createConnection } from 'mysql2';
import type { Connection } from 'mysql2';
import { ENV } from '../../../agent/contract/index.ts';
import type { PodNetwork } from './net.ts';
import { BUDGETS, batchText } from './script-logic.ts';

/** What a `mysql` run ends with. */
export interface MysqlRun {
  /** 0 on success, 1 on a client or server error, 124 when `timeout` killed it. */
  code: number;
  /** The batch output (rows, tab-separated). */
  stdout: string;
  /** `ERROR ...` line, as the client prints it. */
  stderr: string;
}

/** One call of the client. */
export interface MysqlCall {
  host: string;
  port: number;
  sql: string;
  /** `timeout N` around the call, or none (only the 2 s connect bound then). */
  wrapperMs?: number | undefined;
}

/** The root password the scripts use: `MYSQL_PWD`, else the root password file our FE pods mount (the Secret the chart maps to MYSQL_PWD), else empty. */
export function scriptPassword(env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env[ENV.MYSQL_PWD];
  if (fromEnv !== undefined) return fromEnv;
  const file = env[ENV.ROOT_PASSWORD_FILE];
  if (file === undefined || file === '') return '';
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    return '';
  }
}

/** Runs the client once. */
export async function mysql(network: PodNetwork, password: string, call: MysqlCall): Promise<MysqlRun> {
  const ip = await network.address(call.host);
  if (ip === undefined) {
    return { code: 1, stdout: '', stderr: `ERROR 2005 (HY000): Unknown MySQL server host '${call.host}' (or no ready endpoint)` };
  }
  let connection: Connection | undefined;
  const attempt = new Promise<MysqlRun>((resolve) => {
    const conn = createConnection({ host: ip, port: call.port, user: 'root', password, connectTimeout: BUDGETS.connectTimeoutMs, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, rowsAsArray: true });
    connection = conn;
    conn.on('error', () => undefined);
    conn.query(call.sql, (error, result) => {
      conn.destroy();
      if (error !== null) {
        const e = error as { errno?: number; sqlState?: string; message: string };
        // A server error has a MySQL errno; a socket error (negative errno) is the client's 2003.
        const errno = e.errno !== undefined && e.errno > 0 ? e.errno : 2003;
        resolve({ code: 1, stdout: '', stderr: `ERROR ${errno} (${e.sqlState ?? 'HY000'}): ${e.message}` });
        return;
      }
      const rows = Array.isArray(result) ? (result as unknown[][]).map((row) => row.map(cellText)) : [];
      resolve({ code: 0, stdout: batchText(rows), stderr: '' });
    });
  });
  if (call.wrapperMs === undefined) return attempt;
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<MysqlRun>((resolve) => {
    timer = setTimeout(() => {
      connection?.destroy();
      resolve({ code: 124, stdout: '', stderr: '' });
    }, call.wrapperMs);
  });
  try {
    return await Promise.race([attempt, killed]);
  } finally {
    clearTimeout(timer);
  }
}

function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}
