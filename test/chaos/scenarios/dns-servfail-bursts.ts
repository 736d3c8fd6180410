/** SERVFAIL bursts on every name while a 3 FE / 2 BE / 1 CN cluster starts, as an overloaded or restarting DNS service answers. */
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'dns-servfail-bursts',
  summary: 'several SERVFAIL bursts (a few queries to a few seconds each) on all names while the cluster starts',
  shape: { fe: 3, be: 2, cn: 1 },
  waitConverged: false,
  async run(ctx) {
    const bursts = ctx.rng.int(3, 6);
    for (let i = 0; i < bursts; i++) {
      await ctx.pause(1_000, 8_000);
      const times = ctx.rng.chance(0.5) ? ctx.rng.int(2, 20) : undefined;
      const id = ctx.dns.add({ match: 'all', kind: 'servfail', times });
      ctx.note(times === undefined ? 'DNS: every query answers SERVFAIL' : `DNS: the next ${times} queries answer SERVFAIL`);
      // A counted burst ends when its queries came (or with the pause); a timed one with the pause.
      await ctx.pause(500, 4_000);
      ctx.dns.remove(id);
      ctx.note(`DNS: answers again (SERVFAIL so far: ${ctx.dns.faulted().servfail ?? 0})`);
    }
  },
};
