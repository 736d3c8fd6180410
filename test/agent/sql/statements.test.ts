import t from 'tap';
import fc from 'fast-check';
import { hostPort, isValidHost, parseHostPort } from '../../../agent/sql/host-port.ts';
import type { HostPort } from '../../../agent/sql/host-port.ts';
import {
  addBackend,
  addComputeNode,
  addFrontend,
  cancelDecommissionBackend,
  decommissionBackend,
  dropBackend,
  dropComputeNode,
  dropFrontend,
  setFrontendConfig,
  showBackends,
  showComputeNodes,
  showFrontends,
} from '../../../agent/sql/statements.ts';
import type { AlterStatement } from '../../../agent/sql/statements.ts';

const fqdn = hostPort('prod-fe-1.prod-fe-search.ns.svc.cluster.local', 9010);
const be = hostPort('10.0.0.7', 9050);
const v6 = hostPort('fd00::7', 9050);

t.test('every statement has the grammar form of the reference', async (t) => {
  t.same(
    [showFrontends(), showBackends(), showComputeNodes()].map((s) => [s.kind, s.sql]),
    [
      ['show_frontends', 'SHOW FRONTENDS'],
      ['show_backends', 'SHOW BACKENDS'],
      ['show_compute_nodes', 'SHOW COMPUTE NODES'],
    ],
  );
  const rows: Array<[AlterStatement, string, string]> = [
    [addFrontend('FOLLOWER', fqdn), 'add_follower', 'ALTER SYSTEM ADD FOLLOWER "prod-fe-1.prod-fe-search.ns.svc.cluster.local:9010"'],
    [addFrontend('OBSERVER', fqdn), 'add_observer', 'ALTER SYSTEM ADD OBSERVER "prod-fe-1.prod-fe-search.ns.svc.cluster.local:9010"'],
    [dropFrontend('FOLLOWER', fqdn), 'drop_follower', 'ALTER SYSTEM DROP FOLLOWER "prod-fe-1.prod-fe-search.ns.svc.cluster.local:9010"'],
    [dropFrontend('OBSERVER', fqdn), 'drop_observer', 'ALTER SYSTEM DROP OBSERVER "prod-fe-1.prod-fe-search.ns.svc.cluster.local:9010"'],
    [addBackend(be), 'add_backend', 'ALTER SYSTEM ADD BACKEND "10.0.0.7:9050"'],
    [dropBackend(be), 'drop_backend', 'ALTER SYSTEM DROP BACKEND "10.0.0.7:9050"'],
    [decommissionBackend(be), 'decommission_backend', 'ALTER SYSTEM DECOMMISSION BACKEND "10.0.0.7:9050"'],
    [cancelDecommissionBackend(be), 'cancel_decommission_backend', 'CANCEL DECOMMISSION BACKEND "10.0.0.7:9050"'],
    [addComputeNode(v6), 'add_compute_node', 'ALTER SYSTEM ADD COMPUTE NODE "[fd00::7]:9050"'],
    [dropComputeNode(v6), 'drop_compute_node', 'ALTER SYSTEM DROP COMPUTE NODE "[fd00::7]:9050"'],
    [setFrontendConfig('drop_backend_after_decommission', 'false'), 'set_frontend_config', 'ADMIN SET FRONTEND CONFIG ("drop_backend_after_decommission" = "false")'],
  ];
  for (const [statement, kind, sql] of rows) {
    t.equal(statement.kind, kind);
    t.equal(statement.sql, sql);
  }
  t.same(addBackend(be).target, be);
});

t.test('a forged HostPort or config value never reaches SQL', async (t) => {
  const forged = { host: 'x" ; DROP DATABASE d; -- ', port: 9010 } as unknown as HostPort;
  t.throws(() => addBackend(forged), { code: 'ERR_HOST_INVALID' });
  t.throws(() => dropFrontend('FOLLOWER', { host: 'fe-0', port: 0 } as unknown as HostPort), { code: 'ERR_HOST_INVALID' });
  t.throws(() => setFrontendConfig('drop_backend_after_decommission', 'maybe' as 'true'), { code: 'ERR_INTERNAL' });
});

const builders = [
  (v: HostPort) => addFrontend('FOLLOWER', v),
  (v: HostPort) => addFrontend('OBSERVER', v),
  (v: HostPort) => dropFrontend('FOLLOWER', v),
  (v: HostPort) => dropFrontend('OBSERVER', v),
  addBackend,
  dropBackend,
  decommissionBackend,
  cancelDecommissionBackend,
  addComputeNode,
  dropComputeNode,
];

t.test('property: the only quoted literal in a statement is a valid host:port, one per statement', async (t) => {
  const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 30 }), fc.constantFrom('a"b', "a'b", 'a\\', 'a;b', 'a b', '`a`', 'a--', 'a/*'));
  fc.assert(
    fc.property(host, fc.integer({ min: -10, max: 70_000 }), fc.nat(builders.length - 1), (raw, port, which) => {
      const build = builders[which] as (v: HostPort) => AlterStatement;
      let statement: AlterStatement;
      try {
        statement = build({ host: raw, port } as unknown as HostPort);
      } catch {
        // Rejected: it must really have been invalid.
        return !(isValidHost(raw) && port >= 1 && port <= 65535);
      }
      const match = /^[A-Z ]+ "([^"]*)"$/.exec(statement.sql);
      if (match === null) return false;
      const parsed = parseHostPort(match[1] as string);
      return parsed.host === raw && parsed.port === port && statement.sql.split('"').length === 3;
    }),
    { numRuns: 2000 },
  );
  t.pass('property holds');
});

t.test('property: injection attempts around a valid host are rejected', async (t) => {
  const payload = fc.constantFrom('"', "'", '\\', ';', ' ', '\n', '--', '/*', '#', '`', '"); DROP BACKEND "x:1', '\u0000');
  fc.assert(
    fc.property(fc.domain(), payload, fc.boolean(), (name, bad, before) => {
      const raw = before ? bad + name : name + bad;
      return builders.every((build) => {
        try {
          build({ host: raw, port: 9050 } as unknown as HostPort);
          return false;
        } catch {
          return true;
        }
      });
    }),
  );
  t.pass('property holds');
});
