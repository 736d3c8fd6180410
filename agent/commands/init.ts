/**
 * `starrocks-agent init`: decide how the node starts and make the cluster ready for it, then hand
 * the plan to the main container through `plan.json` in the shared state dir.
 *
 * FE: wait for the own FQDN, then loop: read meta, fence and every peer's view, run the pure FE
 * start plan, act on it (ADD on the leader when joining), until the plan says start. BE/CN: loop
 * on the leader's view and the pure registration plan (ADD, CANCEL DECOMMISSION) until the view
 * shows the node. No fixed sleeps: back-off with jitter from milliseconds up, and a log line
 * only when the reason changes or every 10 s.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ANNOTATIONS, PATHS, names } from '../contract/index.ts';
import { encodeMembership } from '../contract/membership-annotation.ts';
import { ownAddresses } from '../dns/self-resolution.ts';
import { waitForSelfResolution } from '../dns/wait-self-resolution.ts';
import { AgentError, describeError } from '../contract/errors.ts';
import type { ErrorCode } from '../contract/errors.ts';
import { readFeMeta } from '../meta/fe-meta.ts';
import { readNodeView } from '../membership/observe.ts';
import { judgeAddOutcome, privilegeFix } from '../plan/add-outcome.ts';
import { clusterRecordState, planFeStart } from '../plan/fe-start-plan.ts';
import type { ClusterRecordState } from '../plan/fe-start-plan.ts';
import { parseDesiredState } from '../plan/desired-state.ts';
import { fePlanFile, nodePlanFile, serializePlanFile } from '../plan/plan-file.ts';
import type { PlanFile } from '../plan/plan-file.ts';
import { planRegistration } from '../plan/registration.ts';
import { hostPort } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';
import { addBackend, addComputeNode, addFrontend, cancelDecommissionBackend } from '../sql/statements.ts';
import { createBackoff, sleep } from '../contract/backoff.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { Context } from './context.ts';
import { observeFePeers, withLeader } from './observe.ts';

/** Run init: derive the plan, write plan.json, record the phase. */
export async function initCommand(ctx: Context, signal?: AbortSignal): Promise<PlanFile> {
  await ctx.annotate('init');
  const plan = await derivePlan(ctx, signal);
  await writePlanFile(ctx.config.stateDir, plan);
  await ctx.annotate('starting', { [ANNOTATIONS.plan]: plan.start, ...membershipNote(ctx, plan) });
  ctx.log.info({ plan: plan.start }, 'start plan written');
  return plan;
}

// The membership record (contract/membership-annotation.ts): the host:port a BE/CN is registered
// as, or an FE's host:edit_log_port, the role it joins as and its cluster id, so the controller's
// status shows every member from the start. The monitor of `run` keeps it current.
function membershipNote(ctx: Context, plan: PlanFile): Record<string, string> {
  const at = plan.createdAt;
  if (plan.component !== 'fe') {
    return { [ANNOTATIONS.membership]: encodeMembership({ component: plan.component, registeredAs: plan.registeredAs, role: undefined, clusterId: undefined, at }) };
  }
  if (ctx.conf.component !== 'fe') return {};
  const role = ctx.config.ordinal < ctx.config.feVoters ? 'FOLLOWER' : 'OBSERVER';
  return { [ANNOTATIONS.membership]: encodeMembership({ component: 'fe', registeredAs: hostPort(ctx.selfHost, ctx.conf.ports.editLog), role, clusterId: plan.clusterId, at }) };
}

/** Wait and act until the node may start; resolves with its plan. */
export async function derivePlan(ctx: Context, signal?: AbortSignal): Promise<PlanFile> {
  const started = Date.now();
  if (ctx.config.hostType === 'FQDN') {
    await waitForSelfResolution(ctx.resolver, {
      fqdn: ctx.fqdn,
      ownIps: ownAddresses(ctx.config.podIp),
      maxBackoffMs: ctx.config.maxBackoffMs,
      log: ctx.log,
      signal,
    });
  }
  const plan = ctx.conf.component === 'fe' ? await planFe(ctx, signal) : await registerNode(ctx, signal);
  ctx.metrics?.registrationDuration.observe({ component: ctx.config.component }, (Date.now() - started) / 1000);
  return plan;
}

/** Write plan.json atomically (a crash never leaves half a plan). */
export async function writePlanFile(stateDir: string, plan: PlanFile): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const path = join(stateDir, PATHS.planFile);
  await writeFileAtomic(path, serializePlanFile(plan));
}

