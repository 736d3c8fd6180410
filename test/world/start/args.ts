/**
 * `npm start` arguments: which StarRocksCluster to apply (the default example, `--cluster FILE`,
 * or none with `--no-cluster`), whether to exit once Ready, and the bound on waiting for it.
 */

/** The default cluster, relative to the repository: 3 FE / 3 BE / 1 CN on the stock images. */
export const DEFAULT_CLUSTER = 'deploy/examples/quickstart.yaml';

/** Ten minutes: a cold first start (controller bundle, world binaries cached) takes well under it. */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** What `npm start` was asked to do. */
export interface StartOptions {
  /** The manifest to apply (as given, relative to the caller's folder); undefined with `--no-cluster`. */
  cluster: string | undefined;
  exitWhenReady: boolean;
  timeoutMs: number;
  help: boolean;
}

/** The usage text printed by `--help` and after a bad argument. */
export const USAGE = `Usage: npm start [-- OPTIONS]

Runs a StarRocks cluster on the local Kubernetes world: starts the world, installs the product
(kubectl apply -k deploy/), applies a StarRocksCluster and shows it converge, then stays up until
Ctrl-C.

Options:
  --cluster FILE      apply this manifest instead of ${DEFAULT_CLUSTER}
  --no-cluster        apply no StarRocksCluster (the world and the controller only)
  --exit-when-ready   print the summary once Ready, stop everything and exit 0
  --timeout DURATION  give up when not Ready after DURATION (600, 90s, 10m; default 10m)
  --help              this text
`;

/** Parses a duration: plain seconds, or a number with `ms`, `s` or `m`. Undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = unit === 'ms' ? value : unit === 's' ? value * 1_000 : value * 60_000;
  return ms > 0 ? Math.round(ms) : undefined;
}

/** Parses argv (after `--`); an error names the argument and what is accepted. */
export function parseStartArgs(argv: readonly string[]): { ok: true; options: StartOptions } | { ok: false; error: string } {
  const options: StartOptions = { cluster: DEFAULT_CLUSTER, exitWhenReady: false, timeoutMs: DEFAULT_TIMEOUT_MS, help: false };
  let clusterGiven = false;
  let noCluster = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--cluster': {
        const file = value();
        if (file === undefined || file === '') return { ok: false, error: '--cluster needs a manifest file, for example --cluster deploy/examples/minimal.yaml' };
        options.cluster = file;
        clusterGiven = true;
        break;
      }
      case '--no-cluster':
        noCluster = true;
        break;
      case '--exit-when-ready':
        options.exitWhenReady = true;
        break;
      case '--timeout': {
        const text = value();
        const ms = text === undefined ? undefined : parseDuration(text);
        if (ms === undefined) return { ok: false, error: `--timeout needs a positive duration (600, 90s, 10m), got "${text ?? ''}"` };
        options.timeoutMs = ms;
        break;
      }
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        return { ok: false, error: `unknown argument "${arg}"` };
    }
  }
  if (noCluster && clusterGiven) return { ok: false, error: '--cluster and --no-cluster exclude each other: pick one' };
  if (noCluster) options.cluster = undefined;
  return { ok: true, options };
}
