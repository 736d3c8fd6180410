import t from 'tap';
import { checkFinal, doubleAdds, membershipViolations, podViolations, quorumBreak } from './invariants.ts';
import type { FinalObservation } from './invariants.ts';

const fe = (i: number): string => `sr-fe-${i}.sr-fe-search.e2e.svc.cluster.local`;
const be = (i: number): string => `sr-be-${i}.sr-be-search.e2e.svc.cluster.local`;
const healthy: FinalObservation = {
  clusterIds: [7],
  desired: { fe: [fe(0)], be: [be(0), be(1)], cn: [] },
  pods: { desired: ['sr-fe-0', 'sr-be-0'], actual: [{ name: 'sr-fe-0', ready: true, terminating: false }, { name: 'sr-be-0', ready: true, terminating: false }] },
  rows: { frontends: [{ host: fe(0), alive: true }], backends: [{ host: be(0), alive: true }, { host: be(1), alive: true }], computeNodes: [] },
  tablets: { lost: 0, underReplicated: 0 },
  statements: [],
  secretHits: [],
  quorumBreaks: [],
};

t.test('a healthy observation breaks nothing; each fault breaks its invariant', async (t) => {
  t.same(checkFinal(healthy), []);
  t.match(checkFinal({ ...healthy, clusterIds: [7, 8] }), [{ invariant: 'one-cluster-id', detail: /2 clusters created \(ids 7, 8\)/ }]);
  t.match(checkFinal({ ...healthy, tablets: { lost: 2, underReplicated: 1 } }), [{ invariant: 'no-lost-tablet', detail: '2 tablets lost, 1 under-replicated' }]);
  t.match(checkFinal({ ...healthy, secretHits: ['pod log x/fe.log'] }), [{ invariant: 'no-secret' }]);
  t.match(checkFinal({ ...healthy, quorumBreaks: [{ at: 1, detail: 'voters 1 -> 2' }] }), [{ invariant: 'quorum-kept' }]);
});

t.test('pods: a desired pod not Ready, terminating or missing, and an extra pod, are not converged', async (t) => {
  const ready = { name: 'sr-fe-0', ready: true, terminating: false };
  t.match(
    podViolations(['sr-fe-0', 'sr-be-0', 'sr-be-1'], [{ ...ready, ready: false }, { name: 'sr-be-0', ready: true, terminating: true }, { name: 'sr-be-2', ready: true, terminating: false }]),
    [{ detail: 'pod sr-fe-0 is not Ready' }, { detail: 'pod sr-be-0 is terminating' }, { detail: 'pod sr-be-1 is missing' }, { detail: 'pod sr-be-2 exists beyond the desired shape' }],
  );
  t.same(podViolations(['sr-fe-0'], [ready]), []);
});

t.test('membership: missing, dead and ghost rows; no leader', async (t) => {
  const rows = healthy.rows;
  if (rows === undefined) throw new Error('fixture');
  t.match(membershipViolations(healthy.desired, { ...rows, backends: [{ host: be(0), alive: false }] }), [
    { invariant: 'all-registered', detail: /BE .*be-0.* not Alive/ },
    { invariant: 'all-registered', detail: /BE .*be-1.* not registered/ },
  ]);
  t.match(membershipViolations({ ...healthy.desired, be: [be(0)] }, rows), [{ invariant: 'no-ghost', detail: /BE row sr-be-1/ }]);
  t.match(membershipViolations(healthy.desired, undefined), [{ invariant: 'all-registered', detail: 'no FE answers as leader' }]);
});

t.test('a node added twice without a drop in between is found; a re-add after DROP or DECOMMISSION, and failed ADDs, are not', async (t) => {
  const s = (sql: string, result: 'ok' | 'error' = 'ok') => ({ at: 0, sql, result });
  const add = `ALTER SYSTEM ADD BACKEND "${be(0)}:9050"`;
  t.same(doubleAdds([s(add), s(add, 'error')]), []);
  t.same(doubleAdds([s(add), s(`ALTER SYSTEM DROP BACKEND "${be(0)}:9050"`), s(add)]), []);
  t.same(doubleAdds([s(add), s(`ALTER SYSTEM DECOMMISSION BACKEND '${be(0)}:9050'`), s(add)]), []);
  t.match(doubleAdds([s(add), s(add.toLowerCase())]), [/BACKEND .*be-0.*:9050 added again/]);
  t.match(doubleAdds([s(`ALTER SYSTEM ADD FOLLOWER "${fe(1)}:9010"`), s(`ALTER SYSTEM ADD FOLLOWER '${fe(1)}:9010'`)]), [/FOLLOWER/]);
});

t.test('quorum: a membership change that leaves no live majority is a break; a fault that kills voters is not', async (t) => {
  const sample = (voters: string[], live: string[]) => ({ at: 1, voters, live, quorum: Math.floor(voters.length / 2) + 1 });
  t.match(quorumBreak(sample([fe(0)], [fe(0)]), sample([fe(0), fe(1)], [fe(0)])), { detail: /voters 1 -> 2 \(added .*fe-1.*\): 1 live of quorum 2/ });
  t.equal(quorumBreak(sample([fe(0), fe(1), fe(2)], [fe(0), fe(1), fe(2)]), sample([fe(0), fe(1), fe(2)], [fe(0)])), undefined, 'killed, same set');
  t.equal(quorumBreak(sample([fe(0), fe(1), fe(2)], [fe(0), fe(1), fe(2)]), sample([fe(0), fe(1), fe(2), fe(3)], [fe(0), fe(1), fe(2)])), undefined, 'still a majority');
  t.equal(quorumBreak(sample([fe(0), fe(1)], [fe(0)]), sample([fe(0)], [])), undefined, 'had none before');
});
