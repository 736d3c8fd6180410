/**
 * The view model of `npm start`, pure: one row per pod (its status as kubectl shows it, the phase
 * its agent recorded, and how the FE leader lists it), whether the cluster is Ready, the live
 * table, the plain lines for a non-TTY, and the summary printed once Ready.
 */
import { ANNOTATIONS, CONTAINERS, CRD, LABELS, PORTS, isComponent } from '../../../agent/contract/index.ts';
import type { Component } from '../../../agent/contract/index.ts';
import type { FrontendRow } from '../../../agent/membership/frontends.ts';
import type { NodeRow } from '../../../agent/membership/nodes.ts';

/** The facts of one pod the view shows. */
export interface PodFacts {
  name: string;
  uid: string;
  component: Component;
  ip: string | undefined;
  /** As `kubectl get pods` shows it: `Pending`, `Init:0/2`, `Init:ErrImagePull`, `Running`, `Terminating`... */
  status: string;
  ready: boolean;
  terminating: boolean;
  /** `starrocks.com/agent-phase`: init, waiting, registering, starting, running, draining... */
  agentPhase: string | undefined;
  /** `starrocks.com/agent-last-error`. */
  lastError: string | undefined;
  restarts: number;
}

/** The FE leader's membership tables. */
export interface MembersView {
  frontends: readonly FrontendRow[];
  backends: readonly NodeRow[];
  computeNodes: readonly NodeRow[];
}

/** Everything one refresh observed. */
export interface Snapshot {
  /** The components the manifest declares. */
  components: readonly Component[];
  /** `spec.replicas` of each component's StatefulSet, once the controller created it. */
  desired: Partial<Record<Component, number>>;
  pods: readonly PodFacts[];
  /** The leader's view, or undefined with the reason in `membersError`. */
  members: MembersView | undefined;
  membersError: string | undefined;
  /** `status.phase` of the StarRocksCluster. */
  crPhase: string | undefined;
}

/** One line of the live table. */
export interface Row {
  pod: string;
  address: string;
  status: string;
  ready: boolean;
  agent: string;
  /** `LEADER alive`, `FOLLOWER dead`, `alive`, `decommissioning`, or `-` when not listed. */
  member: string;
}

interface RawPod {
  metadata?: { name?: unknown; uid?: unknown; deletionTimestamp?: unknown; labels?: Record<string, unknown>; annotations?: Record<string, unknown> };
  status?: {
    phase?: unknown;
    podIP?: unknown;
    conditions?: { type?: unknown; status?: unknown }[];
    initContainerStatuses?: RawContainerStatus[];
    containerStatuses?: RawContainerStatus[];
  };
  spec?: { initContainers?: unknown[] };
}

interface RawContainerStatus {
  ready?: unknown;
  restartCount?: unknown;
  state?: { waiting?: { reason?: unknown }; terminated?: { reason?: unknown; exitCode?: unknown }; running?: unknown };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The facts of a pod from the API server's JSON; undefined for a pod of no StarRocks component. */
export function podFacts(raw: unknown): PodFacts | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const pod = raw as RawPod;
  const name = str(pod.metadata?.name);
  const component = str(pod.metadata?.labels?.[LABELS.component]);
  if (name === undefined || component === undefined || !isComponent(component)) return undefined;
  const annotations = pod.metadata?.annotations ?? {};
  const terminating = pod.metadata?.deletionTimestamp !== undefined;
  const containers = pod.status?.containerStatuses ?? [];
  return {
    name,
    uid: str(pod.metadata?.uid) ?? '',
    component,
    ip: str(pod.status?.podIP),
    status: terminating ? 'Terminating' : podStatus(pod),
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    terminating,
    agentPhase: str(annotations[ANNOTATIONS.phase]),
    lastError: str(annotations[ANNOTATIONS.lastError]),
    restarts: containers.reduce((sum, c) => sum + (typeof c.restartCount === 'number' ? c.restartCount : 0), 0),
  };
}

