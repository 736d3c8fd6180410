/**
 * Runs one probe or lifecycle handler against a local container: `exec` runs the command as the
 * container would (its env, its paths), `httpGet` and `tcpSocket` connect to the pod's loopback
 * address, `sleep` waits. Resolves to success or a one-line reason.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Handler } from './pod-types.ts';
import type { ProcessGroups } from '../orphan-guard.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

/** How to run `exec` handlers in the container's context. */
export interface ExecContext {
  /** Resolves argv (with the container's path map) to a local program, or an error. */
  resolve(argv: readonly string[]): { file: string; args: string[] } | { error: string };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Records the command's process group while it runs. */
  groups?: ProcessGroups;
}

/** Inputs of `runHandler`. */
export interface HandlerInput {
  handler: Handler;
  container: Container;
  podIP: string;
  timeoutMs: number;
  exec: ExecContext;
}

/** The port number of a probe port (number, numeric string or a container port name). */
function handlerPort(port: number | string | undefined, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^[0-9]+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Runs the handler once. */
export async function runHandler(input: HandlerInput): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { handler, container, podIP, timeoutMs } = input;
  if (handler.exec !== undefined) return runExec(handler.exec.command ?? [], input.exec, timeoutMs);
  if (handler.httpGet !== undefined) {
    const port = handlerPort(handler.httpGet.port, container);
    if (port === undefined) return { ok: false, reason: `httpGet port ${String(handler.httpGet.port)} not found` };
    const scheme = (handler.httpGet.scheme ?? 'HTTP').toUpperCase();
    const host = handler.httpGet.host ?? podIP;
    const url = `${scheme === 'HTTPS' ? 'https' : 'http'}://${host}:${port}${handler.httpGet.path ?? '/'}`;
    const headers = Object.fromEntries((handler.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return httpGet(url, headers, timeoutMs);
  }
  if (handler.tcpSocket !== undefined) {
    const port = handlerPort(handler.tcpSocket.port, container);
    if (port === undefined) return { ok: false, reason: `tcpSocket port ${String(handler.tcpSocket.port)} not found` };
    return tcpConnect(handler.tcpSocket.host ?? podIP, port, timeoutMs);
  }
  if (handler.sleep !== undefined) {
    await sleep(Math.min(timeoutMs, (handler.sleep?.seconds ?? 0) * 1000));
    return { ok: true };
  }
  return { ok: false, reason: 'handler has no exec, httpGet, tcpSocket or sleep' };
}

function runExec(argv: readonly string[], context: ExecContext, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  const resolved = context.resolve(argv);
  if ('error' in resolved) return Promise.resolve({ ok: false, reason: resolved.error });
  return new Promise((resolve) => {
    const child = spawn(resolved.file, resolved.args, { env: context.env, cwd: context.cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    context.groups?.add(child.pid);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 2000) stderr += chunk;
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      context.groups?.remove(child.pid);
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, reason: signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exit ${String(code ?? signal)}: ${stderr.trim().split('\n').pop() ?? ''}` });
    });
  });
}

function httpGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : request;
    const req = send(url, { method: 'GET', headers: { 'user-agent': 'kube-probe/1.35', ...headers }, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, reason: `HTTP probe failed with statuscode: ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ ok: false, reason: `Get "${url}": ${error.message}` }));
    req.end();
  });
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, reason: `dial tcp ${host}:${port}: timeout` });
    });
    socket.once('error', (error) => resolve({ ok: false, reason: `dial tcp ${host}:${port}: ${error.message}` }));
  });
}
