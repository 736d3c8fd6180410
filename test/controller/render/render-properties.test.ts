import fc from 'fast-check';
import t from 'tap';
import { DATA_PATHS, ENV, LABELS, PATHS } from '../../../agent/contract/index.ts';
import { isDnsLabel } from '../../../agent/contract/dns-name.ts';
import { DEFAULT_GRACE_SECONDS, DEFAULT_PROBE_SECONDS } from '../../../controller/cr/defaults.ts';
import { parseCluster } from '../../../controller/cr/parse.ts';
import { canonicalJson } from '../../../controller/json.ts';
import { render } from '../../../controller/render/render.ts';
import { specHash } from '../../../controller/render/spec-hash.ts';
import { container, envOf, find, podSpec } from '../fixtures/objects.ts';

type Loose = Record<string, unknown>;

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const volume = fc.record({
  name: label,
  storageClassName: fc.option(fc.constantFrom('emptyDir', 'fast', ''), { nil: undefined }),
  storageSize: fc.option(fc.constantFrom('1Gi', '20Gi', '0', '500Mi'), { nil: undefined }),
  mountPath: fc.constantFrom(DATA_PATHS.feMeta, DATA_PATHS.feLog, DATA_PATHS.beStorage, '/data', '/cache', '/x/y'),
});
const component = (envField: string) =>
  fc.record(
    {
      image: fc.stringMatching(/^[a-z]{1,5}:[0-9]{1,2}$/),
      replicas: fc.nat(7),
      storageVolumes: fc.uniqueArray(volume, { maxLength: 4, selector: (v) => v.name }).map((vs) => {
        const seen = new Set<string>();
        return vs.filter((v) => !seen.has(v.mountPath) && seen.add(v.mountPath));
      }),
      startupProbeFailureSeconds: fc.nat(1000),
      livenessProbeFailureSeconds: fc.nat(60),
      readinessProbeFailureSeconds: fc.nat(60),
      terminationGracePeriodSeconds: fc.nat(10_000),
      [envField]: fc.uniqueArray(fc.record({ name: fc.constantFrom('TZ', 'A', 'HOST_TYPE', 'POD_IP', 'X_Y'), value: label }), { maxLength: 3, selector: (e) => e.name }),
      runAsNonRoot: fc.boolean(),
      readOnlyRootFilesystem: fc.boolean(),
      podLabels: fc.dictionary(label, label, { maxKeys: 2 }),
    },
    { requiredKeys: ['image'] },
  );
const clusterArb = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/),
  namespace: label,
  fe: component('feEnvVars').filter((c) => c.replicas !== 2 && c.replicas !== 0),
  voters: fc.option(fc.constantFrom(1, 3, 5), { nil: undefined }),
  be: fc.option(component('beEnvVars'), { nil: undefined }),
  cn: fc.option(component('cnEnvVars'), { nil: undefined }),
});

type ClusterValue = typeof clusterArb extends fc.Arbitrary<infer V> ? V : never;

function toRaw(c: ClusterValue): Loose {
  const spec: Loose = { starRocksFeSpec: { ...(c.fe as Loose), ...(c.voters === undefined ? {} : { voters: c.voters }) } };
  if (c.be !== undefined) spec.starRocksBeSpec = c.be;
  if (c.cn !== undefined) spec.starRocksCnSpec = c.cn;
  return {
    apiVersion: 'starrocks.com/v1',
    kind: 'StarRocksCluster',
    metadata: { name: c.name, namespace: c.namespace, uid: `uid-${c.name}`, generation: 1 },
    spec,
  };
}

