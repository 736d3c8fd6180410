/**
 * `starrocks-controller`: turns StarRocksCluster resources into workloads wired to the agent.
 *
 * Commands: `run` (the controller, with leader election), `render FILE` (print the objects a
 * StarRocksCluster manifest renders to, without a cluster), `--version`, `--help`.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { CRD } from '../agent/contract/index.ts';
import type { Component } from '../agent/contract/index.ts';
import { parseStarRocksConf } from '../agent/contract/starrocks-conf.ts';
import type { StarRocksConf } from '../agent/contract/starrocks-conf.ts';
import { AgentError, describeError, exitCodeOf } from '../agent/contract/errors.ts';
import { createLogger } from '../agent/contract/log.ts';
import type { Log } from '../agent/contract/log.ts';
import type { Registry } from 'prom-client';
import { VERSION } from '../agent/contract/version.ts';
import { DEFAULT_AGENT_IMAGE, FIELD_MANAGER } from './cr/defaults.ts';
import { parseCluster, presentComponents } from './cr/parse.ts';
import { asString, dig } from './json.ts';
import { createControllerMetrics } from './http/metrics.ts';
import { DEFAULT_METRICS_PORT, parseBindAddress, startMetricsServer } from './http/metrics-server.ts';
import type { MetricsServer } from './http/metrics-server.ts';
import { clientNodeKubeApi } from './kube/client-node-api.ts';
import { clientNodeInformers } from './kube/informers.ts';
import { DEFAULT_DISCOVERY_SECONDS, clientNodeDiscoveryRead, startApiDiscovery } from './kube/discovery.ts';
import { loadKubeConfig } from './kube/kube-config.ts';
import { render } from './render/render.ts';
import { DEFAULT_RESYNC_SECONDS, startController } from './run/controller.ts';
import { apiEventRecorder } from './run/events.ts';
import { holdLease } from './run/lease.ts';

const USAGE = `usage: starrocks-controller <command> [options]

commands:
  run          watch StarRocksClusters and reconcile them
                 --kubeconfig FILE      (default: in-cluster ServiceAccount, else KUBECONFIG,
                                        else ~/.kube/config; exec plugins work)
                 --namespace NS         only this namespace (default: all)
                 --lease-namespace NS   where the leader Lease lives (default: POD_NAMESPACE)
                 --no-leader-election   act without a Lease (one replica only)
                 --resync-seconds N     apply every cluster's whole desired state at least this
                                        often: hand edits are repaired within it (default ${DEFAULT_RESYNC_SECONDS})
                 --lease-duration-seconds N       a follower takes over a lease not renewed
                                        for this long, by its own clock (default 15)
                 --lease-renew-deadline-seconds N a leader that could not renew for this long
                                        stops writing and exits; < duration (default 10)
                 --lease-retry-ms N     between lease attempts (default 2000)
                 --concurrency N        clusters reconciled in parallel (default 4)
                 --request-timeout-ms N timeout of every API call (default 10000)
                 --agent-image IMAGE    the agent image every pod's install-agent init container
                                        runs, unless the CR sets spec.agent.image
                                        (default ${DEFAULT_AGENT_IMAGE})
                 --discovery-seconds N  read the API server's group/versions again this often
                                        (HPA version, PodMonitor CRD) (default ${DEFAULT_DISCOVERY_SECONDS})
                 --metrics-bind-address ADDR  serve Prometheus /metrics on HOST:PORT; :PORT
                                        listens on POD_IP (else every address); 0 turns
                                        it off (default :${DEFAULT_METRICS_PORT})
  render FILE  print the objects a StarRocksCluster manifest renders to (YAML), then exit
  --version    print the version
  --help       print this help`;

/** Runs the controller command line; resolves to the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case '--version':
      process.stdout.write(`starrocks-controller ${VERSION}\n`);
      return 0;
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'render':
      return renderCommand(rest);
    case 'run':
      return runCommand(rest, env);
    default:
      process.stdout.write(`${USAGE}\n`);
      return 77;
  }
}

function renderCommand(args: readonly string[]): number {
  const [file] = args;
  if (file === undefined) throw new AgentError('ERR_USAGE', 'render needs a manifest file: starrocks-controller render cluster.yaml');
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);
  // ConfigMaps in the same file stand in for the cluster's: their conf gives the ports.
  const configMaps = new Map<string, unknown>();
  for (const doc of docs) {
    const name = asString(dig(doc, 'metadata', 'name'));
    if (dig(doc, 'kind') === 'ConfigMap' && name !== undefined) configMaps.set(name, doc);
  }
  const out: string[] = [];
  for (const doc of docs) {
    if (dig(doc, 'kind') !== CRD.kind) continue;
    const { cluster, problems } = parseCluster(doc);
    if (problems.length > 0 || cluster === undefined) {
      throw new AgentError('ERR_CONF_INVALID', problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    }
    const confs: Partial<Record<Component, StarRocksConf>> = {};
    for (const spec of presentComponents(cluster)) {
      const info = spec.configMapInfo;
      const text = info === undefined ? undefined : asString(dig(configMaps.get(info.configMapName), 'data', info.resolveKey));
      if (text !== undefined) confs[spec.component] = parseStarRocksConf(text);
    }
    for (const object of render({ cluster, confs })) out.push(stringify(object, { lineWidth: 0 }));
  }
  process.stdout.write(out.map((o) => `---\n${o}`).join(''));
  return 0;
}

/** How long a deposed leader may drain before it exits regardless (code 80). */
const LOST_LEADERSHIP_GRACE_MS = 3_000;

