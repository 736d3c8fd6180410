/**
 * `starrocks-agent prestop`: the preStop hook. Holds the preStop lock (so `run` outlives it),
 * flips readiness to false at once, then decides restart or scale-in from the StatefulSet's
 * replicas. A restart only stops StarRocks gracefully; a scale-in deregisters the node safely:
 * FE drop only with quorum kept, BE decommission until no tablet is left (never a drop with
 * data), CN graceful stop then drop. Every step is re-read from the cluster, so a second run or a
 * run after a crash finishes the same job.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ANNOTATIONS, names } from '../contract/index.ts';
import { describeError } from '../contract/errors.ts';
import { parsePlanFile } from '../plan/plan-file.ts';
import { PATHS } from '../contract/index.ts';
import { higherFrontends, isScaleInRefusal, planBeScaleIn, planCnScaleIn, planFeScaleIn, shutdownIntent } from '../plan/shutdown.ts';
import type { FrontendView, ShutdownIntentInput } from '../plan/shutdown.ts';
import { parseDesiredState } from '../plan/desired-state.ts';
import type { NodeView } from '../plan/registration.ts';
import { leaderViewOf } from '../plan/observations.ts';
import type { PrestopArgs, PrestopHook } from '../config.ts';
import { childEnv } from '../process/child-env.ts';
import { holdPrestopLock } from '../process/prestop-lock.ts';
import { runUserHook } from '../process/user-hook.ts';
import { isTransientKubeError } from '../kube/rest.ts';
import { hostPort } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';
import type { SqlFailure } from '../sql/sql-error.ts';
import { decommissionBackend, dropBackend, dropComputeNode, dropFrontend } from '../sql/statements.ts';
import { createBackoff, sleep } from '../contract/backoff.ts';
import { isPidAlive } from '../process/pid-alive.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { Context } from './context.ts';
import { DRAINING_FILE, SHUTDOWN_FILE } from './monitor.ts';
import { observeFePeers, withLeader } from './observe.ts';
import { CHILD_PID_FILE } from './run.ts';

/**
 * Run the preStop hook; resolves when the pod may stop. A CR's own preStop command (`args.hook`)
 * runs first, after readiness is off and while StarRocks still runs; then the agent's step.
 */
export async function prestopCommand(ctx: Context, args: PrestopArgs = { hook: undefined }): Promise<void> {
  const release = await holdPrestopLock(ctx.config.stateDir);
  try {
    await writeFile(join(ctx.config.stateDir, DRAINING_FILE), `${new Date().toISOString()}\n`);
    await ctx.annotate('draining');
    if (args.hook !== undefined) await userHook(ctx, args.hook);
    const intent = shutdownIntent(await replicas(ctx));
    ctx.log.info({ intent: intent.kind, reason: intent.reason }, 'preStop');
    await ctx.kube?.emitEvent({ type: 'Normal', reason: intent.kind === 'restart' ? 'Restarting' : 'ScalingIn', message: intent.reason });
    if (intent.kind === 'restart') {
      await gracefulStop(ctx);
      return;
    }
    await ctx.annotate('deregistering');
    if (ctx.config.component === 'fe') await scaleInFe(ctx);
    else if (ctx.config.component === 'be') await scaleInBe(ctx);
    else await scaleInCn(ctx);
  } finally {
    await release();
  }
}

// The user's hook failing or timing out does not stop the agent's step: kubelet would go on
// stopping the container too (FailedPreStopHook), and a scale-in must still deregister.
async function userHook(ctx: Context, hook: PrestopHook): Promise<void> {
  ctx.log.info({ command: hook.command[0], timeoutMs: hook.timeoutMs }, "running the cluster's own preStop command");
  const outcome = await runUserHook({ command: hook.command, env: childEnv(process.env), timeoutMs: hook.timeoutMs });
  if (outcome.kind === 'exited' && outcome.code === 0) {
    ctx.log.info("the cluster's own preStop command finished");
    return;
  }
  const message =
    outcome.kind === 'exited'
      ? `the preStop command ${hook.command[0] ?? ''} exited with ${outcome.code}`
      : outcome.kind === 'timed-out'
        ? `the preStop command ${hook.command[0] ?? ''} was killed after ${outcome.timeoutMs / 1000} s (its share of the grace period)`
        : `the preStop command could not start: ${outcome.message}`;
  ctx.log.warn({ outcome: outcome.kind }, `${message}; going on with the agent's preStop`);
  await ctx.kube?.emitEvent({ type: 'Warning', reason: 'PreStopCommandFailed', message: `${message}; the agent's preStop went on` });
}

