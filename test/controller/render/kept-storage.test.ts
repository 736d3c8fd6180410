import t from 'tap';
import { parseCluster } from '../../../controller/cr/parse.ts';
import type { StarRocksCluster } from '../../../controller/cr/types.ts';
import { keepEphemeralData, observeStorage } from '../../../controller/render/kept-storage.ts';
import { render } from '../../../controller/render/render.ts';
import { ephemeralCondition } from '../../../controller/status/compute.ts';
import { baseCluster } from '../fixtures/manifests.ts';
import { find } from '../fixtures/objects.ts';

type Loose = Record<string, unknown>;

function parsed(raw: Record<string, unknown>): StarRocksCluster {
  const { cluster, problems } = parseCluster(raw);
  if (cluster === undefined || problems.length > 0) throw new Error(JSON.stringify(problems));
  return cluster;
}

// A StatefulSet as the API server returns it, with the data volume where round 1 put BE storage.
const existing = (data: 'emptyDir' | 'claim'): unknown => ({
  spec: {
    template: { spec: { volumes: [{ name: 'be-log', emptyDir: {} }, ...(data === 'emptyDir' ? [{ name: 'be-data', emptyDir: {} }] : [])] } },
    ...(data === 'claim' ? { volumeClaimTemplates: [{ metadata: { name: 'be-data' }, spec: {} }] } : {}),
  },
});

const beSts = (cluster: StarRocksCluster): Loose => find(render({ cluster }), 'StatefulSet', 'prod-be') as unknown as Loose;
const claimNames = (sts: Loose): string[] => (((sts.spec as Loose).volumeClaimTemplates ?? []) as { metadata: { name: string } }[]).map((c) => c.metadata.name);
const emptyDirNames = (sts: Loose): string[] =>
  ((((sts.spec as Loose).template as Loose).spec as Loose).volumes as { name: string; emptyDir?: unknown }[]).filter((v) => v.emptyDir !== undefined).map((v) => v.name);

t.test('observeStorage reads claim templates and emptyDir volumes', async (t) => {
  t.same(observeStorage(existing('emptyDir')), { claimTemplates: [], emptyDirs: ['be-log', 'be-data'] });
  t.same(observeStorage(existing('claim')), { claimTemplates: ['be-data'], emptyDirs: ['be-log'] });
  t.same(observeStorage(undefined), { claimTemplates: [], emptyDirs: [] });
});

t.test('a BE StatefulSet created with be-data on an emptyDir keeps it; the status says why', async (t) => {
  const cluster = parsed(baseCluster('prod'));
  t.same(claimNames(beSts(cluster)), ['be-data'], 'a new cluster gets a PVC by default');
  const { cluster: effective, kept } = keepEphemeralData(cluster, { be: observeStorage(existing('emptyDir')) });
  t.same(kept, ['be']);
  const sts = beSts(effective);
  t.same(claimNames(sts), [], 'no claim template the API server would refuse to add');
  t.ok(emptyDirNames(sts).includes('be-data'), 'be-data stays an emptyDir');
  const condition = ephemeralCondition(effective, 1, kept);
  t.equal(condition.status, 'True');
  t.match(condition.message, /be: \/opt\/starrocks\/be\/storage is on the emptyDir be-data \(kept: its StatefulSet was created with it/);
});

t.test('nothing is kept when the StatefulSet already has the claim, does not exist, or the CR asks for an emptyDir', async (t) => {
  const cluster = parsed(baseCluster('prod'));
  t.same(keepEphemeralData(cluster, { be: observeStorage(existing('claim')) }).kept, []);
  t.same(keepEphemeralData(cluster, {}).kept, []);
  t.equal(keepEphemeralData(cluster, {}).cluster, cluster, 'the same cluster object when nothing changes');
  const raw = baseCluster('prod');
  ((raw.spec as Loose).starRocksBeSpec as Loose).storageVolumes = [{ name: 'be-data', mountPath: '/opt/starrocks/be/storage', storageClassName: 'emptyDir' }];
  t.same(keepEphemeralData(parsed(raw), { be: observeStorage(existing('emptyDir')) }).kept, [], 'already an emptyDir by the CR');
});

t.test('FE meta on an emptyDir is kept the same way', async (t) => {
  const cluster = parsed(baseCluster('prod'));
  const { cluster: effective, kept } = keepEphemeralData(cluster, { fe: { claimTemplates: [], emptyDirs: ['fe-meta', 'fe-log'] } });
  t.same(kept, ['fe']);
  const fe = find(render({ cluster: effective }), 'StatefulSet', 'prod-fe') as unknown as Loose;
  t.same(claimNames(fe), []);
  t.same(claimNames(beSts(effective)), ['be-data'], 'the BE is untouched');
});
