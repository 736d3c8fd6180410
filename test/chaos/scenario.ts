/**
 * What a chaos scenario is: a cluster shape, a sequence of user actions and faults with timing
 * drawn from a seed, and the desired state they leave. The runner (run-scenario.ts) checks the
 * invariants (invariants.ts) after the faults stop.
 */
import type { Shape, WorldCluster, WorldClusterOptions } from '../e2e/fixtures/world-cluster.ts';
import type { DnsFaultProxy } from './dns-fault-proxy.ts';
import type { Rng } from './rng.ts';

/** The Secret (key `password`) holding root's password when a scenario sets `rootPassword`. */
export const ROOT_PASSWORD_SECRET = 'sr-root-password';

/** Which agent the pods run: this project's, or the baseline modelled on the official scripts. */
export type AgentKind = 'ours' | 'baseline';

/** One scenario: a named file under test/chaos/scenarios/. */
export interface Scenario {
  name: string;
  /** One line: what happens. */
  summary: string;
  /** The cluster before the scenario acts. */
  shape: Shape;
  /** World nodes (default 1). */
  nodes?: number;
  graceSeconds?: WorldClusterOptions['graceSeconds'];
  /** Per component env and spec fields, for both agents. */
  components?: WorldClusterOptions['components'];
  /** Merged into `spec.agent` (our agent's settings; the baseline ignores them). */
  agent?: Record<string, unknown>;
  /**
   * Root's password from the start: the runner creates ROOT_PASSWORD_SECRET with it and points
   * `spec.agent.passwordSecret` at it (our agent sets it on the cluster; the baseline ignores it).
   */
  rootPassword?: string;
  /** Tables created once the cluster converged: the simulator's tablets on the BEs. */
  tables?: readonly { buckets: number; replicationNum: number }[];
  /** Runs before the StarRocksCluster is applied (faults armed before the first pod starts). */
  beforeStart?: (ctx: StartContext) => void;
  /** Whether the runner waits for the first convergence before `run` (default true). */
  waitConverged?: boolean;
  /** The actions and faults. Changes of the desired shape go through `ctx.desired`. */
  run(ctx: ScenarioContext): Promise<void>;
  /** How long after `run` returns every invariant must hold (ms, default 120 s). */
  boundMs?: number;
}

/** What `beforeStart` gets. */
interface StartContext {
  rng: Rng;
  dns: DnsFaultProxy;
  /** Records a line in the timeline. */
  note(what: string): void;
  /** `<pod>.<cluster>-<component>-search.<ns>.svc.cluster.local`. */
  fqdn(component: 'fe' | 'be' | 'cn', ordinal: number): string;
}

/** What a scenario's `run` gets. */
export interface ScenarioContext extends StartContext {
  cluster: WorldCluster;
  agent: AgentKind;
  /** The desired shape: the runner checks registration and ghosts against it at the end. */
  desired: Shape;
  /** Root's passwords, newest first (a rotation adds one): the runner logs in with them and scans for them. */
  rootPasswords: string[];
  /** Runs an action or fault and records it (start, end, failure) in the timeline. */
  step<T>(what: string, action: () => Promise<T>): Promise<T>;
  /** Waits a random time in [minMs, maxMs], recorded. */
  pause(minMs: number, maxMs: number): Promise<void>;
}
