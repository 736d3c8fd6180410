/**
 * The OpenAPI v3 documents the world's kube-apiserver serves, for the Kubernetes types the
 * StarRocksCluster CRD embeds (controller/crd/kube-schemas.ts converts them). Starts a control
 * plane of its own in a temporary folder and stops it; callers hold the world lock.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressPlan } from './address-plan.ts';
import { locateBinaries } from './binaries.ts';
import { startControlPlane } from './control-plane/control-plane.ts';
import { startOrphanGuard } from './orphan-guard.ts';
import { isObject } from '../../controller/json.ts';
import { KUBE_OPENAPI_GROUPS, convertKubeSchemas } from '../../controller/crd/kube-schemas.ts';
import type { OpenApiDocuments } from '../../controller/crd/kube-schemas.ts';

/** How to reach an API server as its admin (a ControlPlane has it). */
interface ApiServer {
  kubeconfigPath: string;
}

const run = promisify(execFile);

/** The text of controller/crd/kube-schemas.generated.json, converted from what `api` serves. */
export async function servedKubeSchemasJson(api: ApiServer): Promise<string> {
  // kubectl's raw GET: the OpenAPI documents are no API object a typed client reads.
  const get = async (path: string): Promise<unknown> => {
    const { stdout } = await run('kubectl', ['--kubeconfig', api.kubeconfigPath, 'get', '--raw', path], { timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout) as unknown;
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
