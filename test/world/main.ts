/**
 * `npm run world`: starts the Kubernetes world and keeps it up until SIGINT or SIGTERM. Prints
 * `KUBECONFIG=<path>` and `CLUSTER_DNS=<ip>:<port>`, each on its own line, then how to use
 * kubectl with it.
 */
import { startWorld } from './world.ts';

async function run(): Promise<void> {
  const started = Date.now();
  const world = await startWorld({ log: (line) => process.stderr.write(`world: ${line}\n`) });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`world: ${signal}, stopping\n`);
    world.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`world: stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const dns = `${world.dns.host}:${world.dns.port}`;
  process.stdout.write(
    [
      `KUBECONFIG=${world.kubeconfigPath}`,
      `CLUSTER_DNS=${dns}`,
      '',
      `The world is up (${((Date.now() - started) / 1000).toFixed(1)} s): node ${world.nodes.join(', ')}, pods on ${world.plan.prefix}.0/24, logs in ${world.controlPlane.logDir}.`,
      'Use it from another shell:',
      `  export KUBECONFIG=${world.kubeconfigPath}`,
      '  kubectl get nodes',
      '  kubectl version',
      '  kubectl apply -k deploy/        # the CRD and the controller, run from its image as in production',
      `  dig @${world.dns.host} -p ${world.dns.port} kubernetes.default.svc.cluster.local`,
      'Pods run as local processes; their logs are under the world folder, pods/<uid>/logs/.',
      'Press Ctrl-C (SIGINT) or send SIGTERM to stop everything.',
      '',
    ].join('\n'),
  );
}

run().catch((error: unknown) => {
  process.stderr.write(`world: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
