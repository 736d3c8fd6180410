/**
 * The committed CRD YAML: its path and its text, generated from `crd.ts`.
 * `node controller/crd/crd-yaml.ts` rewrites the file (`npm run build:crd`); a test fails when
 * the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { starRocksClusterCrd } from './crd.ts';

/** Where the CRD YAML lives, relative to the repository root. */
export const CRD_YAML_PATH = 'crds/starrocks.com_starrocksclusters.yaml';

/** The CRD as YAML, with a header saying where it comes from. */
export function crdYaml(): string {
  return `# Generated from controller/crd/crd.ts by \`npm run build:crd\`: do not edit by hand.\n${stringify(starRocksClusterCrd(), { lineWidth: 0 })}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  writeFileSync(`${root}${CRD_YAML_PATH}`, crdYaml());
}
