import fc from 'fast-check';
import t from 'tap';
import type { Component } from '../../../agent/contract/index.ts';
import type { ObservedStatefulSet } from '../../../controller/status/observed.ts';
import { rolloutComplete } from '../../../controller/status/observed.ts';
import {
  DOWNGRADE_ORDER,
  UPGRADE_ORDER,
  compareVersions,
  decideRollout,
  imageVersion,
  rolloutDirection,
  versionChange,
} from '../../../controller/upgrade-order.ts';
import type { RolloutInput, VersionChange } from '../../../controller/upgrade-order.ts';

function sts(component: Component, image: string, done = true): ObservedStatefulSet {
  return {
    name: `c-${component}`,
    component,
    generation: 2,
    observedGeneration: done ? 2 : 1,
    specReplicas: 3,
    image,
    replicas: 3,
    readyReplicas: done ? 3 : 2,
    updatedReplicas: done ? 3 : 1,
    currentRevision: done ? 'r2' : 'r1',
    updateRevision: 'r2',
  };
}

const img = (c: Component, version: string): string => `starrocks/${c}-ubuntu:${version}`;
const all = (version: string): Record<Component, string> => ({ fe: img('fe', version), be: img('be', version), cn: img('cn', version) });
const decide = (input: Omit<RolloutInput, 'waitForFullRollout'>, waitForFullRollout = true): ReturnType<typeof decideRollout> =>
  decideRollout({ ...input, waitForFullRollout });

t.test('versions are read from image tags; anything else is unknown', async (t) => {
  const known: [string, string][] = [
    ['starrocks/fe-ubuntu:3.5.8', '3.5.8'],
    ['fe:3.5.8', '3.5.8'],
    ['starrocks/be-ubuntu:3.5.8-ubuntu', '3.5.8'],
    ['registry.local:5000/starrocks/be-ubuntu:3.3.0-rc01', '3.3.0'],
    ['be:v3.4.10', '3.4.10'],
    ['starrocks/be-ubuntu:3.5.8@sha256:0123456789abcdef', '3.5.8'],
  ];
  for (const [image, version] of known) {
    const v = imageVersion(image);
    t.equal(v === undefined ? undefined : `${v.major}.${v.minor}.${v.patch}`, version, image);
  }
  const unknown = [
    'starrocks/be-ubuntu:latest',
    'starrocks/be-ubuntu:3.5-latest',
    'starrocks/be-ubuntu:3.5',
    'starrocks/be-ubuntu',
    'registry.local:5000/starrocks/be-ubuntu',
    'starrocks/be-ubuntu@sha256:0123456789abcdef',
    'starrocks/be-ubuntu:main-3.5.8',
    'starrocks/be-ubuntu:3.5.8.1',
    '',
  ];
  for (const image of unknown) t.equal(imageVersion(image), undefined, `${image || '(empty)'} has no version`);
});

t.test('a change is an upgrade, a downgrade, the same version, or unknown; numbers compare numerically', async (t) => {
  t.equal(versionChange('be:3.5.8', 'be:3.5.9'), 'upgrade');
  t.equal(versionChange('be:3.5.9', 'be:3.5.10'), 'upgrade', '10 > 9, not as text');
  t.equal(versionChange('be:3.5.10', 'be:3.4.20'), 'downgrade');
  t.equal(versionChange('be:2.5.22', 'be:3.0.0'), 'upgrade');
  t.equal(versionChange('starrocks/be-ubuntu:3.5.8', 'mirror/be-centos:3.5.8-centos'), 'same');
  t.equal(versionChange('be:3.5.8', 'be:latest'), 'unknown');
  t.equal(versionChange('be:latest', 'be:3.5.8'), 'unknown');
  t.equal(rolloutDirection([]), 'none');
  t.equal(rolloutDirection(['same', 'same']), 'none');
  t.equal(rolloutDirection(['upgrade', 'same']), 'upgrade');
  t.equal(rolloutDirection(['downgrade', 'downgrade']), 'downgrade');
  t.equal(rolloutDirection(['downgrade', 'upgrade']), 'unknown', 'components that disagree');
  t.equal(rolloutDirection(['downgrade', 'unknown']), 'unknown');
});

