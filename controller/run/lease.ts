/**
 * Leader election through a coordination.k8s.io Lease with optimistic concurrency (no maintained
 * library does it for client-node). The decisions are pure; `holdLease` is the loop around them.
 *
 * Expiry is judged by local observed time: a follower counts the lease duration from when it
 * last saw the holder or renewTime change, never from the remote renewTime (clocks differ). The
 * leader counts its renew deadline, shorter than the lease duration, from the start of its last
 * successful renewal, and stops writing once it passes (`isLeading()` turns false at once; the
 * controller's KubeApi asks it right before sending each write: `writeAllowed`). With clocks that run at the same rate, the old
 * leader has stopped writing before a follower can take over. Leaders can still overlap if a
 * clock runs fast or slow by more than the gap between the two (lease duration − renew deadline),
 * or by a write the API server receives after a long network delay.
 */
import { describeError } from '../../agent/contract/errors.ts';
import { AgentError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { isAbortError, sleep } from '../../agent/contract/backoff.ts';
import { asJsonObject, asNumber, asString, dig } from '../json.ts';
import type { JsonObject } from '../json.ts';
import type { KubeApi } from '../kube/kube-api.ts';

/** What a Lease says. */
export interface LeaseView {
  holder: string | undefined;
  /** As stored (MicroTime): compared for change, never as a clock. */
  renewTime: string | undefined;
  durationSeconds: number | undefined;
}

/** When this process last saw the lease's holder or renewTime change (local monotonic ms). */
export interface LeaseObservation {
  holder: string | undefined;
  renewTime: string | undefined;
  seenAtMs: number;
}

/** The observation after reading the lease again: the time moves only when the lease did. */
export function observeLease(previous: LeaseObservation | undefined, lease: LeaseView | undefined, nowMs: number): LeaseObservation | undefined {
  if (lease === undefined) return undefined;
  if (previous !== undefined && previous.holder === lease.holder && previous.renewTime === lease.renewTime) return previous;
  return { holder: lease.holder, renewTime: lease.renewTime, seenAtMs: nowMs };
}

/** What to do about a lease. */
export type LeaseAction = 'create' | 'renew' | 'takeover' | 'wait';

/** Options of `leaseAction`. */
export interface LeaseActionInput {
  lease: LeaseView | undefined;
  /** `observeLease` of this reading. */
  observation: LeaseObservation | undefined;
  identity: string;
  /** Local monotonic ms, the clock of `observation`. */
  nowMs: number;
}

/** Decide from the current lease: create it, renew ours, take over an expired one, or wait. */
export function leaseAction(input: LeaseActionInput): LeaseAction {
  const { lease } = input;
  if (lease === undefined) return 'create';
  if (lease.holder === input.identity) return 'renew';
  if (lease.holder === undefined || lease.holder === '') return 'takeover';
  const seenAt = input.observation?.seenAtMs ?? input.nowMs;
  return input.nowMs >= seenAt + (lease.durationSeconds ?? 0) * 1000 ? 'takeover' : 'wait';
}

/** Parse a Lease object. */
export function leaseView(raw: unknown): LeaseView {
  return {
    holder: asString(dig(raw, 'spec', 'holderIdentity')),
    renewTime: asString(dig(raw, 'spec', 'renewTime')),
    durationSeconds: asNumber(dig(raw, 'spec', 'leaseDurationSeconds')),
  };
}

/** MicroTime, as Lease times need (six fractional digits). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/** Options of `holdLease`. */
export interface HoldLeaseOptions {
  api: KubeApi;
  log: Log;
  namespace: string;
  name: string;
  identity: string;
  durationSeconds: number;
  /** A leader that has not renewed for this long stops leading; shorter than the duration. */
  renewDeadlineMs: number;
  /** Between two attempts (to acquire or to renew). */
  retryMs: number;
  signal: AbortSignal;
  /** Local monotonic ms (default performance.now). */
  clock?: () => number;
}

/** Leadership held. */
export interface Leadership {
  /** True while the last successful renewal started less than the renew deadline ago. */
  isLeading(): boolean;
  /** Settles when leadership is lost (or the signal aborts). */
  lost: Promise<void>;
}

/** Wait until this process holds the lease, then keep renewing it (one renewal at a time). */
export async function holdLease(options: HoldLeaseOptions): Promise<Leadership> {
  if (options.renewDeadlineMs >= options.durationSeconds * 1000) {
    throw new AgentError('ERR_USAGE', `the lease renew deadline (${options.renewDeadlineMs} ms) must be shorter than the lease duration (${options.durationSeconds} s)`);
  }
  const clock = options.clock ?? (() => performance.now());
  let observation: LeaseObservation | undefined;
  // Resolves true when this process holds the lease after the attempt.
  const attempt = async (): Promise<boolean> => {
    const raw = await options.api.get('Lease', options.namespace, options.name);
    const view = raw === undefined ? undefined : leaseView(raw);
    observation = observeLease(observation, view, clock());
    const action = leaseAction({ lease: view, observation, identity: options.identity, nowMs: clock() });
    if (action === 'wait') return false;
    const now = Date.now();
    const spec: JsonObject = { holderIdentity: options.identity, leaseDurationSeconds: options.durationSeconds, renewTime: microTime(now) };
    if (action === 'create') {
      await options.api.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: options.name, namespace: options.namespace },
        spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
      });
      return true;
    }
    const current = raw ?? {};
    const merged: JsonObject = { ...asJsonObject(dig(current, 'spec')), ...spec };
    if (action === 'takeover') {
      merged.acquireTime = microTime(now);
      merged.leaseTransitions = (asNumber(dig(current, 'spec', 'leaseTransitions')) ?? 0) + 1;
    }
    // The resourceVersion in `current` makes this fail with 409 if someone else wrote first.
    await options.api.replace({ ...current, kind: 'Lease', spec: merged });
    return true;
  };
  const wait = (ms: number): Promise<boolean> =>
    sleep(ms, options.signal).then(
      () => true,
      (error: unknown) => {
        if (isAbortError(error)) return false;
        throw error;
      },
    );

  let renewedAt = 0;
  for (;;) {
    if (options.signal.aborted) return { isLeading: () => false, lost: Promise.resolve() };
    const startedAt = clock();
    try {
      if (await attempt()) {
        renewedAt = startedAt;
        break;
      }
    } catch (error) {
      options.log.debug({ err: describeError(error) }, 'lease attempt failed');
    }
    await wait(options.retryMs);
  }
  options.log.info({ identity: options.identity, lease: `${options.namespace}/${options.name}` }, 'leading');

  let leading = true;
  const isLeading = (): boolean => leading && !options.signal.aborted && clock() - renewedAt < options.renewDeadlineMs;
  const lost = (async () => {
    while (await wait(options.retryMs)) {
      if (!isLeading()) break;
      const startedAt = clock();
      // A renewal that outlives the deadline is given up (its answer no longer counts).
      const deadline = options.renewDeadlineMs - (startedAt - renewedAt);
      const timer = new AbortController();
      const outcome = await Promise.race([
        attempt().then(
          (held) => (held ? 'held' : 'taken'),
          (error: unknown) => {
            options.log.warn({ err: describeError(error) }, 'lease renewal failed');
            return 'failed';
          },
        ),
        sleep(Math.max(0, deadline), timer.signal).then(
          () => 'deadline',
          () => 'aborted',
        ),
      ]);
      timer.abort();
      if (outcome === 'held' && isLeading()) renewedAt = startedAt;
      else if (outcome === 'taken') {
        options.log.error({ identity: options.identity }, 'leadership lost: another controller holds the lease');
        break;
      }
      if (!isLeading()) {
        options.log.error({ identity: options.identity, renewDeadlineMs: options.renewDeadlineMs }, 'leadership lost: the lease was not renewed within the renew deadline');
        break;
      }
    }
    leading = false;
  })();
  return { isLeading, lost };
}