// kubectl's STATUS column (pkg/printers/internalversion/printers.go printPod), in short.
function podStatus(pod: RawPod): string {
  const inits = pod.status?.initContainerStatuses ?? [];
  const total = pod.spec?.initContainers?.length ?? inits.length;
  for (const [i, c] of inits.entries()) {
    const terminated = c.state?.terminated;
    if (terminated !== undefined && terminated.exitCode === 0) continue;
    const reason = str(c.state?.waiting?.reason) ?? str(terminated?.reason);
    if (reason !== undefined && reason !== 'PodInitializing') return `Init:${reason}`;
    return `Init:${i}/${total}`;
  }
  for (const c of pod.status?.containerStatuses ?? []) {
    const reason = str(c.state?.waiting?.reason) ?? str(c.state?.terminated?.reason);
    if (reason !== undefined) return reason;
  }
  return str(pod.status?.phase) ?? 'Pending';
}

const ORDER: Record<Component, number> = { fe: 0, be: 1, cn: 2 };

/** Pods in fe, be, cn order, then by ordinal. */
export function sortPods<T extends { name: string; component: Component }>(pods: readonly T[]): T[] {
  return [...pods].sort((a, b) => ORDER[a.component] - ORDER[b.component] || a.name.localeCompare(b.name, 'en', { numeric: true }));
}

// A member is its pod's when registered by the pod's FQDN (`<pod>.<service>...`) or address.
const isPods = (host: string, pod: PodFacts): boolean => host.startsWith(`${pod.name}.`) || (pod.ip !== undefined && host === pod.ip);

function memberOf(pod: PodFacts, members: MembersView | undefined): string {
  if (members === undefined) return '?';
  if (pod.component === 'fe') {
    const row = members.frontends.find((f) => isPods(f.host, pod));
    return row === undefined ? '-' : `${row.role} ${row.alive ? 'alive' : 'dead'}`;
  }
  const row = (pod.component === 'be' ? members.backends : members.computeNodes).find((n) => isPods(n.host, pod));
  if (row === undefined) return '-';
  return row.systemDecommissioned ? 'decommissioning' : row.alive ? 'alive' : 'dead';
}

/** The FE pod the leader's view names as LEADER. */
export function leaderPod(snapshot: Snapshot): PodFacts | undefined {
  const leader = snapshot.members?.frontends.find((f) => f.role === 'LEADER');
  return leader === undefined ? undefined : snapshot.pods.find((p) => p.component === 'fe' && isPods(leader.host, p));
}

/** One row per pod. */
export function rows(snapshot: Snapshot): Row[] {
  return sortPods(snapshot.pods).map((p) => ({
    pod: p.name,
    address: p.ip ?? '-',
    status: p.restarts > 0 ? `${p.status} (${p.restarts} restarts)` : p.status,
    ready: p.ready,
    agent: p.agentPhase ?? '-',
    member: memberOf(p, snapshot.members),
  }));
}

/** Ready, with what proves it, or why not yet. */
export type Readiness = { ready: true; clusterId: number; counts: Record<Component, number> } | { ready: false; reason: string };

/**
 * Ready: every component's StatefulSet exists, exactly its replicas run Ready, the FE leader lists
 * exactly those pods, every one Alive (FEs joined), all FEs under one cluster id, and the
 * StarRocksCluster's status says `running`.
 */
