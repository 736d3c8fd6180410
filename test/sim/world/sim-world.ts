/**
 * The simulated StarRocks world: the coordinator that holds the shared truth (clusters ever
 * created, FE groups with leader and epoch, backends, tablets, the statement log, faults), the
 * loopback server the node processes connect to, the leader's heartbeat and tablet-scheduler
 * loops, and the in-process API tests use to start, stop, pause, partition and inspect nodes.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Component } from '../../../agent/contract/index.ts';
import { createInstallTree } from '../install-tree.ts';
import { versionText } from '../node/meta-files.ts';
import { SIM_ENV } from '../node/node-env.ts';
import { PROFILES, versionString } from '../profile.ts';
import type { Profile, ProfileName } from '../profile.ts';
import { parseStatement } from '../sql/statement.ts';
import type { Statement } from '../sql/statement.ts';
import { Channel } from '../wire/channel.ts';
import type { Message } from '../wire/channel.ts';
import { passwordHashStage2 } from '../node/mysql-auth.ts';
import { basicCredentials, streamLoadTarget } from '../node/stream-load.ts';
import type { StreamLoadRecord } from '../node/stream-load.ts';
import { rootSession } from './accounts.ts';
import type { SessionInfo } from './accounts.ts';
import { AddressPool, canBind, randomSubnet } from './addresses.ts';
import { Cluster, isIpLiteral, sqlError } from './cluster.ts';
import { answerLocally } from './session-sql.ts';
import type { FeHeartbeatOutcome, FeMember, NodeHeartbeatOutcome, NodeRow, SqlResult, Tablet } from './cluster.ts';
import { sleep } from '../../../agent/contract/backoff.ts';

/** Time-scaled knobs; StarRocks defaults unless a test shortens them. */
export interface SimWorldOptions {
  profile?: ProfileName;
  /** `heartbeat_timeout_second` (5 s): leader heartbeat period, also the election probe period. */
  heartbeatIntervalMs?: number;
  /** `heartbeat_retry_times` (3): a node is dead after more consecutive failures than this. */
  heartbeatRetries?: number;
  /** Timeout of one heartbeat; the interval by default. */
  heartbeatTimeoutMs?: number;
  /** The joining FE's `/role` poll period (5 s). */
  joinPollMs?: number;
  /** `min_graceful_exit_time_second` (15 s): an FE's drain time after SIGUSR1. */
  feGracefulExitMs?: number;
  /** How long a BE/CN reports SHUTDOWN after SIGTERM before it exits. */
  backendGracefulExitMs?: number;
  /** Tablet scheduler period. */
  tabletSchedulerIntervalMs?: number;
  /** Replicas moved or repaired (cloned from a live replica) per scheduler round. */
  tabletMovesPerRound?: number;
  /**
   * `query_timeout` (300 s). A statement a follower forwards to its last known leader
   * (LeaderOpExecutor) gives up after this plus {@link thriftRpcTimeoutMs} when that leader
   * does not answer.
   */
  queryTimeoutMs?: number;
  /** `thrift_rpc_timeout_ms` (10 s): added to {@link queryTimeoutMs} for a forwarded statement. */
  thriftRpcTimeoutMs?: number;
  /** @deprecated The old name of {@link queryTimeoutMs}. */
  noLeaderTimeoutMs?: number;
  /** Root's password in every cluster created from now on (SQL may change it later); empty by default. */
  rootPassword?: string;
  /** `host:port` of the cluster DNS, for FQDN mode and for hostnames in IP mode. */
  dns?: { host: string; port: number };
  /** Where install trees and meta dirs go; a temporary folder by default (removed on stop). */
  baseDir?: string;
  /** The /24 to use (for example `127.70.1`); random inside 127.64.0.0/10 by default. */
  subnet?: string;
}

/** A statement an FE received. */
export interface StatementRecord {
  at: number;
  /** The FE that received it (its POD_IP). */
  fe: string;
  /** The client's `ip:port`. */
  client: string;
  sql: string;
  result: 'ok' | 'rows' | 'error';
  error: string | undefined;
}

interface Proc {
  kind: Component;
  ip: string;
  pid: number;
  channel: Channel;
  ports: Record<string, number>;
  startTime: number;
  open: boolean;
  openSent: boolean;
  exiting: boolean;
  /** A leader that lost leadership: it exits (StateChangeExecutor) and takes no further part. */
  deposed: boolean;
  pingFailures: number;
  fe:
    | {
        host: string;
        hostType: 'IP' | 'FQDN';
        metaDir: string;
        clusterId: number | undefined;
        memberName: string | undefined;
        /** The leader this FE last replayed (NodeMgr.leaderIp): where it forwards. */
        knownLeader: string | undefined;
      }
    | undefined;
}

/** A node process started through the install tree's start script. */
export interface SimProcess {
  component: Component;
  ip: string;
  /** The StarRocks root of this node's install tree. */
  root: string;
  child: ChildProcess;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stdout and stderr so far (with `--logconsole`), else the start script's own output. */
  output(): string;
}

/** Options of {@link SimWorld.spawn}. */
export interface SpawnOptions {
  component: Component;
  /** Loopback address; a fresh one from the world's /24 by default. */
  ip?: string;
  /** Install tree root; reuse one to restart a node with its meta and storage. */
  root?: string;
  args?: string[];
  env?: Record<string, string>;
  conf?: Record<string, string>;
}

const DEFAULTS = {
  heartbeatIntervalMs: 5000,
  heartbeatRetries: 3,
  joinPollMs: 5000,
  feGracefulExitMs: 15_000,
  backendGracefulExitMs: 5000,
  tabletSchedulerIntervalMs: 1000,
  tabletMovesPerRound: 10,
  queryTimeoutMs: 300_000,
  thriftRpcTimeoutMs: 10_000,
} as const;

/** LeaderOpExecutor.MAX_FORWARD_TIMES. */
const MAX_FORWARD_TIMES = 30;

