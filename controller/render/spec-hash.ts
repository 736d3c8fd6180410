/**
 * The spec hash: a digest of a rendered object, stored in its `starrocks.com/spec-hash`
 * annotation: what the controller's inputs were at its last apply. It never skips an apply (every
 * reconcile applies everything); an object that differs from the render while the hash still
 * matches was changed by someone else (run/plan.ts reports it as drift).
 */
import { createHash } from 'node:crypto';
import { ANNOTATIONS } from '../../agent/contract/index.ts';
import { canonicalJson, dig } from '../json.ts';
import type { KubernetesObject } from './objects.ts';

/** The digest of a rendered object (without its hash annotation). */
export function specHash(object: KubernetesObject): string {
  return createHash('sha256').update(canonicalJson(object)).digest('hex').slice(0, 16);
}

/** The object with its hash annotation set. */
export function withSpecHash(object: KubernetesObject): KubernetesObject {
  const hash = specHash(object);
  return {
    ...object,
    metadata: { ...object.metadata, annotations: { ...asAnnotations(object.metadata.annotations), [ANNOTATIONS.specHash]: hash } },
  };
}

/** The hash stored on an existing object, if any. */
export function storedSpecHash(existing: unknown): string | undefined {
  const value = dig(existing, 'metadata', 'annotations', ANNOTATIONS.specHash);
  return typeof value === 'string' ? value : undefined;
}

function asAnnotations(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
