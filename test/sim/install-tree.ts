/**
 * A fake StarRocks install tree: `fe/`, `be/` and `cn/` homes with `bin/start_*.sh`,
 * `bin/stop_*.sh` and `conf/*.conf`, as in the official images. The start scripts exec Node 24 on
 * the simulated process (so signals reach it); the stop scripts follow the official ones: pid
 * file, `-g` graceful signal, 1 s polls, `--timeout N` then kill -9 (official-k8s-scripts.md §3.3, §5, §7).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Component } from '../../agent/contract/index.ts';
import { PORTS } from '../../agent/contract/index.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Entry files of the simulated processes. */
const ENTRIES = {
  fe: join(HERE, 'node', 'fe-main.ts'),
  backend: join(HERE, 'node', 'backend-main.ts'),
} as const;

/** Options of {@link createInstallTree}. */
export interface InstallTreeOptions {
  /** The StarRocks root to create (`<dir>/fe`, `<dir>/be`, `<dir>/cn`). */
  dir: string;
  /** Extra or overriding conf keys per component. */
  conf?: Partial<Record<Component, Record<string, string>>>;
  /** Node binary the start scripts exec; the running Node by default. */
  nodePath?: string;
}

const DEFAULT_CONF: Record<Component, Record<string, string>> = {
  fe: {
    http_port: String(PORTS.fe.http),
    rpc_port: String(PORTS.fe.rpc),
    query_port: String(PORTS.fe.query),
    edit_log_port: String(PORTS.fe.editLog),
    meta_dir: '${STARROCKS_HOME}/meta',
    sys_log_level: 'INFO',
  },
  be: {
    be_port: String(PORTS.be.be),
    be_http_port: String(PORTS.be.http),
    heartbeat_service_port: String(PORTS.be.heartbeat),
    brpc_port: String(PORTS.be.brpc),
    storage_root_path: '${STARROCKS_HOME}/storage',
  },
  cn: {
    thrift_port: String(PORTS.cn.be),
    be_http_port: String(PORTS.cn.http),
    heartbeat_service_port: String(PORTS.cn.heartbeat),
    brpc_port: String(PORTS.cn.brpc),
    storage_root_path: '${STARROCKS_HOME}/storage',
  },
};

function confText(component: Component, extra: Record<string, string> | undefined): string {
  const merged = { ...DEFAULT_CONF[component], ...extra };
  return `# simulated StarRocks ${component}.conf\n${Object.entries(merged)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n')}\n`;
}

// Reads PID_DIR from the conf the way the official scripts export it, defaulting to bin/.
const PID_DIR_SNIPPET = `conf_dir=\${STARROCKS_CONF_DIR:-$STARROCKS_HOME/conf}
pid_dir=$(sed -n 's/^[[:space:]]*PID_DIR[[:space:]]*=[[:space:]]*//p' "$conf_dir/$conf_file" 2>/dev/null | tail -n 1)
pid_dir=\${pid_dir//\\$\\{STARROCKS_HOME\\}/$STARROCKS_HOME}
pid_dir=\${pid_dir:-$STARROCKS_HOME/bin}`;

function startScript(options: { nodePath: string; entry: string; confFile: string; out: string; extraArg: string; valueFlags: string[]; flags: string[] }): string {
  return `#!/usr/bin/env bash
# Simulated StarRocks start script (test/sim): same flags as the real one, then exec Node.
set -eu
export STARROCKS_HOME=$(cd "$(dirname "$0")/.." && pwd)
conf_file=${options.confFile}
daemon=0
logconsole=0
args=(${options.extraArg})
while [ $# -gt 0 ]; do
  case "$1" in
${options.valueFlags.length === 0 ? '' : `    ${options.valueFlags.join('|')}) [ $# -ge 2 ] || { echo "option $1 needs a value" >&2; exit 1; }; args+=("$1" "$2"); shift ;;
    ${options.valueFlags.map((f) => `${f}=*`).join('|')}) args+=("$1") ;;