/** The world. Create with {@link SimWorld.start}. */
export class SimWorld {
  readonly profile: Profile;
  readonly options: Required<Omit<SimWorldOptions, 'dns' | 'baseDir' | 'subnet' | 'profile' | 'heartbeatTimeoutMs' | 'noLeaderTimeoutMs'>> & { heartbeatTimeoutMs: number };
  readonly dns: { host: string; port: number } | undefined;
  readonly addresses: AddressPool;
  readonly baseDir: string;
  /** `host:port` the node processes connect to. */
  readonly endpoint: { host: string; port: number };
  readonly #server: Server;
  readonly #ownsBaseDir: boolean;
  readonly #procs = new Set<Proc>();
  readonly #clusters = new Map<number, Cluster>();
  readonly #clusterIdsCreated: number[] = [];
  readonly #statements: StatementRecord[] = [];
  readonly #streamLoads: StreamLoadRecord[] = [];
  readonly #partitioned = new Set<string>();
  readonly #sqlLatency = new Map<string, number>();
  readonly #spawned = new Set<SimProcess>();
  #stopped = false;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #treeCount = 0;

  private constructor(init: { options: SimWorldOptions; server: Server; endpoint: { host: string; port: number }; subnet: string; baseDir: string; ownsBaseDir: boolean }) {
    const o = init.options;
    this.profile = PROFILES[o.profile ?? '3.3'];
    const heartbeatIntervalMs = o.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs;
    this.options = {
      heartbeatIntervalMs,
      heartbeatRetries: o.heartbeatRetries ?? DEFAULTS.heartbeatRetries,
      // Generous by default: a loaded machine must not look like a dead FE and flip the leader.
      heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? Math.max(heartbeatIntervalMs, 1500),
      joinPollMs: o.joinPollMs ?? DEFAULTS.joinPollMs,
      feGracefulExitMs: o.feGracefulExitMs ?? DEFAULTS.feGracefulExitMs,
      backendGracefulExitMs: o.backendGracefulExitMs ?? DEFAULTS.backendGracefulExitMs,
      tabletSchedulerIntervalMs: o.tabletSchedulerIntervalMs ?? DEFAULTS.tabletSchedulerIntervalMs,
      tabletMovesPerRound: o.tabletMovesPerRound ?? DEFAULTS.tabletMovesPerRound,
      queryTimeoutMs: o.queryTimeoutMs ?? o.noLeaderTimeoutMs ?? DEFAULTS.queryTimeoutMs,
      thriftRpcTimeoutMs: o.thriftRpcTimeoutMs ?? DEFAULTS.thriftRpcTimeoutMs,
      rootPassword: o.rootPassword ?? '',
    };
    this.dns = o.dns;
    this.#server = init.server;
    this.endpoint = init.endpoint;
    this.addresses = new AddressPool(init.subnet);
    this.baseDir = init.baseDir;
    this.#ownsBaseDir = init.ownsBaseDir;
  }