export function readiness(snapshot: Snapshot): Readiness {
  const counts: Record<Component, number> = { fe: 0, be: 0, cn: 0 };
  for (const c of snapshot.components) {
    const desired = snapshot.desired[c];
    if (desired === undefined) return { ready: false, reason: `waiting for the controller to create the ${c.toUpperCase()} StatefulSet` };
    counts[c] = desired;
    const pods = snapshot.pods.filter((p) => p.component === c && !p.terminating);
    const notReady = pods.filter((p) => !p.ready).map((p) => p.name);
    if (pods.length !== desired) return { ready: false, reason: `${pods.length} of ${desired} ${c.toUpperCase()} pods exist` };
    if (notReady.length > 0) return { ready: false, reason: `waiting for ${notReady.join(', ')} to be Ready` };
  }
  const m = snapshot.members;
  if (m === undefined) return { ready: false, reason: `no FE answers as the leader${snapshot.membersError === undefined ? '' : ` (${snapshot.membersError})`}` };
  const live = snapshot.pods.filter((p) => !p.terminating);
  const check = (c: Component, hosts: readonly { host: string; alive: boolean }[]): string | undefined => {
    const wanted = live.filter((p) => p.component === c);
    const missing = wanted.filter((p) => !hosts.some((h) => isPods(h.host, p))).map((p) => p.name);
    if (missing.length > 0) return `the leader does not list ${missing.join(', ')} yet`;
    if (hosts.length !== counts[c]) return `the leader lists ${hosts.length} ${c.toUpperCase()}s, ${counts[c]} wanted`;
    const dead = hosts.filter((h) => !h.alive).map((h) => h.host.split('.')[0] ?? h.host);
    return dead.length > 0 ? `waiting for ${dead.join(', ')} to be Alive in the leader's view` : undefined;
  };
  const problem =
    check('fe', m.frontends.map((f) => ({ host: f.host, alive: f.alive && f.join }))) ?? check('be', m.backends) ?? check('cn', m.computeNodes);
  if (problem !== undefined) return { ready: false, reason: problem };
  const ids = [...new Set(m.frontends.map((f) => f.clusterId))];
  const clusterId = ids[0];
  if (ids.length !== 1 || clusterId === undefined) return { ready: false, reason: `the FEs report cluster ids ${ids.map(String).join(', ')}: expected one` };
  if (snapshot.crPhase !== 'running') return { ready: false, reason: `the ${CRD.kind} status phase is ${snapshot.crPhase ?? 'not set yet'}, waiting for running` };
  return { ready: true, clusterId, counts };
}

const COLUMNS = ['POD', 'ADDRESS', 'STATUS', 'READY', 'AGENT', 'IN FE LEADER VIEW'] as const;

const cells = (r: Row): string[] => [r.pod, r.address, r.status, r.ready ? 'yes' : 'no', r.agent, r.member];

/** The live table: a heading with the state of the cluster, then one aligned line per pod. */
export function renderTable(input: { cluster: string; elapsedMs: number; rows: readonly Row[]; state: string }): string {
  const table = [[...COLUMNS], ...input.rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length)));
  const lines = table.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
  return [`${input.cluster}, ${seconds(input.elapsedMs)} since kubectl apply: ${input.state}`, ...lines.map((l) => `  ${l}`)].join('\n');
}

/** Plain lines for a non-TTY: each row that is new or changed, and the state when it changed. */
export function changedLines(input: { before: readonly Row[]; after: readonly Row[]; stateBefore: string | undefined; state: string; elapsedMs: number }): string[] {
  const at = `[${seconds(input.elapsedMs).padStart(7)}]`;
  const lines: string[] = [];
  for (const row of input.after) {
    const old = input.before.find((r) => r.pod === row.pod);
    if (old === undefined || cells(old).join('\0') !== cells(row).join('\0')) {
      lines.push(`${at} ${row.pod} ${row.address} status=${row.status} ready=${row.ready ? 'yes' : 'no'} agent=${row.agent} member=${row.member}`);
    }
  }
  for (const old of input.before) if (!input.after.some((r) => r.pod === old.pod)) lines.push(`${at} ${old.pod} gone`);
  if (input.state !== input.stateBefore) lines.push(`${at} ${input.state}`);
  return lines;
}

