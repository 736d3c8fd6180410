/** Regular expressions of the CRD schema (OpenAPI `pattern`s), shared by the converted Kubernetes types. */

/** The Kubernetes quantity syntax (resource.Quantity). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
/** The one DNS-name rule's patterns (agent/contract/dns-name.ts). */
export { DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN } from '../../agent/contract/dns-name.ts';
