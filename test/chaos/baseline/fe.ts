/**
 * fe_entrypoint.sh and the FE preStop the official operator runs today (official-k8s-scripts.md
 * §2.2, §3.2), step by step, weaknesses included: "first start" is "no ROLE file under the
 * meta_dir read naively from fe.conf" (W1, W7); the leader is whatever row says LEADER in SHOW
 * FRONTENDS read through the load-balanced FE service, field 2 (W3, W5); pod 0 that finds nobody
 * within 30 s bootstraps a new cluster (W2); ADD FOLLOWER goes to that leader with no statement
 * timeout and its errors ignored, success judged by `grep -w` through the service (W4); the edit
 * log port is always 9010 (W6); fixed budgets and 2 s polling (W9); no DNS wait (W10); followers
 * only (W11); start_fe.sh runs as a child, no signal is forwarded (W8).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../../agent/contract/backoff.ts';
import { PORTS } from '../../../agent/contract/index.ts';
import { mysql } from './mysql-cli.ts';
import { ncZero } from './net.ts';
import type { PodNetwork } from './net.ts';
import type { PodEnv } from './pod-env.ts';
import { BUDGETS, SCRIPT_EDIT_LOG_PORT, grepWord, leaderOf, podIndexOf, probeVerdict, scriptConfValue, scriptPort } from './script-logic.ts';
import { log, runForeground, updateConfFromConfigmap } from './shell.ts';

/** What the FE entrypoint needs besides the pod's env. */
export interface FeDeps {
  network: PodNetwork;
  password: string;
}

/** Runs fe_entrypoint.sh; resolves to the container's exit code. */
export async function feEntrypoint(pod: PodEnv, deps: FeDeps): Promise<number> {
  const svc = pod.feService;
  if (svc === '') {
    log('Need a required parameter!');
    log('Example: fe_entrypoint.sh <fe_service_name>');
    return 1;
  }
  const home = join(pod.root, 'fe');
  updateConfFromConfigmap(pod.configMapMountPath, join(home, 'conf'));
  const confPath = join(home, 'conf', 'fe.conf');
  const conf = existsSync(confPath) ? readFileSync(confPath, 'utf8') : '';
  // W7: `${STARROCKS_HOME}` in meta_dir is not expanded, so the ROLE test may miss existing meta.
  const metaDir = scriptConfValue(conf, 'meta_dir') || join(home, 'meta');
  const startFe = join(home, 'bin', 'start_fe.sh');
  const logConsole = pod.logConsole ? ['--logconsole'] : [];
  if (existsSync(join(metaDir, 'image', 'ROLE'))) {
    log('start fe with meta');
    return runForeground(startFe, ['--host_type', pod.hostType, ...logConsole]);
  }

  // collect_env_info
  const myself = pod.hostType === 'FQDN' ? pod.hostnameF : pod.podIp;
  const pod0 = podIndexOf(pod.hostnameF) === '0';
  const queryPort = scriptPort(scriptConfValue(conf, 'query_port'), PORTS.fe.query);
  const showFrontends = async (): Promise<string> => {
    const run = await mysql(deps.network, deps.password, { host: svc, port: queryPort, sql: 'show frontends;', wrapperMs: BUDGETS.statementWrapperMs });
    if (run.stderr !== '') log(run.stderr);
    return run.stdout;
  };

  // probe_leader
  let leader = '';
  let hasMember = false;
  const started = Date.now();
  for (;;) {
    if (await ncZero(deps.network, svc, queryPort, BUDGETS.ncTimeoutMs)) {
      const frontends = await showFrontends();
      leader = leaderOf(frontends);
      if (leader !== '') {
        log(`leader is ${leader}`);
        break;
      }
      if (frontends.trim() !== '') hasMember = true;
    } else {
      log(`service ${svc}:${queryPort} is not alive yet`);
    }
    const verdict = probeVerdict({ pod0, elapsedMs: Date.now() - started, hasMember });
    if (verdict === 'abort') {
      log('Timed out, abort!');
      return 1;
    }
    if (verdict === 'bootstrap') {
      log('Timed out, no members detected ever, assume myself is the first node .');
      break;
    }
    await sleep(BUDGETS.probeIntervalMs);
  }

  // start_fe_no_meta
  const opts = ['--host_type', pod.hostType];
  if (leader !== '') {
    opts.push('--helper', `${leader}:${SCRIPT_EDIT_LOG_PORT}`);
    const addStarted = Date.now();
    for (;;) {
      log(`Add myself (${myself}:${SCRIPT_EDIT_LOG_PORT}) into FE's group ...`);
      // W4: no `timeout` around it; an error ("already exists", no quorum) is ignored.
      const add = await mysql(deps.network, deps.password, { host: leader, port: queryPort, sql: `ALTER SYSTEM ADD FOLLOWER "${myself}:${SCRIPT_EDIT_LOG_PORT}";` });
      if (add.stderr !== '') log(add.stderr);
      if (grepWord(await showFrontends(), myself)) break;
      if (Date.now() - addStarted >= BUDGETS.addFollowerMs) {
        log('Timed out, abort!');
        return 1;
      }
      await sleep(BUDGETS.probeIntervalMs);
    }
  }
  opts.push(...logConsole);
  log(`start fe ${opts.join(' ')}`);
  return runForeground(startFe, opts);
}

/** The FE preStop the operator renders: `stop_fe.sh -g` (no timeout, no leadership handoff, no DROP). */
export function fePrestop(pod: PodEnv): Promise<number> {
  return runForeground(join(pod.root, 'fe', 'bin', 'stop_fe.sh'), ['-g']);
}