async function runCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'lease-namespace': { type: 'string' },
      'no-leader-election': { type: 'boolean', default: false },
      'resync-seconds': { type: 'string', default: String(DEFAULT_RESYNC_SECONDS) },
      'lease-duration-seconds': { type: 'string', default: '15' },
      'lease-renew-deadline-seconds': { type: 'string', default: '10' },
      'lease-retry-ms': { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '4' },
      'request-timeout-ms': { type: 'string', default: '10000' },
      'agent-image': { type: 'string', default: DEFAULT_AGENT_IMAGE },
      'discovery-seconds': { type: 'string', default: String(DEFAULT_DISCOVERY_SECONDS) },
      'metrics-bind-address': { type: 'string', default: `:${String(DEFAULT_METRICS_PORT)}` },
    },
  });
  const agentImage = values['agent-image'].trim();
  if (agentImage === '' || /\s/.test(agentImage)) throw new AgentError('ERR_USAGE', `--agent-image="${values['agent-image']}" is not an image reference: give one such as ${DEFAULT_AGENT_IMAGE}`);
  const number = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new AgentError('ERR_USAGE', `--${name}=${raw} must be a whole number >= ${min}`);
    return n;
  };
  const log = createLogger({ level: env.STARROCKS_CONTROLLER_LOG_LEVEL ?? 'info', base: { component: 'controller' } });
  const kubeConfig = loadKubeConfig({ kubeconfig: values.kubeconfig, env });
  const timeoutMs = number('request-timeout-ms', values['request-timeout-ms'], 100);
  const client = clientNodeKubeApi({ kubeConfig, fieldManager: FIELD_MANAGER, timeoutMs });
  const identity = env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const abort = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => abort.abort());
  const metrics = createControllerMetrics();
  const metricsServer = await serveMetrics(values['metrics-bind-address'], env, metrics.registry, log);

  let lost: Promise<void> | undefined;
  let api = client;
  if (!values['no-leader-election']) {
    const leadership = await holdLease({
      api: client,
      log,
      namespace: values['lease-namespace'] ?? env.POD_NAMESPACE ?? 'default',
      name: 'starrocks-controller',
      identity,
      durationSeconds: number('lease-duration-seconds', values['lease-duration-seconds'], 2),
      renewDeadlineMs: number('lease-renew-deadline-seconds', values['lease-renew-deadline-seconds'], 1) * 1000,
      retryMs: number('lease-retry-ms', values['lease-retry-ms'], 100),
      signal: abort.signal,
    });
    lost = leadership.lost;
    metrics.sources.isLeading = leadership.isLeading;
    // Every write checks leadership right before it is sent: a leader paused past its renew
    // deadline writes nothing when it resumes, before its renew loop notices. The lease's own
    // client stays ungated (it must keep renewing).
    api = clientNodeKubeApi({ kubeConfig, fieldManager: FIELD_MANAGER, timeoutMs, writeAllowed: leadership.isLeading });
  } else {
    metrics.sources.isLeading = () => true;
  }
  if (abort.signal.aborted) {
    await metricsServer?.close();
    return 0;
  }
  const controller = startController({
    api,
    informers: clientNodeInformers({ kubeConfig, namespace: values.namespace, log, signal: abort.signal }),
    log,
    events: apiEventRecorder({ api, log, instance: identity, now: () => new Date().toISOString() }),
    resyncMs: number('resync-seconds', values['resync-seconds'], 1) * 1000,
    progressRecheckMs: 30_000,
    concurrency: number('concurrency', values.concurrency, 1),
    signal: abort.signal,
    agentImage,
    discovery: startApiDiscovery({
      read: clientNodeDiscoveryRead({ kubeConfig, timeoutMs }),
      refreshMs: number('discovery-seconds', values['discovery-seconds'], 1) * 1000,
      log,
      signal: abort.signal,
    }),
    metrics,
  });
  log.info({ version: VERSION, namespace: values.namespace ?? '(all)', agentImage }, 'controller started');
  if (lost !== undefined) {
    void lost.then(() => {
      if (!abort.signal.aborted) {
        log.error('leadership lost: exiting so that a restart rejoins as a follower');
        process.exitCode = 80;
        abort.abort();
        // A deposed leader must be gone within a bound, whatever I/O is still in flight (as
        // client-go's leader election exits on OnStoppedLeading): the stop below drains what it
        // can; what is still open after the grace is logged for diagnosis and the process ends.
        setTimeout(() => {
          log.warn({ open: process.getActiveResourcesInfo() }, 'still open after leadership was lost: exiting now');
          process.exit(80);
        }, LOST_LEADERSHIP_GRACE_MS).unref();
      }
    });
  }
  await controller.done;
  await metricsServer?.close();
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

// Metrics are for watching: a port taken (two controllers on one host) is logged, and the
// controller reconciles all the same.
async function serveMetrics(raw: string, env: NodeJS.ProcessEnv, registry: Registry, log: Log): Promise<MetricsServer | undefined> {
  const address = parseBindAddress(raw, env.POD_IP ?? '0.0.0.0');
  if (address === undefined) return undefined;
  try {
    const server = await startMetricsServer({ address, registry });
    log.info({ url: `${server.url}/metrics` }, 'serving metrics');
    return server;
  } catch (error) {
    log.error({ address: `${address.host}:${String(address.port)}`, err: describeError(error) }, 'cannot serve metrics: free the port or set --metrics-bind-address; reconciling without /metrics');
    return undefined;
  }
}

if (process.argv[1] !== undefined && /starrocks-controller(\.mjs)?$|controller[/\\]main\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`starrocks-controller: ${describeError(error)}\n`);
      process.exitCode = exitCodeOf(error);
    },
  );
}