t.test('an upgrade rolls BE, then CN, then FE, each after the previous rollout completed', async (t) => {
  const desired = all('3.5.9');
  const old = (c: Component, done = true): ObservedStatefulSet => sts(c, img(c, '3.5.8'), done);
  const now = (c: Component, done = true): ObservedStatefulSet => sts(c, img(c, '3.5.9'), done);
  let d = decide({ desired, observed: { fe: old('fe'), be: old('be'), cn: old('cn') } });
  t.same([d.direction, d.order], ['upgrade', UPGRADE_ORDER]);
  t.same(d.heldImages, { cn: img('cn', '3.5.8'), fe: img('fe', '3.5.8') });
  t.same(d.waitingFor, { cn: 'be', fe: 'be' });
  t.equal(d.unknownReason, undefined);
  d = decide({ desired, observed: { fe: old('fe'), be: now('be', false), cn: old('cn') } });
  t.same(d.waitingFor, { cn: 'be', fe: 'be' }, 'BE has the new image but is still rolling');
  d = decide({ desired, observed: { fe: old('fe'), be: now('be'), cn: old('cn') } });
  t.same([d.heldImages, d.waitingFor], [{ fe: img('fe', '3.5.8') }, { fe: 'cn' }]);
  d = decide({ desired, observed: { fe: old('fe'), be: now('be'), cn: now('cn') } });
  t.same(d.heldImages, {});
});

t.test('a downgrade rolls FE, then BE, then CN, each after the previous rollout completed', async (t) => {
  const desired = all('3.4.6');
  const newer = (c: Component, done = true): ObservedStatefulSet => sts(c, img(c, '3.5.8'), done);
  const older = (c: Component, done = true): ObservedStatefulSet => sts(c, img(c, '3.4.6'), done);
  let d = decide({ desired, observed: { fe: newer('fe'), be: newer('be'), cn: newer('cn') } });
  t.same([d.direction, d.order], ['downgrade', DOWNGRADE_ORDER]);
  t.same(d.heldImages, { be: img('be', '3.5.8'), cn: img('cn', '3.5.8') }, 'FE first');
  t.same(d.waitingFor, { be: 'fe', cn: 'fe' });
  d = decide({ desired, observed: { fe: older('fe', false), be: newer('be'), cn: newer('cn') } });
  t.same(d.waitingFor, { be: 'fe', cn: 'fe' }, 'FE still rolling');
  d = decide({ desired, observed: { fe: older('fe'), be: newer('be'), cn: newer('cn') } });
  t.same([d.direction, d.heldImages, d.waitingFor], ['downgrade', { cn: img('cn', '3.5.8') }, { cn: 'be' }], 'then BE; CN waits for BE');
  d = decide({ desired, observed: { fe: older('fe'), be: older('be'), cn: newer('cn') } });
  t.same(d.heldImages, {});
  d = decide({ desired: { fe: desired.fe, be: desired.be }, observed: { fe: newer('fe'), be: newer('be') } });
  t.same(d.waitingFor, { be: 'fe' }, 'without CN');
});

t.test('an unknown version rolls in the upgrade order and says why', async (t) => {
  const observed = { fe: sts('fe', img('fe', '3.5.8')), be: sts('be', img('be', '3.5.8')), cn: sts('cn', img('cn', '3.5.8')) };
  let d = decide({ desired: { ...all('3.5.8'), be: img('be', 'latest'), fe: img('fe', '3.4.0') }, observed });
  t.same([d.direction, d.order, d.waitingFor], ['unknown', UPGRADE_ORDER, { fe: 'be' }]);
  t.match(d.unknownReason, /be starrocks\/be-ubuntu:3\.5\.8 -> starrocks\/be-ubuntu:latest \(no version in a tag\)/);
  t.match(d.unknownReason, /fe .* \(downgrade\)/);
  d = decide({ desired: { ...all('3.5.8'), be: img('be', '3.5.9'), fe: img('fe', '3.4.0') }, observed });
  t.same([d.direction, d.order], ['unknown', UPGRADE_ORDER], 'BE up and FE down: no order fits both');
  t.match(d.unknownReason, /be .* \(upgrade\), fe .* \(downgrade\)/);
  d = decide({ desired: { fe: 'fe:2', be: 'be:2' }, observed: { fe: sts('fe', 'fe:1'), be: sts('be', 'be:1') } });
  t.same([d.direction, d.waitingFor], ['unknown', { fe: 'be' }], 'bare names');
  d = decide({ desired: { fe: img('fe', '3.5.8'), be: img('be', '3.5.8') }, observed: { fe: sts('fe', 'mirror/fe:3.5.8'), be: sts('be', 'mirror/be:3.5.8') } });
  t.same([d.direction, d.order, d.unknownReason, d.waitingFor], ['none', UPGRADE_ORDER, undefined, { fe: 'be' }], 'same version from another registry: no warning');
});