/**
 * How long the preStop keeps trying to read its StatefulSet and StarRocksCluster while the API
 * server cannot be reached (a restart, a failover) before it assumes a restart. Without it, a
 * scale-in during a blip stops the node as for a restart and leaves its row to the ghost keeper.
 */
const INTENT_READ_BUDGET_MS = 20_000;

// Tries `read` again on transient failures (server not reached, 429, 5xx) until the budget is
// spent; a refusal (403, 404) is an answer and ends the wait at once.
async function retryTransient<T>(ctx: Context, what: string, read: () => Promise<T>, deadline: number): Promise<T> {
  const backoff = createBackoff({ baseMs: 250, maxMs: 2_000 });
  for (;;) {
    try {
      return await read();
    } catch (error) {
      const delay = backoff.next();
      if (!isTransientKubeError(error) || Date.now() + delay > deadline) throw error;
      ctx.log.warn({ err: describeError(error), retryInMs: delay }, `${what}: the API server cannot be reached; trying again`);
      await sleep(delay);
    }
  }
}

async function replicas(ctx: Context): Promise<ShutdownIntentInput> {
  const ordinal = ctx.config.ordinal;
  if (ctx.kube === undefined) return { ordinal, replicas: undefined, unknownReason: 'no Kubernetes API (STARROCKS_AGENT_NO_KUBERNETES)', intended: 'statefulset' };
  const kube = ctx.kube;
  const deadline = Date.now() + INTENT_READ_BUDGET_MS;
  let replicas: number | undefined;
  let unknownReason: string | undefined;
  try {
    const name = names(ctx.config.cluster).statefulSet(ctx.config.component);
    replicas = await retryTransient(ctx, `reading StatefulSet ${name}`, () => kube.statefulSetReplicas(name), deadline);
  } catch (error) {
    unknownReason = describeError(error);
    await ctx.kube.emitEvent({ type: 'Warning', reason: 'ScaleInUnknown', message: `assuming a restart: ${unknownReason}` });
  }
  return { ordinal, replicas, unknownReason, intended: await intendedReplicas(ctx, deadline) };
}

// The user's intent for this component (shutdown.ts): the StarRocksCluster's replicas, or the
// StatefulSet's count where that is the intent (no StarRocksCluster; CN under an HPA).
async function intendedReplicas(ctx: Context, deadline: number): Promise<ShutdownIntentInput['intended']> {
  if (ctx.kube === undefined) return 'statefulset';
  const kube = ctx.kube;
  try {
    const desired = parseDesiredState(await retryTransient(ctx, 'reading the StarRocksCluster', () => kube.readStarRocksCluster(), deadline));
    const intent = desired.components[ctx.config.component];
    if (!desired.exists || intent.autoscaled) return 'statefulset';
    return intent.replicas ?? { unknown: `the StarRocksCluster's ${ctx.config.component} replicas is not a whole number` };
  } catch (error) {
    return { unknown: describeError(error) };
  }
}

/** Stop StarRocks the graceful way (SIGUSR1 for FE, SIGTERM for BE/CN) and wait until it is gone. */
async function gracefulStop(ctx: Context): Promise<void> {
  const pid = await childPid(ctx);
  if (pid === undefined || !isPidAlive(pid)) return;
  const signal = ctx.config.component === 'fe' ? 'SIGUSR1' : 'SIGTERM';
  ctx.log.info({ pid, signal }, 'stopping StarRocks gracefully');
  process.kill(pid, signal);
  // No deadline of our own: the pod's grace period bounds the wait, as stop_*.sh -g does.
  while (isPidAlive(pid)) await sleep(100);
  ctx.log.info({ pid }, 'StarRocks stopped');
}

