/**
 * Plays kubelet for one pod: makes its volumes, "pulls" each container's image (image-table.ts),
 * runs its init containers then its containers as local process groups, probes them with the
 * spec's timings, restarts them per `restartPolicy` with back-off, reports status, and on
 * deletion runs preStop, SIGTERM to each container's first process, then SIGKILL to the whole
 * container after the grace period before finishing the deletion.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { sleep } from '../../../agent/contract/backoff.ts';
import { PATHS, ENV } from '../../../agent/contract/index.ts';
import { MERGE_PATCH, unlessNotFound } from '../kube.ts';
import type { WorldKube } from '../kube.ts';
import { envReferences, expandCommand, resolveEnv } from './container-env.ts';
import { containerArgv, findImage, imagePullFailure } from './image-table.ts';
import { createInstallTree } from '../../sim/install-tree.ts';
import { SIM_ENV } from '../../sim/node/node-env.ts';
import { runHandler } from './handler.ts';
import type { ExecContext } from './handler.ts';
import type { ProcessGroups } from '../orphan-guard.ts';
import { resolveLocalCommand } from './local-command.ts';
import { rewritePaths, sortMappings, toHostPath } from './path-map.ts';
import type { PathMapping } from './path-map.ts';
import { podConditions, podPhase, restartDelayMs, shouldRestart } from './pod-status.ts';
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, Probe } from './pod-types.ts';
import { fetchData, materializeVolume, refreshVolume, serviceAccountToken } from './pod-volumes.ts';
import { kubeconfigYaml } from '../control-plane/kubeconfig.ts';

/** A hook that lays out the StarRocks tree a pod's containers see; returns its root folder. */
export type InstallTree = (pod: Pod, podDir: string) => Promise<string>;

/** What a worker needs from the runner. */
export interface PodWorkerContext {
  kube: WorldKube;
  podIP: string;
  hostIP: string;
  podDir: string;
  claimDir(namespace: string, claimName: string): string;
  apiServer: { url: string; host: string; port: number; caPem: string };
  dns: { host: string; port: number };
  repoRoot: string;
  installTree?: InstallTree;
  /** First crash-loop back-off; kubelet uses 10 s. */
  backoffBaseMs: number;
  log(line: string): void;
  /** Called once the pod is gone from the API (its IP may be reused). */
  onFinished(): void;
  /** Records every container's process group (see orphan-guard.ts). */
  groups?: ProcessGroups;
  /** Env every container gets from the world (services the world runs beside the pods), winning over the spec. */
  podEnv?: () => Readonly<Record<string, string>>;
  /** How often a running pod's Secret and ConfigMap volumes are brought up to date (kubelet: about a minute; default 5 s). */
  volumeSyncMs?: number;
}

interface ContainerRun {
  spec: Container;
  status: ContainerStatus;
  process: ChildProcess | undefined;
  /** Set while the container is being stopped on purpose (liveness failure, deletion). */
  stopping: boolean;
  probeTimers: NodeJS.Timeout[];
  readinessOk: boolean;
  started: boolean;
  restartTimer: NodeJS.Timeout | undefined;
  runStartedAt: number;
  /** Failed pulls of the image so far. */
  pullFailures: number;
}

