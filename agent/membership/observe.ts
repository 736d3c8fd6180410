/**
 * The I/O that feeds the pure plans: ask every FE peer for SHOW FRONTENDS (in parallel, each under
 * the client's statement deadline) and read the BE/CN view, turning every answer or failure into
 * plain data. Peers are reached by address when DNS gave one (the system resolver may not know
 * the search-service names), and named by their FQDN in the observations.
 *
 * @example
 * ```ts
 * const peers = await observeFePeers(discovery.peers, (p) => clients.get(p));
 * const plan = planFeStart({ ...identity, peers });
 * ```
 */
import type { FeClient } from '../sql/fe-client.ts';
import type { PeerObservation } from '../plan/observations.ts';
import type { NodeView } from '../plan/registration.ts';

/** An FE peer as DNS discovery gives it (structurally the DNS module's FePeer). */
export interface PeerEndpoint {
  readonly fqdn: string;
  /** Undefined when the name does not resolve (yet). */
  readonly ip: string | undefined;
  readonly queryPort: number;
}

/** SHOW FRONTENDS on every peer at once. `clientFor` gives a client for the peer's ip:queryPort. */
export async function observeFePeers(peers: readonly PeerEndpoint[], clientFor: (peer: PeerEndpoint & { ip: string }) => FeClient): Promise<PeerObservation[]> {
  return Promise.all(
    peers.map(async (peer): Promise<PeerObservation> => {
      const ip = peer.ip;
      if (ip === undefined) return { host: peer.fqdn, result: { kind: 'unresolved' } };
      const outcome = await clientFor({ ...peer, ip }).showFrontends();
      return {
        host: peer.fqdn,
        addresses: [ip],
        result: outcome.ok ? { kind: 'frontends', rows: outcome.value } : { kind: 'failed', failure: outcome.failure },
      };
    }),
  );
}

/** The BE view for a BE (SHOW BACKENDS), the CN view for a CN, with the other kind's rows. */
export async function readNodeView(client: FeClient, component: 'be' | 'cn'): Promise<NodeView> {
  // One after the other: each statement's deadline should cover its own work only.
  const backends = await client.showBackends();
  const computeNodes = await client.showComputeNodes();
  const own = component === 'be' ? backends : computeNodes;
  const other = component === 'be' ? computeNodes : backends;
  if (!own.ok) return { kind: 'unavailable', reason: `${own.failure.kind}: ${own.failure.message}` };
  if (!other.ok) return { kind: 'unavailable', reason: `${other.failure.kind}: ${other.failure.message}` };
  return { kind: 'rows', rows: own.value, otherKindRows: other.value };
}
