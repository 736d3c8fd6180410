/**
 * Runs the `helm` that `node test/world/build.ts` builds from its Go module (test/world/binaries.ts),
 * with its config, cache and data folders in a temporary folder so that no test reads or writes
 * the user's Helm settings.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { locateHelm } from '../../world/binaries.ts';
import { REPO_ROOT } from '../../world/world.ts';

const exec = promisify(execFile);

/** The chart, relative to the repository root (as the README's commands name it). */
export const CHART_DIR = 'deploy/helm/starrocks-agent-operator';

/**
 * The README's "Install with Helm" commands, run as they are from a checkout holding my-values.yaml
 * (test/e2e/helm-world.test.ts; test/deploy/helm/chart.test.ts finds them in the README).
 */
export const HELM_COMMANDS = {
  install: ['install', 'starrocks', CHART_DIR, '--namespace', 'starrocks-system', '--create-namespace', '--values', 'my-values.yaml', '--wait', '--timeout', '5m'],
  upgrade: ['upgrade', 'starrocks', CHART_DIR, '--namespace', 'starrocks-system', '--reuse-values', '--set', 'starrocks.starrocksBeSpec.replicas=2', '--wait', '--timeout', '5m'],
  uninstall: ['uninstall', 'starrocks', '--namespace', 'starrocks-system', '--wait'],
} as const;

/** Output of one helm run. */
interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A helm with its own settings folder. */
export interface HelmCli {
  /** Runs `helm ...args` in `cwd` (the repository root by default); never throws on a non-zero exit. */
  run(args: readonly string[], options?: { cwd?: string; kubeconfig?: string; timeoutMs?: number }): Promise<HelmResult>;
  close(): void;
}

/** The cached helm, or an error saying how to build it. */
export function helmCli(): HelmCli {
  const binary = locateHelm();
  if (binary === undefined) throw new Error('helm is not built: run node test/world/build.ts (npm run setup builds it from helm.sh/helm/v3 into ~/.cache/starrocks-k8s-world)');
  const home = mkdtempSync(join(tmpdir(), 'helm-home-'));
  return {
    async run(args, options = {}) {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_DATA_HOME: join(home, 'data'),
        // No kubeconfig: helm must not reach any cluster but the one named.
        KUBECONFIG: options.kubeconfig ?? join(home, 'no-kubeconfig'),
      };
      try {
        const { stdout, stderr } = await exec(binary, [...args], { cwd: options.cwd ?? REPO_ROOT, env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
        return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
      }
    },
    close() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}
