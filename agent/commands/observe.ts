/**
 * The agent's eyes on the FE group: find every FE pod through the headless search service (it
 * lists not-ready pods too) and ask each one, directly, for its SHOW FRONTENDS. Decisions then
 * read the leader's own answer (W3), never a load balancer's.
 */
import { discoverFePeers } from '../dns/fe-peers.ts';
import { describeError } from '../contract/errors.ts';
import { observeFePeers as observeEach } from '../membership/observe.ts';
import type { FeClient } from '../sql/fe-client.ts';
import type { LeaderView, PeerObservation } from '../plan/observations.ts';
import { leaderViewOf } from '../plan/observations.ts';
import type { Context } from './context.ts';

/** The FE peers as observed, with where to dial each one. */
export interface FeObservation {
  peers: PeerObservation[];
  /** Peer host (FQDN) to the address and query port to dial. */
  dial: ReadonlyMap<string, { ip: string; port: number }>;
  /** Why there are no peers at all, when DNS failed. */
  dnsError: string | undefined;
}

/** Discover the FE pods and ask each one for SHOW FRONTENDS, in parallel. */
export async function observeFePeers(ctx: Context): Promise<FeObservation> {
  let discovery;
  try {
    discovery = await discoverFePeers(ctx.resolver, {
      cluster: ctx.config.cluster,
      namespace: ctx.config.namespace,
      domain: ctx.config.clusterDomain,
      queryPort: ctx.config.feQueryPort,
    });
    ctx.metrics?.dnsLookups.inc({ type: 'fe-peers', outcome: 'ok' });
  } catch (error) {
    ctx.metrics?.dnsLookups.inc({ type: 'fe-peers', outcome: 'error' });
    return { peers: [], dial: new Map(), dnsError: describeError(error) };
  }
  const dial = new Map<string, { ip: string; port: number }>();
  for (const peer of discovery.peers) if (peer.ip !== undefined) dial.set(peer.fqdn, { ip: peer.ip, port: peer.queryPort });
  const clients: FeClient[] = [];
  try {
    const peers = await observeEach(discovery.peers, (peer) => {
      const client = ctx.feClient(peer.ip, peer.queryPort);
      clients.push(client);
      return client;
    });
    return { peers, dial, dnsError: undefined };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/**
 * A client to the FE that answered as leader, with its view; undefined when there is none. With
 * none, `privilege` carries an FE's refusal for a missing privilege (1227/5203): no wait ends it.
 */
export async function withLeader<T>(
  ctx: Context,
  use: (client: FeClient, view: LeaderView) => Promise<T>,
): Promise<{ found: true; value: T } | { found: false; reason: string; privilege?: string }> {
  const observed = await observeFePeers(ctx);
  if (observed.dnsError !== undefined) return { found: false, reason: `FE peers cannot be listed: ${observed.dnsError}` };
  const result = leaderViewOf(observed.peers);
  if (result.kind === 'none') {
    const denied = observed.peers.find((p) => p.result.kind === 'failed' && p.result.failure.kind === 'privilege');
    const privilege = denied?.result.kind === 'failed' ? denied.result.failure.message : undefined;
    return { found: false, reason: describePeers(observed.peers), ...(privilege === undefined ? {} : { privilege }) };
  }
  if (result.kind === 'conflict') return { found: false, reason: `several FEs answer as leader: ${result.leaders.join(', ')}` };
  const target = observed.dial.get(result.view.peer.host);
  if (target === undefined) return { found: false, reason: `the leader ${result.view.peer.host} has no address` };
  const client = ctx.feClient(target.ip, target.port);
  try {
    return { found: true, value: await use(client, result.view) };
  } finally {
    await client.close();
  }
}

/** One line on what the peers answered, for wait logs. */
function describePeers(peers: readonly PeerObservation[]): string {
  if (peers.length === 0) return 'no FE pod is listed by the FE search service yet';
  const parts = peers.map((p) => {
    const name = p.host.split('.')[0] ?? p.host;
    switch (p.result.kind) {
      case 'unresolved':
        return `${name}: no address yet`;
      case 'failed':
        return `${name}: ${p.result.failure.kind}`;
      case 'frontends':
        return `${name}: no leader in its view`;
    }
  });
  return `no FE answers as leader (${parts.join('; ')})`;
}
