/**
 * The one DNS-name rule (RFC 1123, as Kubernetes validates object names, namespaces and cluster
 * domains): a label is 1-63 lowercase letters, digits and inner hyphens; a subdomain is
 * dot-separated labels, at most 253 characters. The patterns are exported as strings too, for
 * schemas (the CRD's `pattern`), where the length limits are separate `maxLength` keywords.
 *
 * @example
 * ```ts
 * isDnsLabel('prod-fe-0'); // true
 * isDnsSubdomain('cluster.local'); // true
 * ```
 */

/** One RFC 1123 label, without its length limit (schemas state `maxLength: 63` beside it). */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** An RFC 1123 subdomain, without its length limit (`maxLength: 253` beside it). */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** Longest label. */
const DNS_LABEL_MAX = 63;
/** Longest subdomain. */
const DNS_SUBDOMAIN_MAX = 253;

const LABEL = new RegExp(DNS_LABEL_PATTERN);

/** True when `value` is an RFC 1123 label (lowercase, 1-63 characters). */
export function isDnsLabel(value: string): boolean {
  return value.length <= DNS_LABEL_MAX && LABEL.test(value);
}

/** True when `value` is an RFC 1123 subdomain: dot-separated labels, at most 253 characters. */
export function isDnsSubdomain(value: string): boolean {
  return value.length > 0 && value.length <= DNS_SUBDOMAIN_MAX && value.split('.').every(isDnsLabel);
}
