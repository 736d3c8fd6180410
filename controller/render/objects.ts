/**
 * The shape of rendered Kubernetes objects (plain JSON, so rendering never loads client-node),
 * and the metadata every rendered object carries: the cluster's labels and an owner reference
 * to the StarRocksCluster, so deleting the cluster garbage-collects it.
 */
import { CRD, LABELS, LABEL_VALUES } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import type { StarRocksCluster } from '../cr/types.ts';
import type { JsonObject } from '../json.ts';

/** Metadata of a rendered object. */
export type RenderedMeta = JsonObject & {
  name: string;
  namespace: string;
  labels: Record<string, string>;
};

/** A rendered Kubernetes object. */
export type KubernetesObject = JsonObject & {
  apiVersion: string;
  kind: string;
  metadata: RenderedMeta;
};

/**
 * A rendered part, checked against client-node's model of it: `modelled<V1ServiceSpec>({...})`
 * fails `tsc` on a misspelt or misplaced field. The value stays plain JSON (the models are types
 * only: rendering loads no client-node code).
 */
export function modelled<T extends object>(value: T): JsonObject {
  return value as unknown as JsonObject;
}

/**
 * A part given as JSON (the CR's own, admitted by the CRD schema, or rendered as JSON elsewhere)
 * where a model type is expected: the one place such a part crosses into the typed render.
 */
export function asModel<T>(value: unknown): T {
  return value as T;
}

/** Labels on every object of a cluster (and of one component, when given). */
export function clusterLabels(cluster: string, component?: Component): Record<string, string> {
  const labels: Record<string, string> = {
    [LABELS.name]: LABEL_VALUES.name,
    [LABELS.instance]: cluster,
    [LABELS.managedBy]: LABEL_VALUES.managedBy,
  };
  if (component !== undefined) labels[LABELS.component] = component;
  return labels;
}

/** The owner reference to the StarRocksCluster that every rendered object carries. */
function ownerReference(cluster: StarRocksCluster): JsonObject {
  return {
    apiVersion: `${CRD.group}/${CRD.version}`,
    kind: CRD.kind,
    name: cluster.name,
    uid: cluster.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Options of `objectMeta`. */
export interface ObjectMetaOptions {
  cluster: StarRocksCluster;
  name: string;
  component?: Component;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Metadata with the cluster labels, the owner reference and optional extras. */
export function objectMeta(options: ObjectMetaOptions): RenderedMeta {
  const meta: RenderedMeta = {
    name: options.name,
    namespace: options.cluster.namespace,
    labels: { ...options.labels, ...clusterLabels(options.cluster.name, options.component) },
    ownerReferences: [ownerReference(options.cluster)],
  };
  if (options.annotations !== undefined && Object.keys(options.annotations).length > 0) {
    meta.annotations = { ...options.annotations };
  }
  return meta;
}

/** `namespace/kind/name`, identifying an object among the rendered ones. */
export function objectKey(object: { kind: string; metadata: { namespace?: unknown; name?: unknown } }): string {
  return `${String(object.metadata.namespace ?? '')}/${object.kind}/${String(object.metadata.name ?? '')}`;
}
