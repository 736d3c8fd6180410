import t from 'tap';
import { parseFrontends } from '../../../agent/membership/frontends.ts';
import { parseBackends } from '../../../agent/membership/nodes.ts';
import {
  aliveVoters,
  clusterIds,
  findFrontendByHost,
  findFrontendsByHost,
  findLeader,
  findNode,
  findNodesByHost,
  majority,
  voters,
} from '../../../agent/membership/queries.ts';
import { frontendsResult, nodesResult } from '../fixtures/membership.ts';

t.test('leader by Role, whatever the row order or column set', async (t) => {
  for (const profile of ['3.3', '3.5', '4.1'] as const) {
    const rows = parseFrontends(
      frontendsResult(
        [
          { host: 'fe-1', role: 'FOLLOWER' },
          { host: 'fe-2', role: 'FOLLOWER', alive: false },
          { host: 'fe-0', role: 'LEADER' },
          { host: 'fe-3', role: 'OBSERVER' },
        ],
        profile,
      ),
    );
    t.equal(findLeader(rows)?.host, 'fe-0');
    t.same(voters(rows).map((r) => r.host), ['fe-1', 'fe-2', 'fe-0']);
    t.same(aliveVoters(rows).map((r) => r.host), ['fe-1', 'fe-0']);
    t.same(clusterIds(rows), [1_234_567_890]);
  }
  const none = parseFrontends(frontendsResult([{ host: 'fe-1' }, { host: 'fe-2' }]));
  t.equal(findLeader(none), undefined);
  const two = parseFrontends(frontendsResult([{ host: 'fe-1', role: 'LEADER' }, { host: 'fe-2', role: 'LEADER' }]));
  t.equal(findLeader(two), undefined, 'two leaders: trust neither');
});

t.test('FE rows by host, any port; exact host match, not grep -w', async (t) => {
  const rows = parseFrontends(
    frontendsResult([
      { host: 'fe-1.svc', role: 'LEADER' },
      { host: 'fe-10.svc', editLogPort: 9011 },
      { host: 'FE-2.svc' },
    ]),
  );
  t.equal(findFrontendByHost(rows, 'fe-1.svc')?.host, 'fe-1.svc');
  t.equal(findFrontendByHost(rows, 'fe-2.svc')?.host, 'FE-2.svc');
  t.equal(findFrontendByHost(rows, 'fe-1'), undefined);
  t.equal(findFrontendByHost(rows, 'fe.1.svc'), undefined, 'a dot is not a wildcard');
  t.equal(findFrontendsByHost(rows, 'fe-10.svc')[0]?.editLogPort, 9011);
});

t.test('BE/CN rows by host and heartbeat port', async (t) => {
  const rows = parseBackends(nodesResult([{ host: '10.0.0.7' }, { host: '10.0.0.70', heartbeatPort: 9051 }, { host: '::1' }]));
  t.equal(findNode(rows, { host: '10.0.0.7', port: 9050 })?.id, '10001');
  t.equal(findNode(rows, { host: '10.0.0.7', port: 9051 }), undefined);
  t.equal(findNode(rows, { host: '0:0:0:0:0:0:0:1', port: 9050 })?.id, '10003');
  t.equal(findNodesByHost(rows, '10.0.0.70').length, 1);
});

t.test('majority', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7].map(majority), [1, 2, 2, 3, 3, 4, 4]);
});
