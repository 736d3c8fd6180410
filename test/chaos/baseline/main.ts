/**
 * The baseline: a model of the official StarRocks operator's container scripts, run in the same
 * pods as our agent (the BASELINE world image maps the agent's path to this file), with the
 * agent's subcommands: `init` (the official stack has no init container: nothing), `run [SVC]`
 * (the component's entrypoint script, then StarRocks in the foreground, plus the probe endpoints)
 * and `prestop` (the stop script the operator's preStop runs). It imports nothing of the agent but
 * its contract: it is the other product.
 */
import type { Server } from 'node:http';
import { AGENT_COMMANDS, COMMAND_SEPARATOR } from '../../../agent/contract/index.ts';
import { backendEntrypoint, backendPrestop } from './be.ts';
import { feEntrypoint, fePrestop } from './fe.ts';
import { scriptPassword } from './mysql-cli.ts';
import { podNetwork } from './net.ts';
import { readPodEnv } from './pod-env.ts';
import { startProbeServer } from './probes.ts';
import { ignoreStopSignals, log } from './shell.ts';

/** Runs one subcommand; resolves to the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case AGENT_COMMANDS.init:
      return 0;
    case AGENT_COMMANDS.run: {
      let sigterm = false;
      // Installed first: bash is PID 1 and ignores SIGTERM (cn_entrypoint.sh's trap only notes it).
      ignoreStopSignals(() => {
        sigterm = true;
      });
      const args = rest.filter((a) => a !== COMMAND_SEPARATOR);
      const pod = readPodEnv(env, args[0]);
      const network = podNetwork({ dnsServer: pod.dnsServer, namespace: pod.namespace, domain: pod.domain });
      const password = scriptPassword(env);
      let server: Server | undefined;
      try {
        server = await startProbeServer(pod);
        if (pod.component === 'fe') return await feEntrypoint(pod, { network, password });
        return await backendEntrypoint(pod.component, pod, { network, password, sigterm: () => sigterm });
      } finally {
        server?.close();
      }
    }
    case AGENT_COMMANDS.prestop: {
      const pod = readPodEnv(env, undefined);
      return pod.component === 'fe' ? fePrestop(pod) : backendPrestop(pod.component, pod);
    }
    default:
      log(`usage: main.ts init | run [FE_SERVICE_NAME] | prestop (got "${command ?? ''}")`);
      return 2;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      log(`baseline: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
