/**
 * The StarRocksCluster status, computed purely from the parsed CR, what the controller observed
 * (StatefulSets, pods and the agents' pod annotations), the upgrade decision and the outcome of
 * the last apply. Phase values follow the official operator (`running`, `reconciling`, `failed`).
 */
import { names, selectorLabels } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import { presentComponents } from '../cr/parse.ts';
import type { SpecProblem, StarRocksCluster } from '../cr/types.ts';
import { STATUS_FIELDS } from '../crd/crd.ts';
import type { JsonObject } from '../json.ts';
import type { RolloutDecision } from '../upgrade-order.ts';
import { recordClusterId } from './cluster-id.ts';
import { CONDITION_TYPES, mergeConditions } from './conditions.ts';
import type { Condition } from './conditions.ts';
import { ephemeralDataVolume } from '../render/volumes.ts';
import { feLeader } from './leader.ts';
import { rolloutComplete } from './observed.ts';
import type { ObservedPod, ObservedStatefulSet } from './observed.ts';

/** Everything status is computed from. */
export interface StatusInput {
  cluster: StarRocksCluster | undefined;
  generation: number;
  problems: readonly SpecProblem[];
  statefulSets: Partial<Record<Component, ObservedStatefulSet>>;
  pods: readonly ObservedPod[];
  rollout: RolloutDecision;
  /** The error of the last apply, when it failed. */
  applyError: string | undefined;
  previousConditions: readonly Condition[];
  /** RFC 3339 time, used for new condition transitions. */
  now: string;
  /** Components whose existing StatefulSet keeps its data on an emptyDir (render/kept-storage.ts). */
  keptEphemeral?: readonly Component[];
  /** `status.clusterId` as stored: kept once set (status/cluster-id.ts). */
  storedClusterId?: string | undefined;
  /** Per component, why its StatefulSet cannot create pods (observed.ts podCreateFailure). */
  podCreateFailures?: Partial<Record<Component, string>>;
}

/** Phases, as the official operator names them. */
const PHASES = { running: 'running', reconciling: 'reconciling', failed: 'failed' } as const;