t.test('waitForFullRollout false: on a downgrade BE and CN follow once FE runs the new image with one Ready pod', async (t) => {
  const desired = all('3.4.6');
  const newer = (c: Component): ObservedStatefulSet => sts(c, img(c, '3.5.8'));
  const feRolling = { ...sts('fe', desired.fe, false), observedGeneration: 2, readyReplicas: 1 };
  t.same(decide({ desired, observed: { fe: feRolling, be: newer('be'), cn: newer('cn') } }, true).waitingFor, { be: 'fe', cn: 'fe' }, 'true: full rollout');
  t.same(decide({ desired, observed: { fe: feRolling, be: newer('be'), cn: newer('cn') } }, false).waitingFor, { cn: 'be' }, 'false: one Ready FE pod lets BE go; CN still waits for BE');
  const noneReady = { ...feRolling, readyReplicas: 0 };
  t.same(decide({ desired, observed: { fe: noneReady, be: newer('be'), cn: newer('cn') } }, false).waitingFor, { be: 'fe', cn: 'fe' }, 'no Ready FE pod');
  const notApplied = { ...sts('fe', img('fe', '3.5.8')), generation: 3 };
  t.same(decide({ desired, observed: { fe: notApplied, be: newer('be'), cn: newer('cn') } }, false).waitingFor, { be: 'fe', cn: 'fe' }, 'FE still runs the old image');
  const staleStatus = { ...feRolling, generation: 3, observedGeneration: 2 };
  t.same(decide({ desired, observed: { fe: staleStatus, be: newer('be'), cn: newer('cn') } }, false).waitingFor, { be: 'fe', cn: 'fe' }, 'FE status not caught up');
  const up = all('3.5.9');
  const beRolling = { ...sts('be', up.be, false), readyReplicas: 1 };
  t.same(
    decide({ desired: up, observed: { fe: sts('fe', img('fe', '3.5.8')), be: beRolling, cn: sts('cn', img('cn', '3.5.8')) } }, false).waitingFor,
    { cn: 'be', fe: 'be' },
    'an upgrade always waits for full rollouts (FE last: every BE and CN first)',
  );
});

t.test('a status that has not caught up with a new generation is not complete (operator issue #801)', async (t) => {
  const stale = { ...sts('be', img('be', '3.5.9')), generation: 3 };
  t.notOk(rolloutComplete(stale));
  const d = decide({ desired: { be: img('be', '3.5.9'), fe: img('fe', '3.5.9') }, observed: { be: stale, fe: sts('fe', img('fe', '3.5.8')) } });
  t.same(d.heldImages, { fe: img('fe', '3.5.8') });
});

t.test('new clusters and new components are created with the CR image at once', async (t) => {
  t.same(decide({ desired: all('3.5.8'), observed: {} }).heldImages, {});
  const d = decide({ desired: { fe: img('fe', '3.5.8'), be: img('be', '3.5.8') }, observed: { fe: sts('fe', img('fe', '3.5.8'), false) } });
  t.same([d.heldImages, d.direction], [{}, 'none']);
});

const versionArb = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }));
const tagArb = fc.oneof(
  { weight: 5, arbitrary: versionArb.map(([a, b, c]) => `${a}.${b}.${c}`) },
  { weight: 1, arbitrary: versionArb.map(([a, b, c]) => `${a}.${b}.${c}-ubuntu`) },
  { weight: 1, arbitrary: fc.constantFrom('latest', '3.5-latest') },
);

