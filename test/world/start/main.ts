/**
 * `npm start`: a StarRocks cluster on the local Kubernetes world, end to end. Starts the world
 * (the real control plane and the pod runner) and the StarRocks simulator behind the pods,
 * installs the product as a user does (`kubectl apply -k deploy/`: the controller runs as the
 * pods of its Deployment, from the controller image), applies a StarRocksCluster unchanged with
 * `kubectl apply -f`, shows it converge (redrawn with log-update on a terminal, plain lines
 * otherwise), prints what to do next once Ready, and stays up until SIGINT or SIGTERM, when it
 * stops everything it started. The pure parts are args.ts, manifest.ts and view.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createLogUpdate } from 'log-update';
import { CRD } from '../../../agent/contract/index.ts';
import { SIM_ENV } from '../../sim/node/node-env.ts';
import { SimWorld } from '../../sim/world/sim-world.ts';
import { unlessNotFound } from '../kube.ts';
import { waitCrdEstablished } from '../wait.ts';
import { REPO_ROOT, startWorld } from '../world.ts';
import type { World } from '../world.ts';
import { DEFAULT_CLUSTER, USAGE, parseStartArgs } from './args.ts';
import type { StartOptions } from './args.ts';
import { parseClusterManifest } from './manifest.ts';
import type { ClusterManifest } from './manifest.ts';
import { observe } from './observe.ts';
import { changedLines, leaderPod, readiness, renderTable, rows, seconds, summaryText } from './view.ts';
import type { Row } from './view.ts';
import { isAbortError, sleep } from '../../../agent/contract/backoff.ts';

const exec = promisify(execFile);
const CONTROLLER_NAMESPACE = 'starrocks-system';
const REFRESH_MS = 1_000;

/** Thrown when SIGINT or SIGTERM asked to stop: not a failure. */
class Interrupted extends Error {}

async function main(): Promise<number> {
  const parsed = parseStartArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`npm start: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // npm runs scripts from the package root; a relative --cluster is the caller's.
  const callerDir = process.env.INIT_CWD ?? process.cwd();
  let cluster: { file: string; manifest: ClusterManifest } | undefined;
  if (options.cluster !== undefined) {
    const file = resolve(options.cluster === DEFAULT_CLUSTER ? REPO_ROOT : callerDir, options.cluster);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      process.stderr.write(`npm start: cannot read the cluster manifest ${file}: ${(error as Error).message}; pass an existing file with --cluster FILE\n`);
      return 2;
    }
    const manifest = parseClusterManifest(text, file);
    if (!manifest.ok) {
      process.stderr.write(`npm start: ${manifest.error}\n`);
      return 2;
    }
    cluster = { file, manifest: manifest.cluster };
  }

  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping.signal.aborted) {
      process.stderr.write(`npm start: ${signal} again; still stopping, please wait\n`);
      return;
    }
    process.stderr.write(`\nnpm start: ${signal}, stopping everything\n`);
    stopping.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runnerLog: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    return await run({ options, cluster, signal: stopping.signal, runnerLog, cleanups });
  } catch (error) {
    if (error instanceof Interrupted) return 0;
    process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
    if (runnerLog.length > 0) process.stderr.write(`the pod runner's last lines:\n  ${runnerLog.slice(-30).join('\n  ')}\n`);
    return 1;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => process.stderr.write(`npm start: stopping failed: ${String(error)}\n`));
    }
  }
}

interface RunInput {
  options: StartOptions;
  cluster: { file: string; manifest: ClusterManifest } | undefined;
  signal: AbortSignal;
  runnerLog: string[];
  cleanups: (() => Promise<void>)[];
}

