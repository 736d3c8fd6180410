/**
 * The agent's whole use of the Kubernetes API, behind one small interface: read its StatefulSet's
 * replicas (restart or scale-in?), keep its state in its own pod's annotations, read and create
 * the bootstrap fence, and emit events. Tests and the agent's hot paths never load client-node;
 * only `kube-client.ts` does, on demand.
 */

/** What the bootstrap fence records (DESIGN.md §3). */
export interface Fence {
  clusterId: string;
  /** The pod that bootstrapped the cluster. */
  bootstrappedBy: string;
  /** ISO time of the bootstrap. */
  at: string;
}

/**
 * The second record of a cluster's id, independent of the fence: the StarRocksCluster's
 * `status.clusterId` (copied there by the controller) and the cluster-id annotations of FE pods
 * (written by every FE agent that saw its FE report the id).
 */
export interface ClusterRecord {
  /** `status.clusterId` as found; undefined when unset or when the StarRocksCluster does not exist. */
  readonly statusClusterId: unknown;
  /** FE pods that carry a cluster-id annotation. */
  readonly pods: readonly { readonly pod: string; readonly clusterId: string }[];
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
  /** Read the second record of the cluster id: the StarRocksCluster's status and these FE pods' annotations. */
  readClusterRecord(fePods: readonly string[]): Promise<ClusterRecord>;
  /** Merge-patch the agent's own pod's annotations (null deletes a key). */
  annotateSelf(annotations: Readonly<Record<string, string | null>>): Promise<void>;
  /** Record an event on the agent's own pod. Never throws: events are best effort. */
  emitEvent(event: AgentEvent): Promise<void>;
}
