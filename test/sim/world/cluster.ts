/**
 * One StarRocks cluster's metadata as its leader FE holds it: frontends, backends, compute
 * nodes, tablets, journal, epoch. In-memory and free of I/O: statements and heartbeat outcomes
 * come in as data, results go out as data (reference §1-4, §8, §10).
 */
import { formatBool, formatCapacity, formatCompactSize, formatPct1, formatPct2, formatTime, NULL_TEXT } from '../format.ts';
import { versionString } from '../profile.ts';
import type { Profile } from '../profile.ts';
import { analysisError, parsePort, splitHostPort } from '../sql/host-port.ts';
import type { ShowTarget, Statement } from '../sql/statement.ts';
import { Accounts, rootSession } from './accounts.ts';
import type { SessionInfo, SystemPrivilege } from './accounts.ts';

/** A statement's answer, as the MySQL layer sends it. */
export type SqlResult =
  | { kind: 'rows'; columns: string[]; rows: (string | null)[][] }
  /** `database` is the session's new current database after a USE. */
  | { kind: 'ok'; database?: string }
  | { kind: 'error'; code: number; state: string; message: string };

/** 1064/HY000, the code of every DDL and analysis error. */
export function sqlError(message: string): SqlResult {
  return { kind: 'error', code: 1064, state: 'HY000', message };
}

/**
 * A DdlException as the client sees it. 3.3's `StmtExecutor.handleDdlStmt` catches it as a
 * Throwable and sets `Unexpected exception: <msg>`; later versions pass the message through
 * (reference §4.5).
 */
function ddlError(profile: Profile, message: string): SqlResult {
  return sqlError(profile.name === '3.3' ? `Unexpected exception: ${message}` : message);
}

/** FE roles as stored. */
export type FeRole = 'FOLLOWER' | 'OBSERVER';

/** What the leader's heartbeat last learned about a node. */
interface HeartbeatState {
  alive: boolean;
  /** Consecutive failed heartbeats. */
  failures: number;
  lastHeartbeat: number;
  errMsg: string;
}

/** The ports and start time an FE reports about itself. */
export interface FeSelfInfo {
  queryPort: number;
  rpcPort: number;
  httpPort: number;
  startTime: number;
}

/** A frontend row. */
export interface FeMember {
  id: number;
  name: string;
  host: string;
  editLogPort: number;
  role: FeRole;
  /** In the replication group: started and joined at least once. */
  joined: boolean;
  addedAtJournal: number;
  droppedAtJournal: number | undefined;
  replayedJournalId: number;
  hb: HeartbeatState & { queryPort: number; rpcPort: number; startTime: number; version: string | undefined };
}

/** A backend or compute-node row. */
export interface NodeRow {
  id: number;
  kind: 'backend' | 'compute_node';
  host: string;
  heartbeatPort: number;
  bePort: number;
  httpPort: number;
  brpcPort: number;
  lastStartTime: number;
  hb: HeartbeatState;
  statusCode: 'CONNECTING' | 'OK' | 'SHUTDOWN' | 'DISCONNECTED';
  version: string | undefined;
  decommissioned: boolean;
  warehouse: string | undefined;
  /** Disk size the node reports once it has reported (`TotalCapacity`). */
  diskTotalBytes: number;
  /** The storage the node last reported; a new one holds none of the replicas. */
  storageId: string | undefined;
}

/** A tablet and the backend ids holding its replicas. */
export interface Tablet {
  id: number;
  db: string;
  table: string;
  replicationNum: number;
  replicas: number[];
}

/** What a BE/CN answered to a heartbeat, or why it could not. */
export type NodeHeartbeatOutcome =
  | { ok: true; bePort: number; httpPort: number; brpcPort: number; rebootTime: number; version: string; storageId?: string | undefined }
  | { ok: false; shutdown: boolean; message: string };

/** What an FE answered to `/api/bootstrap`, or why it could not. */
export type FeHeartbeatOutcome =
  | { ok: true; queryPort: number; rpcPort: number; replayedJournalId: number; feStartTime: number; feVersion: string }
  | { ok: false; message: string };

/** Context of one statement execution on the leader. */
export interface ExecContext {
  profile: Profile;
  /** The serving FE's http port (reference §1.2: every HttpPort cell shows it). */
  httpPort: number;
  /** The serving FE's host type: IP mode resolves hostnames at analysis time. */
  hostType: 'IP' | 'FQDN';
  /** Forward resolution through the world's DNS; undefined when the name does not resolve. */
  resolve: (host: string) => Promise<string | undefined>;
  now: number;
  /** Who runs the statement; root when absent (the simulator's own calls). */
  session?: SessionInfo;
}

/** Databases every cluster has (`SHOW DATABASES` on an empty 3.x cluster). */
const BUILTIN_DATABASES = ['_statistics_', 'information_schema', 'sys'] as const;

