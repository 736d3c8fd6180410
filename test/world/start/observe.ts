/**
 * One refresh of `npm start`'s view: the cluster's pods, StatefulSets and status from the API
 * server, and the FE leader's SHOW FRONTENDS / BACKENDS / COMPUTE NODES over SQL on an FE pod's
 * address (the MySQL port every FE serves).
 */
import { CRD, LABELS, PORTS, names } from '../../../agent/contract/index.ts';
import type { Component } from '../../../agent/contract/index.ts';
import { createFeClient } from '../../../agent/sql/fe-client.ts';
import { unlessNotFound, wire } from '../kube.ts';
import type { WorldKube } from '../kube.ts';
import { podFacts, sortPods } from './view.ts';
import type { MembersView, PodFacts, Snapshot } from './view.ts';

/** Which cluster to observe, and how to log in to its FEs. */
export interface ObserveTarget {
  kube: WorldKube;
  namespace: string;
  name: string;
  components: readonly Component[];
  /** The root password; empty when the cluster has none. */
  password: string;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Reads everything the view shows; a read that fails leaves its part empty, never throws. */
export async function observe(target: ObserveTarget): Promise<Snapshot> {
  const { kube, namespace, name } = target;
  const [podList, cr, ...sets] = await Promise.all([
    kube.core.listNamespacedPod({ namespace, labelSelector: `${LABELS.instance}=${name}` }).then((list) => list.items.map(wire), () => []),
    unlessNotFound(kube.custom.getNamespacedCustomObject({ group: CRD.group, version: CRD.version, namespace, plural: CRD.plural, name }))
      .then((o) => wire(o) as { status?: { phase?: unknown } } | undefined)
      .catch(() => undefined),
    ...target.components.map((c) => kube.apps.readNamespacedStatefulSet({ namespace, name: names(name).statefulSet(c) }).catch(() => undefined)),
  ]);
  const desired: Partial<Record<Component, number>> = {};
  target.components.forEach((c, i) => {
    const replicas = sets[i]?.spec?.replicas;
    if (typeof replicas === 'number') desired[c] = replicas;
  });
  const pods = sortPods(podList.map(podFacts).filter((p): p is PodFacts => p !== undefined));
  const { members, error } = await leaderView(pods, target.password);
  return {
    components: target.components,
    desired,
    pods,
    members,
    membersError: error,
    crPhase: typeof cr?.status?.phase === 'string' ? cr.status.phase : undefined,
  };
}

/** The leader's tables, read from the first FE pod that answers as the leader. */
async function leaderView(pods: readonly PodFacts[], password: string): Promise<{ members: MembersView | undefined; error: string | undefined; leader: PodFacts | undefined }> {
  let error: string | undefined = 'no FE pod has an address yet';
  for (const fe of pods) {
    if (fe.component !== 'fe' || fe.ip === undefined || fe.terminating) continue;
    const client = createFeClient({ host: fe.ip, port: PORTS.fe.query, password, timeoutMs: 2_000 });
    try {
      const frontends = await client.showFrontends();
      if (!frontends.ok) {
        error = `${fe.name}: ${frontends.failure.message}`;
        continue;
      }
      // Only the leader's view counts: a follower may lag behind its journal.
      const self = frontends.value.find((f) => f.host.startsWith(`${fe.name}.`) || f.host === fe.ip);
      if (self?.role !== 'LEADER') {
        error = `${fe.name} is not the leader`;
        continue;
      }
      const [backends, computeNodes] = await Promise.all([client.showBackends(), client.showComputeNodes()]);
      if (!backends.ok || !computeNodes.ok) {
        error = `${fe.name}: ${backends.ok ? (computeNodes.ok ? '' : computeNodes.failure.message) : backends.failure.message}`;
        continue;
      }
      return { members: { frontends: frontends.value, backends: backends.value, computeNodes: computeNodes.value }, error: undefined, leader: fe };
    } catch (e) {
      error = `${fe.name}: ${describe(e)}`;
    } finally {
      await client.close();
    }
  }
  return { members: undefined, error, leader: undefined };
}
