import t from 'tap';
import { advanceDecommission, describeDecommission } from '../../../agent/plan/decommission-progress.ts';
import type { DecommissionProgress } from '../../../agent/plan/decommission-progress.ts';
import type { BeScaleInStep } from '../../../agent/plan/shutdown.ts';
import { hostPort } from '../../../agent/sql/host-port.ts';

const target = hostPort('be-3.x', 9050);
const at = (s: number): Date => new Date(Date.UTC(2026, 10, 22, 22, 0, s));

t.test('progress folds over the steps and keeps its start across a preStop restart', async (t) => {
  const steps: BeScaleInStep[] = [
    { kind: 'decommission', target, tablets: 40, reason: 'decommission' },
    { kind: 'wait-tablets', tablets: 25, reason: '25 left' },
    { kind: 'wait-tablets', tablets: undefined, reason: 'unknown' },
    { kind: 'wait-tablets', tablets: 3, reason: '3 left' },
    { kind: 'drop', target, reason: 'drop' },
    { kind: 'done', reason: 'gone' },
  ];
  let progress: DecommissionProgress | undefined;
  const seen: Array<[string, number | undefined]> = [];
  steps.forEach((step, i) => {
    // Every other step, the record goes through the annotation (JSON) as after a crash.
    const previous = progress === undefined ? undefined : i % 2 === 0 ? (JSON.parse(JSON.stringify(progress)) as DecommissionProgress) : progress;
    progress = advanceDecommission(previous, step, at(i));
    seen.push([progress.state, progress.tabletsLeft]);
  });
  t.same(seen, [
    ['decommissioning', 40],
    ['decommissioning', 25],
    ['decommissioning', 25],
    ['decommissioning', 3],
    ['dropping', 0],
    ['done', 0],
  ]);
  t.equal(progress?.startedAt, at(0).toISOString());
  t.equal(progress?.tabletsAtStart, 40);
  t.match(describeDecommission(progress as DecommissionProgress), /^done since .*, 40 of 40 tablets moved: gone$/);
});

t.test('a refusal is recorded as blocked with StarRocks\' reason', async (t) => {
  const blocked = advanceDecommission(undefined, { kind: 'blocked', reason: 'insufficient BE number: db.t requires 3 replicas' }, at(0));
  t.equal(blocked.state, 'blocked');
  t.match(describeDecommission(blocked), /blocked since .*: insufficient BE number/);
  t.equal(blocked.tabletsLeft, undefined);
});
