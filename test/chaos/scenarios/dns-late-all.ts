/** Every pod's own record appears 5-30 s late (NXDOMAIN until then), as when the DNS service lags behind the endpoints. */
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'dns-late-all',
  summary: "every pod's own record (all names under the search services) answers NXDOMAIN for 5-30 s after the cluster is applied",
  shape: { fe: 3, be: 2, cn: 1 },
  waitConverged: false,
  beforeStart(ctx) {
    for (const component of ['fe', 'be', 'cn'] as const) {
      // `<pod>.<search service>.<ns>.svc.cluster.local`: every name under the search service.
      const suffix = ctx.fqdn(component, 0).split('.').slice(1).join('.');
      ctx.dns.add({ match: `*.${suffix}`, kind: 'nxdomain' });
      ctx.note(`DNS: *.${suffix} answers NXDOMAIN`);
    }
  },
  async run(ctx) {
    await ctx.pause(5_000, 30_000);
    ctx.dns.clear();
    ctx.note('DNS: the records appear');
  },
};