t.test('properties: version order is a total order, and a change read backwards is the opposite change', async (t) => {
  fc.assert(
    fc.property(versionArb, versionArb, versionArb, (a, b, c) => {
      const [x, y, z] = [a, b, c].map(([major, minor, patch]) => ({ major, minor, patch })) as [
        { major: number; minor: number; patch: number },
        { major: number; minor: number; patch: number },
        { major: number; minor: number; patch: number },
      ];
      if (Math.sign(compareVersions(x, y)) !== -Math.sign(compareVersions(y, x))) return false;
      if (compareVersions(x, y) <= 0 && compareVersions(y, z) <= 0 && compareVersions(x, z) > 0) return false;
      return (compareVersions(x, y) === 0) === (a.join('.') === b.join('.'));
    }),
    { numRuns: 300 },
  );
  const opposite: Record<VersionChange, VersionChange> = { upgrade: 'downgrade', downgrade: 'upgrade', same: 'same', unknown: 'unknown' };
  fc.assert(
    fc.property(tagArb, tagArb, (a, b) => versionChange(`be:${b}`, `be:${a}`) === opposite[versionChange(`be:${a}`, `be:${b}`)]),
    { numRuns: 300 },
  );
  t.pass('600 cases');
});

t.test('properties: the order follows the direction of the changing images; the first component not let through holds every later image change; nothing earlier is held', async (t) => {
  const comp = fc.option(fc.record({ tag: tagArb, done: fc.boolean(), ready: fc.integer({ min: 0, max: 3 }) }), { nil: undefined });
  fc.assert(
    fc.property(
      fc.record({ be: comp, cn: comp, fe: comp }),
      fc.record({ be: tagArb, cn: tagArb, fe: tagArb }),
      fc.record({ be: fc.boolean(), cn: fc.boolean() }),
      fc.boolean(),
      (obs, want, present, waitForFullRollout) => {
        const desired: Partial<Record<Component, string>> = { fe: `fe:${want.fe}` };
        if (present.be) desired.be = `be:${want.be}`;
        if (present.cn) desired.cn = `cn:${want.cn}`;
        const observed: Partial<Record<Component, ObservedStatefulSet>> = {};
        for (const c of UPGRADE_ORDER) {
          const o = obs[c];
          if (o !== undefined && desired[c] !== undefined) observed[c] = { ...sts(c, `${c}:${o.tag}`, o.done), readyReplicas: o.done ? 3 : o.ready };
        }
        const d = decideRollout({ desired, observed, waitForFullRollout });
        const changes = UPGRADE_ORDER.flatMap((c) => {
          const o = observed[c];
          const w = desired[c];
          return o === undefined || w === undefined || o.image === w ? [] : [versionChange(o.image, w)];
        });
        const moving = changes.filter((c) => c !== 'same');
        const expected =
          moving.length === 0 ? 'none' : moving.every((c) => c === 'upgrade') ? 'upgrade' : moving.every((c) => c === 'downgrade') ? 'downgrade' : 'unknown';
        if (d.direction !== expected) return false;
        if (d.order !== (expected === 'downgrade' ? DOWNGRADE_ORDER : UPGRADE_ORDER)) return false;
        if ((d.unknownReason !== undefined) !== (expected === 'unknown')) return false;
        let blocker: Component | undefined;
        for (const c of d.order) {
          if (desired[c] === undefined) continue;
          const o = observed[c];
          const changing = o !== undefined && o.image !== desired[c];
          if ((d.heldImages[c] !== undefined) !== (changing && blocker !== undefined)) return false;
          if (d.heldImages[c] !== undefined && (d.heldImages[c] !== o?.image || d.waitingFor[c] !== blocker)) return false;
          const onImage = o !== undefined && o.image === desired[c];
          const relaxed = c === 'fe' && !waitForFullRollout;
          const through = onImage && (relaxed ? o.readyReplicas >= 1 && o.observedGeneration >= o.generation : rolloutComplete(o));
          if (!through && blocker === undefined) blocker = c;
        }
        return true;
      },
    ),
    { numRuns: 500 },
  );
  t.pass('500 cases');
});
