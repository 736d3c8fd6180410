/**
 * `npm run build:crd:kube`: rewrites controller/crd/kube-schemas.generated.json from the OpenAPI
 * v3 documents of the world's kube-apiserver (etcd and kube-apiserver started here, stopped after); the script then runs
 * `npm run build:crd`. Hold the world lock: `flock /tmp/world.lock npm run build:crd:kube`.
 */
import { writeFileSync } from 'node:fs';
import { KUBE_SCHEMAS_PATH } from '../../controller/crd/kube-schemas.ts';
import { kubeSchemasJson } from './kube-openapi.ts';
import { REPO_ROOT } from './world.ts';

writeFileSync(`${REPO_ROOT}/${KUBE_SCHEMAS_PATH}`, await kubeSchemasJson());
