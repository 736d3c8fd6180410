/**
 * The membership record an agent keeps in its pod's `starrocks.com/agent-membership` annotation
 * (DESIGN.md §1), and its one codec: the agent encodes it, the controller's status decodes it.
 * It holds the host:port the node is registered as (the form every DROP must use), an FE's role
 * and cluster id, and when it was written; it survives container restarts.
 *
 * Annotations can be edited by hand, so decoding is tolerant where it can be and strict where it
 * must be: surrounding space, unknown keys and the case of `component` and `role` are accepted;
 * an optional field that does not read is dropped and named in `ignored`; a record without a
 * readable component or `registeredAs` is `invalid`, never guessed at. Decoding never throws.
 *
 * @example
 * ```ts
 * await kube.annotateSelf({ [ANNOTATIONS.membership]: encodeMembership(record) });
 * const read = decodeMembership(pod.metadata.annotations?.[ANNOTATIONS.membership]);
 * if (read.kind === 'ok') membershipHostText(read.record.registeredAs); // 'sr-be-0.sr-be-search.ns.svc.cluster.local:9050'
 * ```
 */
import { isDnsSubdomain } from './dns-name.ts';
import { isComponent } from './index.ts';
import type { Component } from './index.ts';

/** An FE's Role as SHOW FRONTENDS reports it (the agent records only these three). */
export type FeRole = 'LEADER' | 'FOLLOWER' | 'OBSERVER';

/** True when `value` is an FE role the record holds. */
export function isFeRole(value: string): value is FeRole {
  return value === 'LEADER' || value === 'FOLLOWER' || value === 'OBSERVER';
}

/** What the annotation records. */
export interface MembershipRecord {
  readonly component: Component;
  /** The host and port the node is registered as: FE host:edit_log_port, BE/CN host:heartbeat_port. */
  readonly registeredAs: { readonly host: string; readonly port: number };
  /** FE only: its role, as registered and then as last seen in SHOW FRONTENDS. */
  readonly role: FeRole | undefined;
  /** FE only: the cluster id it reports. */
  readonly clusterId: number | undefined;
  /** ISO time the record was written; undefined when a hand edit removed or broke it. */
  readonly at: string | undefined;
}

/** The annotation as read. */
export type MembershipAnnotation =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ok'; readonly record: MembershipRecord; /** Optional fields that did not read, dropped. */ readonly ignored: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: string };

/** `host:port`, with IPv6 in brackets as StarRocks writes it. */
export function membershipHostText(registeredAs: MembershipRecord['registeredAs']): string {
  return registeredAs.host.includes(':') ? `[${registeredAs.host}]:${registeredAs.port}` : `${registeredAs.host}:${registeredAs.port}`;
}

/** The annotation value: one line of JSON, undefined fields left out. */
export function encodeMembership(record: MembershipRecord): string {
  return JSON.stringify({
    component: record.component,
    registeredAs: membershipHostText(record.registeredAs),
    ...(record.role === undefined ? {} : { role: record.role }),
    ...(record.clusterId === undefined ? {} : { clusterId: record.clusterId }),
    ...(record.at === undefined ? {} : { at: record.at }),
  });
}

/** True when two records say the same, whenever they were written. */
export function sameMembership(a: MembershipRecord, b: MembershipRecord): boolean {
  return encodeMembership({ ...a, at: undefined }) === encodeMembership({ ...b, at: undefined });
}

/** Read the annotation value. Pure, never throws. */
export function decodeMembership(value: string | undefined): MembershipAnnotation {
  const text = value?.trim() ?? '';
  if (text === '') return { kind: 'absent' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return invalid(`not JSON: ${JSON.stringify(clip(text))}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid(`not a JSON object: ${JSON.stringify(clip(text))}`);
  const o = raw as Record<string, unknown>;
  const component = typeof o.component === 'string' ? o.component.trim().toLowerCase() : '';
  if (!isComponent(component)) return invalid(`component ${JSON.stringify(o.component)} is not fe, be or cn`);
  const registeredAs = typeof o.registeredAs === 'string' ? parseHostPort(o.registeredAs.trim()) : undefined;
  if (registeredAs === undefined) return invalid(`registeredAs ${JSON.stringify(o.registeredAs)} is not host:port ([address]:port for IPv6)`);
  const ignored: string[] = [];
  const role = typeof o.role === 'string' ? o.role.trim().toUpperCase() : undefined;
  if (o.role !== undefined && (role === undefined || !isFeRole(role))) ignored.push(`role ${JSON.stringify(o.role)}`);
  const clusterId = typeof o.clusterId === 'string' && /^\s*[1-9][0-9]*\s*$/.test(o.clusterId) ? Number(o.clusterId) : o.clusterId;
  const clusterIdOk = typeof clusterId === 'number' && Number.isSafeInteger(clusterId) && clusterId > 0;
  if (o.clusterId !== undefined && !clusterIdOk) ignored.push(`clusterId ${JSON.stringify(o.clusterId)}`);
  const atOk = typeof o.at === 'string' && !Number.isNaN(Date.parse(o.at));
  if (o.at !== undefined && !atOk) ignored.push(`at ${JSON.stringify(o.at)}`);
  return {
    kind: 'ok',
    record: {
      component,
      registeredAs,
      role: role !== undefined && isFeRole(role) ? role : undefined,
      clusterId: clusterIdOk ? clusterId : undefined,
      at: atOk ? (o.at as string) : undefined,
    },
    ignored,
  };
}

// `host:port` or `[v6]:port`; the host a DNS name (any case), an IPv4 address, or an IPv6 one.
function parseHostPort(text: string): MembershipRecord['registeredAs'] | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\]|([^:[\]\s]+)):([0-9]{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  const host = match[1] ?? (match[2] as string);
  if (match[1] === undefined && !isDnsSubdomain(host.toLowerCase())) return undefined;
  return { host, port };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function invalid(reason: string): MembershipAnnotation {
  return { kind: 'invalid', reason: `the membership annotation is invalid: ${reason}` };
}