const ROOT_SESSION = rootSession('127.0.0.1');

// AuthorizerStmtVisitor: the system privileges a statement needs, any one of them. SHOW
// FRONTENDS/BACKENDS/COMPUTE NODES take OPERATE or NODE (cluster_admin may read membership);
// SHOW PROC takes OPERATE alone (visitShowProcStmt; only a tablet's detail path is exempt), so
// cluster_admin cannot read '/statistic'.
function requiredPrivileges(statement: Statement): SystemPrivilege[] {
  switch (statement.kind) {
    case 'show':
      return statement.proc === true ? ['OPERATE'] : ['OPERATE', 'NODE'];
    case 'frontend':
    case 'node':
      return ['NODE'];
    case 'admin-set-config':
      return ['OPERATE'];
    default:
      return [];
  }
}

/** Default bytes per simulated tablet replica, for the capacity columns and checks. */
const TABLET_BYTES = 64 * 1024 * 1024;
/** Default disk size of a backend. */
const DISK_BYTES = 1024 ** 4;
const MEM_LIMIT_BYTES = 6.207 * 1024 ** 3;

/** `StatisticProcDir.TITLE_NAMES`, in StarRocks' order. */
export const STATISTIC_COLUMNS = [
  'DbId', 'DbName', 'TableNum', 'PartitionNum', 'IndexNum', 'TabletNum', 'ReplicaNum', 'UnhealthyTabletNum',
  'InconsistentTabletNum', 'CloningTabletNum', 'ErrorStateTabletNum',
] as const;

function freshHb(): HeartbeatState {
  return { alive: false, failures: 0, lastHeartbeat: -1, errMsg: '' };
}

/** A cluster created by one FE started with empty meta and no helper. */
export class Cluster {
  readonly clusterId: number;
  readonly token: string;
  readonly frontends: FeMember[] = [];
  readonly nodes: NodeRow[] = [];
  readonly tablets: Tablet[] = [];
  leaderName: string | undefined;
  epoch = 0;
  journalId = 0;
  dropBackendAfterDecommission = true;
  /** Disk size given to backends added from now on. */
  backendDiskBytes = DISK_BYTES;
  /** Bytes one replica takes on its backend's disk. */
  tabletBytes = TABLET_BYTES;
  /** Database ids, assigned at the first table of each database. */
  readonly #dbIds = new Map<string, number>();
  /** Backends the decommission daemon dropped, with the tablets they held at that moment. */
  readonly autoDropped: { id: number; host: string; heartbeatPort: number; tabletsAtDrop: number }[] = [];
  #nextNodeId = 10001;
  #nextFeId = 1;
  #nextTabletId = 20001;

  /** Users, roles and grants (AuthenticationMgr/AuthorizationMgr), replicated like all meta. */
  readonly accounts: Accounts;
  /** Databases made by CREATE DATABASE (tables made through the test API add theirs too). */
  readonly #createdDatabases = new Set<string>();

  constructor(options: { clusterId: number; token: string; rootPassword?: string }) {
    this.clusterId = options.clusterId;
    this.token = options.token;
    this.accounts = new Accounts(options.rootPassword ?? '');
  }