t.test('rendering is deterministic, owned, labelled and places every generated field', async (t) => {
  fc.assert(
    fc.property(clusterArb, (c) => {
      const raw = toRaw(c);
      const { cluster, problems } = parseCluster(raw);
      if (cluster === undefined || problems.length > 0) throw new Error(JSON.stringify(problems));
      const objects = render({ cluster });
      if (canonicalJson(objects) !== canonicalJson(render({ cluster: parseCluster(structuredClone(raw)).cluster ?? cluster }))) {
        throw new Error('not deterministic');
      }
      for (const o of objects) {
        const refs = o.metadata.ownerReferences as Loose[];
        if (refs.length !== 1 || refs[0]?.uid !== `uid-${String(c.name)}`) throw new Error(`${o.kind} not owned`);
        if (o.metadata.labels[LABELS.instance] !== c.name) throw new Error(`${o.kind} without the instance label`);
        if (o.kind !== 'ServiceAccount' && o.kind !== 'Role' && o.kind !== 'RoleBinding' && !isDnsLabel(o.metadata.name)) {
          throw new Error(`bad name ${o.metadata.name}`);
        }
      }
      for (const [comp, spec] of [['fe', c.fe], ['be', c.be], ['cn', c.cn]] as const) {
        if (spec === undefined) continue;
        const s = spec as Loose;
        const sts = find(objects, 'StatefulSet', `${String(c.name)}-${comp}`);
        const stsSpec = sts.spec as Loose;
        if (stsSpec.replicas !== (s.replicas ?? 1)) throw new Error('replicas');
        const main = container(sts, comp);
        if (main.image !== s.image) throw new Error('image');
        const probes: [string, unknown][] = [
          ['startupProbe', s.startupProbeFailureSeconds ?? DEFAULT_PROBE_SECONDS.startup],
          ['livenessProbe', s.livenessProbeFailureSeconds ?? DEFAULT_PROBE_SECONDS.liveness],
          ['readinessProbe', s.readinessProbeFailureSeconds ?? DEFAULT_PROBE_SECONDS.readiness],
        ];
        for (const [key, seconds] of probes) {
          const probe = main[key] as Loose | undefined;
          if (seconds === 0 ? probe !== undefined : probe?.failureThreshold !== Math.ceil(Number(seconds) / 5)) throw new Error(key);
        }
        const pod = podSpec(sts);
        if (pod.terminationGracePeriodSeconds !== (s.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS[comp])) throw new Error('grace');
        const env = main.env as Loose[];
        if (new Set(env.map((e) => e.name)).size !== env.length) throw new Error('duplicate env');
        const envMap = envOf(main);
        for (const e of (s[`${comp}EnvVars`] as Loose[]) ?? []) if (envMap.get(String(e.name))?.value !== e.value) throw new Error(`env ${String(e.name)}`);
        if (envMap.get(ENV.COMPONENT_NAME)?.value !== comp && !((s[`${comp}EnvVars`] as Loose[]) ?? []).some((e) => e.name === ENV.COMPONENT_NAME)) {
          throw new Error('component env');
        }
        const mounts = new Map(((main.volumeMounts as Loose[]) ?? []).map((m) => [m.mountPath, m.name]));
        if (mounts.get(PATHS.agentStateDir) !== 'agent-state') throw new Error('agent state');
        const claims = ((stsSpec.volumeClaimTemplates as Loose[] | undefined) ?? []).map((v) => (v.metadata as Loose).name);
        const volumes = new Map(((pod.volumes as Loose[]) ?? []).map((v) => [v.name, v]));
        for (const v of (s.storageVolumes as Loose[]) ?? []) {
          const dropped = String(v.storageSize ?? '').startsWith('0');
          if (dropped) {
            if (mounts.get(v.mountPath) !== undefined && mounts.get(v.mountPath) === v.name) throw new Error('dropped volume mounted');
            continue;
          }
          if (mounts.get(v.mountPath) !== v.name) throw new Error(`volume ${String(v.name)} not mounted`);
          if (v.storageClassName === 'emptyDir') {
            if ((volumes.get(v.name) as Loose | undefined)?.emptyDir === undefined) throw new Error('emptyDir');
          } else if (!claims.includes(v.name)) throw new Error(`claim ${String(v.name)}`);
        }
        if (comp === 'fe' || comp === 'be') {
          // FE meta and BE storage are never on an emptyDir unless the CR asks for one.
          const dataPath = comp === 'fe' ? DATA_PATHS.feMeta : DATA_PATHS.beStorage;
          const dataName = mounts.get(dataPath);
          const explicit = ((s.storageVolumes as Loose[]) ?? []).find((v) => v.mountPath === dataPath);
          const dataIsEmptyDir = dataName !== undefined && (volumes.get(dataName) as Loose | undefined)?.emptyDir !== undefined;
          if (dataIsEmptyDir !== (explicit?.storageClassName === 'emptyDir' && !String(explicit.storageSize ?? '').startsWith('0'))) {
            throw new Error(`${comp} data on emptyDir without being asked`);
          }
          if (explicit === undefined && !claims.includes(comp === 'fe' ? 'fe-meta' : 'be-data')) throw new Error(`${comp} data without a PVC by default`);
        }
        if (specHash(sts) !== specHash(structuredClone(sts))) throw new Error('hash not stable');
      }
    }),
    { numRuns: 150 },
  );
  t.pass('150 generated clusters');
});

t.test('the spec hash changes with any rendered change', async (t) => {
  fc.assert(
    fc.property(clusterArb, fc.nat({ max: 50 }), (c, extra) => {
      const { cluster } = parseCluster(toRaw(c));
      if (cluster === undefined) throw new Error('unparsed');
      const before = find(render({ cluster }), 'StatefulSet', `${String(c.name)}-fe`);
      const after = find(render({ cluster: { ...cluster, fe: { ...cluster.fe, replicas: cluster.fe.replicas + extra + 1 } } }), 'StatefulSet', `${String(c.name)}-fe`);
      return specHash(before) !== specHash(after);
    }),
    { numRuns: 50 },
  );
  t.pass('hash moves with replicas');
});