`}    --daemon) daemon=1 ;;
    --logconsole) logconsole=1; args+=(--logconsole) ;;
    ${options.flags.join('|')}) ;;
    *) echo "unknown option: $1" >&2; exit 1 ;;
  esac
  shift
done
log_dir=$STARROCKS_HOME/log
mkdir -p "$log_dir"
if [ "$daemon" = 1 ]; then
  nohup "${options.nodePath}" "${options.entry}" "\${args[@]}" >>"$log_dir/${options.out}" 2>&1 </dev/null &
  exit 0
fi
if [ "$logconsole" = 1 ]; then
  exec "${options.nodePath}" "${options.entry}" "\${args[@]}"
fi
exec "${options.nodePath}" "${options.entry}" "\${args[@]}" >>"$log_dir/${options.out}" 2>&1
`;
}

function stopScript(options: { confFile: string; pidFile: string; entry: string; graceful: string; default: string; what: string; extraCheck: string }): string {
  return `#!/usr/bin/env bash
# Simulated StarRocks stop script (test/sim), as the official one: -g sends SIG${options.graceful},
# the default is SIG${options.default}; poll every second; --timeout N then kill -9.
export STARROCKS_HOME=$(cd "$(dirname "$0")/.." && pwd)
conf_file=${options.confFile}
graceful=0
timeout=0
while [ $# -gt 0 ]; do
  case "$1" in
    -g|--graceful) graceful=1 ;;
    --timeout) timeout=$2; shift ;;
    --timeout=*) timeout=\${1#--timeout=} ;;
    *) echo "unknown option: $1" >&2; exit 1 ;;
  esac
  shift
done
${PID_DIR_SNIPPET}
pidfile=$pid_dir/${options.pidFile}
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
if ! tr '\\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "${options.entry}${options.extraCheck}"; then
  echo "ERROR: pid process may not be ${options.what}."
  exit 1
fi
sig=${options.default}
[ "$graceful" = 1 ] && sig=${options.graceful}
if ! kill -s "$sig" "$pid"; then
  rm -f "$pidfile"
  exit 1
fi
start=$SECONDS
while kill -0 "$pid" 2>/dev/null && [ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" != Z ]; do
  if [ "$timeout" -gt 0 ] && [ $((SECONDS - start)) -ge "$timeout" ]; then
    kill -9 "$pid"
    echo "graceful exit timeout, forced termination of the process"
    break
  fi
  sleep 1
done
rm -f "$pidfile"
`;
}

function write(path: string, text: string, executable = false): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (executable) chmodSync(path, 0o755);
}

/** Write the tree; returns its root. */
export function createInstallTree(options: InstallTreeOptions): { root: string } {
  const root = options.dir;
  const nodePath = options.nodePath ?? process.execPath;
  const fe = join(root, 'fe');
  write(join(fe, 'conf', 'fe.conf'), confText('fe', options.conf?.fe));
  write(
    join(fe, 'bin', 'start_fe.sh'),
    startScript({ nodePath, entry: ENTRIES.fe, confFile: 'fe.conf', out: 'fe.out', extraArg: '', valueFlags: ['--helper', '--host_type', '--cluster_snapshot', '--failpoint'], flags: ['--debug'] }),
    true,
  );
  write(join(fe, 'bin', 'stop_fe.sh'), stopScript({ confFile: 'fe.conf', pidFile: 'fe.pid', entry: ENTRIES.fe, graceful: 'USR1', default: 'TERM', what: 'FE', extraCheck: '' }), true);
  for (const component of ['be', 'cn'] as const) {
    const home = join(root, component);
    write(join(home, 'conf', `${component}.conf`), confText(component, options.conf?.[component]));
    write(
      join(home, 'bin', `start_${component}.sh`),
      startScript({ nodePath, entry: ENTRIES.backend, confFile: `${component}.conf`, out: `${component}.out`, extraArg: component === 'cn' ? '--cn' : '--be', valueFlags: [], flags: ['--debug'] }),
      true,
    );
    write(
      join(home, 'bin', `stop_${component}.sh`),
      stopScript({ confFile: `${component}.conf`, pidFile: `${component}.pid`, entry: ENTRIES.backend, graceful: 'TERM', default: 'KILL', what: component.toUpperCase(), extraCheck: ` --${component}` }),
      true,
    );
  }
  return { root };
}
