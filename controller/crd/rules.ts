/**
 * Cross-field rules of the StarRocksCluster CRD. Each rule is written twice on purpose, side by
 * side: as CEL for the API server (`x-kubernetes-validations`, rejected at admission) and as a
 * TypeScript predicate over the same object, so the controller can report a CR that got in
 * before the rule existed, and tests can check manifests without a cluster. The schema
 * (cr/schema.ts) attaches each rule at its site; cr/validate.ts runs the twins there. Keep the two halves
 * of a rule equivalent.
 */
import type { Component } from '../../agent/contract/index.ts';
import { DEFAULT_VOTERS } from '../cr/defaults.ts';
import { isObject } from '../json.ts';
import { COMPONENT_FIELDS, ENV_FIELDS } from './fields.ts';

/** Where in the schema a rule is attached. */
export type RuleSite =
  | 'root'
  | 'component'
  | 'fe'
  | 'be'
  | 'cn'
  | 'configMapInfo'
  | 'storageVolume'
  | 'service'
  | 'autoScalingPolicy';

/** One cross-field rule. */
export interface CrdRule {
  site: RuleSite;
  /** CEL, evaluated by the API server with `self` the object at `site`. */
  rule: string;
  /** What the API server reports; it names the field. */
  message: string;
  /** Field the message points at, relative to `site` (`x-kubernetes-validations[].fieldPath`). */
  fieldPath?: string;
  /** The same rule in TypeScript; undefined for transition rules (they need the old object). */
  check: ((self: Record<string, unknown>) => boolean) | undefined;
}

/** Longest cluster name: `<name>-fe-<ordinal>` and the StatefulSet revision label must fit 63. */
const MAX_CLUSTER_NAME = 40;

const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter(isObject) : [];
const isBlank = (value: unknown): boolean => value === undefined || value === '';
const unique = (items: Record<string, unknown>[], key: string): boolean => {
  const seen = items.map((item) => item[key]);
  return new Set(seen).size === seen.length;
};

/** Why a cluster cannot lose its BEs: said by both rules that refuse it. */
const LAST_BE =
  'StarRocks cannot decommission its last BE (its tablet replicas have nowhere to go, and dropping the BEs loses the data); to remove the cluster, delete the StarRocksCluster';


/**
 * HOST_TYPE=IP in a component's env: the agent refuses it on Kubernetes (agent/config.ts), so
 * admission refuses it first, where the user sees it. The agent compares without case.
 */
function noHostTypeIp(component: Component): CrdRule {
  const field = ENV_FIELDS[component];
  return {
    site: component,
    rule: `!has(self.${field}) || !self.${field}.exists(e, e.name == 'HOST_TYPE' && has(e.value) && e.value in ['IP', 'Ip', 'iP', 'ip'])`,
    message: `${COMPONENT_FIELDS[component]}.${field} must not set HOST_TYPE to IP: pod IPs change when pods are re-created, which leaves ghost nodes holding tablets; remove HOST_TYPE (FQDN is the default)`,
    fieldPath: `.${field}`,
    check: (self) => !list(self[field]).some((e) => e.name === 'HOST_TYPE' && typeof e.value === 'string' && ['IP', 'Ip', 'iP', 'ip'].includes(e.value)),
  };
}

/**
 * Every cross-field rule. Transition rules (they read `oldSelf`) run on updates only, where the
 * object at their site exists before and after; a root rule reads `oldSelf.spec` for a component
 * that a patch removes.
 */