/** `12.3 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What the summary needs to know. */
export interface SummaryInput {
  kubeconfig: string;
  namespace: string;
  name: string;
  counts: Record<Component, number>;
  clusterId: number;
  /** Apply to Ready. */
  elapsedMs: number;
  /** The FE the MySQL command goes to (the leader's pod address). */
  feAddress: string;
  /** `spec.agent.passwordSecret`, when the root user has a password. */
  passwordSecret: { name: string; key: string } | undefined;
  /** The world's folder: pods' logs are under pods/<uid>/logs/. */
  worldDir: string;
  /** The FE leader pod's uid, for its log file. */
  feUid: string;
  controlPlaneLogs: string;
  /** True when `npm start` stays up after printing (not --exit-when-ready). */
  staysUp: boolean;
}

const SCALE_KEY: Record<Component, string> = { fe: 'starRocksFeSpec', be: 'starRocksBeSpec', cn: 'starRocksCnSpec' };

/** The summary printed once Ready: every line after `$ ` runs as printed in a POSIX shell. */
export function summaryText(s: SummaryInput): string {
  const ns = s.namespace === 'default' ? '' : ` -n ${s.namespace}`;
  const present = (['fe', 'be', 'cn'] as const).filter((c) => s.counts[c] > 0);
  const shape = present.map((c) => `${s.counts[c]} ${c.toUpperCase()}`).join(', ');
  // Scale out by one BE (else CN, else FE): the common first step.
  const scaled = present.includes('be') ? 'be' : present.includes('cn') ? 'cn' : 'fe';
  const patch = JSON.stringify({ spec: { [SCALE_KEY[scaled]]: { replicas: s.counts[scaled] + 1 } } });
  const sql = (statement: string): string => `mariadb -h ${s.feAddress} -P ${PORTS.fe.query} -uroot -e '${statement}'`;
  // The password reaches the client through its own env variable, never the command line.
  const auth =
    s.passwordSecret === undefined
      ? ''
      : `MYSQL_PWD="$(kubectl${ns} get secret ${s.passwordSecret.name} -o jsonpath='{.data.${s.passwordSecret.key.replaceAll('.', '\\.')}}' | base64 -d)" `;
  const agentColumn = `AGENT:.metadata.annotations.${ANNOTATIONS.phase.replaceAll('.', '\\.')}`;
  return [
    `${CRD.kind} ${s.namespace}/${s.name} is Ready: ${shape}, every member Alive under cluster id ${s.clusterId}, ${seconds(s.elapsedMs)} from kubectl apply to Ready.`,
    '',
    'Try it (from another shell):',
    `  $ export KUBECONFIG=${s.kubeconfig}`,
    `  $ kubectl get src${ns}`,
    `  $ kubectl get pods${ns} -o wide`,
    `  $ ${auth}${sql('SHOW FRONTENDS')}`,
    `  $ ${auth}${sql('SHOW BACKENDS; SHOW COMPUTE NODES')}`,
    `Scale out and watch the agents register the new ${scaled.toUpperCase()} (the view here follows it too):`,
    `  $ kubectl patch src ${s.name}${ns} --type merge -p '${patch}'`,
    `  $ kubectl get pods${ns} -w -o custom-columns='NAME:.metadata.name,READY:.status.containerStatuses[0].ready,${agentColumn}'`,
    'Logs (pods run as local processes, each container logs to a file):',
    `  $ tail -n 20 ${s.worldDir}/pods/${s.feUid}/logs/${CONTAINERS.main('fe')}.log`,
    `  every pod: ${s.worldDir}/pods/<pod uid>/logs/<container>.log (kubectl get pods${ns} -o custom-columns=NAME:.metadata.name,UID:.metadata.uid)`,
    `  the control plane: ${s.controlPlaneLogs}`,
    ...(s.staysUp ? ['', 'Press Ctrl-C to stop the cluster and the world (nothing is left behind).'] : []),
    '',
  ].join('\n');
}
