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

/** What a fresh control plane serves: the OpenAPI v3 documents and its version. */
interface Served {
  docs: OpenApiDocuments;
  kubernetes: string;
}

/** The text of controller/crd/kube-schemas.generated.json, converted from what the world's API server serves. */
export async function kubeSchemasJson(): Promise<string> {
  return `${JSON.stringify(convertKubeSchemas(await fetchKubeOpenApi()), null, 1)}\n`;
}

/** Fetches `/openapi/v3/<group>` for every group the CRD embeds types of, from a fresh control plane. */
async function fetchKubeOpenApi(): Promise<Served> {
  const { paths, missing } = locateBinaries();
  if (missing.length > 0) throw new Error(`the Kubernetes world's binaries are missing (${missing.join(', ')}): run npm run setup`);
  const dir = await mkdtemp(join(tmpdir(), 'starrocks-openapi-'));
  const guard = startOrphanGuard(dir);
  try {
    const cp = await startControlPlane({ binaries: paths, dir, ip: addressPlan().controlPlane, groups: guard });
    try {
      const get = async (path: string): Promise<unknown> => {
        const { status, body } = await httpStatus(`${cp.apiServerUrl}${path}`, { ca: cp.caPem, token: cp.adminToken, timeoutMs: 60_000 });
        if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${body.slice(0, 200)}`);
        return JSON.parse(body) as unknown;
      };
      const docs: OpenApiDocuments = {};
      for (const group of KUBE_OPENAPI_GROUPS) {
        docs[group] = await get(`/openapi/v3/${group}`);
      }
      const version = await get('/version');
      const kubernetes = isObject(version) && typeof version.gitVersion === 'string' ? version.gitVersion : 'unknown';
      return { docs, kubernetes };
    } finally {
      await cp.stop();
    }
  } finally {
    await guard.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
