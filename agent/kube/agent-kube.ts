/**
 * The agent's whole use of the Kubernetes API, behind one small interface: read its StatefulSet's
 * replicas (restart or scale-in?), keep its state in its own pod's annotations, read and create
 * the bootstrap fence, and emit events. Tests and the agent's decisions use this interface; only
 * `kube-client.ts` speaks HTTP, through the agent's own small client in `rest.ts`.
 */

/** What the bootstrap fence records (DESIGN.md §3). */
export interface Fence {
  clusterId: string;
  /** The pod that bootstrapped the cluster. */
  bootstrappedBy: string;
  /** ISO time of the bootstrap. */
  at: string;
}

/** What the agent reads of another pod of its cluster. */
interface PodSummary {
  readonly annotations: Readonly<Record<string, string>>;
  /** `status.phase`: Pending, Running, Succeeded, Failed, Unknown. */
  readonly phase: string;
  /** True once the pod has a deletionTimestamp. */
  readonly deleting: boolean;
}

/** A Kubernetes event on the agent's own pod. */
export interface AgentEvent {
  type: 'Normal' | 'Warning';
  /** UpperCamelCase reason, e.g. `Decommissioning`. */
  reason: string;
  message: string;
}

/** The agent's view of the Kubernetes API. Every call has a timeout and throws ERR_KUBERNETES. */
export interface AgentKube {
  /** `spec.replicas` of a StatefulSet in the agent's namespace. */
  statefulSetReplicas(name: string): Promise<number>;
  /** The fence ConfigMap's content, or undefined when there is none. */
  readFence(name: string): Promise<Fence | undefined>;
  /** Create the fence; `exists` when someone else created it first (create-only semantics). */
  createFence(name: string, fence: Fence): Promise<'created' | 'exists'>;
  /** The agent's own StarRocksCluster as JSON, or undefined when it does not exist (parsed in plan/desired-state.ts). */
  readStarRocksCluster(): Promise<unknown>;
  /** A pod of the agent's namespace, or undefined when there is none by that name. */
  readPod(name: string): Promise<PodSummary | undefined>;
  /**
   * Set the agent's annotations on its own pod (null deletes a key), by server-side apply under the
   * agent's field managers, so keys of other writers are never touched.
   */
  annotateSelf(annotations: Readonly<Record<string, string | null>>): Promise<void>;
  /** Record an event on the agent's own pod. Never throws: events are best effort. */
  emitEvent(event: AgentEvent): Promise<void>;
}