async function scaleInFe(ctx: Context): Promise<void> {
  if (ctx.conf.component !== 'fe') return;
  const self = hostPort(ctx.selfHost, ctx.conf.ports.editLog);
  let stopped = false;
  const backoff = createBackoff({ baseMs: 100, maxMs: ctx.config.maxBackoffMs });
  for (;;) {
    const observed = await observeFePeers(ctx);
    const leader = leaderViewOf(observed.peers);
    const view: FrontendView =
      leader.kind === 'one' ? { kind: 'rows', rows: leader.view.rows } : { kind: 'unavailable', reason: leader.kind === 'none' ? 'no FE answers as leader' : 'several FEs answer as leader' };
    const higher = view.kind === 'rows' ? higherFrontends(view.rows, { cluster: ctx.config.cluster, ordinal: ctx.config.ordinal }) : [];
    const step = planFeScaleIn({ self, view, stopped, higher });
    ctx.log.info({ step: step.kind, reason: step.reason }, 'FE scale-in');
    await recordStep(ctx, step);
    switch (step.kind) {
      case 'done':
        await gracefulStop(ctx);
        return;
      case 'graceful-stop':
        await gracefulStop(ctx);
        stopped = true;
        continue;
      case 'drop': {
        const via = [...observed.dial.entries()].find(([host]) => host === step.via.host)?.[1];
        if (via !== undefined) {
          const failure = await exec(ctx, via, dropFrontend(step.role, step.target));
          if (failure !== undefined) ctx.log.warn({ failure: failure.kind }, `DROP ${step.role} failed: ${failure.message}`);
          else await ctx.kube?.emitEvent({ type: 'Normal', reason: 'Deregistered', message: `dropped ${step.role} ${step.target.host}:${step.target.port}` });
          continue;
        }
        break;
      }
      case 'refuse':
        await ctx.kube?.emitEvent({ type: 'Warning', reason: 'ScaleInRefused', message: step.reason });
        await ctx.annotate('draining', { [ANNOTATIONS.lastError]: step.reason });
        await gracefulStop(ctx);
        return;
      case 'wait':
        break;
    }
    await sleep(backoff.next());
  }
}

async function scaleInBe(ctx: Context): Promise<void> {
  const self = await registeredAs(ctx);
  let refusal: SqlFailure | undefined;
  let reported: string | undefined;
  const started = Date.now();
  const backoff = createBackoff({ baseMs: 100, maxMs: ctx.config.maxBackoffMs });
  for (;;) {
    let transient: SqlFailure | undefined;
    const result = await withLeader(ctx, async (client) => {
      const rows = await client.showBackends();
      const view: NodeView = rows.ok ? { kind: 'rows', rows: rows.value } : { kind: 'unavailable', reason: rows.failure.kind };
      const step = planBeScaleIn({ self, view, refusal });
      if (step.kind === 'decommission' || step.kind === 'drop') {
        const outcome = await client.exec(step.kind === 'decommission' ? decommissionBackend(step.target) : dropBackend(step.target));
        if (!outcome.ok && isScaleInRefusal(outcome.failure)) refusal = outcome.failure;
        else if (!outcome.ok) transient = outcome.failure;
      }
      return step;
    });
    if (transient !== undefined) {
      // Not a refusal: the statement did not get through. Try again, slower each time.
      ctx.log.warn({ failure: transient.kind }, `BE scale-in statement failed, retrying: ${transient.message}`);
      await sleep(backoff.next());
      continue;
    }
    if (result.found) {
      const step = result.value;
      if (step.kind === 'done') {
        ctx.metrics?.decommissionDuration.observe({ outcome: 'done' }, (Date.now() - started) / 1000);
        await ctx.kube?.emitEvent({ type: 'Normal', reason: 'Decommissioned', message: step.reason });
        await gracefulStop(ctx);
        return;
      }
      if (step.reason !== reported) {
        ctx.log.info({ step: step.kind, reason: step.reason }, 'BE scale-in');
        await recordStep(ctx, step);
        const progress = JSON.stringify({ step: step.kind, tablets: step.kind === 'wait-tablets' ? step.tablets : undefined, since: new Date(started).toISOString() });
        await ctx.annotate('deregistering', { [ANNOTATIONS.decommission]: progress });
        if (step.kind === 'blocked' || step.kind === 'decommission') {
          await ctx.kube?.emitEvent({ type: step.kind === 'blocked' ? 'Warning' : 'Normal', reason: step.kind === 'blocked' ? 'DecommissionRefused' : 'Decommissioning', message: step.reason });
        }
        reported = step.reason;
      }
      // A refused decommission is not retried in a tight loop; the BE stays until the grace period.
      if (step.kind === 'blocked') {
        await sleep(ctx.config.maxBackoffMs);
        continue;
      }
      if (step.kind !== 'wait') backoff.reset();
    }
    await sleep(backoff.next());
  }
}