/** The status object to write. */
export function computeStatus(input: StatusInput): JsonObject {
  const status: JsonObject = { observedGeneration: input.generation };
  const notReady: string[] = [];
  const waiting: string[] = [];
  const agentErrors: string[] = [];
  const tabletWaits: string[] = [];
  const cluster = input.cluster;
  const clusterId = recordClusterId(input.storedClusterId, input.pods);
  if (clusterId.clusterId !== undefined) status.clusterId = clusterId.clusterId;
  const leader = feLeader(input.pods);
  if (leader !== undefined) status.leader = leader;

  if (cluster !== undefined) {
    for (const spec of presentComponents(cluster)) {
      const c = spec.component;
      const sts = input.statefulSets[c];
      const pods = input.pods.filter((p) => p.component === c).sort((a, b) => a.ordinal - b.ordinal);
      const held = input.rollout.heldImages[c] !== undefined;
      const ready = sts?.readyReplicas ?? 0;
      const complete =
        sts !== undefined && sts.specReplicas === spec.replicas && sts.image === spec.image && rolloutComplete(sts);
      if (!complete) notReady.push(`${c} ${ready}/${spec.replicas} ready`);
      const blocker = input.rollout.waitingFor[c];
      if (blocker !== undefined) waiting.push(`${c} waits for ${blocker} to finish its rollout`);
      for (const pod of pods) if (!pod.ready && pod.lastError !== undefined) agentErrors.push(`${pod.name}: ${pod.lastError}`);
      for (const pod of pods) if (pod.tabletHealth !== undefined) tabletWaits.push(tabletWaitText(pod.name, pod.tabletHealth));

      const componentStatus: JsonObject = {
        serviceName: names(cluster.name).externalService(c),
        phase: complete ? PHASES.running : PHASES.reconciling,
        ready: `${ready}/${spec.replicas}`,
        replicas: sts?.replicas ?? 0,
        desiredReplicas: spec.replicas,
        readyReplicas: ready,
        updatedReplicas: sts?.updatedReplicas ?? 0,
        image: sts?.image ?? spec.image,
        rolloutHeld: held,
        resourceNames: [names(cluster.name).statefulSet(c)],
        runningInstances: pods.filter((p) => p.ready).map((p) => p.name),
        creatingInstances: pods.filter((p) => !p.ready && p.lastError === undefined).map((p) => p.name),
        failedInstances: pods.filter((p) => !p.ready && p.lastError !== undefined).map((p) => p.name),
        members: pods.map((p) => {
          const member: JsonObject = { pod: p.name, ready: p.ready };
          if (p.agentPhase !== undefined) member.agentPhase = p.agentPhase;
          if (p.host !== undefined) member.host = p.host;
          if (p.role !== undefined) member.role = p.role;
          if (p.lastError !== undefined) member.lastError = p.lastError;
          if (p.tabletHealth !== undefined) member.waitingForTablets = { ...p.tabletHealth };
          return member;
        }),
      };
      if (blocker !== undefined) componentStatus.reason = `waiting for ${blocker} to finish its rollout`;
      if (c === 'cn') {
        componentStatus.selector = Object.entries(selectorLabels(cluster.name, 'cn'))
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        if (cluster.cn?.autoScalingPolicy !== undefined) {
          componentStatus.horizontalScaler = { name: names(cluster.name).cnAutoscaler, version: 'v2' };
        }
      }
      status[STATUS_FIELDS[c]] = componentStatus;
    }
  }

  if (input.rollout.direction !== 'none') {
    status.imageRollout = { direction: input.rollout.direction, order: [...input.rollout.order] };
  }

  const invalid = input.problems.length > 0 || cluster === undefined;
  const problemText = input.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  // A pod the API server refuses (Pod Security, quota) never appears: say why, not only "0/1 ready".
  const createFailures = Object.entries(input.podCreateFailures ?? {}).map(([c, message]) => `${c} pods cannot be created: ${message}`);
  const g = input.generation;
  const next: Omit<Condition, 'lastTransitionTime'>[] = [];
  if (invalid) {
    next.push({ type: CONDITION_TYPES.ready, status: 'False', observedGeneration: g, reason: 'InvalidSpec', message: problemText });
  } else if (notReady.length === 0) {
    next.push({ type: CONDITION_TYPES.ready, status: 'True', observedGeneration: g, reason: 'AllComponentsReady', message: 'every component is rolled out and Ready' });
  } else {
    next.push({ type: CONDITION_TYPES.ready, status: 'False', observedGeneration: g, reason: 'ComponentsNotReady', message: notReady.join('; ') });
  }
  if (!invalid && (notReady.length > 0 || waiting.length > 0 || tabletWaits.length > 0)) {
    // The most specific cause first: a BE held for tablet health is what the rollout waits on.
    const order = input.rollout.direction === 'downgrade' ? 'DowngradeInOrder' : 'UpgradeInOrder';
    next.push({
      type: CONDITION_TYPES.progressing,
      status: 'True',
      observedGeneration: g,
      reason: tabletWaits.length > 0 ? 'WaitingForTabletHealth' : waiting.length > 0 ? order : 'RollingOut',
      message: [...tabletWaits, ...waiting, ...notReady].join('; '),
    });
  } else {
    next.push({ type: CONDITION_TYPES.progressing, status: 'False', observedGeneration: g, reason: invalid ? 'InvalidSpec' : 'Stable', message: invalid ? problemText : 'nothing to roll out' });
  }
  if (invalid) {
    next.push({ type: CONDITION_TYPES.degraded, status: 'True', observedGeneration: g, reason: 'InvalidSpec', message: problemText });
  } else if (input.applyError !== undefined) {
    next.push({ type: CONDITION_TYPES.degraded, status: 'True', observedGeneration: g, reason: 'ApplyFailed', message: input.applyError });
  } else if (createFailures.length > 0) {
    next.push({ type: CONDITION_TYPES.degraded, status: 'True', observedGeneration: g, reason: 'PodCreateFailed', message: createFailures.join('; ') });
  } else if (clusterId.mismatch !== undefined) {
    next.push({ type: CONDITION_TYPES.degraded, status: 'True', observedGeneration: g, reason: 'ClusterIdMismatch', message: clusterId.mismatch });
  } else if (agentErrors.length > 0) {
    next.push({ type: CONDITION_TYPES.degraded, status: 'True', observedGeneration: g, reason: 'AgentError', message: agentErrors.join('; ') });
  } else {
    next.push({ type: CONDITION_TYPES.degraded, status: 'False', observedGeneration: g, reason: 'AsExpected', message: 'no errors' });
  }
  if (cluster !== undefined) next.push(ephemeralCondition(cluster, g, input.keptEphemeral));
  next.push(clusterIdCondition(clusterId, g));
  const conditions = mergeConditions({ previous: input.previousConditions, next, now: input.now });
  status.conditions = conditions.map((c) => ({ ...c }));

  const degraded = conditions.find((c) => c.type === CONDITION_TYPES.degraded);
  const failed = invalid || input.applyError !== undefined;
  status.phase = failed ? PHASES.failed : notReady.length === 0 ? PHASES.running : PHASES.reconciling;
  if (failed && degraded !== undefined) status.reason = degraded.message;
  else if (notReady.length > 0) status.reason = [...createFailures, ...tabletWaits, ...waiting, ...notReady].join('; ');
  return status;
}

