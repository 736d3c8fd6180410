import t from 'tap';
import { ASSUMED_SERVED, monitoringServed, parseApiGroupList, servedHpaVersions } from '../../../controller/kube/served-apis.ts';

// The shape of GET /apis (an APIGroupList), as a 1.35 kube-apiserver answers.
const APIS = {
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [
    { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
    {
      name: 'autoscaling',
      versions: [
        { groupVersion: 'autoscaling/v2', version: 'v2' },
        { groupVersion: 'autoscaling/v1', version: 'v1' },
      ],
      preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
    },
  ],
};

t.test('the group/versions of an APIGroupList, sorted', async (t) => {
  const served = parseApiGroupList(APIS);
  t.same(served.groupVersions, ['apps/v1', 'autoscaling/v1', 'autoscaling/v2']);
  t.same(servedHpaVersions(served), ['v1', 'v2']);
  t.equal(monitoringServed(served), false);
  const withMonitoring = parseApiGroupList({ groups: [...APIS.groups, { name: 'monitoring.coreos.com', versions: [{ groupVersion: 'monitoring.coreos.com/v1' }] }] });
  t.equal(monitoringServed(withMonitoring), true);
});

t.test('malformed answers give nothing rather than throwing', async (t) => {
  t.same(parseApiGroupList({}).groupVersions, []);
  t.same(parseApiGroupList({ groups: [{ versions: 'x' }, { versions: [{ groupVersion: 3 }, { groupVersion: '' }] }, null] }).groupVersions, []);
});

t.test('before discovery: autoscaling/v2 only', async (t) => {
  t.same(servedHpaVersions(ASSUMED_SERVED), ['v2']);
  t.equal(monitoringServed(ASSUMED_SERVED), false);
});
