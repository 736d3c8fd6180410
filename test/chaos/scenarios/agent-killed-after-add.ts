/**
 * A joining BE's init agent SIGKILLed right after its ADD BACKEND succeeded, before it could
 * record the membership: kubelet re-runs the init container, whose agent must find the BE
 * registered and not add it again.
 */
import { sleep } from '../../../agent/contract/backoff.ts';
import { containerPids, podIp, scale } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'agent-killed-after-add',
  summary: "BE 1 -> 2: BE 1's init agent killed -9 at once (or after a random few ms) when its ADD BACKEND succeeded",
  shape: { fe: 1, be: 1, cn: 0 },
  graceSeconds: { fe: 30, be: 30 },
  async run(ctx) {
    await scale(ctx, 'be', 2);
    const ip = await podIp(ctx.cluster, 'be', 1);
    const host = ctx.cluster.fqdn('be', 1);
    const delayMs = ctx.rng.int(0, 30);
    await ctx.step(`kill -9 the init agent of BE 1 (${ip}) ${delayMs} ms after its ADD BACKEND succeeded`, async () => {
      // Tight polling: the agent records its membership within milliseconds of the answer.
      const deadline = Date.now() + 90_000;
      for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
        if (ctx.cluster.sim.statements().some((s) => s.result === 'ok' && /ADD\s+BACKEND/i.test(s.sql) && s.sql.includes(host))) {
          if (delayMs > 0) await sleep(delayMs);
          const pids = containerPids(ip, 'init');
          for (const pid of pids) process.kill(pid, 'SIGKILL');
          ctx.note(`killed ${pids.length === 0 ? 'nothing (no init agent left)' : `pids ${pids.join(', ')}`}`);
          return;
        }
        await sleep(2);
      }
      throw new Error(`no successful ADD BACKEND of ${host} within 90 s`);
    });
  },
  boundMs: 90_000,
};
