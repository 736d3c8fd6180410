/**
 * What the official scripts get from bash: log lines on stderr, a child run in the foreground
 * without `exec` (W8: bash stays PID 1, the child's exit status becomes the script's), and
 * `update_conf_from_configmap` (W13: symlinks written into the image's conf folder).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ENV } from '../../../agent/contract/index.ts';
import { shellExitCode } from './script-logic.ts';

/** One log line, as the scripts' `log_stderr` prints it. */
export function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString()}] ${message}\n`);
}

/**
 * Runs `file args` in the foreground and resolves to its exit status as bash reports it. The
 * child's env is this process's without `MYSQL_PWD`: the official scripts pass it on to the JVM,
 * which this project's rules forbid (secrets never in a child's env).
 */
export function runForeground(file: string, args: readonly string[]): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[ENV.MYSQL_PWD];
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit', env });
    child.once('error', (error) => {
      log(`${file}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(shellExitCode(code, signal, constants.signals)));
  });
}

/**
 * bash as a container's PID 1 with no trap: the kernel drops SIGTERM and SIGINT it has no handler
 * for, so the runtime's stop signal does nothing until preStop stopped StarRocks or the grace
 * period ends in SIGKILL. `onTerm` stands in for a trap (cn_entrypoint.sh's).
 */
export function ignoreStopSignals(onTerm?: () => void): void {
  process.on('SIGTERM', () => {
    onTerm?.();
  });
  process.on('SIGINT', () => undefined);
}

/**
 * `update_conf_from_configmap`: every entry of the mount folder (no dotfiles) replaces the conf
 * file of the same name by a symlink, the original kept as `<name>.bak`.
 */
export function updateConfFromConfigmap(mountPath: string, confDir: string): void {
  if (mountPath === '' || !existsSync(mountPath) || !statSync(mountPath).isDirectory()) {
    log(`Empty $CONFIGMAP_MOUNT_PATH env var or not a directory, skip it!`);
    return;
  }
  for (const name of readdirSync(mountPath)) {
    if (name.startsWith('.')) continue;
    const target = join(confDir, name);
    if (existsSync(target)) renameSync(target, `${target}.bak`);
    rmSync(target, { force: true });
    symlinkSync(join(mountPath, name), target);
  }
}
