/**
 * `starrocks-agent run`: PID 1 of the main container. Takes the plan from init (or derives it
 * again after a container restart, when meta now exists), starts StarRocks in the foreground,
 * relays signals (SIGTERM becomes SIGUSR1 for an FE: its graceful exit), serves probes and
 * metrics, keeps the bootstrap fence present once the FE reports its cluster id, and exits
 * with StarRocks's exit code, never while a preStop hook is still working.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ENV, PATHS, componentHome, scripts } from '../contract/index.ts';
import type { Component } from '../contract/index.ts';
import { isAgentError } from '../contract/errors.ts';
import { sleep } from '../contract/backoff.ts';
import { createMetrics, setPhase } from '../http/metrics.ts';
import { startAgentServer } from '../http/server.ts';
import { readFeMeta } from '../meta/fe-meta.ts';
import { parsePlanFile, planUse, startArgs } from '../plan/plan-file.ts';
import type { PlanFile } from '../plan/plan-file.ts';
import { prestopRunning, waitForPrestop } from '../process/prestop-lock.ts';
import { childEnv } from '../process/child-env.ts';
import { captureEarlySignals } from '../process/early-signals.ts';
import type { EarlySignals } from '../process/early-signals.ts';
import { startSupervised } from '../process/supervisor.ts';
import { PHASES } from './context.ts';
import type { Context } from './context.ts';
import { derivePlan, writePlanFile } from './init.ts';
import { startAccountKeeper } from './account-keeper.ts';
import { startFenceKeeper } from './fence-keeper.ts';
import { startMembershipKeeper } from './membership-keeper.ts';
import { DRAINING_FILE, startMonitor } from './monitor.ts';
import { materializeConf } from './conf-dir.ts';

/** How often a running FE checks the bootstrap fence: six probe intervals (30 s by default). */
export function fenceCheckIntervalMs(probeIntervalMs: number): number {
  return probeIntervalMs * 6;
}

/** How long `run` waits, after a preStop, for the SIGTERM kubelet sends when the hook returns. */
const KUBELET_SIGTERM_WAIT_MS = 2000;

/** The file `run` records the used plan's `createdAt` in: a restarted container derives again. */
const PLAN_CONSUMED_FILE = 'plan.used';

/** The file `run` writes with the StarRocks process's pid, for preStop. */
export const CHILD_PID_FILE = 'child.pid';

/** Options of `runCommand`. */
export interface RunOptions {
  /** The signals received since the command began (main captures them before loading anything). */
  early?: EarlySignals;
  /** The CR's `command` and `args` (`run -- CMD ARG...`), supervised instead of the start script. */
  command?: readonly string[];
}

/** Inputs of `supervisedArgv`. */
export interface SupervisedArgvInput {
  /** The component's home (`/opt/starrocks/fe`). */
  home: string;
  component: Component;
  /** The CR's command and args, or undefined for the start script. */
  custom: readonly string[] | undefined;
  /** What the plan passes the start script (`--helper`, `--host_type`, `--logconsole`). */
  planArgs: readonly string[];
}

/**
 * What `run` starts: the component's start script with the plan's arguments, or the CR's command
 * in its place, with the same arguments after the CR's own. A CR command stands in for
 * `start_*.sh` (a wrapper that ends with `exec .../start_fe.sh "$@"`), so an FE that joins still
 * gets its `--helper`.
 */
export function supervisedArgv(input: SupervisedArgvInput): { command: string; args: string[] } {
  const [custom, ...customArgs] = input.custom ?? [];
  if (custom === undefined) return { command: join(input.home, scripts(input.component).start), args: [...input.planArgs] };
  return { command: custom, args: [...customArgs, ...input.planArgs] };
}

/** Run StarRocks (or the CR's command) under the agent; resolves to the exit code. */
export async function runCommand(ctx: Context, options: RunOptions = {}): Promise<number> {
  const early = options.early ?? captureEarlySignals();
  try {
    return await supervise(ctx, early, options.command);
  } finally {
    early.release();
  }
}

