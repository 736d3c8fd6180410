/**
 * The decisions of the official StarRocks container scripts (fe_entrypoint.sh, be_entrypoint.sh,
 * cn_entrypoint.sh; /work/shared/reference/official-k8s-scripts.md §2, §4, §6), as pure
 * functions over the text the scripts' tools print. They reproduce the scripts' weaknesses on
 * purpose: this is a model of the other product, the baseline the chaos suite compares us with.
 * Nothing here may be "fixed".
 *
 * @example
 * ```ts
 * leaderOf('fe-0.x_9010_1\tfe-0.x\t9010\t8030\t9030\t9020\tLEADER\t...'); // 'fe-0.x'
 * grepWord('sr-be-0.sr-be-search', 'sr-be-0.sr-be-search'); // true
 * ```
 */

/** The scripts' fixed budgets and polling (W9): official values, in milliseconds. */
export const BUDGETS = {
  /** `PROBE_INTERVAL`: the sleep between two attempts of every loop. */
  probeIntervalMs: 2_000,
  /** `PROBE_LEADER_POD0_TIMEOUT`: pod 0 waits this long while it has seen no member (W2). */
  pod0NoMemberMs: 30_000,
  /** `PROBE_LEADER_PODX_TIMEOUT`: every other pod, and pod 0 once it has seen a member. */
  podXMs: 120_000,
  /** The hard-coded 30 s of the FE's ADD FOLLOWER loop. */
  addFollowerMs: 30_000,
  /** BE/CN `PROBE_TIMEOUT` of add_self. */
  addSelfMs: 60_000,
  /** `mysql --connect-timeout 2` */
  connectTimeoutMs: 2_000,
  /** `timeout 15 mysql ...` around SHOW FRONTENDS and the BE/CN statements (not ADD FOLLOWER, W4). */
  statementWrapperMs: 15_000,
  /** `nc -z -w 2` */
  ncTimeoutMs: 2_000,
  /** cn_entrypoint.sh keeps the container alive this long after CN exits 0 or 137. */
  cnExitSleepMs: 5_000,
} as const;

/**
 * W6: fe_entrypoint.sh reads `edit_log_port` into a variable it never uses, so the helper and ADD
 * FOLLOWER always use 9010, whatever fe.conf says.
 */
export const SCRIPT_EDIT_LOG_PORT = 9010;

/**
 * A conf value as the scripts' grep and sed give it (W7): no `${VAR}`
 * expansion, no quote or comment stripping, and a duplicated key gives a multi-line value. Empty
 * when the key is absent.
 */
export function scriptConfValue(text: string, key: string): string {
  const found: string[] = [];
  const pattern = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=\\s*(.*?)\\s*$`);
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (match !== null) found.push(match[1] ?? '');
  }
  return found.join('\n');
}

/** A port from a script conf value: the default when empty; NaN (a failing command) when it is not a number. */
export function scriptPort(value: string, fallback: number): number {
  if (value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

/** `POD_INDEX`: the last `-`-separated token of the first DNS label of the FQDN. */
export function podIndexOf(fqdn: string): string {
  const label = fqdn.split('.')[0] ?? '';
  const parts = label.split('-');
  return parts[parts.length - 1] ?? '';
}

/**
 * `grep -w WORD`: WORD is a basic regular expression (so `.` matches any character), matched
 * where it is neither preceded nor followed by a word character.
 */
export function grepWord(text: string, word: string): boolean {
  if (word === '') return false;
  const body = word.replace(/[*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<![A-Za-z0-9_])${body}(?![A-Za-z0-9_])`);
  return text.split('\n').some((line) => pattern.test(line));
}

/** `awk '{print $N}'` on one line: whitespace-separated field N (1-based), empty when absent. */
export function awkField(line: string, n: number): string {
  return line.trim().split(/\s+/)[n - 1] ?? '';
}

/**
 * `show_frontends | grep -w LEADER | awk '{print $2}'` (W3, W5): field 2 of every row holding the
 * word LEADER, one per line, whatever its `Alive` or `Join` say. Field 2 is the `IP` column in the
 * releases the script was written for and `Name` once an `Id` column comes first (3.5+).
 */
