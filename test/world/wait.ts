/**
 * Polling helpers: wait for a condition with a bounded number of attempts and a deadline, and
 * fail early with the log of a child that died meanwhile.
 */
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import { get as httpGet } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Child } from './child.ts';
import { sleep } from '../../agent/contract/backoff.ts';

/** Options of `waitFor`. */
export interface WaitOptions {
  /** What is awaited, for the error message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Children whose exit ends the wait with an error. */
  watch?: readonly Child[];
}

/** The last lines of a child's log, for error messages. */
function logTail(child: Child, lines = 15): string {
  try {
    return readFileSync(child.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `check` until it returns a value other than undefined; throws after the timeout. */
export async function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 200;
  let lastError = '';
  for (let attempt = 0; attempt < 100_000; attempt++) {
    for (const child of options.watch ?? []) {
      if (!child.running()) {
        throw new Error(`${child.name} exited while waiting for ${options.what}; its log ${child.logFile} ends with:\n${logTail(child)}`);
      }
    }
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) break;
    await sleep(interval);
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${lastError === '' ? '' : ` (last error: ${lastError})`}`);
}

/** Options of `httpStatus`. */
export interface HttpStatusOptions {
  /** Accept any server certificate (components with self-signed serving certs). */
  insecure?: boolean;
  timeoutMs?: number;
}

/** GETs `url` and resolves to the status code and body; rejects on a connection error. */
export function httpStatus(url: string, options: HttpStatusOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const timeout = options.timeoutMs ?? 2000;
    const onResponse = (res: IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req = url.startsWith('https:')
      ? get(url, { timeout, rejectUnauthorized: options.insecure !== true }, onResponse)
      : httpGet(url, { timeout }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/**
 * Waits until the API server reports a CRD Established. Not `kubectl wait --for=condition=...`:
 * kubectl 1.32 fails at once ("status.conditions accessor error") when the CRD has no conditions
 * yet, which a just-created CRD may not have.
 */
export async function waitCrdEstablished(kubectl: (...args: string[]) => Promise<string>, crd: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => ((await kubectl('get', 'crd', crd, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}')).trim() === 'True' ? true : undefined),
    { what: `CRD ${crd} Established`, timeoutMs, intervalMs: 200 },
  );
}
