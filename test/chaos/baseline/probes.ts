/**
 * The pod's probe endpoints (`startupz`, `livez`, `readyz` on the agent port, where our
 * controller points kubelet) answering as the official operator's probes judge health: each is an
 * HTTP GET of the StarRocks process's own `/api/health` (FE `http_port`, BE/CN `be_http_port`),
 * 200-399 within 1 s passing (official-k8s-scripts.md §9.5). Nothing else is looked at.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { AGENT_ROUTES, PORTS } from '../../../agent/contract/index.ts';
import { healthStatus } from './net.ts';
import type { PodEnv } from './pod-env.ts';
import { scriptConfValue, scriptPort } from './script-logic.ts';

/** The StarRocks HTTP port the official probes use, read from the component's conf as the operator reads it. */
export function healthPort(pod: PodEnv): number {
  let conf = '';
  try {
    conf = readFileSync(join(pod.root, pod.component, 'conf', `${pod.component}.conf`), 'utf8');
  } catch {
    // No conf: the defaults.
  }
  if (pod.component === 'fe') return scriptPort(scriptConfValue(conf, 'http_port'), PORTS.fe.http);
  const value = scriptConfValue(conf, 'be_http_port') || scriptConfValue(conf, 'webserver_port');
  return scriptPort(value, PORTS.be.http);
}

/** Starts the probe server; resolves once it listens. */
export async function startProbeServer(pod: PodEnv): Promise<Server> {
  const port = healthPort(pod);
  const routes = new Set<string>([AGENT_ROUTES.startupz, AGENT_ROUTES.livez, AGENT_ROUTES.readyz]);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!routes.has(path)) {
      res.writeHead(404).end();
      return;
    }
    void healthStatus(pod.podIp, port).then((ok) => {
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok\n' : `GET /api/health on port ${port} failed\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(pod.agentPort, pod.bind, () => resolve());
  });
  return server;
}
