/**
 * The background loop behind the probes: once per interval it checks the StarRocks process's own
 * `/api/health` and reads membership (FE: its own SHOW FRONTENDS; BE/CN: the leader's SHOW
 * BACKENDS / COMPUTE NODES). Probes read the result; they never trigger SQL themselves, so 500
 * probes cost the FE nothing more than one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeSource } from '../http/server.ts';
import { frontendMembership, liveness, nodeMembership, readiness, startup } from '../plan/probe-state.ts';
import type { ProbeState, ProbeTiming, SelfMembership } from '../plan/probe-state.ts';
import { findFrontendsByHost, findNode } from '../membership/queries.ts';
import { tabletGate } from '../plan/tablet-gate.ts';
import type { TabletGate, TabletGateInput } from '../plan/tablet-gate.ts';
import { ANNOTATIONS } from '../contract/index.ts';
import { encodeMembership, isFeRole, sameMembership } from '../contract/membership-annotation.ts';
import type { MembershipRecord } from '../contract/membership-annotation.ts';
import { hostPort } from '../sql/host-port.ts';
import type { PlanFile } from '../plan/plan-file.ts';
import type { Context } from './context.ts';
import { withLeader } from './observe.ts';

/** The file preStop creates when draining starts; readiness fails at once while it exists. */
export const DRAINING_FILE = 'draining';

/** The file preStop keeps its last scale-in step in (JSON `{ step, reason, at }`), for /status. */
export const SHUTDOWN_FILE = 'shutdown.json';

/** A running monitor. */
export interface Monitor extends ProbeSource {
  /** Stop the loop. */
  stop(): void;
  /** The FE's cluster id once it reports one. */
  clusterId(): number | undefined;
}

/** Options of startMonitor. */
export interface MonitorOptions {
  ctx: Context;
  plan: PlanFile;
  processRunning: () => boolean;
  /** Called once with the cluster id the FE reports (the fence is created from it). */
  onClusterId?: (clusterId: number) => void;
}

