/**
 * Runtime validation of a raw StarRocksCluster against the one schema (schema.ts): what the API
 * server checks at admission, for a CR that got in without it (stored before the CRD had a field
 * or a rule, or a CRD installed without validation). Unknown fields are errors, as
 * `kubectl apply --validate=strict` reports them; each CEL rule runs as its TypeScript twin.
 */
import { Compile } from 'typebox/compile';
import type { Validator } from 'typebox/compile';
import kubeSchemas from '../crd/kube-schemas.generated.json' with { type: 'json' };
import { CRD_RULES } from '../crd/rules.ts';
import { isObject } from '../json.ts';
import type { JsonObject } from '../json.ts';
import { crdOpenApiSchema } from './schema.ts';
import type { STAR_ROCKS_CLUSTER_SCHEMA, StarRocksClusterResource } from './schema.ts';
import type { SpecProblem } from './types.ts';

/**
 * The CRD schema made strict: every object with known properties rejects others. A structural
 * CRD schema may not say `additionalProperties: false`; the API server gets the same effect by
 * pruning (and strict field validation by reporting) unknown fields.
 */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = key === 'enum' || key === 'default' ? value : strict(value);
  if (isObject(node.properties) && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * The strict schema with each embedded Kubernetes type defined once (`$defs`) and referred to
 * where the CRD repeats it (Container six times, Affinity three): half the compile time and
 * half the check time of the inlined schema. Only unchanged copies are shared (found by their
 * text); overlaid ones (EnvVar with bounds) stay inline.
 */
function sharedKubeTypes(schema: JsonObject): Record<string, unknown> {
  const byText = new Map(Object.entries(kubeSchemas.schemas).map(([name, s]) => [JSON.stringify(s), name]));
  const defs: Record<string, unknown> = {};
  const share = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(share);
    if (!isObject(node)) return node;
    const name = byText.get(JSON.stringify(node));
    if (name !== undefined) {
      defs[name] ??= strict(node);
      return { $ref: `#/$defs/${name}` };
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = share(value);
    return out;
  };
  const root = strict(share(schema)) as Record<string, unknown>;
  // The status is the controller's own output, and the API server prunes it to the schema: a
  // status field this version does not know must not make the spec invalid.
  const properties = isObject(root.properties) ? { ...root.properties, status: {} } : root.properties;
  return { ...root, properties, $defs: defs };
}

let plain: JsonObject | undefined;
let validator: Validator | undefined;
// Built on first use: the controller's start-up does not pay for them before the first CR.
function plainSchema(): JsonObject {
  plain ??= crdOpenApiSchema();
  return plain;
}
function compiled(): Validator {
  validator ??= Compile(sharedKubeTypes(plainSchema()) as unknown as typeof STAR_ROCKS_CLUSTER_SCHEMA);
  return validator;
}

/** `/spec/tolerations/0` as the API server writes it: `spec.tolerations[0]`. */
function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    current = Array.isArray(current) ? current[Number(key)] : isObject(current) ? current[key] : undefined;
  }
  return current;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Schema errors of a raw CR: the field's path (`spec.x.tolerations[0].key`), and what is wrong with the value it got; [] when it conforms. */
export function schemaProblems(raw: unknown): SpecProblem[] {
  const v = compiled();
  if (v.Check(raw)) return [];
  const problems: SpecProblem[] = [];
  for (const error of v.Errors(raw)) {
    const field = fieldPath(error.instancePath);
    // An unknown field fails the `false` schema at its own path; the object's own
    // additionalProperties error repeats it (and fires on every map of typed values).
    if (error.keyword === 'additionalProperties') continue;
    if (error.keyword === 'boolean') {
      problems.push({ field, message: `unknown field "${field}": remove it or fix its spelling` });
      continue;
    }
    const missing = error.keyword === 'required' ? error.params.requiredProperties : [];
    for (const key of missing) {
      const path = field === '' ? key : `${field}.${key}`;
      problems.push({ field: path, message: 'Required value: set it' });
    }
    if (missing.length > 0) continue;
    // anyOf reports each branch; the anyOf error itself says enough.
    if (error.schemaPath.includes('/anyOf/')) continue;
    const value = valueAt(raw, error.instancePath);
    problems.push({ field: field === '' ? '<root>' : field, message: `${error.message} (got ${shown(value)})` });
  }
  return problems;
}

/** Whether a raw CR conforms to the schema (its CEL rules aside). */
export function conforms(raw: unknown): raw is StarRocksClusterResource {
  return compiled().Check(raw);
}

/**
 * Cross-field problems: the TypeScript twin of every CEL rule, run where the schema attaches it
 * (transition rules excepted: they need the old object). Walks the schema and the value together.
 */
export function ruleProblems(raw: unknown): SpecProblem[] {
  const problems: SpecProblem[] = [];
  walkRules(plainSchema(), raw, '', problems);
  return problems;
}

function walkRules(schema: JsonObject, value: unknown, path: string, problems: SpecProblem[]): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (isObject(items)) value.forEach((item, i) => walkRules(items as JsonObject, item, `${path}[${i}]`, problems));
    return;
  }
  if (!isObject(value)) return;
  const rules = schema['x-kubernetes-validations'];
  if (Array.isArray(rules)) {
    for (const rule of rules) {
      if (!isObject(rule)) continue;
      const twin = CRD_RULES.find((r) => r.rule === rule.rule);
      if (twin === undefined) throw new Error(`no TypeScript twin for CEL rule ${String(rule.rule)}: add it to controller/crd/rules.ts`);
      if (twin.check === undefined || twin.check(value)) continue;
      const field = `${path}${twin.fieldPath ?? ''}`.replace(/^\./, '');
      problems.push({ field: field === '' ? 'metadata.name' : field, message: twin.message });
    }
  }
  const properties = schema.properties;
  if (!isObject(properties)) return;
  for (const [key, sub] of Object.entries(properties)) {
    if (isObject(sub) && value[key] !== undefined) walkRules(sub as JsonObject, value[key], path === '' ? `.${key}` : `${path}.${key}`, problems);
  }
}