async function planFe(ctx: Context, signal?: AbortSignal): Promise<PlanFile> {
  if (ctx.conf.component !== 'fe') throw new AgentError('ERR_INTERNAL', 'planFe called for a BE/CN');
  const conf = ctx.conf;
  const self = hostPort(ctx.selfHost, conf.ports.editLog);
  const waiting = waitLogger(ctx);
  const backoff = createBackoff({ maxMs: ctx.config.maxBackoffMs });
  for (;;) {
    signal?.throwIfAborted();
    const [meta, fence, record, observed] = await Promise.all([
      readFeMeta(conf.metaDir),
      ctx.fence?.read() ?? Promise.resolve({ kind: 'absent' as const }),
      readClusterRecord(ctx),
      observeFePeers(ctx),
    ]);
    const plan = planFeStart({
      ordinal: ctx.config.ordinal,
      self,
      hostType: ctx.config.hostType,
      voters: ctx.config.feVoters,
      selfResolves: true,
      meta,
      fence,
      record,
      peers: observed.peers,
      peersUnknown: observed.dnsError,
    });
    switch (plan.kind) {
      case 'bootstrap':
        ctx.log.info({ reason: plan.reason }, 'bootstrapping a new cluster as its first leader');
        return fePlanFile({ hostType: ctx.config.hostType, plan, now: new Date() });
      case 'restart-from-meta':
        // An FE with meta restarts whatever the API server says: the fence keeper of `run` retries
        // the create, and stopping here would take a voter away from a group that may need it.
        if (plan.createFence) {
          await createFence(ctx, plan.clusterId).catch((error: unknown) =>
            ctx.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'creating the bootstrap fence failed; the running FE retries it every fence interval'),
          );
        }
        ctx.log.info({ reason: plan.reason, clusterId: plan.clusterId }, 'restarting from meta, no helper');
        return fePlanFile({ hostType: ctx.config.hostType, plan, now: new Date() });
      case 'join': {
        if (!plan.needsAdd) {
          ctx.log.info({ helper: plan.helper, role: plan.role, reason: plan.reason }, 'joining through the leader');
          return fePlanFile({ hostType: ctx.config.hostType, plan, now: new Date() });
        }
        const target = observed.dial.get(plan.leader.host);
        if (target === undefined) break;
        await ctx.annotate('registering');
        // A join is registered by the agent user (cluster_admin), not root.
        const client = ctx.agentClient(target.ip, plan.leader.queryPort ?? target.port);
        try {
          const outcome = await client.exec(addFrontend(plan.role, self));
          const next = judgeAddOutcome(outcome, ctx.logins.agent.user);
          ctx.log.info({ role: plan.role, leader: plan.leader.host, outcome: outcome.ok ? 'ok' : outcome.failure.kind }, `ADD ${plan.role}: ${next.reason}`);
          if (next.kind === 'refuse') throw refused(ctx, `${next.reason}; fix: ${next.fix}`, next.code);
        } finally {
          await client.close();
        }
        backoff.reset();
        continue; // the next view decides: "already exists" is success only once the view shows it
      }
      case 'wait':
        waiting(plan.reason);
        break;
      case 'refuse':
        throw refused(ctx, `${plan.reason}; fix: ${plan.fix}`);
    }
    await sleep(backoff.next(), signal);
  }
}

