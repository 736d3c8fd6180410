import fc from 'fast-check';
import t from 'tap';
import type { Component } from '../../../agent/contract.ts';
import type { ObservedStatefulSet } from '../../../controller/status/observed.ts';
import { rolloutComplete } from '../../../controller/status/observed.ts';
import { UPGRADE_ORDER, decideRollout } from '../../../controller/upgrade-order.ts';

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

t.test('an image change everywhere rolls BE, then CN, then FE', async (t) => {
  const desired = { fe: 'v2', be: 'v2', cn: 'v2' };
  // Step 1: all run v1: only BE may roll.
  let d = decideRollout({ desired, observed: { fe: sts('fe', 'v1'), be: sts('be', 'v1'), cn: sts('cn', 'v1') } });
  t.same(d.heldImages, { cn: 'v1', fe: 'v1' });
  t.same(d.waitingFor, { cn: 'be', fe: 'be' });
  // Step 2: BE has the new image but is still rolling: CN and FE wait.
  d = decideRollout({ desired, observed: { fe: sts('fe', 'v1'), be: sts('be', 'v2', false), cn: sts('cn', 'v1') } });
  t.same(d.heldImages, { cn: 'v1', fe: 'v1' });
  // Step 3: BE done: CN rolls, FE waits for CN.
  d = decideRollout({ desired, observed: { fe: sts('fe', 'v1'), be: sts('be', 'v2'), cn: sts('cn', 'v1') } });
  t.same(d.heldImages, { fe: 'v1' });
  t.same(d.waitingFor, { fe: 'cn' });
  // Step 4: CN done: FE rolls.
  d = decideRollout({ desired, observed: { fe: sts('fe', 'v1'), be: sts('be', 'v2'), cn: sts('cn', 'v2') } });
  t.same(d.heldImages, {});
});

t.test('a status that has not caught up with a new generation is not complete (operator issue #801)', async (t) => {
  const stale = { ...sts('be', 'v2'), generation: 3 };
  t.notOk(rolloutComplete(stale));
  const d = decideRollout({ desired: { be: 'v2', fe: 'v2' }, observed: { be: stale, fe: sts('fe', 'v1') } });
  t.same(d.heldImages, { fe: 'v1' });
});

t.test('new clusters and new components are created with the CR image at once', async (t) => {
  t.same(decideRollout({ desired: { fe: 'v1', be: 'v1', cn: 'v1' }, observed: {} }).heldImages, {});
  const d = decideRollout({ desired: { fe: 'v1', be: 'v1' }, observed: { fe: sts('fe', 'v1', false) } });
  t.same(d.heldImages, {});
});

t.test('properties: the first component not settled holds every later image change; nothing earlier is held', async (t) => {
  const comp = fc.option(fc.record({ image: fc.constantFrom('v1', 'v2'), done: fc.boolean() }), { nil: undefined });
  fc.assert(
    fc.property(fc.record({ be: comp, cn: comp, fe: comp }), fc.record({ be: fc.boolean(), cn: fc.boolean() }), (obs, present) => {
      const desired: Partial<Record<Component, string>> = { fe: 'v2' };
      if (present.be) desired.be = 'v2';
      if (present.cn) desired.cn = 'v2';
      const observed: Partial<Record<Component, ObservedStatefulSet>> = {};
      for (const c of UPGRADE_ORDER) {
        const o = obs[c];
        if (o !== undefined && desired[c] !== undefined) observed[c] = sts(c, o.image, o.done);
      }
      const d = decideRollout({ desired, observed });
      let blocked = false;
      for (const c of UPGRADE_ORDER) {
        if (desired[c] === undefined) continue;
        const o = observed[c];
        const changes = o !== undefined && o.image !== desired[c];
        if ((d.heldImages[c] !== undefined) !== (changes && blocked)) return false;
        if (d.heldImages[c] !== undefined && d.heldImages[c] !== o?.image) return false;
        const settled = o !== undefined && o.image === desired[c] && rolloutComplete(o);
        if (!settled) blocked = true;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass('300 cases');
});
