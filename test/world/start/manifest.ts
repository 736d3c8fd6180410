/**
 * What `npm start` needs to know of the manifest it applies: the one StarRocksCluster's name and
 * namespace, its components, and the root password Secret it names, if any (which `npm start`
 * creates when neither the cluster nor the file has it, as the example's comment asks a user to).
 */
import { parseAllDocuments } from 'yaml';
import { CRD } from '../../../agent/contract/index.ts';
import type { Component } from '../../../agent/contract/index.ts';

/** The StarRocksCluster of a manifest, as `npm start` follows it. */
export interface ClusterManifest {
  name: string;
  namespace: string;
  /** The components the spec declares, in fe, be, cn order. */
  components: Component[];
  /** `spec.agent.passwordSecret`, when set. */
  passwordSecret: { name: string; key: string } | undefined;
  /** The Secrets the file itself creates in the cluster's namespace: name -> key -> decoded value. */
  secretsInFile: Record<string, Record<string, string>>;
}

const SPEC_KEYS: Record<Component, string> = { fe: 'starRocksFeSpec', be: 'starRocksBeSpec', cn: 'starRocksCnSpec' };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Reads the manifest; an error says what is wrong with the file and what is expected. */
export function parseClusterManifest(source: string, file: string): { ok: true; cluster: ClusterManifest } | { ok: false; error: string } {
  const docs = parseAllDocuments(source);
  if (!Array.isArray(docs)) return { ok: false, error: `${file} holds no YAML document: expected one ${CRD.kind}` };
  const objects: Record<string, unknown>[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) return { ok: false, error: `${file} is not valid YAML: ${doc.errors[0]?.message ?? ''}` };
    const value: unknown = doc.toJS();
    if (isObject(value)) objects.push(value);
  }
  const clusters = objects.filter((o) => o.kind === CRD.kind);
  if (clusters.length !== 1) return { ok: false, error: `${file} holds ${clusters.length} ${CRD.kind} objects: npm start follows exactly one` };
  const cr = clusters[0] ?? {};
  const meta = isObject(cr.metadata) ? cr.metadata : {};
  const name = text(meta.name);
  if (name === undefined) return { ok: false, error: `the ${CRD.kind} in ${file} has no metadata.name` };
  const namespace = text(meta.namespace) ?? 'default';
  const spec = isObject(cr.spec) ? cr.spec : {};
  const components = (['fe', 'be', 'cn'] as const).filter((c) => isObject(spec[SPEC_KEYS[c]]));
  const agent = isObject(spec.agent) ? spec.agent : {};
  const ref = isObject(agent.passwordSecret) ? agent.passwordSecret : undefined;
  const secretName = text(ref?.name);
  const secretKey = text(ref?.key);
  // As the controller reads it (controller/cr/parse.ts): both name and key, or no password.
  const passwordSecret = secretName === undefined || secretKey === undefined ? undefined : { name: secretName, key: secretKey };
  const secretsInFile: Record<string, Record<string, string>> = {};
  for (const o of objects) {
    const secretMeta = isObject(o.metadata) ? o.metadata : {};
    const secret = text(secretMeta.name);
    if (o.kind !== 'Secret' || secret === undefined || (text(secretMeta.namespace) ?? 'default') !== namespace) continue;
    const values: Record<string, string> = {};
    // As the API server merges them: stringData wins over data.
    for (const [k, v] of Object.entries(isObject(o.data) ? o.data : {})) if (typeof v === 'string') values[k] = Buffer.from(v, 'base64').toString('utf8');
    for (const [k, v] of Object.entries(isObject(o.stringData) ? o.stringData : {})) if (typeof v === 'string') values[k] = v;
    secretsInFile[secret] = values;
  }
  return { ok: true, cluster: { name, namespace, components, passwordSecret, secretsInFile } };
}
