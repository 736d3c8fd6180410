/**
 * The nginx image's `nginx` in this world: this machine's nginx (Debian's), run in the foreground
 * on the pod's mounted `/etc/nginx/nginx.conf` as `worldNginxConf` adapts it, in a directory of
 * its own; as root, it runs as `nobody` (the real image runs as uid 101, never root). Signals go to
 * nginx; its exit code is the container's.
 *
 * Usage (as the image table runs it): node nginx-container.ts [nginx args...]
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../../../agent/contract/index.ts';
import { SIM_ENV } from '../../sim/node/node-env.ts';
import { worldNginxConf } from './nginx-conf.ts';
import { toHostPath } from './path-map.ts';
import type { PathMapping } from './path-map.ts';

const NOBODY = 65534;

function main(): void {
  const mappings = JSON.parse(process.env[SIM_ENV.pathMap] ?? '[]') as PathMapping[];
  const confPath = toHostPath('/etc/nginx/nginx.conf', mappings);
  const podIP = process.env[ENV.POD_IP] ?? '';
  const dns = process.env[ENV.DNS_SERVER] ?? '';
  if (podIP === '' || dns === '') throw new Error(`nginx-container: ${ENV.POD_IP} and ${ENV.DNS_SERVER} must be set`);
  // Under the shared /tmp, not the pod's directory: nobody must be able to reach it.
  const runDir = mkdtempSync(join(tmpdir(), 'world-nginx-'));
  chmodSync(runDir, 0o755);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(runDir, NOBODY, NOBODY);
  const conf = join(runDir, 'nginx.conf');
  writeFileSync(conf, worldNginxConf(readFileSync(confPath, 'utf8'), { podIP, dns, runDir }));
  // `-g daemon off;` is what the image's CMD passes; the world keeps nginx in the foreground anyway.
  // Debian keeps nginx in /usr/sbin, which a user's PATH may lack.
  const child = spawn(existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx', ['-p', runDir, '-c', conf, '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: 'inherit',
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) process.on(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => {
    rmSync(runDir, { recursive: true, force: true });
    process.exit(code ?? (signal === null ? 1 : 128 + 15));
  });
}

main();