/** Start the monitor loop. */
export function startMonitor(options: MonitorOptions): Monitor {
  const { ctx, plan } = options;
  const interval = ctx.config.probeIntervalMs;
  const timing: ProbeTiming = { wedgeAfterMs: Math.max(30_000, interval * 6), probeWindowMs: interval * 4 };
  const drainingPath = join(ctx.config.stateDir, DRAINING_FILE);
  const shutdownPath = join(ctx.config.stateDir, SHUTDOWN_FILE);
  const ip = ctx.config.podIp ?? '127.0.0.1';
  const httpPort = ctx.conf.ports.http;
  const healthUrl = `http://${ip.includes(':') ? `[${ip}]` : ip}:${httpPort}/api/health`;
  let state: Omit<ProbeState, 'processRunning' | 'draining'> = {
    loopTickAt: Date.now(),
    healthEverOk: false,
    healthOk: false,
    membership: undefined,
    lastAliveAt: undefined,
  };
  let clusterId: number | undefined;
  let lastError: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const readMembership = async (): Promise<{ self: SelfMembership; detail?: string }> => {
    if (ctx.conf.component === 'fe') {
      const client = ctx.feClient(ip, ctx.conf.ports.query);
      try {
        const rows = await client.showFrontends();
        if (!rows.ok) return { self: 'unavailable', detail: rows.failure.kind };
        const own = rows.value.find((r) => r.clusterId !== undefined);
        if (own?.clusterId !== undefined && clusterId === undefined) {
          clusterId = own.clusterId;
          options.onClusterId?.(own.clusterId);
        }
        publishFe(findFrontendsByHost(rows.value, ctx.selfHost)[0]?.role);
        return { self: frontendMembership(rows.value, { host: ctx.selfHost }) };
      } finally {
        await client.close();
      }
    }
    const component = ctx.conf.component;
    const self = plan.component === 'fe' ? hostPort(ctx.selfHost, ctx.conf.ports.heartbeat) : plan.registeredAs;
    const result = await withLeader(ctx, async (client) => {
      const rows = component === 'be' ? await client.showBackends() : await client.showComputeNodes();
      // Tablet health is read only while a restarted BE's gate is closed: once per interval, then never.
      const gateReading = component === 'be' && rows.ok && gate.applies && !gate.opened;
      return { rows, health: gateReading ? await client.showTabletHealth() : undefined };
    });
    if (!result.found) return { self: 'unavailable', detail: result.reason };
    const { rows, health } = result.value;
    if (!rows.ok) return { self: 'unavailable', detail: rows.failure.kind };
    const membership = nodeMembership(rows.value, self, component);
    const own = findNode(rows.value, self);
    if (own !== undefined) publishMembership({ component, registeredAs: self, role: undefined, clusterId: undefined, at: undefined }, {});
    if (component === 'be') {
      const others = rows.value.filter((row) => row !== own);
      judgeTabletGate({ selfAlive: membership === 'alive', othersAlive: others.every((row) => row.alive), health: health?.ok === true ? health.value : undefined });
    }
    return { self: membership };
  };

  // The membership record (contract/membership-annotation.ts), rewritten when what it says
  // changes: the FE's role as SHOW FRONTENDS reports it, a BE/CN's row under the host it was
  // registered as (after a container restart too), so the controller's status stays current.
  // An FE's role goes into `agent-fe-role` as well, in the same write: the controller's FE
  // budget counts voters from it. INIT/UNKNOWN say nothing about the vote and are not written.
  let published: MembershipRecord | undefined;
  const publishMembership = (record: MembershipRecord, extra: Record<string, string>): void => {
    if (published !== undefined && sameMembership(published, record)) return;
    published = record;
    // Not ctx.annotate: membership says nothing about the phase.
    void ctx.kube?.annotateSelf({ [ANNOTATIONS.membership]: encodeMembership({ ...record, at: new Date().toISOString() }), ...extra }).catch(() => {
      published = undefined;
    });
  };
  const publishFe = (role: string | undefined): void => {
    if (ctx.conf.component !== 'fe' || role === undefined || !isFeRole(role)) return;
    const registeredAs = hostPort(ctx.selfHost, ctx.conf.ports.editLog);
    publishMembership({ component: 'fe', registeredAs, role, clusterId, at: undefined }, { [ANNOTATIONS.feRole]: role });
  };

  // The tablet-health gate of a restarted BE (plan/tablet-gate.ts), judged after each reading.
  const gate = {
    applies: plan.component === 'be' && !plan.addedNow && ctx.config.tabletHealthMaxWaitMs > 0,
    opened: false,
    startedAt: Date.now(),
    verdict: undefined as TabletGate | undefined,
    healthySince: undefined as number | undefined,
    waitingSince: undefined as string | undefined,
  };
  const judgeTabletGate = (reading: Pick<TabletGateInput, 'selfAlive' | 'othersAlive' | 'health'>): void => {
    const now = Date.now();
    // The healthy streak: readings with this BE alive and no unhealthy tablet, without a gap.
    if (reading.selfAlive && reading.health?.unhealthy === 0) gate.healthySince ??= now;
    else gate.healthySince = undefined;
    const verdict = tabletGate({
      ...reading,
      applies: gate.applies,
      opened: gate.opened,
      startedAt: gate.startedAt,
      now,
      maxWaitMs: ctx.config.tabletHealthMaxWaitMs,
      healthySince: gate.healthySince,
      settleMs: interval * 3,
    });
    gate.verdict = verdict;
    if (verdict.kind === 'wait' && verdict.unhealthy !== undefined && verdict.unhealthy > 0) {
      const first = gate.waitingSince === undefined;
      gate.waitingSince ??= new Date().toISOString();
      const note = JSON.stringify({ unhealthy: verdict.unhealthy, since: gate.waitingSince });
      void ctx.kube?.annotateSelf({ [ANNOTATIONS.tabletHealth]: note }).catch(() => undefined);
      if (first) {
        ctx.log.info({ unhealthy: verdict.unhealthy }, `readiness held: ${verdict.reason}`);
        void ctx.kube?.emitEvent({ type: 'Normal', reason: 'WaitingForTabletHealth', message: verdict.reason }).catch(() => undefined);
      }
    }
    if (verdict.kind === 'open' && verdict.latch && !gate.opened) {
      gate.opened = true;
      if (gate.applies) ctx.log.info({ timedOut: verdict.timedOut }, `tablet-health gate open: ${verdict.reason}`);
      if (gate.waitingSince !== undefined || verdict.timedOut) {
        void ctx.kube?.annotateSelf({ [ANNOTATIONS.tabletHealth]: null }).catch(() => undefined);
        void ctx.kube
          ?.emitEvent({ type: verdict.timedOut ? 'Warning' : 'Normal', reason: verdict.timedOut ? 'TabletHealthWaitExceeded' : 'TabletsHealthy', message: verdict.reason })
          .catch(() => undefined);
      }
    }
  };

  const tick = async (): Promise<void> => {
    const healthOk = await fetch(healthUrl, { signal: AbortSignal.timeout(Math.min(interval, 2000)) })
      .then((r) => r.ok)
      .catch(() => false);
    let membership = state.membership;
    if (healthOk) {
      try {
        const read = await readMembership();
        membership = { at: Date.now(), ...read };
        ctx.metrics?.membershipRefreshes.inc({ outcome: read.self === 'unavailable' ? 'unavailable' : 'ok' });
        lastError = read.self === 'unavailable' ? read.detail : undefined;
      } catch (error) {
        ctx.metrics?.membershipRefreshes.inc({ outcome: 'error' });
        lastError = (error as Error).message;
      }
    }
    const now = Date.now();
    state = {
      loopTickAt: now,
      healthEverOk: state.healthEverOk || healthOk,
      healthOk,
      membership,
      lastAliveAt: membership?.self === 'alive' && membership.at === now ? now : membership?.self === 'alive' ? membership.at : state.lastAliveAt,
    };
  };

  const loop = (): void => {
    if (stopped) return;
    void tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, interval);
    });
  };
  loop();

  const full = (): ProbeState => ({
    ...state,
    processRunning: options.processRunning(),
    draining: existsSync(drainingPath),
    tabletGate: gate.applies && !gate.opened ? { open: gate.verdict?.kind === 'open', reason: gate.verdict?.reason ?? 'tablet health not read yet' } : undefined,
  });
  return {
    live: () => liveness(full(), Date.now(), timing),
    ready: () => readiness(full(), Date.now(), timing),
    startup: () => startup(full()),
    status: () => ({
      component: ctx.config.component,
      pod: ctx.config.podName,
      registeredHost: plan.component === 'fe' ? ctx.selfHost : `${plan.registeredAs.host}:${plan.registeredAs.port}`,
      start: plan.start,
      clusterId,
      processRunning: options.processRunning(),
      healthOk: state.healthOk,
      membership: state.membership?.self,
      tabletGate: gate.applies ? { opened: gate.opened, verdict: gate.verdict?.kind, reason: gate.verdict?.reason } : undefined,
      membershipAt: state.membership === undefined ? undefined : new Date(state.membership.at).toISOString(),
      draining: existsSync(drainingPath),
      shutdown: readShutdown(shutdownPath),
      lastError,
    }),
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
    clusterId: () => clusterId,
  };
}

// The preStop's last step, when one runs; a file being rewritten reads as absent for a moment.
function readShutdown(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