  /** Start a world: pick a free /24, listen for node processes, start the leader loops. */
  static async start(options: SimWorldOptions = {}): Promise<SimWorld> {
    for (let attempt = 0; ; attempt++) {
      const subnet = options.subnet ?? randomSubnet();
      // A subnet whose .10 already serves the FE query port belongs to another world.
      if (options.subnet === undefined && !(await canBind(`${subnet}.10`, 9030))) {
        if (attempt < 20) continue;
      }
      const server = createServer();
      const host = `${subnet}.1`;
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, host, () => resolve());
        });
      } catch (error) {
        if (attempt < 20 && options.subnet === undefined) continue;
        throw error;
      }
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('world server has no address');
      const ownsBaseDir = options.baseDir === undefined;
      const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'starrocks-sim-'));
      const world = new SimWorld({ options, server, endpoint: { host, port: address.port }, subnet, baseDir, ownsBaseDir });
      server.on('connection', (socket) => world.#accept(new Channel(socket)));
      world.#startLoops();
      return world;
    }
  }

  // ---------------------------------------------------------------- truth

  /** Every cluster id ever created in this world, in creation order. */
  clusterIdsCreated(): number[] {
    return [...this.#clusterIdsCreated];
  }

  /** A cluster by id (the first one by default). */
  cluster(clusterId?: number): Cluster | undefined {
    return this.#clusters.get(clusterId ?? (this.#clusterIdsCreated[0] as number));
  }

  /** Every statement received by any FE, in order. */
  statements(): StatementRecord[] {
    return [...this.#statements];
  }

  /** Every stream load a BE accepted, in order. */
  streamLoads(): StreamLoadRecord[] {
    return [...this.#streamLoads];
  }

  /** The leader FE's member row, or undefined. */
  leader(clusterId?: number): FeMember | undefined {
    return this.cluster(clusterId)?.leader();
  }

  /** Frontends as the FE at `ip` sees them (its replayed journal), names only. */
  frontendsSeenBy(ip: string): string[] {
    const proc = this.#feProcByIp(ip);
    if (proc?.fe?.clusterId === undefined) return [];
    const cluster = this.#clusters.get(proc.fe.clusterId);
    const member = cluster?.members().find((m) => m.name === proc.fe?.memberName);
    if (cluster === undefined || member === undefined) return [];
    const view = cluster.leaderName === member.name ? cluster.members() : cluster.membersAt(member.replayedJournalId);
    return view.map((m) => m.name);
  }

  /** All tablets of a cluster. */
  tablets(clusterId?: number): Tablet[] {
    return this.cluster(clusterId)?.tablets.map((t) => ({ ...t, replicas: [...t.replicas] })) ?? [];
  }

  /** A cluster's electable voters, the ones live now (as its election judges them), and its quorum. */
  voterQuorum(clusterId?: number): { voters: string[]; live: string[]; quorum: number } | undefined {
    const cluster = this.cluster(clusterId);
    if (cluster === undefined) return undefined;
    const voters = cluster.voters();
    const live = voters.filter((m) => this.#live(this.#procOfMember(cluster, m)));
    return { voters: voters.map((m) => m.host), live: live.map((m) => m.host), quorum: cluster.quorum() };
  }

  /** Tablets with no replica on a live registered backend: data loss. */
  lostTablets(clusterId?: number): Tablet[] {
    const c = this.cluster(clusterId);
    return c === undefined ? [] : c.tablets.filter((t) => c.liveReplicas(t) === 0);
  }

  /** Tablets `SHOW PROC '/statistic'` counts in UnhealthyTabletNum: the simulator's truth for tests. */
  unhealthyTablets(clusterId?: number): Tablet[] {
    return this.cluster(clusterId)?.unhealthyTablets().map((t) => ({ ...t, replicas: [...t.replicas] })) ?? [];
  }

  /** Tablets with fewer live replicas than their replication number. */
  underReplicatedTablets(clusterId?: number): Tablet[] {
    const c = this.cluster(clusterId);
    return c === undefined ? [] : c.tablets.filter((t) => c.liveReplicas(t) < t.replicationNum);
  }

  /** Create a table's tablets on the cluster's available backends. */
  createTable(options: { db: string; table: string; buckets: number; replicationNum: number; clusterId?: number }): Tablet[] {
    const c = this.cluster(options.clusterId);
    if (c === undefined) throw new Error('no cluster yet');
    return c.createTable(options);
  }

  /** Pid of the node process at `ip` that is connected to the world. */
  pidOf(ip: string): number | undefined {
    return [...this.#procs].find((p) => p.ip === ip)?.pid;
  }

  // ---------------------------------------------------------------- faults

  /** Cut `ip` off: heartbeats to and from it fail, its forwarding hangs, it cannot vote. */
  partition(ip: string): void {
    this.#partitioned.add(ip);
    this.#reconcile();
  }

  /** Undo {@link partition}. */
  heal(ip: string): void {
    this.#partitioned.delete(ip);
    this.#reconcile();
  }

  /** Delay every statement received by the FE at `ip` (or every FE with `*`). */
  setSqlLatency(ip: string, ms: number): void {
    if (ms <= 0) this.#sqlLatency.delete(ip);
    else this.#sqlLatency.set(ip, ms);
  }

  /** Send a signal to the node process at `ip`. */
  signal(ip: string, signal: NodeJS.Signals): void {
    const pid = this.pidOf(ip);
    if (pid === undefined) throw new Error(`no node process at ${ip}`);
    process.kill(pid, signal);
  }

  /** SIGKILL the node at `ip`. */
  kill(ip: string): void {
    this.signal(ip, 'SIGKILL');
  }

  /** SIGSTOP the node at `ip`. */
  pause(ip: string): void {
    this.signal(ip, 'SIGSTOP');
  }

  /** SIGCONT the node at `ip`. */
  resume(ip: string): void {
    this.signal(ip, 'SIGCONT');
  }

  // ---------------------------------------------------------------- processes

  /** Create an install tree for one node under the world's base dir. */
  createTree(component: Component, conf?: Record<string, string>): string {
    const dir = join(this.baseDir, `${component}-${++this.#treeCount}`);
    return createInstallTree({ dir, conf: conf === undefined ? undefined : { [component]: conf } }).root;
  }

  /** Run `<root>/<component>/bin/start_<component>.sh` as a real process. */
  spawn(options: SpawnOptions): SimProcess {
    const root = options.root ?? this.createTree(options.component, options.conf);
    if (!existsSync(join(root, options.component))) throw new Error(`${root} is not an install tree`);
    const ip = options.ip ?? this.addresses.next();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      TZ: process.env.TZ ?? 'UTC',
      POD_IP: ip,
      [SIM_ENV.world]: `${this.endpoint.host}:${this.endpoint.port}`,
      ...(this.dns === undefined ? {} : { [SIM_ENV.dns]: `${this.dns.host}:${this.dns.port}` }),
      ...options.env,
    };
    const script = join(root, options.component, 'bin', `start_${options.component}.sh`);
    const child = spawn('bash', [script, ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const handle: SimProcess = { component: options.component, ip, root, child, exited, output: () => output };
    this.#spawned.add(handle);
    void exited.then(() => {
      this.#spawned.delete(handle);
      // The script exec'd the node, so its pid is the node's: forget it now, not when its link closes.
      for (const proc of this.#procs) {
        if (proc.pid === child.pid) {
          this.#procs.delete(proc);
          proc.channel.close();
          this.#reconcile();
        }
      }
    });
    return handle;
  }

  /** Run a node's stop script (`-g`, `--timeout N` as the real one) and wait for it. */
  async stopScript(handle: { root: string; component: Component }, args: string[] = []): Promise<{ code: number | null; output: string }> {
    const script = join(handle.root, handle.component, 'bin', `stop_${handle.component}.sh`);
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    return { code, output };
  }

  /** Poll `predicate` until it holds; throws with `what` after `timeoutMs`. */
  async waitFor<T>(predicate: () => T | undefined | false | Promise<T | undefined | false>, options: { timeoutMs?: number; what: string }): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const value = await predicate();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what}`);
      await sleep(25);
    }
  }

  /** True when the FE at `ip` has opened its query and http ports. */
  isOpen(ip: string): boolean {
    return [...this.#procs].some((p) => p.ip === ip && p.open);
  }

  /** Wait until the node at `ip` is connected and has opened its ports. */
  waitOpen(ip: string, timeoutMs = 30_000): Promise<true> {
    return this.waitFor(() => this.isOpen(ip), { timeoutMs, what: `node ${ip} to open its ports` });
  }

  /** Kill every process and close the world. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    for (const handle of this.#spawned) {
      try {
        handle.child.kill('SIGKILL');
      } catch {
        // gone
      }
    }
    for (const proc of this.#procs) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // gone
      }
      proc.channel.close();
    }
    await Promise.all([...this.#spawned].map((h) => h.exited));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    if (this.#ownsBaseDir) rmSync(this.baseDir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- node link

  #accept(channel: Channel): void {
    let proc: Proc | undefined;
    channel.onRequest(async (message) => {
      if (message.op === 'hello') {
        const result = this.#hello(channel, message);
        proc = result.proc;
        return result.reply;
      }
      if (proc === undefined) return { error: 'hello first' };
      switch (message.op) {
        case 'joined':
          return this.#joined(proc, message);
        case 'http':
          return await this.#http(proc, message);
        case 'query':
          return { result: await this.#query(proc, String(message.sql), String(message.client), message.session as SessionInfo | undefined) };
        case 'streamLoad':
          return await this.#streamLoad(proc, message);
        case 'login':
          return { account: this.#clusterOf(proc)?.cluster.accounts.login(String(message.user), String(message.clientIp)) ?? null };
        default:
          return { error: `unknown op ${String(message.op)}` };
      }
    });
    channel.onPush((message) => {
      if (proc === undefined) return;
      if (message.t === 'opened') proc.open = true;
      if (message.t === 'graceful') {
        proc.exiting = true;
        this.#reconcile();
      }
    });
    channel.socket.on('close', () => {
      if (proc !== undefined) {
        this.#procs.delete(proc);
        this.#reconcile();
      }
    });
  }

  #hello(channel: Channel, m: Message): { proc: Proc | undefined; reply: Record<string, unknown> } {
    const kind = m.kind as Component;
    const proc: Proc = {
      kind,
      ip: String(m.ip),
      pid: Number(m.pid),
      channel,
      ports: (m.ports ?? {}) as Record<string, number>,
      startTime: Date.now(),
      open: false,
      openSent: false,
      exiting: false,
      deposed: false,
      pingFailures: 0,
      fe: undefined,
    };
    // One pod, one process: a stale link of a dead predecessor at the same address goes now.
    for (const old of this.#procs) {
      if (old.ip === proc.ip) {
        this.#procs.delete(old);
        old.channel.close();
      }
    }
    this.#procs.add(proc);
    if (kind !== 'fe') {
      return { proc, reply: { version: versionString(this.profile), gracefulExitMs: this.options.backendGracefulExitMs } };
    }
    const host = String(m.host);
    const editLogPort = Number(proc.ports.editLog);
    proc.fe = { host, hostType: m.hostType === 'FQDN' ? 'FQDN' : 'IP', metaDir: String(m.metaDir), clusterId: undefined, memberName: undefined, knownLeader: undefined };
    const common = { gracefulExitMs: this.options.feGracefulExitMs, joinPollMs: this.options.joinPollMs };
    const helpers = (m.helpers ?? []) as string[];
    const self = `${host}:${editLogPort}`;
    const meta = m.meta as { role: { name: string }; version: { clusterId: number; token: string } } | undefined;
    const exit = (message: string): { proc: Proc; reply: Record<string, unknown> } => ({ proc, reply: { ...common, action: 'exit', code: 255, message } });
    if (meta !== undefined) {
      const cluster = this.#clusters.get(meta.version.clusterId);
      if (cluster === undefined) return exit(`cluster id ${meta.version.clusterId} in ${proc.fe.metaDir}/image/VERSION is unknown to this world`);
      const member = cluster.members().find((x) => x.name === meta.role.name);
      if (member === undefined) return exit('current node is not added to the cluster, will exit');
      const refused = this.#ensureHelperInLocal(cluster, member, helpers[0], self, proc.fe.metaDir);
      if (refused !== undefined) return exit(refused);
      this.#attach(proc, cluster, member);
      queueMicrotask(() => this.#reconcile());
      return { proc, reply: { ...common, action: 'restart' } };
    }
    if (helpers.length === 0) {
      const clusterId = typeof m.confClusterId === 'number' ? m.confClusterId : randomInt(1, 2 ** 31 - 1);
      const cluster = new Cluster({ clusterId, token: randomUUID(), rootPassword: this.options.rootPassword });
      const member = cluster.addFirstFrontend(host, editLogPort, Date.now());
      this.#clusters.set(clusterId, cluster);
      this.#clusterIdsCreated.push(clusterId);
      this.#attach(proc, cluster, member);
      queueMicrotask(() => this.#reconcile());
      return { proc, reply: { ...common, action: 'new-cluster', clusterId, token: cluster.token, name: member.name } };
    }
    return { proc, reply: { ...common, action: 'join' } };
  }

  /**
   * BDBEnvironment.ensureHelperInLocal: a restart with meta and a helper other than itself opens
   * the local BDB environment and needs the helper among the group nodes stored there. Observers
   * (not electable) skip the check, and so does an environment that never joined a group; the
   * stored group holds the electable nodes only, so an observer is never found there.
   */
  #ensureHelperInLocal(cluster: Cluster, member: FeMember, helper: string | undefined, self: string, metaDir: string): string | undefined {
    if (helper === undefined || helper === self || member.role !== 'FOLLOWER' || !member.joined) return undefined;
    const local = cluster
      .membersAt(member.replayedJournalId)
      .filter((x) => x.role === 'FOLLOWER' && x.joined)
      .map((x) => `${x.host}:${x.editLogPort}`);
    if (local.length === 0 || local.includes(helper)) return undefined;
    return `bad environment ${metaDir}/bdb! helper host ${helper} not in local [${local.join(', ')}]`;
  }

  #attach(proc: Proc, cluster: Cluster, member: FeMember): void {
    if (proc.fe === undefined) return;
    proc.fe.clusterId = cluster.clusterId;
    proc.fe.memberName = member.name;
    proc.fe.knownLeader = cluster.leaderName;
    if (!member.joined) {
      member.joined = true;
      cluster.journalId++;
    }
  }

  #joined(proc: Proc, m: Message): Record<string, unknown> {
    const helper = String(m.helper);
    const helperHost = helper.slice(0, helper.lastIndexOf(':'));
    const helperProc = [...this.#procs].find((p) => p.fe !== undefined && (p.fe.host === helperHost || p.ip === helperHost) && p.fe.clusterId !== undefined);
    const cluster = helperProc?.fe?.clusterId === undefined ? undefined : this.#clusters.get(helperProc.fe.clusterId);
    const member = cluster?.members().find((x) => x.name === m.name);
    if (cluster === undefined || member === undefined) return { error: `helper ${helper} no longer knows this node` };
    if (m.clusterId !== undefined && Number(m.clusterId) !== cluster.clusterId) return { error: `cluster id is not equal with helper node ${helperHost}. will exit.` };
    this.#attach(proc, cluster, member);
    this.#reconcile();
    return { clusterId: cluster.clusterId, token: cluster.token };
  }

  #feProcByIp(ip: string): Proc | undefined {
    return [...this.#procs].find((p) => p.ip === ip && p.fe !== undefined);
  }

  #clusterOf(proc: Proc): { cluster: Cluster; member: FeMember } | undefined {
    if (proc.fe?.clusterId === undefined) return undefined;
    const cluster = this.#clusters.get(proc.fe.clusterId);
    const member = cluster?.members().find((x) => x.name === proc.fe?.memberName);
    return cluster === undefined || member === undefined ? undefined : { cluster, member };
  }

  #procOfMember(cluster: Cluster, member: FeMember): Proc | undefined {
    return [...this.#procs].find((p) => p.fe?.clusterId === cluster.clusterId && p.fe.memberName === member.name);
  }

  // ---------------------------------------------------------------- HTTP answers of an FE

  async #http(proc: Proc, m: Message): Promise<Record<string, unknown>> {
    const path = String(m.path);
    const query = (m.query ?? {}) as Record<string, string>;
    const found = this.#clusterOf(proc);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): Record<string, unknown> => ({ status, body: JSON.stringify(body), headers });
    if (path === '/api/health') {
      const backends = found?.cluster.nodes.filter((n) => n.kind === 'backend') ?? [];
      const online = backends.filter((n) => n.hb.alive).length;
      // HealthAction during a graceful exit: a bare 500, no JSON body.
      if (proc.exiting) return { status: 500, body: '', headers: {} };
      return json(200, { online_backend_num: online, total_backend_num: backends.length, status: 'OK' });
    }
    if (path === '/api/bootstrap') {
      if (found === undefined || found.cluster.leader() === undefined || proc.exiting) return json(200, { status: 'FAILED', msg: 'not ready' });
      const { cluster, member } = found;
      if (query.cluster_id === undefined && query.token === undefined) {
        return json(200, { replayedJournalId: 0, queryPort: 0, rpcPort: 0, feStartTime: 0, status: 'OK', msg: 'Success' });
      }
      if (!/^-?\d+$/.test(query.cluster_id ?? '')) return json(200, { status: 'FAILED', msg: `invalid cluster id format: ${query.cluster_id ?? ''}` });
      if (Number(query.cluster_id) !== cluster.clusterId) return json(200, { status: 'FAILED', msg: `invalid cluster id: ${cluster.clusterId}` });
      if (query.token !== cluster.token) return json(200, { status: 'FAILED', msg: `invalid token: ${query.token ?? ''}` });
      const replayed = cluster.leaderName === member.name ? cluster.journalId : member.replayedJournalId;
      return json(200, {
        replayedJournalId: replayed,
        queryPort: proc.ports.query,
        rpcPort: proc.ports.rpc,
        feStartTime: proc.startTime,
        feVersion: versionString(this.profile),
        status: 'OK',
        msg: 'Success',
      });
    }
    if (path === '/role' || path === '/check' || path === '/version') {
      // MetaBaseAction: only a caller whose source address is a registered FE is answered.
      const invalid = { status: 400, body: 'invalid client host.', headers: { 'Content-Type': 'text/plain' } };
      if (found === undefined) return invalid;
      const { cluster, member } = found;
      const view = cluster.leaderName === member.name ? cluster.members() : cluster.membersAt(member.replayedJournalId);
      if ((await this.#feByHost(view, String(m.remote))) === undefined) return invalid;
      return this.#metaAction(path, proc, cluster, view, query);
    }
    const load = streamLoadTarget(path);
    if (load !== undefined && m.method === 'PUT') return this.#redirectStreamLoad(found?.cluster, m);
    if (path === '/metrics') {
      const statements = this.#statements.filter((x) => x.fe === proc.ip).length;
      const body = `# TYPE starrocks_fe_query_total counter\nstarrocks_fe_query_total ${statements}\n# TYPE starrocks_fe_max_journal_id gauge\nstarrocks_fe_max_journal_id ${found?.cluster.journalId ?? 0}\n`;
      return { status: 200, body, headers: { 'Content-Type': 'text/plain; version=0.0.4' } };
    }
    return { status: 404, body: 'Not Found', headers: { 'Content-Type': 'text/plain' } };
  }

  /** The account a Basic `Authorization` header proves, or the refusal's message. */
  #checkCredentials(cluster: Cluster, authorization: string, remote: string): { user: string } | { error: string } {
    const credentials = basicCredentials(authorization);
    if (credentials === undefined) return { error: 'Need auth information.' };
    const account = cluster.accounts.login(credentials.user, remote);
    if (account === undefined || account.stage2 !== passwordHashStage2(credentials.password)) {
      return { error: `Access denied for user '${credentials.user}'@'${remote}' (using password: ${credentials.password === '' ? 'NO' : 'YES'})` };
    }
    return { user: credentials.user };
  }

  /**
   * LoadAction: a stream load PUT to an FE is checked (credentials, `Expect: 100-continue`) and
   * answered with a 307 to an alive BE's HTTP port, the path and query unchanged; the body is
   * never read. Any FE redirects (the real one goes through the leader first).
   */
  #redirectStreamLoad(cluster: Cluster | undefined, m: Message): Record<string, unknown> {
    const json = (status: number, body: unknown): Record<string, unknown> => ({ status, body: JSON.stringify(body), headers: {} });
    if (cluster === undefined) return json(200, { status: 'FAILED', msg: 'not ready' });
    const checked = this.#checkCredentials(cluster, String(m.authorization ?? ''), String(m.remote ?? ''));
    if ('error' in checked) return json(401, { status: 'FAILED', msg: checked.error });
    if (String(m.expect ?? '').toLowerCase() !== '100-continue') return json(200, { status: 'FAILED', msg: 'There is no 100-continue header' });
    const backends = cluster.nodes.filter((n) => n.kind === 'backend' && n.hb.alive && !n.decommissioned);
    const backend = backends[randomInt(backends.length || 1)];
    if (backend === undefined) return json(200, { status: 'FAILED', msg: 'No backend alive.' });
    const location = `http://${backend.host}:${backend.httpPort}${String(m.path)}${String(m.search ?? '')}`;
    return { status: 307, body: '', headers: { Location: location, 'Content-Type': 'text/plain' } };
  }

  /** A BE took a stream load: the cluster it belongs to checks the user and records it. */
  async #streamLoad(proc: Proc, m: Message): Promise<Record<string, unknown>> {
    let cluster: Cluster | undefined;
    for (const candidate of this.#clusters.values()) {
      for (const row of candidate.nodes) {
        if (row.host === proc.ip || (await this.#ipAndFqdn(row.host))?.ip === proc.ip) cluster = candidate;
      }
    }
    if (cluster === undefined) return { error: `the BE at ${proc.ip} is in no cluster` };
    const checked = this.#checkCredentials(cluster, String(m.authorization ?? ''), String(m.remote ?? ''));
    if ('error' in checked) return { error: checked.error };
    const record: StreamLoadRecord = {
      db: String(m.db),
      table: String(m.table),
      label: String(m.label),
      user: checked.user,
      rows: Number(m.rows),
      bytes: Number(m.bytes),
      be: proc.ip,
      txnId: this.#streamLoads.length + 1,
    };
    this.#streamLoads.push(record);
    return { record };
  }

  /**
   * NodeMgr.getFeByHost: the FE whose host, resolved, is the caller's address (or whose FQDN is
   * the caller's name); a host that does not resolve matches nothing.
   */
  async #feByHost(view: FeMember[], ipOrFqdn: string): Promise<FeMember | undefined> {
    const target = await this.#ipAndFqdn(ipOrFqdn);
    if (target === undefined) return undefined;
    for (const fe of view) {
      const cur = await this.#ipAndFqdn(fe.host);
      if (cur === undefined) continue;
      if (cur.ip === target.ip || (cur.fqdn !== '' && cur.fqdn === target.fqdn)) return fe;
    }
    return undefined;
  }

  /** NetUtils.getIpAndFqdnByHost: an IP stands for itself; a name resolves or is unknown. */
  async #ipAndFqdn(host: string): Promise<{ ip: string; fqdn: string } | undefined> {
    if (isIpLiteral(host)) return { ip: host, fqdn: '' };
    const ip = await this.#resolve(host);
    return ip === undefined ? undefined : { ip, fqdn: host };
  }

  /** RoleAction, CheckAction and VersionAction of MetaService, for an authorised caller. */
  #metaAction(path: string, proc: Proc, cluster: Cluster, view: FeMember[], query: Record<string, string>): Record<string, unknown> {
    const text = (status: number, body: string, headers: Record<string, string> = {}): Record<string, unknown> => ({
      status,
      body,
      headers: { ...headers, 'Content-Type': 'text/plain' },
    });
    if (path === '/check') return text(200, '', { cluster_id: String(cluster.clusterId), token: cluster.token, run_mode: 'shared_nothing' });
    if (path === '/version') {
      const version = proc.fe === undefined ? undefined : versionText(proc.fe.metaDir);
      return version === undefined ? text(404, 'File does not exist.') : text(200, version);
    }
    const host = query.host ?? '';
    const port = query.port ?? '';
    if (host === '' || port === '') return text(400, 'Miss parameter');
    const target = view.find((x) => x.host === host && x.editLogPort === Number(port));
    return text(200, '', target === undefined ? { role: 'UNKNOWN' } : { role: target.role, name: target.name });
  }

  // ---------------------------------------------------------------- SQL

  async #query(proc: Proc, sql: string, client: string, session: SessionInfo | undefined): Promise<SqlResult> {
    const record: StatementRecord = { at: Date.now(), fe: proc.ip, client, sql, result: 'ok', error: undefined };
    this.#statements.push(record);
    const result = await this.#answer(proc, sql, session ?? rootSession(client.slice(0, client.lastIndexOf(':'))));
    record.result = result.kind;
    record.error = result.kind === 'error' ? result.message : undefined;
    return result;
  }

  async #answer(proc: Proc, sql: string, session: SessionInfo): Promise<SqlResult> {
    const latency = this.#sqlLatency.get(proc.ip) ?? this.#sqlLatency.get('*') ?? 0;
    if (latency > 0) await sleep(latency);
    const statement = parseStatement(sql);
    if (statement.kind === 'syntax-error') return sqlError(statement.message);
    const local = answerLocally(statement, { profile: this.profile, session, cluster: this.#clusterOf(proc)?.cluster });
    if (local !== undefined) return local;
    // The session rides with the statement, so the forwarding path need not carry it.
    this.#sessions.set(statement, session);
    return this.#forward(proc, statement, { origin: proc, hops: 0 });
  }

  /**
   * Run a statement on the leader. A non-leader forwards it to the leader it last knew
   * (LeaderOpExecutor), never waiting for an election: a gone process refuses the connection at
   * once; a paused or cut-off one never answers and the forward fails after `query_timeout` plus
   * `thrift_rpc_timeout_ms`; a receiver that is no longer the leader forwards it on. The thrift
   * exception's message becomes the client's error (StmtExecutor.execute, catch Throwable).
   */
  async #forward(proc: Proc, statement: Statement, path: { origin: Proc; hops: number }): Promise<SqlResult> {
    const found = this.#clusterOf(proc);
    if (found === undefined || proc.fe === undefined) return sqlError('Cannot open null host.');
    const { cluster, member } = found;
    if (cluster.leaderName === member.name && !proc.deposed) return this.#executeOnLeader(proc, cluster, statement, path.origin);
    const hops = path.hops + 1;
    // ErrorCode.ERR_FORWARD_TOO_MANY_TIMES.
    if (hops > MAX_FORWARD_TIMES) return { kind: 'error', code: 5401, state: 'XX000', message: `forward too many times ${hops}` };
    const target = cluster.members().find((x) => x.name === proc.fe?.knownLeader);
    // TSocket.open with no leader host known (StarRocks/starrocks#9278).
    if (target === undefined) return sqlError('Cannot open null host.');
    const timeoutMs = this.options.queryTimeoutMs + this.options.thriftRpcTimeoutMs;
    const readTimedOut = sqlError('java.net.SocketTimeoutException: Read timed out');
    const targetProc = this.#procOfMember(cluster, target);
    if (this.#partitioned.has(proc.ip) || (targetProc !== undefined && this.#partitioned.has(targetProc.ip))) {
      await sleep(timeoutMs);
      return readTimedOut;
    }
    // JDK 11+ wording of the ConnectException that TSocket.open wraps.
    const refused = sqlError('java.net.ConnectException: Connection refused');
    if (targetProc === undefined || !targetProc.open) return refused;
    if (targetProc !== proc) {
      // A stopped process's kernel still accepts the connection, but nothing reads it.
      const answer = await Promise.race([
        targetProc.channel.request('ping').then(
          () => 'ok' as const,
          () => 'gone' as const,
        ),
        sleep(timeoutMs).then(() => 'timeout' as const),
      ]);
      if (answer === 'timeout') return readTimedOut;
      if (answer === 'gone') return refused;
    }
    return this.#forward(targetProc, statement, { origin: path.origin, hops });
  }

  readonly #sessions = new WeakMap<Statement, SessionInfo>();

  async #executeOnLeader(leaderProc: Proc, cluster: Cluster, statement: Statement, origin: Proc): Promise<SqlResult> {
    const result = await cluster.execute(statement, {
      profile: this.profile,
      httpPort: leaderProc.ports.http ?? 8030,
      hostType: leaderProc.fe?.hostType ?? 'IP',
      resolve: (host) => this.#resolve(host),
      now: Date.now(),
      session: this.#sessions.get(statement),
    });
    // FORWARD_WITH_SYNC: the forwarding FE waits until it replayed the leader's journal.
    const forwarder = origin === leaderProc ? undefined : this.#clusterOf(origin);
    if (forwarder?.cluster === cluster) forwarder.member.replayedJournalId = Math.max(forwarder.member.replayedJournalId, cluster.journalId);
    if (statement.kind === 'node' && result.kind === 'ok') void this.#heartbeatRound();
    return result;
  }

  async #resolve(host: string): Promise<string | undefined> {
    if (isIpLiteral(host)) return host;
    if (this.dns === undefined) return undefined;
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`${this.dns.host}:${this.dns.port}`]);
    try {
      return (await resolver.resolve4(host))[0];
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- election and readiness

  #live(proc: Proc | undefined): boolean {
    return proc !== undefined && !proc.exiting && !proc.deposed && !this.#partitioned.has(proc.ip) && proc.pingFailures <= this.options.heartbeatRetries;
  }

  #reconcile(): void {
    if (this.#stopped) return;
    for (const cluster of this.#clusters.values()) {
      const before = cluster.leader();
      const beforeProc = before === undefined ? undefined : this.#procOfMember(cluster, before);
      cluster.electAmong((member) => this.#live(this.#procOfMember(cluster, member)));
      const now = cluster.leader();
      if (beforeProc !== undefined && before !== undefined && now?.name !== before.name) this.#depose(beforeProc, now === undefined || this.#partitioned.has(beforeProc.ip) ? 'UNKNOWN' : 'FOLLOWER');
      this.#replayLeader(cluster);
      const leaderProc = now === undefined ? undefined : this.#procOfMember(cluster, now);
      if (leaderProc !== undefined) {
        cluster.leaderSelf = { queryPort: leaderProc.ports.query ?? 0, rpcPort: leaderProc.ports.rpc ?? 0, httpPort: leaderProc.ports.http ?? 0, startTime: leaderProc.startTime };
      }
      if (now === undefined) continue;
      for (const proc of this.#procs) {
        if (proc.fe?.clusterId === cluster.clusterId && !proc.openSent) {
          proc.openSent = true;
          proc.channel.send({ t: 'open', serverVersion: this.profile.mysqlServerVersion });
        }
      }
    }
  }

  /**
   * StateChangeExecutor: an FE that loses leadership exits with System.exit(-1), except during
   * a graceful exit, which hands leadership over on purpose. Its pod restarts it from meta.
   */
  #depose(proc: Proc, newType: 'FOLLOWER' | 'UNKNOWN'): void {
    if (proc.exiting || proc.deposed) return;
    proc.deposed = true;
    proc.channel.send({ t: 'exit', code: 255, message: `transfer FE type from LEADER to ${newType}. exit` });
  }

  /**
   * FEs in touch with the group replay the leader change and forward to the new leader; so does
   * one in a graceful exit, which is still a replica.
   */
  #replayLeader(cluster: Cluster): void {
    if (cluster.leaderName === undefined) return;
    for (const proc of this.#procs) {
      if (proc.fe?.clusterId !== cluster.clusterId || proc.deposed || this.#partitioned.has(proc.ip)) continue;
      if (proc.pingFailures <= this.options.heartbeatRetries) proc.fe.knownLeader = cluster.leaderName;
    }
  }

  // ---------------------------------------------------------------- leader loops

  #startLoops(): void {
    const loop = (name: string, periodMs: number, body: () => Promise<void> | void): void => {
      const tick = async (): Promise<void> => {
        if (this.#stopped) return;
        try {
          await body();
        } finally {
          if (!this.#stopped) this.#timers.set(name, setTimeout(() => void tick(), periodMs));
        }
      };
      this.#timers.set(name, setTimeout(() => void tick(), periodMs));
    };
    loop('heartbeat', this.options.heartbeatIntervalMs, () => this.#heartbeatRound());
    loop('tablets', this.options.tabletSchedulerIntervalMs, () => {
      for (const cluster of this.#clusters.values()) {
        if (cluster.leaderName !== undefined) cluster.scheduleTablets(this.options.tabletMovesPerRound);
      }
    });
  }

  #heartbeatRunning: Promise<void> | undefined;

  /** One heartbeat round; concurrent callers share the running one. */
  #heartbeatRound(): Promise<void> {
    this.#heartbeatRunning ??= this.#doHeartbeatRound().finally(() => (this.#heartbeatRunning = undefined));
    return this.#heartbeatRunning;
  }

  async #doHeartbeatRound(): Promise<void> {
    const timeoutMs = this.options.heartbeatTimeoutMs;
    // Election liveness: a paused or hung process does not answer on its link.
    await Promise.all(
      [...this.#procs]
        .filter((p) => p.kind === 'fe')
        .map(async (p) => {
          const ok = await Promise.race([p.channel.request('ping').then(() => true, () => false), sleep(timeoutMs).then(() => false)]);
          p.pingFailures = ok ? 0 : p.pingFailures + 1;
        }),
    );
    this.#reconcile();
    const now = Date.now();
    const retries = this.options.heartbeatRetries;
    const jobs: Promise<void>[] = [];
    for (const cluster of this.#clusters.values()) {
      const leader = cluster.leader();
      if (leader === undefined) continue;
      const leaderProc = this.#procOfMember(cluster, leader);
      const leaderCut = leaderProc === undefined || this.#partitioned.has(leaderProc.ip);
      for (const member of cluster.members()) {
        if (member.name === leader.name) continue;
        const journalIdAtSend = cluster.journalId;
        jobs.push(
          this.#feHeartbeat(cluster, member, leaderProc?.ports.http ?? 8030, leaderCut, timeoutMs).then((outcome) =>
            cluster.applyFeHeartbeat(member, outcome, { now, retries, journalIdAtSend }),
          ),
        );
      }
      for (const row of cluster.nodes) {
        jobs.push(
          this.#nodeHeartbeat(cluster, row, leaderCut, timeoutMs).then((outcome) => {
            if (cluster.nodes.includes(row)) cluster.applyNodeHeartbeat(row, outcome, { now, retries });
          }),
        );
      }
    }
    await Promise.all(jobs);
    this.#reconcile();
  }

  async #addressOf(host: string): Promise<string | undefined> {
    const proc = [...this.#procs].find((p) => p.fe?.host === host);
    if (proc !== undefined) return proc.ip;
    return this.#resolve(host);
  }

  async #feHeartbeat(cluster: Cluster, member: FeMember, httpPort: number, leaderCut: boolean, timeoutMs: number): Promise<FeHeartbeatOutcome> {
    const address = await this.#addressOf(member.host);
    if (address === undefined) return { ok: false, message: `java.net.UnknownHostException: ${member.host}` };
    if (leaderCut || this.#partitioned.has(address)) {
      await sleep(timeoutMs);
      return { ok: false, message: `java.net.SocketTimeoutException: connect timed out` };
    }
    const url = `http://${address}:${httpPort}/api/bootstrap?cluster_id=${cluster.clusterId}&token=${cluster.token}`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await res.json()) as Record<string, unknown>;
      if (body.status !== 'OK') return { ok: false, message: String(body.msg ?? 'got exception') };
      return {
        ok: true,
        queryPort: Number(body.queryPort),
        rpcPort: Number(body.rpcPort),
        replayedJournalId: Number(body.replayedJournalId),
        feStartTime: Number(body.feStartTime),
        feVersion: String(body.feVersion),
      };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      if (cause?.code === 'ECONNREFUSED') return { ok: false, message: `java.net.ConnectException: Connection refused (Connection refused)` };
      return { ok: false, message: `java.net.SocketTimeoutException: Read timed out` };
    }
  }

  async #nodeHeartbeat(cluster: Cluster, row: NodeRow, leaderCut: boolean, timeoutMs: number): Promise<NodeHeartbeatOutcome> {
    const address = await this.#addressOf(row.host);
    if (address === undefined) return { ok: false, shutdown: false, message: `Unknown host: ${row.host}` };
    if (leaderCut || this.#partitioned.has(address)) {
      await sleep(timeoutMs);
      return { ok: false, shutdown: false, message: 'java.net.SocketTimeoutException: connect timed out' };
    }
    const request = { clusterId: cluster.clusterId, token: cluster.token, epoch: cluster.epoch, host: row.host, nodeType: row.kind };
    return new Promise((resolve) => {
      const socket = connect({ host: address, port: row.heartbeatPort });
      let buffer = '';
      const done = (outcome: NodeHeartbeatOutcome): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(() => done({ ok: false, shutdown: false, message: 'java.net.SocketTimeoutException: Read timed out' }), timeoutMs);
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        const newline = buffer.indexOf('\n');
        if (newline < 0) return;
        try {
          const body = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
          if (body.status === 'OK') {
            done({
              ok: true,
              bePort: Number(body.bePort),
              httpPort: Number(body.httpPort),
              brpcPort: Number(body.brpcPort),
              rebootTime: Number(body.rebootTime),
              version: String(body.version),
              storageId: typeof body.storageId === 'string' ? body.storageId : undefined,
            });
          } else {
            done({ ok: false, shutdown: body.status === 'SHUTDOWN', message: String(body.msg ?? 'got exception') });
          }
        } catch {
          done({ ok: false, shutdown: false, message: 'got exception' });
        }
      });
      socket.on('error', (error: NodeJS.ErrnoException) =>
        done({ ok: false, shutdown: false, message: error.code === 'ECONNREFUSED' ? 'java.net.ConnectException: Connection refused (Connection refused)' : 'got exception' }),
      );
      socket.on('close', () => done({ ok: false, shutdown: false, message: 'got exception' }));
    });
  }
}