  /** `SHOW DATABASES` of the internal catalog, sorted. */
  databases(): string[] {
    return [...new Set([...BUILTIN_DATABASES, ...this.#createdDatabases, ...this.tables().map((t) => t.db)])].sort();
  }

  /** Live (not dropped) frontends. */
  members(): FeMember[] {
    return this.frontends.filter((m) => m.droppedAtJournal === undefined);
  }

  /** Frontends as an FE that replayed up to `journalId` sees them (reference §5.4). */
  membersAt(journalId: number): FeMember[] {
    return this.frontends.filter(
      (m) => m.addedAtJournal <= journalId && (m.droppedAtJournal === undefined || m.droppedAtJournal > journalId),
    );
  }

  leader(): FeMember | undefined {
    return this.leaderName === undefined ? undefined : this.members().find((m) => m.name === this.leaderName);
  }

  /** Add the first FE (OP_ADD_FIRST_FRONTEND). */
  addFirstFrontend(host: string, editLogPort: number, now: number): FeMember {
    const member = this.#newMember(host, editLogPort, 'FOLLOWER', now);
    member.joined = true;
    return member;
  }

  #newMember(host: string, editLogPort: number, role: FeRole, now: number): FeMember {
    this.journalId++;
    const member: FeMember = {
      id: this.#nextFeId++,
      name: `${host}_${editLogPort}_${now}`,
      host,
      editLogPort,
      role,
      joined: false,
      addedAtJournal: this.journalId,
      droppedAtJournal: undefined,
      replayedJournalId: 0,
      hb: { ...freshHb(), queryPort: 0, rpcPort: 0, startTime: -1, version: undefined },
    };
    this.frontends.push(member);
    return member;
  }

  /** The leader stops leading; it had replayed everything it wrote. */
  stepDown(): void {
    const leader = this.leader();
    if (leader !== undefined) leader.replayedJournalId = this.journalId;
    this.leaderName = undefined;
    this.leaderSelf = undefined;
  }

  /** Make `name` the leader with a new epoch (BDB fencing). */
  elect(name: string): void {
    this.leaderName = name;
    this.epoch++;
    const member = this.members().find((m) => m.name === name);
    if (member !== undefined) member.replayedJournalId = this.journalId;
  }

  /** Electable voters: followers that joined the group. */
  voters(): FeMember[] {
    return this.members().filter((m) => m.role === 'FOLLOWER' && m.joined);
  }

  /**
   * BDB-JE's election, given which members can vote now: the leader steps down when it is not
   * live or live voters fall below a majority; without a leader, the live voter with the most
   * replayed journal (then the oldest) wins with a new epoch. Returns true when the leader changed.
   */
  electAmong(isLive: (member: FeMember) => boolean): boolean {
    const before = this.leaderName;
    const live = this.voters().filter(isLive);
    const leader = this.leader();
    if (leader !== undefined && (!live.includes(leader) || live.length < this.quorum())) this.stepDown();
    if (this.leaderName === undefined && live.length > 0 && live.length >= this.quorum()) {
      const next = [...live].sort((a, b) => b.replayedJournalId - a.replayedJournalId || a.id - b.id)[0] as FeMember;
      this.elect(next.name);
    }
    return this.leaderName !== before;
  }

  /** Votes needed for a leader. */
  quorum(): number {
    return Math.floor(this.voters().length / 2) + 1;
  }

  // ---- statements ----

  /** Run a membership statement on this cluster's leader. */
  async execute(statement: Statement, ctx: ExecContext): Promise<SqlResult> {
    const denied = this.accounts.deny(ctx.session ?? ROOT_SESSION, requiredPrivileges(statement));
    if (denied !== undefined) return denied;
    if (statement.kind === 'show') return this.show(statement.target, ctx);
    // SystemHandler is synchronized: one ALTER SYSTEM at a time, even across resolver waits.
    const run = this.#alterQueue.then(() => this.#executeAlter(statement, ctx));
    this.#alterQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #alterQueue: Promise<void> = Promise.resolve();

  async #executeAlter(statement: Statement, ctx: ExecContext): Promise<SqlResult> {
    switch (statement.kind) {
      case 'show':
        return this.show(statement.target, ctx);
      case 'frontend':
        return statement.op === 'add' ? this.#addFrontend(statement.role, statement.hostPort, ctx) : this.#dropFrontend(statement.role, statement.hostPort, ctx);
      case 'node':
        return this.#nodeStatement(statement, ctx);
      case 'admin-set-config':
        return this.#setConfig(statement.key, statement.value, ctx);
      case 'account': {
        const result = this.accounts.execute(statement, ctx.session ?? ROOT_SESSION);
        if (result.kind === 'ddl-error') return ddlError(ctx.profile, result.message);
        if (result.kind === 'ok') this.journalId++;
        return result;
      }
      case 'create-database':
        return this.#createDatabase(statement.name, statement.ifNotExists, ctx.session ?? ROOT_SESSION);
      default:
        return sqlError('unsupported statement on the leader');
    }
  }

  // CreateDbAnalyzer / LocalMetastore.createDb: CREATE DATABASE on the catalog is root's and
  // db_admin's; an existing name is ERR_DB_CREATE_EXISTS (1007).
  #createDatabase(name: string, ifNotExists: boolean, session: SessionInfo): SqlResult {
    if (!session.roles.includes('root') && !session.roles.includes('db_admin')) {
      return this.accounts.accessDenied(session, 'CREATE DATABASE', 'CATALOG default_catalog');
    }
    if (this.databases().includes(name)) {
      return ifNotExists ? { kind: 'ok' } : { kind: 'error', code: 1007, state: 'HY000', message: `Can't create database '${name}'; database exists` };
    }
    this.#createdDatabases.add(name);
    this.journalId++;
    return { kind: 'ok' };
  }

  /** Result of a SHOW statement. */
  show(target: ShowTarget, ctx: ExecContext): SqlResult {
    if (target === 'statistic') return this.#statistic();
    if (target === 'frontends') {
      return { kind: 'rows', columns: [...ctx.profile.frontendColumns], rows: this.members().map((m) => this.#frontendRow(m, ctx)) };
    }
    const kind = target === 'backends' ? 'backend' : 'compute_node';
    const rows = this.nodes
      .filter((n) => n.kind === kind)
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.bePort - b.bePort))
      .map((n) => (kind === 'backend' ? this.#backendRow(n, ctx) : this.#computeNodeRow(n, ctx)));
    return { kind: 'rows', columns: [...(kind === 'backend' ? ctx.profile.backendColumns : ctx.profile.computeNodeColumns)], rows };
  }

  /** The leader's own ports and start time; set when the leader's process is known. */
  leaderSelf: FeSelfInfo | undefined;

  #frontendRow(m: FeMember, ctx: ExecContext): string[] {
    const isLeader = m.name === this.leaderName;
    const self = isLeader ? this.leaderSelf : undefined;
    const values: Record<string, string> = {
      Id: String(m.id),
      Name: m.name,
      IP: m.host,
      EditLogPort: String(m.editLogPort),
      HttpPort: String(ctx.httpPort),
      QueryPort: String(self?.queryPort ?? m.hb.queryPort),
      RpcPort: String(self?.rpcPort ?? m.hb.rpcPort),
      Role: isLeader ? 'LEADER' : m.role,
      ClusterId: String(this.clusterId),
      Join: formatBool(m.joined),
      Alive: formatBool(isLeader || m.hb.alive),
      ReplayedJournalId: String(isLeader ? this.journalId : m.hb.alive || m.hb.lastHeartbeat > 0 ? m.replayedJournalId : 0),
      LastHeartbeat: isLeader ? formatTime(ctx.now) : formatTime(m.hb.lastHeartbeat),
      IsHelper: formatBool(m.role === 'FOLLOWER'),
      ErrMsg: isLeader ? '' : m.hb.errMsg,
      StartTime: isLeader ? formatTime(self?.startTime ?? ctx.now) : m.hb.alive ? formatTime(m.hb.startTime) : NULL_TEXT,
      Version: isLeader ? versionString(ctx.profile) : (m.hb.version ?? NULL_TEXT),
    };
    return ctx.profile.frontendColumns.map((c) => values[c] ?? '');
  }

  /** Tablets with a replica on the node. */
  tabletCount(nodeId: number): number {
    return this.tablets.filter((t) => t.replicas.includes(nodeId)).length;
  }

  /** `getDataUsedCapacityB`: what the node's replicas take, once it reported its disks. */
  dataUsedBytes(n: NodeRow): number {
    return n.lastStartTime > 0 ? this.tabletCount(n.id) * this.tabletBytes : 0;
  }

  /** `getAvailableCapacityB`: free disk, once the node reported its disks. */
  availableBytes(n: NodeRow): number {
    return n.lastStartTime > 0 ? Math.max(0, n.diskTotalBytes - this.dataUsedBytes(n)) : 0;
  }

  #commonNodeValues(n: NodeRow): Record<string, string> {
    const reported = n.lastStartTime > 0;
    return {
      IP: n.host,
      HeartbeatPort: String(n.heartbeatPort),
      BePort: String(n.bePort),
      HttpPort: String(n.httpPort),
      BrpcPort: String(n.brpcPort),
      LastStartTime: formatTime(n.lastStartTime),
      LastHeartbeat: formatTime(n.hb.lastHeartbeat),
      Alive: formatBool(n.hb.alive),
      SystemDecommissioned: formatBool(n.decommissioned),
      ClusterDecommissioned: 'false',
      ErrMsg: n.hb.errMsg,
      Version: n.version ?? '',
      CpuCores: reported ? '2' : '0',
      MemLimit: formatCompactSize(reported ? MEM_LIMIT_BYTES : 0),
      NumRunningQueries: '0',
      MemUsedPct: formatPct2(0),
      CpuUsedPct: formatPct1(0),
      DataCacheMetrics: 'N/A',
      StatusCode: n.statusCode,
    };
  }

  #backendRow(n: NodeRow, ctx: ExecContext): string[] {
    const reported = n.lastStartTime > 0;
    const tablets = this.tabletCount(n.id);
    const used = this.dataUsedBytes(n);
    const total = reported ? n.diskTotalBytes : 0;
    const pct = total === 0 ? 0 : (100 * used) / total;
    const values: Record<string, string> = {
      ...this.#commonNodeValues(n),
      BackendId: String(n.id),
      TabletNum: String(tablets),
      DataUsedCapacity: formatCapacity(used),
      AvailCapacity: formatCapacity(this.availableBytes(n)),
      TotalCapacity: formatCapacity(total),
      UsedPct: formatPct2(pct),
      MaxDiskUsedPct: formatPct2(pct),
      Status: `{"lastSuccessReportTabletsTime":"${reported ? formatTime(n.hb.lastHeartbeat) : 'N/A'}"}`,
      DataTotalCapacity: formatCapacity(total),
      DataUsedPct: formatPct2(pct),
      Location: '',
    };
    return ctx.profile.backendColumns.map((c) => values[c] ?? '');
  }

