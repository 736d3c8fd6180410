import t from 'tap';
import { parseDesiredState } from '../../../agent/plan/desired-state.ts';

t.test('components, replicas (official default 1), CN under an HPA, status cluster id', async (t) => {
  const desired = parseDesiredState({
    spec: { starRocksFeSpec: { replicas: 3 }, starRocksBeSpec: {}, starRocksCnSpec: { replicas: 2, autoScalingPolicy: { maxReplicas: 5 } } },
    status: { clusterId: '1234' },
  });
  t.same(desired, {
    exists: true,
    components: { fe: { present: true, replicas: 3, autoscaled: false }, be: { present: true, replicas: 1, autoscaled: false }, cn: { present: true, replicas: 2, autoscaled: true } },
    statusClusterId: '1234',
  });
});

t.test('a removed component wants 0; a missing StarRocksCluster is not one; bad replicas are undefined', async (t) => {
  t.same(parseDesiredState({ spec: { starRocksFeSpec: { replicas: 1 } } }).components.cn, { present: false, replicas: 0, autoscaled: false });
  t.same(parseDesiredState(undefined), {
    exists: false,
    components: { fe: { present: false, replicas: 0, autoscaled: false }, be: { present: false, replicas: 0, autoscaled: false }, cn: { present: false, replicas: 0, autoscaled: false } },
    statusClusterId: undefined,
  });
  t.equal(parseDesiredState({ spec: { starRocksBeSpec: { replicas: '3' } } }).components.be.replicas, undefined);
  t.equal(parseDesiredState({ spec: { starRocksBeSpec: { replicas: -1 } } }).components.be.replicas, undefined);
  t.equal(parseDesiredState({ spec: { starRocksBeSpec: { replicas: 2.5 } } }).components.be.replicas, undefined);
});
