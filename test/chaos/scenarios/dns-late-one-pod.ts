/** One pod's DNS record appears 5-30 s late (NXDOMAIN until then), as when endpoints propagate slowly. */
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'dns-late-one-pod',
  summary: "one pod's own record answers NXDOMAIN for 5-30 s after the cluster is applied",
  shape: { fe: 3, be: 2, cn: 1 },
  waitConverged: false,
  beforeStart(ctx) {
    const component = ctx.rng.pick(['fe', 'be', 'cn'] as const);
    const ordinal = component === 'fe' ? ctx.rng.int(0, 2) : component === 'be' ? ctx.rng.int(0, 1) : 0;
    const host = ctx.fqdn(component, ordinal);
    ctx.dns.add({ match: host, kind: 'nxdomain' });
    ctx.note(`DNS: ${host} answers NXDOMAIN`);
  },
  async run(ctx) {
    await ctx.pause(5_000, 30_000);
    ctx.dns.clear();
    ctx.note('DNS: the record appears');
  },
};