async function supervise(ctx: Context, early: EarlySignals, custom: readonly string[] | undefined): Promise<number> {
  const metrics = ctx.metrics ?? createMetrics();
  setPhase(metrics, PHASES, 'starting');
  // A draining mark left by the preStop of an earlier container (kubelet runs preStop before a
  // liveness restart too) would keep this fresh process unready forever; a live preStop keeps it.
  if (!(await prestopRunning(ctx.config.stateDir))) await rm(join(ctx.config.stateDir, DRAINING_FILE), { force: true });
  let plan: PlanFile;
  try {
    plan = await currentPlan(ctx, early.stopSignal);
  } catch (error) {
    // Stopped while waiting for a plan (DNS, the FE group): nothing was started.
    if (!early.stopRequested()) throw error;
    ctx.log.info({ signals: early.received() }, 'stop requested while deriving the start plan: not starting StarRocks');
    return 0;
  }
  const home = componentHome(ctx.config.starrocksRoot, ctx.config.component);
  const env = childEnv(process.env);
  // Nothing is written into the image (W13): the images link <home>/conf into the state dir,
  // filled here; elsewhere StarRocks reads the conf where it is mounted.
  const confDir = await materializeConf({ home, stateDir: ctx.config.stateDir, configMapMountPath: ctx.config.configMapMountPath });
  if (custom !== undefined) env[ENV.AGENT_SUPERVISED] = 'true';
  if (confDir !== undefined) env.STARROCKS_CONF_DIR = confDir;
  else if (ctx.conf.confPath !== undefined) env.STARROCKS_CONF_DIR = dirname(ctx.conf.confPath);

  // The monitor starts before the child, so probes answer from the first moment.
  const supervised: { child?: ReturnType<typeof startSupervised> } = {};
  const monitor = startMonitor({
    ctx: { ...ctx, metrics },
    plan,
    processRunning: () => supervised.child?.isAlive() ?? false,
  });
  // Every FE keeps the fence, not only the one that bootstrapped (fence-keeper.ts).
  const keeper =
    ctx.config.component === 'fe'
      ? startFenceKeeper({ ctx, clusterId: () => monitor.clusterId(), intervalMs: fenceCheckIntervalMs(ctx.config.probeIntervalMs) })
      : undefined;
  // The FE leader's agent removes ghost rows (membership-keeper.ts); the others' rounds are no-ops.
  const members = ctx.config.component === 'fe' ? startMembershipKeeper({ ctx, intervalMs: fenceCheckIntervalMs(ctx.config.probeIntervalMs) }) : undefined;
  // The FE leader's agent sets root's password and the agent user from the Secrets (account-keeper.ts).
  const accounts = ctx.config.component === 'fe' ? startAccountKeeper({ ctx, intervalMs: ctx.config.probeIntervalMs }) : undefined;
  const server = await startAgentServer({ host: ctx.config.agentBind, port: ctx.config.agentPort, source: monitor, metrics });
  ctx.log.info({ url: server.url }, 'agent HTTP endpoint listening');

  if (early.stopRequested()) {
    // Stopped while starting (kubelet deleted the pod): StarRocks was never started.
    ctx.log.info({ signals: early.received() }, 'stop requested before StarRocks started: not starting it');
    monitor.stop();
    keeper?.stop();
    members?.stop();
    accounts?.stop();
    await server.close();
    return 0;
  }
  const stopSignalled = Promise.withResolvers<void>();
  const { command, args } = supervisedArgv({ home, component: ctx.config.component, custom, planArgs: startArgs(plan, { logConsole: true }) });
  ctx.log.info({ command, args, custom: custom !== undefined }, 'starting StarRocks');
  const child = startSupervised({
    command,
    args,
    env,
    signalMap: ctx.config.component === 'fe' ? { SIGTERM: 'SIGUSR1' } : {},
    installSignalHandlers: true,
    onSignal: (received, sent) => {
      ctx.log.info({ received, sent }, 'relaying signal to StarRocks');
      if (received === 'SIGTERM' || received === 'SIGINT') stopSignalled.resolve();
    },
    waitBeforeExit: () => waitForPrestop({ stateDir: ctx.config.stateDir, timeoutMs: 24 * 3600 * 1000 }),
  });
  supervised.child = child;
  // The supervisor's handlers are installed: relay what came in meanwhile (a SIGUSR2, a SIGHUP).
  early.release();
  for (const signal of early.received()) child.relay(signal);
  await writeFile(join(ctx.config.stateDir, CHILD_PID_FILE), `${child.pid}\n`);
  setPhase(metrics, PHASES, 'running');
  await ctx.annotate('running');

  try {
    const { code, signal } = await child.childExited;
    ctx.log.info({ code, signal }, 'StarRocks exited');
    const exitCode = await child.exitCode;
    // After a preStop, kubelet's SIGTERM follows at once. Exiting in that same moment lets the
    // signal land while Node tears down, when it kills the process (exit 143 instead of
    // StarRocks' code): wait briefly for it, then exit.
    if (existsSync(join(ctx.config.stateDir, DRAINING_FILE))) {
      const heard = new AbortController();
      void stopSignalled.promise.then(() => heard.abort());
      await sleep(KUBELET_SIGTERM_WAIT_MS, heard.signal).catch(() => undefined);
    }
    setPhase(metrics, PHASES, 'stopped');
    return exitCode;
  } finally {
    keeper?.stop();
    members?.stop();
    accounts?.stop();
    monitor.stop();
    await server.close();
    await rm(join(ctx.config.stateDir, CHILD_PID_FILE), { force: true });
  }
}

// The plan to start with (plan-file.ts planUse): init's, for the first start after init;
// otherwise derived again, as init would, and recorded as used.
async function currentPlan(ctx: Context, signal: AbortSignal): Promise<PlanFile> {
  const path = join(ctx.config.stateDir, PATHS.planFile);
  const consumedPath = join(ctx.config.stateDir, PLAN_CONSUMED_FILE);
  let file: PlanFile | undefined;
  try {
    file = parsePlanFile(await readFile(path, 'utf8'));
  } catch (error) {
    if (isAgentError(error)) ctx.log.warn({ err: error }, 'ignoring the plan file');
  }
  const consumedCreatedAt = (await readFile(consumedPath, 'utf8').catch(() => undefined))?.trim();
  const metaComplete = ctx.conf.component === 'fe' && (await readFeMeta(ctx.conf.metaDir)).kind === 'complete';
  const use = planUse({ file, consumedCreatedAt, component: ctx.config.component, metaComplete });
  let plan: PlanFile;
  if (use.kind === 'use') {
    plan = use.plan;
  } else {
    ctx.log.info({ metaComplete, reason: use.reason }, 'deriving the start plan');
    plan = await derivePlan(ctx, signal);
    await writePlanFile(ctx.config.stateDir, plan);
  }
  await writeFile(consumedPath, `${plan.createdAt}\n`);
  return plan;
}