/** One pod's kubelet. */
export interface PodWorker {
  readonly uid: string;
  /** Latest pod object from the API (deletion timestamp, grace period). */
  update(pod: Pod): void;
  /** Kills everything at once (the pod was force-deleted or the world stops). */
  kill(): Promise<void>;
  /**
   * Runs a command in a running container's context (its path map, env and working folder), as
   * `kubectl exec` would, until it exits or `timeoutMs` passes (then it is killed).
   */
  exec(container: string, command: readonly string[], timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }>;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function waiting(reason: string, message?: string): ContainerState {
  return { waiting: message === undefined ? { reason } : { reason, message } };
}

/** Starts a worker for a pod bound to this node. */
export function startPodWorker(initial: Pod, context: PodWorkerContext): PodWorker {
  let pod = initial;
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const uid = pod.metadata.uid ?? '';
  const restartPolicy = pod.spec.restartPolicy ?? 'Always';
  const ips = { podIP: context.podIP, hostIP: context.hostIP };
  const startedAt = now();

  const newStatus = (c: Container, state: ContainerState): ContainerStatus => ({
    name: c.name,
    state,
    lastState: {},
    ready: false,
    started: false,
    restartCount: 0,
    image: c.image ?? '',
    imageID: '',
  });
  const initRuns: ContainerRun[] = (pod.spec.initContainers ?? []).map((c) => emptyRun(c, newStatus(c, waiting('PodInitializing'))));
  const runs: ContainerRun[] = pod.spec.containers.map((c) => emptyRun(c, newStatus(c, waiting('ContainerCreating'))));
  let initialized = initRuns.length === 0;
  let failedInit = false;
  let terminating = false;
  let finished = false;
  let conditions: PodCondition[] = [];
  let mappings: PathMapping[] = [];
  let baseEnv: Record<string, string> = {};
  let worldEnv: Record<string, string> = {};
  let prepareTimer: NodeJS.Timeout | undefined;
  let volumeTimer: NodeJS.Timeout | undefined;
  let statusTimer: NodeJS.Timeout | undefined;
  let statusChain: Promise<void> = Promise.resolve();
  let terminateDone: Promise<void> | undefined;

  const log = (line: string): void => context.log(`${ns}/${name}: ${line}`);

  // Status writes are coalesced and sent one at a time, newest state wins; a failed write is sent
  // again a second later (kubelet keeps syncing status while the API server is away).
  const pushStatus = (delayMs = 30): void => {
    if (statusTimer !== undefined || finished) return;
    statusTimer = setTimeout(() => {
      statusTimer = undefined;
      statusChain = statusChain.then(writeStatus, writeStatus);
    }, delayMs);
  };
  const writeStatus = async (): Promise<void> => {
    if (finished) return;
    const containerStatuses = runs.map((r) => ({ ...r.status, ready: r.status.ready, started: r.started }));
    conditions = podConditions({ initialized, containers: containerStatuses, previous: conditions, now: now() });
    const phase = podPhase({ initialized, failedInit, containers: containerStatuses, restartPolicy });
    try {
      const body = {
        status: {
          phase,
          podIP: context.podIP,
          podIPs: [{ ip: context.podIP }],
          hostIP: context.hostIP,
          hostIPs: [{ ip: context.hostIP }],
          startTime: startedAt,
          conditions,
          initContainerStatuses: initRuns.map((r) => r.status),
          containerStatuses,
        },
      };
      await context.kube.core.patchNamespacedPodStatus({ namespace: ns, name, body }, MERGE_PATCH);
    } catch (error) {
      if (!finished) {
        log(`status update failed, again in 1 s: ${error instanceof Error ? error.message : String(error)}`);
        pushStatus(1_000);
      }
    }
  };

  const host = { nodePath: process.execPath, repoRoot: context.repoRoot };
  const execContext = (run: ContainerRun, env: Record<string, string>): ExecContext => ({
    resolve: (argv) => {
      const image = findImage(run.spec.image);
      if (image === undefined) return { error: `image "${run.spec.image ?? ''}" is not present` };
      return resolveLocalCommand({ ...host, argv, image, mappings, searchPath: process.env.PATH ?? '/usr/bin:/bin', exists: existsSync });
    },
    env,
    groups: context.groups,
    cwd: run.spec.workingDir === undefined ? context.podDir : toHostPath(run.spec.workingDir, mappings),
  });

  const prepare = async (): Promise<void> => {
    await mkdir(join(context.podDir, 'logs'), { recursive: true });
    const volumeDirs = new Map<string, string>();
    for (const volume of pod.spec.volumes ?? []) {
      volumeDirs.set(volume.name, await materializeVolume(volume, { kube: context.kube, pod, ips, podDir: context.podDir, claimDir: context.claimDir, caPem: context.apiServer.caPem }));
    }
    syncVolumes(volumeDirs);
    const containerRoot = PATHS.starrocksRoot;
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    const images = containers.flatMap((c) => findImage(c.image) ?? []);
    const treeRoot = await installTree(images.some((i) => i.starrocksTree));
    await mkdir(treeRoot, { recursive: true });
    const all: PathMapping[] = [{ containerPath: containerRoot, hostPath: treeRoot }];
    for (const image of images) for (const file of image.files(host)) if (!all.some((m) => m.containerPath === file.containerPath)) all.push(file);
    // Mount points are the same for every container of a pod in practice; the union is mapped.
    for (const c of containers) {
      for (const mount of c.volumeMounts ?? []) {
        const dir = volumeDirs.get(mount.name);
        if (dir === undefined) continue;
        const hostPath = mount.subPath === undefined ? dir : join(dir, mount.subPath);
        if (mount.subPath !== undefined && !existsSync(hostPath)) await mkdir(hostPath, { recursive: true });
        if (!all.some((m) => m.containerPath === mount.mountPath)) all.push({ containerPath: mount.mountPath, hostPath });
        // Inside the StarRocks tree the mount is a symlink, so paths built from STARROCKS_ROOT reach it too.
        if (mount.mountPath.startsWith(`${containerRoot}/`)) {
          const link = join(treeRoot, relative(containerRoot, mount.mountPath));
          await rm(link, { recursive: true, force: true });
          await mkdir(dirname(link), { recursive: true });
          await symlink(hostPath, link);
        }
      }
    }
    mappings = sortMappings(all);
    const automount = pod.spec.automountServiceAccountToken !== false;
    const sa: Record<string, string> = {};
    if (automount) {
      const token = await serviceAccountToken(context.kube, pod);
      const kubeconfig = join(context.podDir, 'kubeconfig');
      await writeFile(kubeconfig, kubeconfigYaml({ server: context.apiServer.url, caPem: context.apiServer.caPem, token }), { mode: 0o600 });
      sa.KUBECONFIG = kubeconfig;
    }
    const dnsServer = `${context.dns.host}:${context.dns.port}`;
    baseEnv = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: context.podDir,
      HOSTNAME: pod.spec.hostname ?? name,
      KUBERNETES_SERVICE_HOST: context.apiServer.host,
      KUBERNETES_SERVICE_PORT: String(context.apiServer.port),
      ...sa,
      [ENV.POD_IP]: context.podIP,
      [ENV.STARROCKS_ROOT]: treeRoot,
      // Local processes share the host's /etc/resolv.conf, which knows nothing of cluster.local.
      [ENV.DNS_SERVER]: dnsServer,
      STARROCKS_SIM_DNS: dnsServer,
      // Every pod shares the host's network: an agent on 0.0.0.0 would take its neighbours' port.
      [ENV.AGENT_BIND]: context.podIP,
    };
    worldEnv = { ...context.podEnv?.() };
    Object.assign(baseEnv, worldEnv);
    const stateDir = toHostPath(PATHS.agentStateDir, mappings);
    if (stateDir !== PATHS.agentStateDir) baseEnv[ENV.AGENT_STATE_DIR] = stateDir;
  };

