/**
 * Leader election through a coordination.k8s.io Lease with optimistic concurrency (client-node
 * has no helper). The decision is pure; `holdLease` is the loop around it. A leader that cannot
 * renew for a whole lease duration gives up (the process exits and restarts as a follower), so two
 * controllers never act at once for longer than clock skew allows.
 */
import { describeError } from '../../agent/contract/errors.ts';
import type { Log } from '../../agent/contract/log.ts';
import { asJsonObject, asNumber, asString, dig } from '../json.ts';
import type { JsonObject } from '../json.ts';
import type { KubeApi } from '../kube/kube-api.ts';

/** What a Lease says. */
export interface LeaseView {
  holder: string | undefined;
  renewTimeMs: number | undefined;
  durationSeconds: number | undefined;
}

/** What to do about a lease. */
export type LeaseAction = 'create' | 'renew' | 'takeover' | 'wait';

/** Options of `leaseAction`. */
export interface LeaseActionInput {
  lease: LeaseView | undefined;
  identity: string;
  nowMs: number;
}

/** Decide from the current lease: create it, renew ours, take over an expired one, or wait. */
export function leaseAction(input: LeaseActionInput): LeaseAction {
  const { lease } = input;
  if (lease === undefined) return 'create';
  if (lease.holder === input.identity) return 'renew';
  if (lease.holder === undefined || lease.holder === '') return 'takeover';
  const expires = (lease.renewTimeMs ?? 0) + (lease.durationSeconds ?? 0) * 1000;
  return input.nowMs >= expires ? 'takeover' : 'wait';
}

/** Parse a Lease object. */
export function leaseView(raw: unknown): LeaseView {
  const renew = asString(dig(raw, 'spec', 'renewTime'));
  const renewTimeMs = renew === undefined ? undefined : Date.parse(renew);
  return {
    holder: asString(dig(raw, 'spec', 'holderIdentity')),
    renewTimeMs: renewTimeMs === undefined || Number.isNaN(renewTimeMs) ? undefined : renewTimeMs,
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
  renewEveryMs: number;
  signal: AbortSignal;
}

/** Leadership held: `lost` settles when it is lost (or the signal aborts). */
export interface Leadership {
  lost: Promise<void>;
}

/** Wait until this process holds the lease, then keep renewing it. */
export async function holdLease(options: HoldLeaseOptions): Promise<Leadership> {
  let acquiredAt: number | undefined;
  const tryOnce = async (): Promise<boolean> => {
    const now = Date.now();
    const raw = await options.api.get('Lease', options.namespace, options.name);
    const view = raw === undefined ? undefined : leaseView(raw);
    const action = leaseAction({ lease: view, identity: options.identity, nowMs: now });
    if (action === 'wait') return false;
    const spec: JsonObject = {
      holderIdentity: options.identity,
      leaseDurationSeconds: options.durationSeconds,
      renewTime: microTime(now),
    };
    if (action === 'create') {
      spec.acquireTime = microTime(now);
      spec.leaseTransitions = 0;
      await options.api.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: options.name, namespace: options.namespace },
        spec,
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

  while (!options.signal.aborted) {
    try {
      if (await tryOnce()) {
        acquiredAt = Date.now();
        break;
      }
    } catch (error) {
      options.log.debug({ err: describeError(error) }, 'lease attempt failed');
    }
    await new Promise((r) => setTimeout(r, options.renewEveryMs));
  }
  options.log.info({ identity: options.identity, lease: `${options.namespace}/${options.name}` }, 'leading');

  const lost = new Promise<void>((resolve) => {
    let lastRenew = acquiredAt ?? Date.now();
    const timer = setInterval(() => {
      void (async () => {
        if (options.signal.aborted) {
          clearInterval(timer);
          resolve();
          return;
        }
        try {
          if (await tryOnce()) lastRenew = Date.now();
          else {
            clearInterval(timer);
            options.log.error('another controller holds the lease: stepping down');
            resolve();
            return;
          }
        } catch (error) {
          options.log.warn({ err: describeError(error) }, 'lease renewal failed');
        }
        if (Date.now() - lastRenew > options.durationSeconds * 1000) {
          clearInterval(timer);
          options.log.error('could not renew the lease for a whole lease duration: stepping down');
          resolve();
        }
      })();
    }, options.renewEveryMs);
  });
  return { lost };
}