  #computeNodeRow(n: NodeRow, ctx: ExecContext): string[] {
    const values: Record<string, string> = { ...this.#commonNodeValues(n), ComputeNodeId: String(n.id), HasStoragePath: 'false' };
    return ctx.profile.computeNodeColumns.map((c) => values[c] ?? '');
  }

  // validateHostAndPort (SystemInfoService.java, 3.3+): the name is resolved before the port is read.
  async #analyzeHost(raw: string, ctx: ExecContext, resolveInIpMode: boolean): Promise<{ host: string; port: number } | SqlResult> {
    const split = splitHostPort(raw);
    if (!split.ok) return sqlError(analysisError(split.detail));
    let host = split.host;
    if (resolveInIpMode && ctx.hostType === 'IP' && !isIpLiteral(host)) {
      const ip = await ctx.resolve(host);
      if (ip === undefined) return sqlError(analysisError(`Unknown host: ${host}: Name or service not known`));
      host = ip;
    }
    const port = parsePort(split.portText);
    if (!port.ok) return sqlError(analysisError(port.detail));
    return { host, port: port.port };
  }

  async #addFrontend(role: FeRole, raw: string, ctx: ExecContext): Promise<SqlResult> {
    const hp = await this.#analyzeHost(raw, ctx, true);
    if ('kind' in hp) return hp;
    // NodeMgr.checkFeExistByIpOrFqdn: the new host resolved, compared by address and by name.
    const target = isIpLiteral(hp.host) ? hp.host : await ctx.resolve(hp.host);
    if (target === undefined) return ddlError(ctx.profile, `unknown fqdn host: ${hp.host}`);
    for (const m of this.members()) {
      const address = isIpLiteral(m.host) ? m.host : await ctx.resolve(m.host);
      if (m.host === hp.host || (address !== undefined && address === target)) {
        return ddlError(ctx.profile, `FE with the same host: ${hp.host} already exists`);
      }
    }
    this.#newMember(hp.host, hp.port, role, ctx.now);
    return { kind: 'ok' };
  }

  // NodeMgr.dropFrontend: the leader's own host:port is refused before the lookup and role checks.
  async #dropFrontend(role: FeRole, raw: string, ctx: ExecContext): Promise<SqlResult> {
    const hp = await this.#analyzeHost(raw, ctx, false);
    if ('kind' in hp) return hp;
    const leader = this.leader();
    if (leader !== undefined && leader.host === hp.host && leader.editLogPort === hp.port) return ddlError(ctx.profile, 'can not drop current master node.');
    const member = this.members().find((m) => m.host === hp.host && m.editLogPort === hp.port);
    if (member === undefined) return ddlError(ctx.profile, `frontend does not exist[${hp.host}:${hp.port}]`);
    if (member.role !== role) return ddlError(ctx.profile, `${role} does not exist[${hp.host}:${hp.port}]`);
    this.journalId++;
    member.droppedAtJournal = this.journalId;
    return { kind: 'ok' };
  }

  #findNode(kind: NodeRow['kind'], host: string, port: number): NodeRow | undefined {
    return this.nodes.find((n) => n.kind === kind && n.host === host && n.heartbeatPort === port);
  }

  async #nodeStatement(s: Extract<Statement, { kind: 'node' }>, ctx: ExecContext): Promise<SqlResult> {
    const targets: { host: string; port: number }[] = [];
    for (const raw of s.hostPorts) {
      const hp = await this.#analyzeHost(raw, ctx, s.op === 'add');
      if ('kind' in hp) return hp;
      targets.push(hp);
    }
    switch (s.op) {
      case 'add':
        return this.#addNodes(s.node, targets, s.warehouse, ctx);
      case 'drop':
        return s.node === 'backend' ? this.#dropBackends(targets, s.force, ctx) : this.#dropComputeNodes(targets, ctx);
      case 'decommission':
        return this.#decommission(targets, ctx);
      case 'cancel-decommission':
        return this.#cancelDecommission(targets, ctx);
    }
  }

  // SystemInfoService.addBackends / addComputeNodes: every pair is checked before any is added.
  #addNodes(kind: NodeRow['kind'], targets: { host: string; port: number }[], warehouse: string | undefined, ctx: ExecContext): SqlResult {
    for (const t of targets) {
      if (this.#findNode('backend', t.host, t.port) !== undefined) return ddlError(ctx.profile, `Backend already exists with same host ${t.host} and port ${t.port}`);
      if (this.#findNode('compute_node', t.host, t.port) !== undefined) return ddlError(ctx.profile, `Compute node already exists with same host ${t.host} and port ${t.port}`);
    }
    for (const t of targets) {
      this.journalId++;
      this.nodes.push({
        id: this.#nextNodeId++,
        kind,
        host: t.host,
        heartbeatPort: t.port,
        bePort: -1,
        httpPort: -1,
        brpcPort: -1,
        lastStartTime: -1,
        hb: freshHb(),
        statusCode: 'CONNECTING',
        version: undefined,
        decommissioned: false,
        warehouse,
        diskTotalBytes: this.backendDiskBytes,
        storageId: undefined,
      });
    }
    return { kind: 'ok' };
  }

  // SystemInfoService.dropBackends: all must exist, then each is dropped in turn with its own
  // single-replica check, so the ones before a refusal stay dropped.
  #dropBackends(targets: { host: string; port: number }[], force: boolean, ctx: ExecContext): SqlResult {
    for (const t of targets) {
      if (this.#findNode('backend', t.host, t.port) === undefined) return ddlError(ctx.profile, `backend does not exists[${t.host}:${t.port}]`);
    }
    for (const t of targets) {
      const row = this.#findNode('backend', t.host, t.port);
      if (row === undefined) return ddlError(ctx.profile, `backend does not exists[${t.host}:${t.port}]`);
      const refusal = force ? undefined : this.#singleReplicaRefusal(row);
      if (refusal !== undefined) return ddlError(ctx.profile, refusal);
      this.#removeNode(row);
    }
    return { kind: 'ok' };
  }

  // SystemInfoService.checkUnforce: `<backends>` is literal text in the hint.
  #singleReplicaRefusal(row: NodeRow): string | undefined {
    const table = this.tables().find((x) => x.replicationNum === 1 && this.tablets.some((t) => t.db === x.db && t.table === x.table && t.replicas.includes(row.id)));
    if (table === undefined) return undefined;
    const name = `${table.db}.${table.table}`;
    return (
      `Tables such as [${name}] on the backend[${row.host}:${row.heartbeatPort}] have only one replica. To avoid data loss, ` +
      `please change the replication_num of [${name}] to three. ALTER SYSTEM DROP BACKEND <backends> FORCE can be used to forcibly drop the backend. `
    );
  }

  #dropComputeNodes(targets: { host: string; port: number }[], ctx: ExecContext): SqlResult {
    for (const t of targets) {
      if (this.#findNode('compute_node', t.host, t.port) === undefined) return ddlError(ctx.profile, `compute node does not exists[${t.host}:${t.port}]`);
    }
    for (const t of targets) {
      const row = this.#findNode('compute_node', t.host, t.port);
      if (row === undefined) return ddlError(ctx.profile, `compute node does not exists[${t.host}:${t.port}]`);
      this.#removeNode(row);
    }
    return { kind: 'ok' };
  }

  // SystemHandler.checkDecommission: existence, then disk space, then the largest replication_num
  // of any OLAP table against the available backends that remain.
  #decommission(targets: { host: string; port: number }[], ctx: ExecContext): SqlResult {
    const leaving: NodeRow[] = [];
    let needBytes = 0;
    let releaseBytes = 0;
    for (const t of targets) {
      const row = this.#findNode('backend', t.host, t.port);
      if (row === undefined) return ddlError(ctx.profile, `Backend does not exist[${t.host}:${t.port}]`);
      if (row.decommissioned) continue;
      needBytes += this.dataUsedBytes(row);
      releaseBytes += this.availableBytes(row);
      leaving.push(row);
    }
    if (leaving.length === 0) return { kind: 'ok' };
    if (this.clusterAvailableBytes() - releaseBytes < needBytes) {
      return ddlError(ctx.profile, 'It will cause insufficient disk space if these BEs are decommissioned.');
    }
    const remaining = this.availableBackends().filter((n) => !leaving.includes(n)).length;
    let maxReplicationNum = 0;
    for (const table of this.tables()) {
      if (table.replicationNum <= maxReplicationNum) continue;
      maxReplicationNum = table.replicationNum;
      if (remaining < maxReplicationNum) {
        return ddlError(
          ctx.profile,
          `It will cause insufficient BE number if these BEs are decommissioned because the table ${table.db}.${table.table} requires ${maxReplicationNum} replicas.`,
        );
      }
    }
    for (const row of leaving) {
      row.decommissioned = true;
      this.journalId++;
    }
    return { kind: 'ok' };
  }

  // SystemHandler.cancel: the unknown-backend text differs from DECOMMISSION's ("exists", no port).
  #cancelDecommission(targets: { host: string; port: number }[], ctx: ExecContext): SqlResult {
    const rows: NodeRow[] = [];
    for (const t of targets) {
      const row = this.#findNode('backend', t.host, t.port);
      if (row === undefined) return ddlError(ctx.profile, `Backend does not exists[${t.host}]`);
      if (row.decommissioned) rows.push(row);
    }
    for (const row of rows) {
      if (!row.decommissioned) continue;
      row.decommissioned = false;
      this.journalId++;
    }
    return { kind: 'ok' };
  }

  /** `getClusterAvailableCapacityB`: free space, less what decommissioned backends must move. */
  clusterAvailableBytes(): number {
    let bytes = 0;
    for (const n of this.nodes) {
      if (n.kind !== 'backend') continue;
      bytes += n.decommissioned ? -this.dataUsedBytes(n) : this.availableBytes(n);
    }
    return bytes;
  }

  #removeNode(row: NodeRow): void {
    const index = this.nodes.indexOf(row);
    if (index >= 0) this.nodes.splice(index, 1);
    for (const tablet of this.tablets) tablet.replicas = tablet.replicas.filter((id) => id !== row.id);
    this.journalId++;
  }

  #setConfig(key: string, value: string, ctx: ExecContext): SqlResult {
    if (key !== 'drop_backend_after_decommission') return ddlError(ctx.profile, `Config '${key}' does not exist or is not mutable`);
    const v = value.toLowerCase();
    if (v !== 'true' && v !== 'false') return ddlError(ctx.profile, `Invalid value: ${value} for config: ${key}`);
    this.dropBackendAfterDecommission = v === 'true';
    return { kind: 'ok' };
  }

  // ---- heartbeats ----

  /** Apply one BE/CN heartbeat outcome with the retry rule (reference §2.2, §10). */
  applyNodeHeartbeat(row: NodeRow, outcome: NodeHeartbeatOutcome, options: { now: number; retries: number }): void {
    if (outcome.ok) {
      row.hb = { alive: true, failures: 0, lastHeartbeat: options.now, errMsg: '' };
      row.bePort = outcome.bePort;
      row.httpPort = outcome.httpPort;
      row.brpcPort = outcome.brpcPort;
      row.lastStartTime = outcome.rebootTime;
      row.version = outcome.version;
      row.statusCode = 'OK';
      if (outcome.storageId !== undefined) {
        // A wiped storage reports no tablets: its replicas leave the meta and become missing.
        if (row.storageId !== undefined && row.storageId !== outcome.storageId) this.#forgetReplicas(row.id);
        row.storageId = outcome.storageId;
      }
      return;
    }
    row.hb.errMsg = outcome.message;
    row.hb.failures++;
    if (outcome.shutdown) {
      row.hb.alive = false;
      row.statusCode = 'SHUTDOWN';
      return;
    }
    if (row.hb.failures > options.retries) {
      row.hb.alive = false;
      if (row.statusCode !== 'CONNECTING') row.statusCode = 'DISCONNECTED';
    }
  }

  /** Apply one FE heartbeat (`/api/bootstrap`) outcome. */
  applyFeHeartbeat(member: FeMember, outcome: FeHeartbeatOutcome, options: { now: number; retries: number; journalIdAtSend: number }): void {
    if (outcome.ok) {
      member.hb = {
        alive: true,
        failures: 0,
        lastHeartbeat: options.now,
        errMsg: '',
        queryPort: outcome.queryPort,
        rpcPort: outcome.rpcPort,
        startTime: outcome.feStartTime,
        version: outcome.feVersion,
      };
      member.replayedJournalId = Math.max(member.replayedJournalId, options.journalIdAtSend);
      return;
    }
    member.hb.errMsg = outcome.message;
    member.hb.failures++;
    if (member.hb.failures > options.retries) member.hb.alive = false;
  }

  // ---- tablets ----

  /** Backends that can take replicas: alive and not decommissioned. */
  availableBackends(): NodeRow[] {
    return this.nodes.filter((n) => n.kind === 'backend' && n.hb.alive && !n.decommissioned);
  }

  /** OLAP tables, from their tablets, in creation order (one partition and one index each). */
  tables(): { db: string; table: string; replicationNum: number }[] {
    const seen = new Map<string, { db: string; table: string; replicationNum: number }>();
    for (const t of this.tablets) {
      const key = `${t.db}\u0000${t.table}`;
      if (!seen.has(key)) seen.set(key, { db: t.db, table: t.table, replicationNum: t.replicationNum });
    }
    return [...seen.values()];
  }

  /** Create a table's tablets, replicas spread round-robin over available backends. */
  createTable(options: { db: string; table: string; buckets: number; replicationNum: number }): Tablet[] {
    const available = this.availableBackends();
    if (available.length < options.replicationNum) {
      throw new Error(`Table replication num should be less than or equal to the number of available BE nodes. Current alive backend is [${available.length}]`);
    }
    if (!this.#dbIds.has(options.db)) this.#dbIds.set(options.db, this.#nextTabletId++);
    const created: Tablet[] = [];
    for (let b = 0; b < options.buckets; b++) {
      const replicas: number[] = [];
      for (let r = 0; r < options.replicationNum; r++) replicas.push((available[(b + r) % available.length] as NodeRow).id);
      const tablet: Tablet = { id: this.#nextTabletId++, db: options.db, table: options.table, replicationNum: options.replicationNum, replicas };
      this.tablets.push(tablet);
      created.push(tablet);
    }
    this.journalId++;
    return created;
  }

  /**
   * One round of the tablet scheduler: move at most `rate` replicas off decommissioned
   * backends, repair replicas lost with dropped backends from a surviving copy, and drop a
   * decommissioned backend once it holds nothing (unless drop_backend_after_decommission=false).
   */
  scheduleTablets(rate: number): { moved: number; dropped: NodeRow[] } {
    let moved = 0;
    // The drop daemon acts on what the previous rounds left, so an empty decommissioned BE is
    // visible with TabletNum 0 for one round before its row goes.
    const dropped: NodeRow[] = [];
    if (this.dropBackendAfterDecommission) {
      for (const row of this.nodes.filter((n) => n.kind === 'backend' && n.decommissioned)) {
        if (this.tabletCount(row.id) === 0) dropped.push(row);
      }
      for (const row of dropped) {
        this.autoDropped.push({ id: row.id, host: row.host, heartbeatPort: row.heartbeatPort, tabletsAtDrop: this.tabletCount(row.id) });
        this.#removeNode(row);
      }
    }
    const targetsFor = (tablet: Tablet): NodeRow[] =>
      this.availableBackends()
        .filter((n) => !tablet.replicas.includes(n.id))
        .sort((a, b) => this.tabletCount(a.id) - this.tabletCount(b.id));
    for (const row of this.nodes.filter((n) => n.kind === 'backend' && n.decommissioned)) {
      for (const tablet of this.tablets) {
        if (moved >= rate) break;
        if (!tablet.replicas.includes(row.id)) continue;
        const target = targetsFor(tablet)[0];
        if (target === undefined) continue;
        tablet.replicas = tablet.replicas.map((id) => (id === row.id ? target.id : id));
        moved++;
      }
    }
    for (const tablet of this.tablets) {
      if (moved >= rate) break;
      // A clone needs a live source replica.
      if (this.liveReplicas(tablet) === 0 || tablet.replicas.length >= tablet.replicationNum) continue;
      const target = targetsFor(tablet)[0];
      if (target === undefined) continue;
      tablet.replicas.push(target.id);
      moved++;
    }
    if (moved > 0) this.journalId++;
    return { moved, dropped };
  }

  #forgetReplicas(nodeId: number): void {
    let changed = false;
    for (const tablet of this.tablets) {
      if (!tablet.replicas.includes(nodeId)) continue;
      tablet.replicas = tablet.replicas.filter((id) => id !== nodeId);
      changed = true;
    }
    if (changed) this.journalId++;
  }

  /**
   * TabletChecker's verdict as `SHOW PROC '/statistic'` counts it: a tablet is unhealthy while
   * fewer of its replicas than its replication_num sit on available backends (missing, on a dead
   * BE, or relocating off a decommissioned one); surplus replicas (REDUNDANT) count as healthy.
   */
  isTabletHealthy(tablet: Tablet): boolean {
    const available = new Set(this.availableBackends().map((n) => n.id));
    return tablet.replicas.filter((id) => available.has(id)).length >= tablet.replicationNum;
  }

  /** Tablets {@link isTabletHealthy} rejects. */
  unhealthyTablets(): Tablet[] {
    return this.tablets.filter((t) => !this.isTabletHealthy(t));
  }

  // StatisticProcDir.fetchResult: one row per database sorted by name, then the Total row, whose
  // DbName cell holds the database count. information_schema (id 0) is always registered and
  // skipped, so the Total row shows even before any database exists.
  #statistic(): SqlResult {
    const rows: string[][] = [];
    const totals = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (const [db, dbId] of this.#dbIds) {
      const tablets = this.tablets.filter((t) => t.db === db);
      const tableNum = this.tables().filter((x) => x.db === db).length;
      const counts = [
        tableNum,
        tableNum,
        tableNum,
        tablets.length,
        tablets.reduce((sum, t) => sum + t.replicas.length, 0),
        tablets.filter((t) => !this.isTabletHealthy(t)).length,
        0,
        0,
        0,
      ];
      rows.push([String(dbId), db, ...counts.map(String)]);
      totals[0] = (totals[0] as number) + 1;
      counts.forEach((c, i) => (totals[i + 1] = (totals[i + 1] as number) + c));
    }
    rows.sort((a, b) => ((a[1] as string) < (b[1] as string) ? -1 : (a[1] as string) > (b[1] as string) ? 1 : 0));
    rows.push(['Total', ...totals.map(String)]);
    return { kind: 'rows', columns: [...STATISTIC_COLUMNS], rows };
  }

  /** Replicas on backends that are registered and alive. */
  liveReplicas(tablet: Tablet): number {
    return tablet.replicas.filter((id) => this.nodes.some((n) => n.id === id && n.kind === 'backend' && n.hb.alive)).length;
  }
}

/** True for an IPv4 or IPv6 literal. */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
