/**
 * The OpenAPI v3 documents the world's kube-apiserver serves, for the Kubernetes types the
 * StarRocksCluster CRD embeds (controller/crd/kube-schemas.ts converts them). Starts a control
 * plane of its own in a temporary folder and stops it; callers hold the world lock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressPlan } from './address-plan.ts';
import { locateBinaries } from './binaries.ts';
import { startControlPlane } from './control-plane/control-plane.ts';
import { startOrphanGuard } from './orphan-guard.ts';
import { httpStatus } from './wait.ts';
import { isObject } from '../../controller/json.ts';
import { KUBE_OPENAPI_GROUPS, convertKubeSchemas } from '../../controller/crd/kube-schemas.ts';
import type { OpenApiDocuments } from '../../controller/crd/kube-schemas.ts';

/** How to reach an API server as its admin (a ControlPlane has these). */
interface ApiServer {
  apiServerUrl: string;
  caPem: string;
  adminToken: string;
}

/** The text of controller/crd/kube-schemas.generated.json, converted from what `api` serves. */
export async function servedKubeSchemasJson(api: ApiServer): Promise<string> {
  const get = async (path: string): Promise<unknown> => {
    const { status, body } = await httpStatus(`${api.apiServerUrl}${path}`, { ca: api.caPem, token: api.adminToken, timeoutMs: 60_000 });
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${body.slice(0, 200)}`);
    return JSON.parse(body) as unknown;
  };
  const docs: OpenApiDocuments = {};
  for (const group of KUBE_OPENAPI_GROUPS) docs[group] = await get(`/openapi/v3/${group}`);
  const version = await get('/version');
  const kubernetes = isObject(version) && typeof version.gitVersion === 'string' ? version.gitVersion : 'unknown';
  return `${JSON.stringify(convertKubeSchemas({ docs, kubernetes }), null, 1)}\n`;
}

/** The same, from an etcd and a kube-apiserver started for it in a temporary folder (stopped after). */
export async function kubeSchemasJson(): Promise<string> {
  const { paths, missing } = locateBinaries();
  if (missing.length > 0) throw new Error(`the Kubernetes world's binaries are missing (${missing.join(', ')}): run npm run setup`);
  const dir = await mkdtemp(join(tmpdir(), 'starrocks-openapi-'));
  const guard = startOrphanGuard(dir);
  try {
    const cp = await startControlPlane({ binaries: paths, dir, ip: addressPlan().controlPlane, groups: guard, apiServerOnly: true });
    try {
      return await servedKubeSchemasJson(cp);
    } finally {
      await cp.stop();
    }
  } finally {
    await guard.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
