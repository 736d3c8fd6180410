/**
 * The StarRocksCluster CustomResourceDefinition, built here as data: the single source of the
 * YAML in `crds/` (written by `npm run build:crd`, checked up to date by a test). Its
 * `openAPIV3Schema` is the CR's one schema (cr/schema.ts).
 */
import { CRD } from '../../agent/contract/index.ts';
import { crdOpenApiSchema } from '../cr/schema.ts';
import type { JsonObject } from '../json.ts';
import { COMPONENT_FIELDS, STATUS_FIELDS } from './fields.ts';

/** Re-exported for the status writers (run/, status/). */
export { STATUS_FIELDS } from './fields.ts';

/** The CRD object. */
export function starRocksClusterCrd(): JsonObject {
  // Priority 1: shown by `kubectl get -o wide` only.
  const column = (n: string, jsonPath: string, type = 'string', priority = 0): JsonObject => ({ name: n, type, jsonPath, ...(priority === 0 ? {} : { priority }) });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${CRD.plural}.${CRD.group}` },
    spec: {
      group: CRD.group,
      names: {
        kind: CRD.kind,
        listKind: `${CRD.kind}List`,
        plural: CRD.plural,
        singular: CRD.singular,
        shortNames: [CRD.shortName],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: CRD.version,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: {
              specReplicasPath: `.spec.${COMPONENT_FIELDS.cn}.replicas`,
              statusReplicasPath: `.status.${STATUS_FIELDS.cn}.replicas`,
              labelSelectorPath: `.status.${STATUS_FIELDS.cn}.selector`,
            },
          },
          additionalPrinterColumns: [
            column('Phase', '.status.phase'),
            column('FE', `.status.${STATUS_FIELDS.fe}.ready`),
            column('BE', `.status.${STATUS_FIELDS.be}.ready`),
            column('CN', `.status.${STATUS_FIELDS.cn}.ready`),
            column('Leader', '.status.leader'),
            column('Cluster-ID', '.status.clusterId', 'string', 1),
            column('Age', '.metadata.creationTimestamp', 'date'),
          ],
          schema: { openAPIV3Schema: crdOpenApiSchema() },
        },
      ],
    },
  };
}
