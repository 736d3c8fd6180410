/**
 * The Kubernetes types the StarRocksCluster CRD embeds (affinity, tolerations, containers, ...),
 * as structural CRD schemas converted from the OpenAPI v3 documents a kube-apiserver serves, so
 * the API server checks a sidecar or a toleration as it checks a Pod's.
 *
 * The converted schemas are committed in `kube-schemas.generated.json`: `npm run build:crd` reads
 * that file and works offline. `npm run build:crd:kube` fetches the documents from the world's
 * kube-apiserver (test/world/kube-openapi.ts), converts them here and rewrites the file; a world
 * test fails when the committed file differs from what the world's API server serves.
 */
import { isObject } from '../json.ts';
import type { JsonObject } from '../json.ts';
import { QUANTITY_PATTERN } from './patterns.ts';

/** The API groups whose OpenAPI v3 documents hold the embedded types (`/openapi/v3/<group>`). */
export const KUBE_OPENAPI_GROUPS = ['api/v1', 'apis/apps/v1', 'apis/autoscaling/v2'] as const;

/** The OpenAPI v3 documents, by group path. */
export type OpenApiDocuments = Record<string, unknown>;

/** The embedded types, by OpenAPI name: the roots of the conversion. */
const KUBE_TYPES = [
  'io.k8s.api.core.v1.Affinity',
  'io.k8s.api.core.v1.Capabilities',
  'io.k8s.api.core.v1.Container',
  'io.k8s.api.core.v1.EnvVar',
  'io.k8s.api.core.v1.HostAlias',
  'io.k8s.api.core.v1.Lifecycle',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.ResourceClaim',
  'io.k8s.api.core.v1.Sysctl',
  'io.k8s.api.core.v1.Toleration',
  'io.k8s.api.core.v1.TopologySpreadConstraint',
  'io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy',
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior',
  'io.k8s.api.autoscaling.v2.MetricSpec',
] as const;

/** One embedded type's OpenAPI name. */
export type KubeType = (typeof KUBE_TYPES)[number];

/** The committed file's content. */
interface KubeSchemas {
  /** `gitVersion` of the kube-apiserver the documents came from. */
  kubernetes: string;
  schemas: Record<KubeType, JsonObject>;
}

/** Where the converted schemas are committed, relative to the repository root. */
export const KUBE_SCHEMAS_PATH = 'controller/crd/kube-schemas.generated.json';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
// Formats a CRD accepts; the others (int-or-string) are handled above or dropped.
const FORMATS = new Set(['int32', 'int64', 'byte', 'date-time', 'double', 'float']);
// Extensions a CRD schema may carry; x-kubernetes-patch-*, -unions and -group-version-kind may not.
const LIST_KEYS = ['x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type'] as const;

/**
 * Converts the embedded types to structural CRD schemas: `$ref`s inlined, descriptions dropped
 * (size: the CRD repeats Container six times), defaults dropped except on list-map keys (the API
 * server requires a map key to be required or defaulted), IntOrString and Quantity as
 * int-or-string, enums extended with "" (the empty value the Pod validation accepts as unset).
 */
export function convertKubeSchemas(input: { docs: OpenApiDocuments; kubernetes: string }): KubeSchemas {
  const all: Record<string, unknown> = {};
  for (const group of KUBE_OPENAPI_GROUPS) {
    const doc = input.docs[group];
    const schemas = isObject(doc) && isObject(doc.components) ? doc.components.schemas : undefined;
    if (!isObject(schemas)) throw new Error(`the OpenAPI document of ${group} has no components.schemas`);
    Object.assign(all, schemas);
  }
  const out: Partial<Record<KubeType, JsonObject>> = {};
  for (const name of KUBE_TYPES) out[name] = convertNamed(all, name, []);
  return { kubernetes: input.kubernetes, schemas: out as Record<KubeType, JsonObject> };
}

function convertNamed(all: Record<string, unknown>, name: string, stack: string[]): JsonObject {
  if (name === INT_OR_STRING) return { 'x-kubernetes-int-or-string': true };
  if (name === QUANTITY) {
    return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: QUANTITY_PATTERN };
  }
  if (stack.includes(name)) throw new Error(`the Kubernetes type ${name} refers to itself (${stack.join(' > ')}): a CRD schema cannot`);
  const schema = all[name];
  if (!isObject(schema)) throw new Error(`the OpenAPI documents have no schema ${name}`);
  return convert(all, schema, [...stack, name], name);
}

function refName(node: Record<string, unknown>): string | undefined {
  if (typeof node.$ref === 'string') return node.$ref.replace('#/components/schemas/', '');
  if (Array.isArray(node.allOf) && node.allOf.length === 1 && isObject(node.allOf[0]) && typeof node.allOf[0].$ref === 'string') {
    return node.allOf[0].$ref.replace('#/components/schemas/', '');
  }
  return undefined;
}

function convert(all: Record<string, unknown>, node: Record<string, unknown>, stack: string[], at: string): JsonObject {
  const ref = refName(node);
  if (ref !== undefined) return convertNamed(all, ref, stack);
  const out: JsonObject = {};
  if (typeof node.type === 'string') out.type = node.type;
  if (typeof node.format === 'string' && FORMATS.has(node.format)) out.format = node.format;
  if (Array.isArray(node.enum)) {
    const values = node.enum.filter((v): v is string => typeof v === 'string');
    out.enum = values.includes('') ? values : [...values, ''];
  }
  if (Array.isArray(node.required)) out.required = node.required.filter((v): v is string => typeof v === 'string');
  if (isObject(node.properties)) {
    const properties: JsonObject = {};
    for (const key of Object.keys(node.properties).sort()) {
      const sub = node.properties[key];
      if (isObject(sub)) properties[key] = convert(all, sub, stack, `${at}.${key}`);
    }
    out.properties = properties;
  }
  if (isObject(node.additionalProperties)) out.additionalProperties = convert(all, node.additionalProperties, stack, `${at}{}`);
  if (isObject(node.items)) out.items = convert(all, node.items, stack, `${at}[]`);
  for (const key of LIST_KEYS) {
    const value = node[key];
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === 'string');
  }
  if (out.type === 'array' && out['x-kubernetes-list-type'] === 'map') keepMapKeyDefaults(node, out, all);
  if (out.type === 'object' && out.properties === undefined && out.additionalProperties === undefined) {
    throw new Error(`${at} is an object with no fields: a structural schema would prune it; map it by hand`);
  }
  if (out.type === undefined && out['x-kubernetes-int-or-string'] === undefined) {
    throw new Error(`${at} has no type: a structural schema needs one`);
  }
  return out;
}

// The API server requires each key of a map list to be required or to have a default: keep the
// OpenAPI default of a key that is not required (a container port's protocol, TCP).
function keepMapKeyDefaults(node: Record<string, unknown>, out: JsonObject, all: Record<string, unknown>): void {
  const keys = out['x-kubernetes-list-map-keys'];
  const items = out.items;
  if (!Array.isArray(keys) || !isObject(items) || !isObject(items.properties) || !isObject(node.items)) return;
  const rawItemsRef = refName(node.items);
  const rawItems = rawItemsRef === undefined ? node.items : all[rawItemsRef];
  const rawProperties = isObject(rawItems) && isObject(rawItems.properties) ? rawItems.properties : {};
  const required = Array.isArray(items.required) ? items.required : [];
  for (const key of keys) {
    if (typeof key !== 'string' || required.includes(key)) continue;
    const raw = rawProperties[key];
    const property = items.properties[key];
    if (isObject(raw) && raw.default !== undefined && isObject(property)) property.default = raw.default as JsonObject[string];
  }
}