async function run(input: RunInput): Promise<number> {
  const { options, cluster, signal, runnerLog, cleanups } = input;
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const interrupted = (): void => {
    if (signal.aborted) throw new Interrupted();
  };
  const manifest = cluster?.manifest;
  const secret = manifest?.passwordSecret;
  // The Secret the cluster names: the file's own, or one made here (as the example asks a user to).
  const password = secret === undefined ? '' : (manifest?.secretsInFile[secret.name]?.[secret.key] ?? randomBytes(12).toString('base64url'));

  const started = Date.now();
  say('npm start: starting the local Kubernetes world (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, CoreDNS, the pod runner)');
  // Set once the simulator runs; every pod reads it at its start (no pod starts before the apply).
  let simEnv: Record<string, string> = {};
  const world: World = await startWorld({
    backoffBaseMs: 1_000,
    podEnv: () => simEnv,
    log: (line) => {
      runnerLog.push(line);
      if (runnerLog.length > 200) runnerLog.shift();
    },
  });
  cleanups.push(() => world.stop());
  interrupted();
  // The simulator plays StarRocks behind the stock images' start scripts, with a root password
  // when the cluster names one (a real cluster's root has the password the Secret holds).
  const sim = await SimWorld.start({
    dns: world.dns,
    heartbeatIntervalMs: 500,
    joinPollMs: 300,
    feGracefulExitMs: 500,
    backendGracefulExitMs: 300,
    ...(password === '' ? {} : { rootPassword: password }),
  });
  cleanups.push(() => sim.stop());
  simEnv = { [SIM_ENV.world]: `${sim.endpoint.host}:${sim.endpoint.port}` };
  interrupted();
  say(`npm start: world up in ${seconds(Date.now() - started)}; KUBECONFIG=${world.kubeconfigPath}`);

  const kubectl = async (...args: string[]): Promise<string> =>
    (await exec('kubectl', ['--kubeconfig', world.kubeconfigPath, ...args], { timeout: 90_000, cwd: REPO_ROOT })).stdout;
  say('npm start: installing the product as on a real cluster: kubectl apply -k crds/ && kubectl apply -k deploy/');
  await kubectl('apply', '-k', 'crds/');
  await kubectl('apply', '-k', 'deploy/');
  await waitCrdEstablished(kubectl, `${CRD.plural}.${CRD.group}`);
  interrupted();

  if (cluster === undefined || manifest === undefined) return noCluster({ world, options, signal, say });

  if (manifest.namespace !== 'default' && (await unlessNotFound(world.kube.core.readNamespace({ name: manifest.namespace }))) === undefined) {
    await world.kube.core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: manifest.namespace } } });
  }
  if (secret !== undefined && manifest.secretsInFile[secret.name] === undefined) {
    // Through the API, never kubectl's argv: a password on a command line is visible to every user.
    await world.kube.core.createNamespacedSecret({
      namespace: manifest.namespace,
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.name }, stringData: { [secret.key]: password } },
    });
    say(`npm start: created Secret ${manifest.namespace}/${secret.name} (key ${secret.key}) with a random root password, as the manifest asks`);
  }
  say(`npm start: kubectl apply -f ${cluster.file}`);
  await kubectl('apply', '-f', cluster.file);
  const appliedAt = Date.now();
  const label = `${CRD.kind} ${manifest.namespace}/${manifest.name}`;

  // A terminal of no height (a pty nobody sized) would clip every frame away: plain lines then.
  const tty = process.stdout.isTTY === true && process.stdout.rows > 0;
  const live = tty ? createLogUpdate(process.stdout, { showCursor: true }) : undefined;
  let before: Row[] = [];
  let stateBefore: string | undefined;
  const show = (current: Row[], state: string, elapsedMs: number): void => {
    if (live !== undefined) live(renderTable({ cluster: label, elapsedMs, rows: current, state }));
    else for (const line of changedLines({ before, after: current, stateBefore, state, elapsedMs })) say(line);
    before = current;
    stateBefore = state;
  };
  const target = { kube: world.kube, namespace: manifest.namespace, name: manifest.name, components: manifest.components, password };
  const deadline = appliedAt + options.timeoutMs;
  for (;;) {
    interrupted();
    const snapshot = await observe(target);
    const verdict = readiness(snapshot);
    const now = Date.now();
    show(rows(snapshot), verdict.ready ? 'Ready' : verdict.reason, now - appliedAt);
    if (verdict.ready) {
      live?.done();
      const leader = leaderPod(snapshot);
      say('');
      say(
        summaryText({
          kubeconfig: world.kubeconfigPath,
          namespace: manifest.namespace,
          name: manifest.name,
          counts: verdict.counts,
          clusterId: verdict.clusterId,
          elapsedMs: now - appliedAt,
          feAddress: leader?.ip ?? '',
          passwordSecret: secret,
          worldDir: world.dir,
          feUid: leader?.uid ?? '',
          controlPlaneLogs: world.controlPlane.logDir,
          staysUp: !options.exitWhenReady,
        }),
      );
      break;
    }
    if (now > deadline) {
      live?.done();
      process.stderr.write(`npm start: ${label} not Ready ${seconds(options.timeoutMs)} after kubectl apply: ${verdict.reason}\n`);
      process.stderr.write(await diagnostics(world, manifest.namespace, runnerLog));
      return 1;
    }
    await pause(REFRESH_MS, signal);
  }
  if (options.exitWhenReady) return 0;
  // Stay up; keep following the cluster (a scale-out shows here) until SIGINT or SIGTERM.
  const plainBefore: { rows: Row[]; state: string | undefined } = { rows: before, state: stateBefore };
  while (!signal.aborted) {
    await pause(2_000, signal);
    if (signal.aborted) break;
    const snapshot = await observe(target);
    const verdict = readiness(snapshot);
    const current = rows(snapshot);
    const state = verdict.ready ? 'Ready' : verdict.reason;
    for (const line of changedLines({ before: plainBefore.rows, after: current, stateBefore: plainBefore.state, state, elapsedMs: Date.now() - appliedAt })) say(line);
    plainBefore.rows = current;
    plainBefore.state = state;
  }
  return 0;
}