  // Secret and ConfigMap volumes follow their objects while the pod runs, except where a container
  // mounts them with subPath (kubelet never updates those either).
  const syncVolumes = (volumeDirs: ReadonlyMap<string, string>): void => {
    const subPathMounted = new Set([...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((c) => (c.volumeMounts ?? []).filter((m) => m.subPath !== undefined).map((m) => m.name)));
    const synced = (pod.spec.volumes ?? []).filter((v) => (v.secret !== undefined || v.configMap !== undefined) && !subPathMounted.has(v.name));
    if (synced.length === 0) return;
    clearInterval(volumeTimer);
    let busy = false;
    volumeTimer = setInterval(() => {
      if (busy || terminating) return;
      busy = true;
      void Promise.all(synced.map((v) => refreshVolume(v, volumeDirs.get(v.name) ?? '', { kube: context.kube, pod })))
        .catch((error: unknown) => log(`volume sync failed: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (busy = false));
    }, context.volumeSyncMs ?? 5_000);
  };

  // The StarRocks images hold the simulator's install tree, unless the world lays out its own.
  const installTree = async (starrocks: boolean): Promise<string> => {
    if (context.installTree !== undefined) return context.installTree(pod, context.podDir);
    if (starrocks) return createInstallTree({ dir: join(context.podDir, 'starrocks'), conf: {} }).root;
    return join(context.podDir, 'rootfs', 'opt', 'starrocks');
  };

  const containerEnv = async (c: Container): Promise<{ env: Record<string, string> } | { error: string }> => {
    const refs = envReferences(c);
    const configMaps = new Map<string, Record<string, string> | undefined>();
    const secrets = new Map<string, Record<string, string> | undefined>();
    for (const n of refs.configMaps) configMaps.set(n, await fetchData(context.kube, ns, 'configmaps', n));
    for (const n of refs.secrets) secrets.set(n, await fetchData(context.kube, ns, 'secrets', n));
    const resolved = resolveEnv({ pod, container: c, ips, sources: { configMap: (n) => configMaps.get(n), secret: (n) => secrets.get(n) } });
    if ('error' in resolved) return resolved;
    const env: Record<string, string> = { ...baseEnv };
    for (const [key, value] of Object.entries(resolved.env)) env[key] = rewritePaths(value, mappings);
    // World settings win over the spec: they describe where this world's services really are.
    env[ENV.DNS_SERVER] = baseEnv[ENV.DNS_SERVER] ?? '';
    env.STARROCKS_SIM_DNS = baseEnv.STARROCKS_SIM_DNS ?? '';
    // Container paths inside files (a conf's storage_root_path) reach a simulated node as they are:
    // it maps them through this, as a container's mount namespace would.
    env[SIM_ENV.pathMap] = JSON.stringify(mappings);
    Object.assign(env, worldEnv);
    return { env };
  };

  /** Starts a container process; resolves to false when it could not be created. */
  const launch = async (run: ContainerRun): Promise<boolean> => {
    const image = findImage(run.spec.image);
    const pullError = image === undefined ? 'not found' : await image.pull?.(host).then(() => undefined, (error: unknown) => (error instanceof Error ? error.message : String(error)));
    if (terminating) return false;
    if (image === undefined || pullError !== undefined) {
      run.pullFailures++;
      const failure = imagePullFailure(run.spec.image ?? '', run.pullFailures);
      run.status.state = waiting(failure.reason, image === undefined ? failure.message : `Failed to pull image "${run.spec.image ?? ''}": ${pullError ?? ''}`);
      pushStatus();
      return false;
    }
    run.status.imageID = `world-local://${image.kind}`;
    const resolvedEnv = await containerEnv(run.spec);
    if ('error' in resolvedEnv) {
      run.status.state = waiting('CreateContainerConfigError', resolvedEnv.error);
      pushStatus();
      return false;
    }
    const env = resolvedEnv.env;
    const { command, args } = expandCommand(run.spec, env);
    const exec = execContext(run, env);
    const resolved = exec.resolve(containerArgv(image, run.spec.command === undefined ? undefined : command, run.spec.args === undefined ? undefined : args));
    // The pod may have been deleted while the env was being read: start nothing then.
    if (terminating) return false;
    if ('error' in resolved) {
      run.status.state = waiting('CreateContainerError', resolved.error);
      pushStatus();
      return false;
    }
    await mkdir(exec.cwd, { recursive: true });
    if (terminating) return false;
    const fd = openSync(join(context.podDir, 'logs', `${run.spec.name}.log`), 'a');
    let child: ChildProcess;
    try {
      child = spawn(resolved.file, resolved.args, { env, cwd: exec.cwd, stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    run.process = child;
    context.groups?.add(child.pid);
    run.stopping = false;
    run.runStartedAt = Date.now();
    const started = now();
    run.status.containerID = `world://${uid}/${run.spec.name}/${run.status.restartCount}`;
    run.status.state = { running: { startedAt: started } };
    run.readinessOk = run.spec.readinessProbe === undefined;
    run.started = run.spec.startupProbe === undefined;
    run.status.started = run.started;
    run.status.ready = run.started && run.readinessOk;
    child.once('error', (error) => log(`${run.spec.name}: ${error.message}`));
    child.once('exit', (code, signal) => {
      const exitCode = code ?? 128 + signalNumber(signal);
      run.process = undefined;
      context.groups?.remove(child.pid);
      for (const t of run.probeTimers) clearTimeout(t);
      run.probeTimers = [];
      // The first process is gone: the rest of the container dies with it, as a PID namespace
      // dies with its init.
      killContainer(child.pid);
      run.status.lastState = {};
      run.status.state = {
        terminated: {
          exitCode,
          ...(signal === null ? {} : { signal: signalNumber(signal) }),
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt: started,
          finishedAt: now(),
          containerID: run.status.containerID,
        },
      };
      run.status.ready = false;
      run.started = false;
      run.status.started = false;
      pushStatus();
      exitHandlers.get(run)?.(exitCode);
    });
    pushStatus();
    return true;
  };

  const exitHandlers = new Map<ContainerRun, (code: number) => void>();

  const probeLoop = (run: ContainerRun, probe: Probe, kind: 'startup' | 'liveness' | 'readiness', env: Record<string, string>): void => {
    const period = (probe.periodSeconds ?? 10) * 1000;
    const timeout = (probe.timeoutSeconds ?? 1) * 1000;
    const successThreshold = probe.successThreshold ?? 1;
    const failureThreshold = probe.failureThreshold ?? 3;
    let successes = 0;
    let failures = 0;
    const proc = run.process;
    const tick = async (): Promise<void> => {
      if (run.process !== proc || terminating || run.stopping) return;
      if (kind !== 'startup' && !run.started) {
        schedule(period);
        return;
      }
      const result = await runHandler({ handler: probe, container: run.spec, podIP: context.podIP, timeoutMs: timeout, exec: execContext(run, env) });
      if (run.process !== proc || terminating || run.stopping) return;
      if (result.ok) {
        successes++;
        failures = 0;
      } else {
        failures++;
        successes = 0;
      }
      if (kind === 'startup') {
        if (result.ok) {
          run.started = true;
          run.status.started = true;
          run.status.ready = run.readinessOk;
          pushStatus();
          return; // The startup probe stops once it succeeded.
        }
        if (failures >= failureThreshold) {
          log(`${run.spec.name}: startup probe failed ${failures} times (${result.reason}); restarting`);
          void stopContainer(run, 'startup');
          return;
        }
      } else if (kind === 'liveness') {
        if (!result.ok && failures >= failureThreshold) {
          log(`${run.spec.name}: liveness probe failed ${failures} times (${result.reason}); restarting`);
          void stopContainer(run, 'liveness');
          return;
        }
      } else {
        let ready = run.readinessOk;
        if (result.ok && successes >= successThreshold) ready = true;
        if (!result.ok && failures >= failureThreshold) ready = false;
        run.readinessOk = ready;
        if (run.status.ready !== (run.started && ready)) {
          run.status.ready = run.started && ready;
          pushStatus();
        }
      }
      schedule(period);
    };
    const schedule = (delay: number): void => {
      run.probeTimers.push(setTimeout(() => void tick(), delay));
      if (run.probeTimers.length > 16) run.probeTimers.splice(0, run.probeTimers.length - 16);
    };
    schedule((probe.initialDelaySeconds ?? 0) * 1000);
  };

  /** Stops a running container on purpose: preStop (on deletion only), SIGTERM, SIGKILL at the deadline. */
  const stopContainer = async (run: ContainerRun, why: 'startup' | 'liveness' | 'delete', deadline = Date.now() + graceMs()): Promise<void> => {
    const proc = run.process;
    if (proc === undefined) return;
    run.stopping = true;
    for (const t of run.probeTimers) clearTimeout(t);
    run.probeTimers = [];
    run.status.ready = false;
    pushStatus();
    const gone = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });
    const preStop = run.spec.lifecycle?.preStop;
    if (preStop !== undefined) {
      const envResult = await containerEnv(run.spec);
      const env = 'env' in envResult ? envResult.env : baseEnv;
      const budget = Math.max(0, deadline - Date.now());
      const result = await Promise.race([
        runHandler({ handler: preStop, container: run.spec, podIP: context.podIP, timeoutMs: budget, exec: execContext(run, env) }),
        gone.then(() => ({ ok: true as const })),
      ]);
      if (!result.ok) log(`${run.spec.name}: preStop hook failed (${why}): ${result.reason}`);
    }
    // The runtime signals the container's first process only (its PID 1); what it started hears
    // of the stop from it, or dies with it.
    signalProcess(proc.pid, 'SIGTERM');
    const timer = setTimeout(() => killContainer(proc.pid), Math.max(0, deadline - Date.now()));
    await gone;
    clearTimeout(timer);
  };

  const graceMs = (): number => {
    const seconds = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    // Grace 0 means "now"; kubelet still gives a container a moment to take SIGTERM.
    return Math.max(seconds, 0) * 1000 || 2000;
  };

  const runMain = async (run: ContainerRun): Promise<void> => {
    if (terminating) return;
    // Registered before the process starts, so that an immediate exit is not missed.
    exitHandlers.set(run, (exitCode) => {
      if (terminating) return;
      if (!shouldRestart(restartPolicy, exitCode)) return;
      // A container that ran for 10 minutes starts its back-off afresh, as kubelet does.
      const delay = Date.now() - run.runStartedAt > 600_000 ? 0 : restartDelayMs(run.status.restartCount + 1, context.backoffBaseMs);
      run.status.lastState = run.status.state;
      run.status.restartCount++;
      run.status.state = waiting('CrashLoopBackOff', `back-off ${Math.round(delay / 1000)}s restarting failed container=${run.spec.name} pod=${name}_${ns}(${uid})`);
      pushStatus();
      run.restartTimer = setTimeout(() => void runMain(run), delay);
    });
    const envResult = await containerEnv(run.spec);
    const ok = await launch(run);
    if (!ok) {
      if (terminating) return;
      // Config errors are retried, as kubelet re-syncs the pod.
      run.restartTimer = setTimeout(() => void runMain(run), 2000);
      return;
    }
    const probeEnv = 'env' in envResult ? envResult.env : baseEnv;
    if (run.spec.startupProbe !== undefined) probeLoop(run, run.spec.startupProbe, 'startup', probeEnv);
    if (run.spec.livenessProbe !== undefined) probeLoop(run, run.spec.livenessProbe, 'liveness', probeEnv);
    if (run.spec.readinessProbe !== undefined) probeLoop(run, run.spec.readinessProbe, 'readiness', probeEnv);
  };

  const runInit = async (index: number): Promise<void> => {
    if (terminating) return;
    const run = initRuns[index];
    if (run === undefined) {
      initialized = true;
      pushStatus();
      for (const r of runs) void runMain(r);
      return;
    }
    exitHandlers.set(run, (exitCode) => {
      if (terminating) return;
      if (exitCode === 0) {
        run.status.ready = true;
        void runInit(index + 1);
        return;
      }
      if (restartPolicy === 'Never') {
        failedInit = true;
        pushStatus();
        return;
      }
      const delay = restartDelayMs(run.status.restartCount + 1, context.backoffBaseMs);
      run.status.lastState = run.status.state;
      run.status.restartCount++;
      run.status.state = waiting('CrashLoopBackOff', `back-off ${Math.round(delay / 1000)}s restarting failed init container=${run.spec.name}`);
      pushStatus();
      run.restartTimer = setTimeout(() => void runInit(index), delay);
    });
    const ok = await launch(run);
    if (!ok && !terminating) run.restartTimer = setTimeout(() => void runInit(index), 2000);
  };

  let preparing: Promise<void> = Promise.resolve();
  const begin = async (): Promise<void> => {
    if (terminating) return;
    try {
      preparing = prepare();
      await preparing;
      if (terminating) return;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`volumes not ready: ${message}`);
      for (const r of [...initRuns, ...runs]) r.status.state = waiting(r.status.state.waiting?.reason ?? 'ContainerCreating', message);
      pushStatus();
      prepareTimer = setTimeout(() => void begin(), 1000);
      return;
    }
    void runInit(0);
  };

  const terminate = (): Promise<void> => {
    terminateDone ??= (async () => {
      terminating = true;
      if (prepareTimer !== undefined) clearTimeout(prepareTimer);
      clearInterval(volumeTimer);
      const deadline = Date.now() + graceMs();
      for (const r of [...initRuns, ...runs]) if (r.restartTimer !== undefined) clearTimeout(r.restartTimer);
      await Promise.all([...initRuns, ...runs].map((r) => stopContainer(r, 'delete', deadline)));
      await statusChain;
      await writeStatus();
      finished = true;
      if (statusTimer !== undefined) clearTimeout(statusTimer);
      await preparing.catch(() => undefined);
      await cleanup();
      // Retried while the API server is away, as kubelet does; bounded so a world being torn down ends.
      for (let attempt = 1; attempt <= 300; attempt++) {
        try {
          // The options go in the body (the API server reads query options only when there is no body).
          await unlessNotFound(context.kube.core.deleteNamespacedPod({ namespace: ns, name, body: { gracePeriodSeconds: 0, preconditions: { uid } } }));
          break;
        } catch (error) {
          log(`final delete failed (attempt ${attempt}, again in 1 s): ${error instanceof Error ? error.message : String(error)}`);
          await sleep(1_000);
        }
      }
      context.onFinished();
    })();
    return terminateDone;
  };

  const cleanup = async (): Promise<void> => {
    // emptyDirs and the pod's own files go with the pod; claim folders live elsewhere and stay.
    await rm(context.podDir, { recursive: true, force: true, maxRetries: 3 });
  };

  void mkdir(context.podDir, { recursive: true }).then(() => {
    pushStatus();
    void begin();
  });

  return {
    uid,
    update(next: Pod) {
      pod = next;
      if (pod.metadata.deletionTimestamp !== undefined) void terminate();
    },
    async exec(container, command, timeoutMs) {
      const run = runs.find((r) => r.spec.name === container);
      if (run?.process === undefined || run.process.exitCode !== null || run.process.signalCode !== null) return { ok: false, reason: `container ${container} is not running` };
      const envResult = await containerEnv(run.spec);
      const env = 'env' in envResult ? envResult.env : baseEnv;
      return runHandler({ handler: { exec: { command: [...command] } }, container: run.spec, podIP: context.podIP, timeoutMs, exec: execContext(run, env) });
    },
    async kill() {
      terminating = true;
      finished = true;
      if (prepareTimer !== undefined) clearTimeout(prepareTimer);
      clearInterval(volumeTimer);
      if (statusTimer !== undefined) clearTimeout(statusTimer);
      const procs = [...initRuns, ...runs].flatMap((r) => {
        if (r.restartTimer !== undefined) clearTimeout(r.restartTimer);
        for (const t of r.probeTimers) clearTimeout(t);
        return r.process === undefined ? [] : [r.process];
      });
      await Promise.all(
        procs.map(
          (proc) =>
            new Promise<void>((resolve) => {
              if (proc.exitCode !== null || proc.signalCode !== null) {
                resolve();
                return;
              }
              proc.once('exit', () => resolve());
              killContainer(proc.pid);
            }),
        ),
      );
      await statusChain;
      // A preparation still under way would write into the folder after it is removed.
      await preparing.catch(() => undefined);
      await cleanup();
      context.onFinished();
    },
  };
}

function emptyRun(spec: Container, status: ContainerStatus): ContainerRun {
  return { spec, status, process: undefined, stopping: false, probeTimers: [], readinessOk: false, started: false, restartTimer: undefined, runStartedAt: 0, pullFailures: 0 };
}

function signalProcess(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/**
 * SIGKILLs a whole container: its process group and every process of its session (the first
 * process is spawned detached, so it leads both; a child that changed its group stays in the
 * session).
 */
function killContainer(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
  for (const member of sessionMembers(pid)) signalProcess(member, 'SIGKILL');
}

/** Processes whose session id is `sid`, from /proc (none where /proc is missing). */
function sessionMembers(sid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // After the command's closing parenthesis: state, ppid, pgrp, session.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid) members.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return members;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return signal === null ? 0 : (numbers[signal] ?? 0);
}
