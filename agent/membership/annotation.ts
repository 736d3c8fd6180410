/**
 * The membership record the agent keeps in its pod's `starrocks.com/agent-membership` annotation
 * (DESIGN.md §1): the host:port it is registered as (the form every DROP must use), its FE role
 * and the cluster id. It survives container restarts, so a preStop after a crash, or a BE whose
 * pod IP changed, knows what it was. Annotations can be edited by hand: a record that does not
 * parse is reported as invalid, never guessed at.
 *
 * @example
 * ```ts
 * await kube.annotateSelf({ [ANNOTATIONS.membership]: serializeMembership(record) });
 * const previous = parseMembership(pod.metadata.annotations?.[ANNOTATIONS.membership]);
 * ```
 */
import { isComponent } from '../contract/index.ts';
import type { Component } from '../contract/index.ts';
import { hostPortText, parseHostPort } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';

/** What the annotation records. */
export interface MembershipRecord {
  readonly component: Component;
  readonly registeredAs: HostPort;
  /** FE only. */
  readonly role: 'FOLLOWER' | 'OBSERVER' | undefined;
  readonly clusterId: number | undefined;
  /** ISO time of the registration. */
  readonly at: string;
}

/** The annotation as read. */
export type MembershipAnnotation =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ok'; readonly record: MembershipRecord }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Annotation value (one line of JSON). */
export function serializeMembership(record: MembershipRecord): string {
  return JSON.stringify({
    component: record.component,
    registeredAs: hostPortText(record.registeredAs),
    ...(record.role === undefined ? {} : { role: record.role }),
    ...(record.clusterId === undefined ? {} : { clusterId: record.clusterId }),
    at: record.at,
  });
}

/** Parse the annotation value. Pure, never throws. */
export function parseMembership(value: string | undefined): MembershipAnnotation {
  if (value === undefined || value === '') return { kind: 'absent' };
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return invalid('not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.component !== 'string' || !isComponent(o.component)) return invalid(`component ${JSON.stringify(o.component)}`);
  if (typeof o.registeredAs !== 'string') return invalid(`registeredAs ${JSON.stringify(o.registeredAs)}`);
  let registeredAs: HostPort;
  try {
    registeredAs = parseHostPort(o.registeredAs);
  } catch (error) {
    return invalid((error as Error).message);
  }
  if (o.role !== undefined && o.role !== 'FOLLOWER' && o.role !== 'OBSERVER') return invalid(`role ${JSON.stringify(o.role)}`);
  if (o.clusterId !== undefined && !Number.isInteger(o.clusterId)) return invalid(`clusterId ${JSON.stringify(o.clusterId)}`);
  if (typeof o.at !== 'string' || Number.isNaN(Date.parse(o.at))) return invalid(`at ${JSON.stringify(o.at)}`);
  return {
    kind: 'ok',
    record: {
      component: o.component,
      registeredAs,
      role: o.role as MembershipRecord['role'],
      clusterId: o.clusterId as number | undefined,
      at: o.at,
    },
  };
}

function invalid(reason: string): MembershipAnnotation {
  return { kind: 'invalid', reason: `the membership annotation is invalid: ${reason}` };
}
