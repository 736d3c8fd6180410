/**
 * Validated hosts and ports: the only way a host or a `host:port` string enters a SQL statement.
 *
 * A host is a DNS name (RFC 1123 labels, no trailing dot, last label not all digits), a dotted
 * IPv4 address, or an IPv6 address without zone id; a port is a whole number 1-65535. Values are
 * branded so that statement builders cannot be handed an unchecked string.
 *
 * @example
 * ```ts
 * const self = hostPort('fe-1.prod-fe-search.ns.svc.cluster.local', 9010);
 * hostPortText(self); // 'fe-1.prod-fe-search.ns.svc.cluster.local:9010'
 * ```
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isDnsLabel } from '../contract/dns-name.ts';
import { AgentError } from '../contract/errors.ts';

declare const validHost: unique symbol;
declare const validPort: unique symbol;

/** A host that passed validation. */
export type ValidHost = string & { readonly [validHost]: true };
/** A port that passed validation. */
export type ValidPort = number & { readonly [validPort]: true };

/** A validated host and port. */
export interface HostPort {
  readonly host: ValidHost;
  readonly port: ValidPort;
}

/** Why `raw` is not a valid host, or undefined when it is. */
export function hostProblem(raw: string): string | undefined {
  if (raw.length === 0) return 'empty';
  if (raw.length > 253) return 'longer than 253 characters';
  if (isIPv4(raw)) return undefined;
  if (raw.includes(':')) return isIPv6(raw) && !raw.includes('%') ? undefined : 'not an IPv6 address (zone ids are not accepted)';
  const labels = raw.split('.');
  // StarRocks compares names case-insensitively: the one DNS-label rule, on the lowercase form.
  if (!labels.every((label) => isDnsLabel(label.toLowerCase()))) return 'not a DNS name (letters, digits, inner hyphens, dot-separated)';
  if (/^[0-9]+$/.test(labels.at(-1) as string)) return 'looks like an IPv4 address but is not one';
  return undefined;
}

/** True when `raw` is a valid host. */
export function isValidHost(raw: string): raw is ValidHost {
  return hostProblem(raw) === undefined;
}

/** Validate a host. Throws ERR_HOST_INVALID naming the value and the problem. */
function validHostOf(raw: string): ValidHost {
  const problem = hostProblem(raw);
  if (problem !== undefined) {
    throw new AgentError('ERR_HOST_INVALID', `host ${JSON.stringify(raw)} is rejected: ${problem}`);
  }
  return raw as ValidHost;
}

/** True when `value` is a whole number 1-65535. */
export function isValidPort(value: number): value is ValidPort {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Validate a port. Throws ERR_HOST_INVALID. */
export function validPortOf(value: number): ValidPort {
  if (!isValidPort(value)) {
    throw new AgentError('ERR_HOST_INVALID', `port ${JSON.stringify(value)} is rejected: not a whole number from 1 to 65535`);
  }
  return value;
}

/** Validate a host and a port. Throws ERR_HOST_INVALID. */
export function hostPort(host: string, port: number): HostPort {
  return { host: validHostOf(host), port: validPortOf(port) };
}

/** Validate, returning undefined instead of throwing (for values read from StarRocks). */
export function tryHostPort(host: string, port: number): HostPort | undefined {
  return isValidHost(host) && isValidPort(port) ? { host, port } : undefined;
}

/** Parse `host:port` (`[v6]:port` for IPv6) into a validated value. Throws ERR_HOST_INVALID. */
export function parseHostPort(raw: string): HostPort {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(raw);
  if (match === null) {
    throw new AgentError('ERR_HOST_INVALID', `${JSON.stringify(raw)} is rejected: not host:port ([addr]:port for IPv6)`);
  }
  if (match[1] !== undefined && !match[1].includes(':')) {
    throw new AgentError('ERR_HOST_INVALID', `${JSON.stringify(raw)} is rejected: only IPv6 addresses go in brackets`);
  }
  return hostPort((match[1] ?? match[2]) as string, Number(match[3]));
}

/** `host:port`, with IPv6 in brackets as StarRocks' host:port parser expects. */
export function hostPortText(value: HostPort): string {
  return value.host.includes(':') ? `[${value.host}]:${value.port}` : `${value.host}:${value.port}`;
}

/**
 * True when two host strings name the same host as StarRocks compares them: IP addresses by
 * value (`::1` equals `0:0:0:0:0:0:0:1`), names case-insensitively.
 */
export function sameHost(a: string, b: string): boolean {
  if (isIPv6(a) && isIPv6(b)) return expandIPv6(a) === expandIPv6(b);
  return a.toLowerCase() === b.toLowerCase();
}

/** True when both name the same host and port. */
export function sameHostPort(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  return a.port === b.port && sameHost(a.host, b.host);
}

// Full eight-group lowercase form, embedded IPv4 converted, so textual variants compare equal.
function expandIPv6(address: string): string {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...(tail === undefined ? [] : zeros), ...right].map((g) => Number.parseInt(g, 16).toString(16)).join(':');
}
