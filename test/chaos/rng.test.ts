import t from 'tap';
import { seededRandom } from './rng.ts';

t.test('the same seed gives the same draws; another seed others; ranges hold', async (t) => {
  const draw = (seed: number): number[] => {
    const r = seededRandom(seed);
    return Array.from({ length: 20 }, () => r.int(5_000, 30_000));
  };
  t.same(draw(7), draw(7));
  t.not(draw(7).join(), draw(8).join());
  const r = seededRandom(3);
  for (let i = 0; i < 1_000; i++) {
    const n = r.int(2, 4);
    if (n < 2 || n > 4) t.fail(`out of range: ${n}`);
  }
  t.throws(() => r.pick([]), /empty/);
});
