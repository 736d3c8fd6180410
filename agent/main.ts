/**
 * `starrocks-agent`: the command line of the in-pod agent. One binary, one subcommand per role:
 * `init` (init container), `run` (PID 1 of the main container), `prestop` (preStop hook),
 * `install` (copies the single executable into a folder shared with a stock image's containers).
 * Anything that goes wrong before the agent can act ends it with one line and a distinct exit
 * code (see contract/errors.ts).
 */
import { loadConfig, parsePrestopArgs, parseRunArgs } from './config.ts';
import { AGENT_COMMANDS } from './contract/index.ts';
import { AgentError, describeError, exitCodeOf } from './contract/errors.ts';
import { VERSION } from './contract/version.ts';

const USAGE = `usage: starrocks-agent <command>

commands:
  init       init container: wait for DNS, decide the start plan, register with the FE leader
  run [-- COMMAND [ARG...]]
             main container (PID 1): start StarRocks (or COMMAND in place of start_*.sh, with
             the start arguments appended), relay signals, serve probes and metrics
  prestop [--timeout-seconds N -- COMMAND [ARG...]]
             preStop hook: run COMMAND first (killed after N s), then a graceful stop on
             restart, safe deregistration on scale-in
  config     print the configuration parsed from env (secrets hidden) and exit
  install --to DIR
             copy this executable into DIR (skipped when the same version is there), for
             containers of an image without the agent
  --version  print the version and exit
  --help     print this help and exit

Configuration comes from env; see README.md for the variables.`;

/** Runs one command; resolves to the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command] = argv;
  switch (command) {
    case '--version':
    case 'version':
      process.stdout.write(`starrocks-agent ${VERSION}\n`);
      return 0;
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    // Commands load their modules on demand: `--version` and a bad env answer without evaluating
    // any npm package, and `init` reaches its first DNS query without mysql2 or prom-client
    // (test/agent/load-graph.test.ts).
    case AGENT_COMMANDS.init: {
      const { createContext } = await import('./commands/context.ts');
      const { initCommand } = await import('./commands/init.ts');
      const ctx = await createContext({ config: loadConfig(env), env, command: AGENT_COMMANDS.init });
      await initCommand(ctx);
      return 0;
    }
    case AGENT_COMMANDS.run: {
      // Before anything loads: a SIGTERM while `run` starts must not kill Node with 143.
      const { captureEarlySignals } = await import('./process/early-signals.ts');
      const early = captureEarlySignals();
      const { command: supervised } = parseRunArgs(argv.slice(1));
      const { createContext } = await import('./commands/context.ts');
      const { createMetrics } = await import('./http/metrics.ts');
      const { runCommand } = await import('./commands/run.ts');
      // The metrics exist before the context, so its SQL clients count their statements.
      const ctx = await createContext({ config: loadConfig(env), env, metrics: createMetrics(), command: AGENT_COMMANDS.run });
      return runCommand(ctx, { early, command: supervised });
    }
    case AGENT_COMMANDS.prestop: {
      const prestopArgs = parsePrestopArgs(argv.slice(1));
      const { createContext } = await import('./commands/context.ts');
      const { prestopCommand } = await import('./commands/prestop.ts');
      const ctx = await createContext({ config: loadConfig(env), env, command: AGENT_COMMANDS.prestop });
      await prestopCommand(ctx, prestopArgs);
      return 0;
    }
    case AGENT_COMMANDS.install: {
      const { installCommand } = await import('./commands/install.ts');
      return installCommand(argv.slice(1), VERSION);
    }
    case 'config': {
      const config = loadConfig(env);
      const shown = { ...config, mysqlPassword: config.mysqlPassword === '' ? '' : '[REDACTED]' };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    default:
      throw new AgentError('ERR_USAGE', `unknown command "${command ?? ''}": run starrocks-agent --help`);
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`starrocks-agent: ${describeError(error)}\n`);
    process.exitCode = exitCodeOf(error);
  },
);