export const CRD_RULES: readonly CrdRule[] = [
  {
    site: 'root',
    rule: `self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$') && size(self.metadata.name) <= ${MAX_CLUSTER_NAME}`,
    message: `metadata.name must be a DNS label of at most ${MAX_CLUSTER_NAME} characters (it prefixes pod and service names)`,
    check: (self) => {
      const name = (isObject(self.metadata) ? self.metadata.name : undefined) ?? '';
      return typeof name === 'string' && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= MAX_CLUSTER_NAME;
    },
  },
  {
    site: 'fe',
    rule: '!has(self.replicas) || self.replicas != 2',
    message: 'starRocksFeSpec.replicas must not be 2: two FEs cannot keep a majority when one fails; use 1 (development) or 3 or more',
    fieldPath: '.replicas',
    check: (self) => num(self.replicas, 1) !== 2,
  },
  {
    site: 'root',
    rule:
      '!has(oldSelf.spec.starRocksBeSpec) || has(self.spec.starRocksBeSpec) || (has(oldSelf.spec.starRocksBeSpec.replicas) && oldSelf.spec.starRocksBeSpec.replicas == 0)',
    message: `spec.starRocksBeSpec cannot be removed: ${LAST_BE}`,
    fieldPath: '.spec.starRocksBeSpec',
    check: undefined,
  },
  {
    site: 'fe',
    rule: '!has(self.replicas) || self.replicas != 0',
    message:
      'starRocksFeSpec.replicas must not be 0: with no FE the cluster has no quorum and no metadata service; to remove the cluster, delete the StarRocksCluster',
    fieldPath: '.replicas',
    check: (self) => num(self.replicas, 1) !== 0,
  },
  {
    site: 'fe',
    rule: `(has(self.voters) ? self.voters : ${DEFAULT_VOTERS}) == (has(oldSelf.voters) ? oldSelf.voters : ${DEFAULT_VOTERS})`,
    message:
      'starRocksFeSpec.voters cannot change after creation: StarRocks cannot turn an observer into a follower (or a follower into an observer) in place',
    fieldPath: '.voters',
    check: undefined,
  },
  {
    site: 'be',
    rule: '!has(self.replicas) || self.replicas != 0 || (has(oldSelf.replicas) && oldSelf.replicas == 0)',
    message: `starRocksBeSpec.replicas cannot go down to 0: ${LAST_BE}`,
    fieldPath: '.replicas',
    check: undefined,
  },
  {
    site: 'fe',
    rule: '!has(self.voters) || self.voters % 2 == 1',
    message: 'starRocksFeSpec.voters must be odd (1, 3, 5, ...): an even number of voters tolerates no more failures than one fewer',
    fieldPath: '.voters',
    check: (self) => self.voters === undefined || num(self.voters, 1) % 2 === 1,
  },
  {
    site: 'fe',
    rule: 'self.replicas != 1 || !has(oldSelf.replicas) || oldSelf.replicas <= 1',
    message:
      'starRocksFeSpec.replicas cannot go from more than 1 to 1: a replicated FE group cannot fall back to a single node; scale to 3',
    fieldPath: '.replicas',
    check: undefined,
  },
  {
    site: 'configMapInfo',
    rule: "(has(self.configMapName) && self.configMapName != '') == (has(self.resolveKey) && self.resolveKey != '')",
    message: 'configMapInfo needs both configMapName and resolveKey',
    check: (self) => !isBlank(self.configMapName) === !isBlank(self.resolveKey),
  },
  {
    site: 'component',
    rule: '!has(self.storageVolumes) || self.storageVolumes.all(v, self.storageVolumes.exists_one(w, w.name == v.name))',
    message: 'storageVolumes names must be unique',
    fieldPath: '.storageVolumes',
    check: (self) => unique(list(self.storageVolumes), 'name'),
  },
  {
    site: 'component',
    rule: '!has(self.storageVolumes) || self.storageVolumes.all(v, self.storageVolumes.exists_one(w, w.mountPath == v.mountPath))',
    message: 'storageVolumes mountPaths must be unique',
    fieldPath: '.storageVolumes',
    check: (self) => unique(list(self.storageVolumes), 'mountPath'),
  },
  {
    site: 'storageVolume',
    rule: "!has(self.storageClassName) || self.storageClassName != 'hostPath' || has(self.hostPath)",
    message: 'storageVolumes[].hostPath is required when storageClassName is hostPath',
    fieldPath: '.hostPath',
    check: (self) => self.storageClassName !== 'hostPath' || self.hostPath !== undefined,
  },
  {
    site: 'service',
    rule: "!has(self.ports) || self.ports.all(p, !has(p.nodePort)) || (has(self.type) && self.type in ['NodePort', 'LoadBalancer'])",
    message: 'service.ports[].nodePort needs service.type NodePort or LoadBalancer',
    fieldPath: '.ports',
    check: (self) =>
      list(self.ports).every((p) => p.nodePort === undefined) || self.type === 'NodePort' || self.type === 'LoadBalancer',
  },
  {
    site: 'service',
    rule: "!has(self.loadBalancerIP) || self.loadBalancerIP == '' || (has(self.type) && self.type == 'LoadBalancer')",
    message: 'service.loadBalancerIP needs service.type LoadBalancer',
    fieldPath: '.loadBalancerIP',
    check: (self) => self.loadBalancerIP === undefined || self.loadBalancerIP === '' || self.type === 'LoadBalancer',
  },
  {
    site: 'autoScalingPolicy',
    rule: '!has(self.minReplicas) || self.minReplicas <= self.maxReplicas',
    message: 'autoScalingPolicy.minReplicas must not exceed autoScalingPolicy.maxReplicas',
    fieldPath: '.minReplicas',
    check: (self) => num(self.minReplicas, 1) <= num(self.maxReplicas, Number.POSITIVE_INFINITY),
  },
  noHostTypeIp('fe'),
  noHostTypeIp('be'),
  noHostTypeIp('cn'),
];
