import t from 'tap';
import { feLeader } from '../../../controller/status/leader.ts';

const fe = (ordinal: number, ready: boolean, role: string | undefined): { name: string; component: 'fe' | 'be'; ordinal: number; ready: boolean; role: string | undefined } => ({
  name: `s-fe-${ordinal}`,
  component: 'fe',
  ordinal,
  ready,
  role,
});

t.test('the leader is the Ready FE whose agent reports LEADER', async (t) => {
  t.equal(feLeader([fe(0, true, 'FOLLOWER'), fe(1, true, 'LEADER'), fe(2, true, 'FOLLOWER')]), 's-fe-1');
});

t.test('no leader while no Ready FE reports LEADER: a crashed leader keeps its stale annotation', async (t) => {
  t.equal(feLeader([]), undefined);
  t.equal(feLeader([fe(0, false, 'LEADER'), fe(1, true, 'FOLLOWER')]), undefined);
  t.equal(feLeader([fe(0, true, undefined)]), undefined, 'no role reported yet');
  t.equal(feLeader([{ ...fe(0, true, 'LEADER'), component: 'be', name: 's-be-0' }]), undefined, 'only FE pods');
});

t.test('two Ready FEs saying LEADER are both named, in ordinal order', async (t) => {
  t.equal(feLeader([fe(2, true, 'LEADER'), fe(0, true, 'LEADER')]), 's-fe-0,s-fe-2');
});
