import t from 'tap';
import { rewritePaths, sortMappings, toHostPath } from './path-map.ts';

const mappings = sortMappings([
  { containerPath: '/opt/starrocks', hostPath: '/w/tree' },
  { containerPath: '/opt/starrocks/fe/meta/', hostPath: '/w/claims/ns/meta-fe-0' },
  { containerPath: '/etc/starrocks/fe/conf', hostPath: '/w/pod/volumes/conf' },
]);

t.test('nested mounts win over their parents', async (t) => {
  t.equal(toHostPath('/opt/starrocks/fe/meta/image/ROLE', mappings), '/w/claims/ns/meta-fe-0/image/ROLE');
  t.equal(toHostPath('/opt/starrocks/fe/bin/start_fe.sh', mappings), '/w/tree/fe/bin/start_fe.sh');
  t.equal(toHostPath('/opt/starrocks', mappings), '/w/tree');
  t.equal(toHostPath('/opt/starrocksX/a', mappings), '/opt/starrocksX/a');
  t.equal(toHostPath('/usr/bin/python3', mappings), '/usr/bin/python3');
});

t.test('rewritePaths rewrites paths inside flags and lists, only at path boundaries', async (t) => {
  t.equal(rewritePaths('--meta=/opt/starrocks/fe/meta', mappings), '--meta=/w/claims/ns/meta-fe-0');
  t.equal(rewritePaths('/etc/starrocks/fe/conf:/opt/starrocks/fe', mappings), '/w/pod/volumes/conf:/w/tree/fe');
  t.equal(rewritePaths('/opt/starrocks-agent/starrocks-agent', mappings), '/opt/starrocks-agent/starrocks-agent');
  t.equal(rewritePaths('x/opt/starrocks', mappings), 'x/opt/starrocks');
  t.equal(rewritePaths('plain', mappings), 'plain');
});