async function scaleInCn(ctx: Context): Promise<void> {
  const self = await registeredAs(ctx);
  let stopped = false;
  const backoff = createBackoff({ baseMs: 100, maxMs: ctx.config.maxBackoffMs });
  for (;;) {
    if (!stopped) {
      await gracefulStop(ctx);
      stopped = true;
    }
    const result = await withLeader(ctx, async (client) => {
      const rows = await client.showComputeNodes();
      const view: NodeView = rows.ok ? { kind: 'rows', rows: rows.value } : { kind: 'unavailable', reason: rows.failure.kind };
      const step = planCnScaleIn({ self, view, stopped });
      if (step.kind === 'drop') {
        const outcome = await client.exec(dropComputeNode(step.target));
        if (!outcome.ok) ctx.log.warn({ failure: outcome.failure.kind }, `DROP COMPUTE NODE failed: ${outcome.failure.message}`);
      }
      return step;
    });
    if (result.found) {
      ctx.log.info({ step: result.value.kind, reason: result.value.reason }, 'CN scale-in');
      await recordStep(ctx, result.value);
      if (result.value.kind === 'done') {
        await ctx.kube?.emitEvent({ type: 'Normal', reason: 'Deregistered', message: result.value.reason });
        return;
      }
    }
    await sleep(backoff.next());
  }
}

// The last step for /status (the monitor reads the file), written atomically.
async function recordStep(ctx: Context, step: { kind: string; reason: string }): Promise<void> {
  await writeFileAtomic(join(ctx.config.stateDir, SHUTDOWN_FILE), JSON.stringify({ step: step.kind, reason: step.reason, at: new Date().toISOString() }));
}

async function exec(ctx: Context, via: { ip: string; port: number }, statement: Parameters<ReturnType<Context['feClient']>['exec']>[0]): Promise<SqlFailure | undefined> {
  const client = ctx.feClient(via.ip, via.port);
  try {
    const outcome = await client.exec(statement);
    return outcome.ok ? undefined : outcome.failure;
  } finally {
    await client.close();
  }
}

// The host:port the node registered with (DROP must use exactly the ADD's form).
async function registeredAs(ctx: Context): Promise<HostPort> {
  try {
    const plan = parsePlanFile(await readFile(join(ctx.config.stateDir, PATHS.planFile), 'utf8'));
    if (plan.component !== 'fe') return plan.registeredAs;
  } catch {
    // No plan file: the form this agent would register with.
  }
  const port = ctx.conf.component === 'fe' ? ctx.conf.ports.editLog : ctx.conf.ports.heartbeat;
  return hostPort(ctx.selfHost, port);
}

async function childPid(ctx: Context): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(ctx.config.stateDir, CHILD_PID_FILE), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}


