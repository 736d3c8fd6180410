/**
 * A pod's phase and conditions from its containers' states, as kubelet computes them, and the
 * restart decisions kubelet makes. Pure.
 */
import type { ContainerStatus, PodCondition } from './pod-types.ts';
import { backoffCeiling } from '../../../agent/contract/backoff.ts';

/** What the conditions depend on. */
export interface PodStatusInput {
  initialized: boolean;
  containers: readonly ContainerStatus[];
  /** Previous conditions, to keep transition times of unchanged ones. */
  previous: readonly PodCondition[];
  now: string;
}

/** `PodScheduled`, `Initialized`, `ContainersReady` and `Ready`, in that order. */
export function podConditions(input: PodStatusInput): PodCondition[] {
  const allReady = input.initialized && input.containers.length > 0 && input.containers.every((c) => c.ready);
  const notReady = input.containers.filter((c) => !c.ready).map((c) => c.name);
  const message = notReady.length === 0 ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  const wanted: PodCondition[] = [
    { type: 'PodScheduled', status: 'True' },
    input.initialized
      ? { type: 'Initialized', status: 'True' }
      : { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: init containers' },
    allReady ? { type: 'ContainersReady', status: 'True' } : { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message },
    allReady ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message },
  ];
  return wanted.map((condition) => {
    const before = input.previous.find((p) => p.type === condition.type);
    const lastTransitionTime = before !== undefined && before.status === condition.status && before.lastTransitionTime !== undefined ? before.lastTransitionTime : input.now;
    return { ...condition, lastProbeTime: null, lastTransitionTime };
  });
}

/** Whether a container that exited with `exitCode` starts again under `restartPolicy`. */
export function shouldRestart(restartPolicy: string | undefined, exitCode: number): boolean {
  if (restartPolicy === 'Never') return false;
  if (restartPolicy === 'OnFailure') return exitCode !== 0;
  return true;
}

/** Kubelet's crash-loop back-off: `base`, doubled per restart, capped at `max`. */
export function restartDelayMs(restarts: number, base: number, max = 300_000): number {
  if (restarts <= 0) return 0;
  return backoffCeiling(restarts - 1, { baseMs: base, maxMs: max });
}

/**
 * The pod phase: `Pending` until initialized and some container ran, `Running` while any
 * container runs or will restart, else `Succeeded` when all exited 0, otherwise `Failed`.
 */
export function podPhase(input: { initialized: boolean; failedInit: boolean; containers: readonly ContainerStatus[]; restartPolicy: string | undefined }): string {
  if (input.failedInit) return 'Failed';
  if (!input.initialized) return 'Pending';
  const states = input.containers.map((c) => c.state);
  if (states.some((s) => s.running !== undefined)) return 'Running';
  if (states.some((s) => s.waiting !== undefined)) {
    return input.containers.some((c) => c.restartCount > 0 || c.state.waiting?.reason === 'CrashLoopBackOff') ? 'Running' : 'Pending';
  }
  const codes = states.map((s) => s.terminated?.exitCode ?? 0);
  return codes.every((code) => code === 0) ? 'Succeeded' : 'Failed';
}
