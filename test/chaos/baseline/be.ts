/**
 * be_entrypoint.sh, cn_entrypoint.sh and their preStop as the official operator runs them today
 * (official-k8s-scripts.md §4-§7): on every start, whatever the storage holds, `ALTER SYSTEM ADD
 * BACKEND|COMPUTE NODE` through the load-balanced FE service with errors ignored, success judged
 * by `grep -w` on SHOW BACKENDS|COMPUTE NODES (a dead or decommissioned row counts), a 60 s
 * budget with 2 s polling, then start_be.sh|start_cn.sh as a child (no signal forwarding). The
 * preStop is a graceful stop only: no DECOMMISSION and no DROP, so a scale-in leaves a ghost row
 * and, for BE, loses the tablets it held alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../../agent/contract/backoff.ts';
import { PORTS } from '../../../agent/contract/index.ts';
import { mysql } from './mysql-cli.ts';
import type { PodNetwork } from './net.ts';
import type { PodEnv } from './pod-env.ts';
import { BUDGETS, addSelfStatements, cnExit, grepWord, scriptConfValue, scriptPort, showSelfStatement } from './script-logic.ts';
import type { BackendKind } from './script-logic.ts';
import { log, runForeground, updateConfFromConfigmap } from './shell.ts';

/** What the BE/CN entrypoint needs besides the pod's env. */
export interface BackendDeps {
  network: PodNetwork;
  password: string;
  /** Whether the container got a SIGTERM (cn_entrypoint.sh's trap); read once start_cn.sh returned. */
  sigterm: () => boolean;
}

/** Runs be_entrypoint.sh or cn_entrypoint.sh; resolves to the container's exit code. */
export async function backendEntrypoint(kind: BackendKind, pod: PodEnv, deps: BackendDeps): Promise<number> {
  const svc = pod.feService;
  if (svc === '') {
    log('Need a required parameter!');
    log(`Example: ${kind}_entrypoint.sh <fe_service_name>`);
    return 1;
  }
  const home = join(pod.root, kind);
  updateConfFromConfigmap(pod.configMapMountPath, join(home, 'conf'));
  const confPath = join(home, 'conf', `${kind}.conf`);
  const conf = existsSync(confPath) ? readFileSync(confPath, 'utf8') : '';
  const heartbeatPort = scriptPort(scriptConfValue(conf, 'heartbeat_service_port'), PORTS.be.heartbeat);
  // `MY_SELF`: the IP only when HOST_TYPE is exactly IP, `hostname -f` otherwise.
  const self = pod.hostType === 'IP' ? pod.podIp : pod.hostnameF;

  // add_self
  const started = Date.now();
  for (;;) {
    for (const sql of addSelfStatements({ kind, self, heartbeatPort, warehouse: kind === 'cn' ? pod.warehouse : undefined })) {
      const run = await mysql(deps.network, deps.password, { host: svc, port: pod.feQueryPort, sql, wrapperMs: BUDGETS.statementWrapperMs });
      if (run.stderr !== '') log(run.stderr);
    }
    const show = await mysql(deps.network, deps.password, { host: svc, port: pod.feQueryPort, sql: showSelfStatement(kind), wrapperMs: BUDGETS.statementWrapperMs });
    if (grepWord(show.stdout, self)) {
      log(`Add myself (${self}:${heartbeatPort}) successfully`);
      break;
    }
    if (Date.now() - started >= BUDGETS.addSelfMs) {
      log('Time out, abort!');
      return 1;
    }
    await sleep(BUDGETS.probeIntervalMs);
  }

  const args = pod.logConsole ? ['--logconsole'] : [];
  const code = await runForeground(join(home, 'bin', `start_${kind}.sh`), args);
  log(`${kind} exited with code ${code}`);
  if (kind === 'be') return code;
  const end = cnExit({ code, sigterm: deps.sigterm() });
  if (end.sleepMs > 0) await sleep(end.sleepMs);
  return end.code;
}

/** The preStop the operator renders: `be/bin/stop_be.sh -g` or `cn/bin/stop_cn.sh -g`, nothing else. */
export function backendPrestop(kind: BackendKind, pod: PodEnv): Promise<number> {
  return runForeground(join(pod.root, kind, 'bin', `stop_${kind}.sh`), ['-g']);
}
