/**
 * The agent's HTTP endpoint (fastify): kubelet's probes, Prometheus metrics and a JSON status.
 * Every answer comes from state the agent refreshes in the background, so a probe never waits
 * on the FE and a burst of probes never turns into a burst of SQL.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { AGENT_ROUTES } from '../contract/index.ts';
import type { AgentMetrics } from './metrics.ts';

/** A probe's answer. */
export interface Verdict {
  ok: boolean;
  /** Why, in a few words; shown in the body and in kubelet's events on failure. */
  reason: string;
}

/** Where the server gets its answers. All calls must be cheap and synchronous. */
export interface ProbeSource {
  live(): Verdict;
  ready(): Verdict;
  startup(): Verdict;
  /** JSON membership view; must hold no secret. */
  status(): unknown;
}

/** Options of startAgentServer. */
export interface AgentServerOptions {
  host: string;
  port: number;
  source: ProbeSource;
  metrics: AgentMetrics;
}

/** A listening agent server. */
export interface AgentServer {
  /** `http://host:port` actually bound (port 0 picks one). */
  url: string;
  close(): Promise<void>;
}

/** Build the fastify app without listening (tests use inject). */
export function buildAgentApp(options: Omit<AgentServerOptions, 'host' | 'port'>): FastifyInstance {
  const app = Fastify({ logger: false });
  const probe = (name: 'live' | 'ready' | 'startup', route: string): void => {
    app.get(route, async (_request, reply) => {
      const verdict = options.source[name]();
      options.metrics.probes.inc({ probe: name, result: verdict.ok ? 'success' : 'failure' });
      return reply.code(verdict.ok ? 200 : 503).send(verdict);
    });
  };
  probe('live', AGENT_ROUTES.livez);
  probe('ready', AGENT_ROUTES.readyz);
  probe('startup', AGENT_ROUTES.startupz);
  app.get(AGENT_ROUTES.status, async () => options.source.status());
  app.get(AGENT_ROUTES.metrics, async (_request, reply) => {
    const body = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(body);
  });
  return app;
}

/** Listen on host:port. */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const app = buildAgentApp(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
