import t from 'tap';
import fc from 'fast-check';
import { isAgentError } from '../../../agent/contract/errors.ts';
import { fePlanFile, nodePlanFile, parsePlanFile, planUse, serializePlanFile, startArgs } from '../../../agent/plan/plan-file.ts';
import type { PlanFile } from '../../../agent/plan/plan-file.ts';
import { hostPort } from '../../../agent/sql/host-port.ts';

const now = new Date('2026-11-22T22:00:00.000Z');
const helper = hostPort('prod-fe-0.prod-fe-search.ns.svc.cluster.local', 19010);

t.test('FE plans become start_fe.sh arguments: helper and host type on first start only', async (t) => {
  const join = fePlanFile({ hostType: 'FQDN', now, plan: { kind: 'join', role: 'FOLLOWER', helper, needsAdd: false, leader: { host: helper.host, queryPort: 9030 }, clusterId: 5, reason: 'r' } });
  t.same(startArgs(join, { logConsole: false }), ['--host_type', 'FQDN', '--helper', 'prod-fe-0.prod-fe-search.ns.svc.cluster.local:19010']);
  const boot = fePlanFile({ hostType: 'IP', now, plan: { kind: 'bootstrap', reason: 'r' } });
  t.same(startArgs(boot, { logConsole: true }), ['--host_type', 'IP', '--logconsole']);
  const restart = fePlanFile({ hostType: 'FQDN', now, plan: { kind: 'restart-from-meta', clusterId: 5, createFence: false, reason: 'r' } });
  t.same(startArgs(restart, { logConsole: false }), [], 'a restart passes no helper (it would fail outside the local group view)');
  t.throws(() => fePlanFile({ hostType: 'FQDN', now, plan: { kind: 'wait', reason: 'r' } }), { code: 'ERR_INTERNAL' });
  const be = nodePlanFile({ component: 'be', hostType: 'FQDN', registeredAs: hostPort('be-0.x', 9050), addedNow: false, now });
  t.same(startArgs(be, { logConsole: true }), ['--logconsole']);
});

t.test('plan.json round-trips', async (t) => {
  const files: PlanFile[] = [
    fePlanFile({ hostType: 'FQDN', now, plan: { kind: 'join', role: 'OBSERVER', helper: hostPort('fd00::1', 9010), needsAdd: true, leader: { host: 'fd00::1', queryPort: undefined }, clusterId: undefined, reason: 'r' } }),
    fePlanFile({ hostType: 'IP', now, plan: { kind: 'bootstrap', reason: 'r' } }),
    fePlanFile({ hostType: 'FQDN', now, plan: { kind: 'restart-from-meta', clusterId: -12, createFence: true, reason: 'r' } }),
    nodePlanFile({ component: 'cn', hostType: 'IP', registeredAs: hostPort('10.0.0.7', 9050), addedNow: false, now }),
    nodePlanFile({ component: 'be', hostType: 'FQDN', registeredAs: hostPort('be-1.x', 9050), addedNow: true, now }),
  ];
  for (const file of files) t.same(parsePlanFile(serializePlanFile(file)), file);
  const { addedNow: _dropped, ...older } = JSON.parse(serializePlanFile(files[4] as PlanFile)) as Record<string, unknown>;
  t.match(parsePlanFile(JSON.stringify(older)), { addedNow: false }, "an earlier agent's file (no addedNow) reads as a restart: the tablet wait applies");
  t.match(serializePlanFile(files[0] as PlanFile), /"helper": "\[fd00::1\]:9010"/);
});

t.test('anything else is ERR_PLAN_INVALID with the fix', async (t) => {
  const good = JSON.parse(serializePlanFile(nodePlanFile({ component: 'be', hostType: 'FQDN', registeredAs: hostPort('be-0.x', 9050), addedNow: false, now }))) as Record<string, unknown>;
  const variants: unknown[] = [
    'not json',
    '[]',
    'null',
    { ...good, version: 2 },
    { ...good, component: 'broker' },
    { ...good, hostType: 'DNS' },
    { ...good, createdAt: 'yesterday' },
    { ...good, start: 'join' },
    { ...good, registeredAs: 'be-0.x"; DROP:9050' },
    { ...good, registeredAs: 9050 },
    { ...good, addedNow: 'yes' },
    { ...good, component: 'fe', start: 'registered' },
    { ...good, component: 'fe', start: 'join', helper: 'fe-0' },
    { ...good, component: 'fe', start: 'bootstrap', clusterId: 'x' },
  ];
  for (const variant of variants) {
    const text = typeof variant === 'string' ? variant : JSON.stringify(variant);
    try {
      parsePlanFile(text);
      t.fail(`accepted ${text}`);
    } catch (error) {
      t.ok(isAgentError(error, 'ERR_PLAN_INVALID') && /delete it/.test(error.message), text);
    }
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        parsePlanFile(text);
        return false;
      } catch (error) {
        return isAgentError(error, 'ERR_PLAN_INVALID');
      }
    }),
  );
});

