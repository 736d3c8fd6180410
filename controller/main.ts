/**
 * `starrocks-controller`: turns StarRocksCluster resources into workloads wired to the agent.
 */
import { describeError, exitCodeOf } from '../agent/errors.ts';
import { VERSION } from '../agent/version.ts';

/** Runs the controller command line; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command === '--version') {
    process.stdout.write(`starrocks-controller ${VERSION}\n`);
    return 0;
  }
  process.stdout.write('usage: starrocks-controller --version\n');
  return command === '--help' ? 0 : 77;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`starrocks-controller: ${describeError(error)}\n`);
    process.exitCode = exitCodeOf(error);
  },
);
