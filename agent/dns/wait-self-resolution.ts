/**
 * Wait until the pod's own FQDN resolves forward and reverse (see self-resolution.ts). Polls with
 * back-off and jitter from a few milliseconds up, so it reacts as soon as DNS catches up; a DNS
 * server that does not answer yet is a reason to wait, not to crash (a crash loop would only add
 * kubelet's back-off). Logs why it waits when the reason changes and otherwise at most every
 * `logEveryMs`.
 *
 * @example
 * ```ts
 * const ok = await waitForSelfResolution(resolver, { fqdn, ownIps, maxBackoffMs: config.maxBackoffMs, log, signal });
 * ```
 */
import { describeError } from '../contract/errors.ts';
import type { Log } from '../contract/log.ts';
import { createBackoff, sleep } from '../contract/backoff.ts';
import type { RandomSource } from '../contract/backoff.ts';
import type { ClusterResolver } from './cluster-resolver.ts';
import { checkSelfResolution } from './self-resolution.ts';
import type { SelfResolutionReason, SelfResolutionVerdict } from './self-resolution.ts';

/** Longest pause between two DNS polls, whatever the general back-off allows. */
const DNS_POLL_CAP_MS = 250;

/** Options of {@link waitForSelfResolution}. */
export interface WaitSelfResolutionOptions {
  fqdn: string;
  ownIps: readonly string[];
  /** Longest pause between two checks (capped at {@link DNS_POLL_CAP_MS}). */
  maxBackoffMs: number;
  log?: Log | undefined;
  /** Repeat an unchanged reason at most this often; default 10 s. */
  logEveryMs?: number | undefined;
  signal?: AbortSignal | undefined;
  random?: RandomSource | undefined;
}

/** Why a check did not pass: a verdict's reason, or `dns-error` when DNS did not answer. */
export type WaitReason = SelfResolutionReason | 'dns-error';

/** A log decision: the reason now and when it was last logged. */
export interface WaitLogState {
  reason: WaitReason;
  loggedAt: number;
}

/** True when a wait should be logged: first time, a new reason, or `everyMs` since the last line. */
export function shouldLogWait(last: WaitLogState | undefined, reason: WaitReason, now: number, everyMs: number): boolean {
  return last === undefined || last.reason !== reason || now - last.loggedAt >= everyMs;
}

/** Resolves with the passing verdict; rejects only when `signal` aborts. */
export async function waitForSelfResolution(
  resolver: ClusterResolver,
  options: WaitSelfResolutionOptions,
): Promise<Extract<SelfResolutionVerdict, { ok: true }>> {
  // A lookup costs the cluster DNS well under a millisecond, so polls stay frequent (at most
  // DNS_POLL_CAP_MS apart): the wait ends within a fraction of a second of DNS catching up.
  const backoff = createBackoff({ maxMs: Math.min(options.maxBackoffMs, DNS_POLL_CAP_MS), random: options.random });
  const everyMs = options.logEveryMs ?? 10_000;
  const started = Date.now();
  let last: WaitLogState | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    let reason: WaitReason;
    let message: string;
    try {
      const verdict = await checkSelfResolution(resolver, { fqdn: options.fqdn, ownIps: options.ownIps });
      if (verdict.ok) {
        options.log?.info(
          { fqdn: verdict.fqdn, ips: verdict.ips, otherNames: verdict.otherNames, attempts: backoff.attempts + 1, waitedMs: Date.now() - started },
          'own FQDN resolves forward and reverse',
        );
        return verdict;
      }
      ({ reason, message } = verdict);
    } catch (error) {
      reason = 'dns-error';
      message = describeError(error);
    }
    const now = Date.now();
    if (shouldLogWait(last, reason, now, everyMs)) {
      options.log?.info({ fqdn: options.fqdn, reason, attempts: backoff.attempts + 1, waitedMs: now - started }, `waiting for DNS: ${message}`);
      last = { reason, loggedAt: now };
    }
    await sleep(backoff.next(), options.signal);
  }
}