async function registerNode(ctx: Context, signal?: AbortSignal): Promise<PlanFile> {
  if (ctx.conf.component === 'fe') throw new AgentError('ERR_INTERNAL', 'registerNode called for an FE');
  const component = ctx.conf.component;
  const self = hostPort(ctx.selfHost, ctx.conf.ports.heartbeat);
  const waiting = waitLogger(ctx);
  const backoff = createBackoff({ maxMs: ctx.config.maxBackoffMs });
  let addedNow = false;
  for (;;) {
    signal?.throwIfAborted();
    const step = await withLeader(ctx, async (client): Promise<RegistrationStep> => {
      const view = await readNodeView(client, component);
      const decision = planRegistration({ component, self, view });
      switch (decision.kind) {
        case 'registered':
          return { kind: 'done', as: hostPort(decision.as.host, decision.as.port) };
        case 'add':
        case 'recommission': {
          await ctx.annotate('registering');
          const statement =
            decision.kind === 'recommission'
              ? cancelDecommissionBackend(decision.target)
              : component === 'be'
                ? addBackend(decision.target)
                : addComputeNode(decision.target);
          const outcome = await client.exec(statement);
          if (decision.kind === 'add' && outcome.ok) addedNow = true;
          const next = judgeAddOutcome(outcome, ctx.logins.agent.user);
          ctx.log.info({ statement: statement.kind, outcome: outcome.ok ? 'ok' : outcome.failure.kind }, `${decision.reason}: ${next.reason}`);
          if (next.kind === 'refuse') throw refused(ctx, `${next.reason}; fix: ${next.fix}`, next.code);
          return { kind: 'progress' };
        }
        case 'wait':
          return { kind: 'wait', reason: decision.reason };
        case 'refuse':
          throw refused(ctx, `${decision.reason}; fix: ${decision.fix}`);
      }
    });
    if (!step.found) {
      // A user without NODE (or OPERATE) cannot even read membership: waiting would never end.
      if (step.privilege !== undefined) {
        throw refused(ctx, `the FE refuses ${ctx.logins.agent.user} to read membership: ${step.privilege}; fix: ${privilegeFix(ctx.logins.agent.user)}`, 'ERR_SQL_PRIVILEGE');
      }
      waiting(step.reason);
    } else if (step.value.kind === 'done') {
      const as = step.value.as;
      ctx.log.info({ as: `${as.host}:${as.port}` }, `${component.toUpperCase()} is registered`);
      return nodePlanFile({ component, hostType: ctx.config.hostType, registeredAs: as, addedNow, now: new Date() });
    } else if (step.value.kind === 'wait') {
      waiting(step.value.reason);
    } else {
      backoff.reset();
      continue;
    }
    await sleep(backoff.next(), signal);
  }
}

// The second record of the cluster id. Only FE 0 may bootstrap, so only FE 0 reads it; outside
// Kubernetes there is none (the fence file is the record).
async function readClusterRecord(ctx: Context): Promise<ClusterRecordState> {
  if (ctx.config.ordinal !== 0 || ctx.kube === undefined) return { kind: 'absent' };
  try {
    const kube = ctx.kube;
    const clusterNames = names(ctx.config.cluster);
    const desired = parseDesiredState(await kube.readStarRocksCluster());
    const replicas = await kube.statefulSetReplicas(clusterNames.statefulSet('fe'));
    const podNames = Array.from({ length: Math.max(replicas, desired.components.fe.replicas ?? 0, 1) }, (_, ordinal) => clusterNames.pod('fe', ordinal));
    const pods: { pod: string; clusterId: string }[] = [];
    for (const pod of podNames) {
      const clusterId = (await kube.readPod(pod))?.annotations[ANNOTATIONS.clusterId];
      if (clusterId !== undefined) pods.push({ pod, clusterId });
    }
    return clusterRecordState({ statusClusterId: desired.statusClusterId, pods });
  } catch (error) {
    return { kind: 'unknown', reason: describeError(error) };
  }
}

type RegistrationStep = { kind: 'done'; as: HostPort } | { kind: 'progress' } | { kind: 'wait'; reason: string };

/** Create the fence for a cluster id; a fence holding another id is a split brain, said loudly. */
export async function createFence(ctx: Context, clusterId: number): Promise<void> {
  if (ctx.fence === undefined) return;
  const result = await ctx.fence.create({ clusterId: String(clusterId), bootstrappedBy: ctx.config.podName, at: new Date().toISOString() });
  if (result.kind === 'created') {
    ctx.log.info({ clusterId }, 'bootstrap fence created');
    return;
  }
  if (result.stored.kind === 'present' && result.stored.clusterId !== clusterId) {
    const message = `the bootstrap fence holds cluster ${result.stored.clusterId} but this FE's meta is cluster ${clusterId}: two clusters exist`;
    ctx.log.error({ clusterId, fenced: result.stored.clusterId }, message);
    await ctx.kube?.emitEvent({ type: 'Warning', reason: 'SplitBrain', message });
  }
}

function refused(ctx: Context, message: string, code: ErrorCode = 'ERR_REFUSED'): AgentError {
  void ctx.annotate('refused', { 'starrocks.com/agent-last-error': message });
  void ctx.kube?.emitEvent({ type: 'Warning', reason: code === 'ERR_SQL_PRIVILEGE' ? 'MissingPrivilege' : 'StartRefused', message });
  return new AgentError(code, message);
}

// Say why we wait when the reason changes, and otherwise every 10 s.
function waitLogger(ctx: Context): (reason: string) => void {
  let last: { reason: string; at: number } | undefined;
  return (reason) => {
    const now = Date.now();
    if (last === undefined || last.reason !== reason || now - last.at >= 10_000) {
      ctx.log.info({ reason }, 'waiting');
      if (last === undefined) void ctx.annotate('waiting');
      last = { reason, at: now };
    }
  };
}