/** The Progressing text of one BE's tablet-health wait; the event says the same. */
export function tabletWaitText(pod: string, wait: { unhealthy: number; since: string }): string {
  return `${pod} waits for ${wait.unhealthy} unhealthy tablet${wait.unhealthy === 1 ? '' : 's'} to heal before it is Ready (since ${wait.since})`;
}

/** The `ClusterIdMismatch` condition: True while FE pods report a cluster id other than status holds. */
function clusterIdCondition(record: ReturnType<typeof recordClusterId>, generation: number): Omit<Condition, 'lastTransitionTime'> {
  const type = CONDITION_TYPES.clusterIdMismatch;
  if (record.mismatch !== undefined) return { type, status: 'True', observedGeneration: generation, reason: 'SplitBrain', message: record.mismatch };
  return record.clusterId === undefined
    ? { type, status: 'False', observedGeneration: generation, reason: 'NotReportedYet', message: 'no FE has reported its cluster id yet' }
    : { type, status: 'False', observedGeneration: generation, reason: 'ClusterIdRecorded', message: `every FE reporting an id reports cluster ${record.clusterId}` };
}

/** What each component loses on a pod re-creation when its data is not on a persistent volume. */
const LOSES: Readonly<Record<Component, string>> = { fe: "this FE's meta", be: "this BE's tablet replicas", cn: 'its cache' };

/** The `DataOnEphemeralStorage` warning: True while FE meta or BE storage does not outlive its pod. */
export function ephemeralCondition(cluster: StarRocksCluster, generation: number, kept: readonly Component[] = []): Omit<Condition, 'lastTransitionTime'> {
  const found = presentComponents(cluster).flatMap((spec) => {
    const where = ephemeralDataVolume(spec);
    const why = kept.includes(spec.component)
      ? ' (kept: its StatefulSet was created with it and volumeClaimTemplates cannot change; README "Data on an emptyDir" moves it to PVCs)'
      : '';
    return where === undefined ? [] : [`${spec.component}: ${where}${why}; every pod re-creation (rollout, eviction, node drain) loses ${LOSES[spec.component]}`];
  });
  const type = CONDITION_TYPES.dataOnEphemeralStorage;
  return found.length === 0
    ? { type, status: 'False', observedGeneration: generation, reason: 'PersistentData', message: 'FE meta and BE storage are on persistent volumes' }
    : { type, status: 'True', observedGeneration: generation, reason: 'EphemeralDataVolume', message: found.join('; ') };
}