t.test('issue 11 item 2: a plan file starts one container; a restarted container derives again (FE 0 with wiped meta must not bootstrap twice)', async (t) => {
  const boot = fePlanFile({ hostType: 'FQDN', now, plan: { kind: 'bootstrap', reason: 'r' } });
  t.match(planUse({ file: boot, consumedCreatedAt: undefined, component: 'fe', metaComplete: false }), { kind: 'use', plan: boot }, 'the first start after init');
  t.match(
    planUse({ file: boot, consumedCreatedAt: boot.createdAt, component: 'fe', metaComplete: false }),
    { kind: 'derive', reason: /bootstrap plan was used by an earlier container/ },
    'a container restart with empty meta decides again (fence, second record, peers)',
  );
  t.match(planUse({ file: boot, consumedCreatedAt: '2000-01-01T00:00:00.000Z', component: 'fe', metaComplete: false }), { kind: 'use' }, 'a new plan from init');
  t.match(planUse({ file: boot, consumedCreatedAt: undefined, component: 'fe', metaComplete: true }), { kind: 'derive', reason: /meta is complete/ });
  const restart = fePlanFile({ hostType: 'FQDN', now, plan: { kind: 'restart-from-meta', clusterId: 5, createFence: false, reason: 'r' } });
  t.match(planUse({ file: restart, consumedCreatedAt: undefined, component: 'fe', metaComplete: true }), { kind: 'use' });
  t.match(planUse({ file: restart, consumedCreatedAt: restart.createdAt, component: 'fe', metaComplete: true }), { kind: 'use' }, 'a restart plan again: what deriving would give');
  t.match(
    planUse({ file: restart, consumedCreatedAt: restart.createdAt, component: 'fe', metaComplete: false }),
    { kind: 'derive', reason: /meta is not complete/ },
    'a restart plan over wiped meta would start a new cluster: decide again',
  );
  const join = fePlanFile({ hostType: 'FQDN', now, plan: { kind: 'join', role: 'FOLLOWER', helper: hostPort('prod-fe-0.x', 9010), needsAdd: false, leader: { host: 'prod-fe-0.x', queryPort: 9030 }, clusterId: 5, reason: 'r' } });
  t.match(planUse({ file: join, consumedCreatedAt: join.createdAt, component: 'fe', metaComplete: false }), { kind: 'derive' }, 'a join that did not complete decides again');
  const newBe = nodePlanFile({ component: 'be', hostType: 'FQDN', registeredAs: hostPort('be-0.x', 9050), addedNow: true, now });
  t.match(planUse({ file: newBe, consumedCreatedAt: undefined, component: 'be', metaComplete: false }), { kind: 'use', plan: { addedNow: true } });
  t.match(
    planUse({ file: newBe, consumedCreatedAt: newBe.createdAt, component: 'be', metaComplete: false }),
    { kind: 'use', plan: { addedNow: false, registeredAs: { host: 'be-0.x', port: 9050 } } },
    'a BE container restart keeps its registration (no wait for the FE) but is no longer new: the tablet gate applies',
  );
  t.match(planUse({ file: undefined, consumedCreatedAt: undefined, component: 'be', metaComplete: false }), { kind: 'derive', reason: /no usable plan/ });
  t.match(planUse({ file: boot, consumedCreatedAt: undefined, component: 'be', metaComplete: false }), { kind: 'derive', reason: /for fe/ });
  fc.assert(
    fc.property(fc.boolean(), fc.boolean(), (consumed, metaComplete) => {
      const use = planUse({ file: boot, consumedCreatedAt: consumed ? boot.createdAt : undefined, component: 'fe', metaComplete });
      // A bootstrap plan is only ever started once, and never over complete meta.
      if (use.kind === 'use' && (consumed || metaComplete)) return false;
      // A restart plan is only ever started over complete meta.
      const again = planUse({ file: restart, consumedCreatedAt: consumed ? restart.createdAt : undefined, component: 'fe', metaComplete });
      return again.kind === 'derive' || metaComplete;
    }),
  );
});