export function leaderOf(showFrontends: string): string {
  return showFrontends
    .split('\n')
    .filter((line) => grepWord(line, 'LEADER'))
    .map((line) => awkField(line, 2))
    .join('\n');
}

/** Where one turn of a leader probe loop leaves the script. */
export type ProbeVerdict = 'retry' | 'abort' | 'bootstrap';

/**
 * The timeout check of `probe_leader_for_pod0` / `probe_leader_for_podX` after a turn that found
 * no leader. Pod 0 gives up after 30 s when it never saw a member, and then bootstraps a new
 * cluster (W2); with a member seen, or on any other pod, it aborts (exit 1) after 120 s.
 */
export function probeVerdict(input: { pod0: boolean; elapsedMs: number; hasMember: boolean }): ProbeVerdict {
  if (input.pod0) {
    const budget = input.hasMember ? BUDGETS.podXMs : BUDGETS.pod0NoMemberMs;
    if (input.elapsedMs < budget) return 'retry';
    return input.hasMember ? 'abort' : 'bootstrap';
  }
  return input.elapsedMs < BUDGETS.podXMs ? 'retry' : 'abort';
}

/**
 * What `mysql --batch --skip-column-names` prints for a result: one line per row, tab between
 * values, NULL for null, and tab, newline and backslash escaped inside values.
 */
export function batchText(rows: readonly (readonly (string | null)[])[]): string {
  const cell = (value: string | null): string => (value === null ? 'NULL' : value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));
  return rows.map((row) => row.map(cell).join('\t')).join('\n');
}

/** BE or CN: the node kinds be_entrypoint.sh and cn_entrypoint.sh register. */
export type BackendKind = 'be' | 'cn';

/**
 * The statements one add_self turn sends, in order: `ALTER SYSTEM ADD BACKEND|COMPUTE NODE`
 * (with a warehouse: `CREATE WAREHOUSE IF NOT EXISTS` first, and the node `INTO WAREHOUSE`), the
 * warehouse name unquoted as the script puts it.
 */
export function addSelfStatements(input: { kind: BackendKind; self: string; heartbeatPort: number; warehouse?: string | undefined }): string[] {
  const target = `"${input.self}:${input.heartbeatPort}"`;
  if (input.kind === 'be') return [`ALTER SYSTEM ADD BACKEND ${target};`];
  if (input.warehouse === undefined || input.warehouse === '') return [`ALTER SYSTEM ADD COMPUTE NODE ${target};`];
  return [`CREATE WAREHOUSE IF NOT EXISTS ${input.warehouse};`, `ALTER SYSTEM ADD COMPUTE NODE ${target} INTO WAREHOUSE ${input.warehouse};`];
}

/** The statement add_self reads back to check itself with `grep -w`. */
export function showSelfStatement(kind: BackendKind): string {
  return kind === 'be' ? 'SHOW BACKENDS;' : 'SHOW COMPUTE NODES;';
}

/**
 * How cn_entrypoint.sh ends once `start_cn.sh` returned: a SIGTERM seen meanwhile runs its trap
 * (exit 143; bash runs a trap only after the foreground child returns); otherwise exit 0 and 137
 * first sleep 5 s (so the preStop hook can finish), then every code is passed on.
 */
export function cnExit(input: { code: number; sigterm: boolean }): { sleepMs: number; code: number } {
  if (input.sigterm) return { sleepMs: 0, code: 143 };
  return { sleepMs: input.code === 0 || input.code === 137 ? BUDGETS.cnExitSleepMs : 0, code: input.code };
}

/** A Kubernetes HTTP probe's verdict on a status code: 200-399 pass. */
export function probePasses(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 400;
}

/** The exit code a shell reports for a child ended by a signal (128 + number) or by itself. */
export function shellExitCode(code: number | null, signal: string | null, signalNumbers: Readonly<Record<string, number>>): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : signalNumbers[signal];
  return number === undefined ? 1 : 128 + number;
}
