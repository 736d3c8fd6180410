import t from 'tap';
import { convertKubeSchemas } from '../../../controller/crd/kube-schemas.ts';
import type { OpenApiDocuments } from '../../../controller/crd/kube-schemas.ts';
import { QUANTITY_PATTERN } from '../../../controller/crd/patterns.ts';

const ref = (name: string): Record<string, unknown> => ({ default: {}, allOf: [{ $ref: `#/components/schemas/${name}` }] });
const obj = (properties: Record<string, unknown> = { a: { type: 'string' } }): Record<string, unknown> => ({ type: 'object', properties });

/** Documents holding every root type (as trivial objects) plus `extra`, all in api/v1. */
function docs(extra: Record<string, unknown>, roots: Record<string, unknown> = {}): OpenApiDocuments {
  const names = [
    'core.v1.Affinity', 'core.v1.Capabilities', 'core.v1.Container', 'core.v1.EnvVar', 'core.v1.HostAlias', 'core.v1.Lifecycle',
    'core.v1.LocalObjectReference', 'core.v1.ResourceClaim', 'core.v1.Sysctl', 'core.v1.Toleration', 'core.v1.TopologySpreadConstraint',
    'apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy', 'apps.v1.StatefulSetUpdateStrategy',
    'autoscaling.v2.HorizontalPodAutoscalerBehavior', 'autoscaling.v2.MetricSpec',
  ];
  const schemas: Record<string, unknown> = { ...extra };
  for (const n of names) schemas[`io.k8s.api.${n}`] = roots[n] ?? obj();
  return { 'api/v1': { components: { schemas } }, 'apis/apps/v1': { components: { schemas: {} } }, 'apis/autoscaling/v2': { components: { schemas: {} } } };
}

t.test('refs are inlined; descriptions, defaults and patch extensions dropped; enums take ""', async (t) => {
  const container = {
    description: 'A container.',
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', default: '', description: 'Name.' },
      pullPolicy: { type: 'string', enum: ['Always', 'Never'] },
      port: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'),
      cpu: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
      ports: {
        type: 'array',
        items: ref('io.k8s.api.core.v1.ContainerPort'),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-patch-merge-key': 'containerPort',
        'x-kubernetes-patch-strategy': 'merge',
      },
      labels: { type: 'object', additionalProperties: { type: 'string', default: '' } },
    },
    'x-kubernetes-unions': [{ discriminator: 'x' }],
  };
  const out = convertKubeSchemas({
    kubernetes: 'v1.2.3',
    docs: docs(
      {
        'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
        'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
        'io.k8s.api.core.v1.ContainerPort': {
          type: 'object',
          required: ['containerPort'],
          properties: { containerPort: { type: 'integer', format: 'int32', default: 0 }, protocol: { type: 'string', default: 'TCP' } },
        },
      },
      { 'core.v1.Container': container },
    ),
  });
  t.equal(out.kubernetes, 'v1.2.3');
  t.same(out.schemas['io.k8s.api.core.v1.Container'], {
    type: 'object',
    required: ['name'],
    properties: {
      cpu: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: QUANTITY_PATTERN },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      name: { type: 'string' },
      port: { 'x-kubernetes-int-or-string': true },
      ports: {
        type: 'array',
        items: {
          type: 'object',
          required: ['containerPort'],
          // The API server wants a map key required or defaulted: protocol keeps its default.
          properties: { containerPort: { type: 'integer', format: 'int32' }, protocol: { type: 'string', default: 'TCP' } },
        },
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      },
      pullPolicy: { type: 'string', enum: ['Always', 'Never', ''] },
    },
  });
});

t.test('a self-referring type, an object with no fields and a missing type are refused with the path', async (t) => {
  t.throws(
    () => convertKubeSchemas({ kubernetes: 'v', docs: docs({}, { 'core.v1.Toleration': obj({ next: ref('io.k8s.api.core.v1.Toleration') }) }) }),
    /io\.k8s\.api\.core\.v1\.Toleration refers to itself/,
  );
  t.throws(
    () => convertKubeSchemas({ kubernetes: 'v', docs: docs({}, { 'core.v1.Sysctl': obj({ raw: { type: 'object' } }) }) }),
    /io\.k8s\.api\.core\.v1\.Sysctl\.raw is an object with no fields/,
  );
  t.throws(() => convertKubeSchemas({ kubernetes: 'v', docs: { 'api/v1': {} } }), /api\/v1 has no components.schemas/);
});