/** What to look at when the cluster did not converge: events, the controller's and the runner's last lines. */
async function diagnostics(world: World, namespace: string, runnerLog: readonly string[]): Promise<string> {
  const parts: string[] = [];
  const events = await world.kube.core.listNamespacedEvent({ namespace }).then((list) => list.items, () => []);
  parts.push(`events in ${namespace}:`, ...events.slice(-15).map((e) => `  ${e.type ?? ''} ${e.involvedObject?.name ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`));
  const pods = await world.kube.core.listNamespacedPod({ namespace: CONTROLLER_NAMESPACE }).then((list) => list.items, () => []);
  for (const pod of pods) {
    try {
      const log = readFileSync(join(world.dir, 'pods', pod.metadata?.uid ?? '', 'logs', 'controller.log'), 'utf8').trimEnd().split('\n').slice(-10);
      parts.push(`controller pod ${pod.metadata?.name ?? ''}, last lines:`, ...log.map((l) => `  ${l}`));
    } catch {
      // Not started yet.
    }
  }
  parts.push(`the pod runner's last lines:`, ...runnerLog.slice(-20).map((l) => `  ${l}`));
  return `${parts.join('\n')}\n`;
}

/** `--no-cluster`: the world and the controller only. */
async function noCluster(input: { world: World; options: StartOptions; signal: AbortSignal; say: (line: string) => void }): Promise<number> {
  const { world, options, signal, say } = input;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (signal.aborted) throw new Interrupted();
    const { items } = await world.kube.core.listNamespacedPod({ namespace: CONTROLLER_NAMESPACE, labelSelector: 'app.kubernetes.io/name=starrocks-controller' });
    const ready = items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    if (items.length > 0 && ready === items.length) break;
    if (Date.now() > deadline) {
      process.stderr.write(`npm start: the controller pods are not Ready after ${seconds(options.timeoutMs)} (${ready} of ${items.length})\n`);
      return 1;
    }
    await pause(REFRESH_MS, signal);
  }
  say(
    [
      '',
      'The world runs the controller; no StarRocksCluster was applied (--no-cluster). Use it from another shell:',
      `  $ export KUBECONFIG=${world.kubeconfigPath}`,
      `  $ kubectl get pods -n ${CONTROLLER_NAMESPACE}`,
      `  $ kubectl apply -f ${join(REPO_ROOT, 'deploy', 'examples', 'minimal.yaml')}`,
      `Logs: ${world.dir}/pods/<pod uid>/logs/, the control plane's in ${world.controlPlane.logDir}`,
      ...(options.exitWhenReady ? [] : ['', 'Press Ctrl-C to stop the world (nothing is left behind).']),
      '',
    ].join('\n'),
  );
  if (options.exitWhenReady) return 0;
  while (!signal.aborted) await pause(60_000, signal);
  return 0;
}

/** Sleeps, ending early (without an error) when stopped. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, signal).catch((error: unknown) => {
    if (!isAbortError(error)) throw error;
  });
}

process.exitCode = await main();
// Stopped and cleaned up: nothing of ours should keep the event loop alive, but a lingering
// socket of a client library must not keep a finished command waiting.
process.exit();
