/**
 * Every FE process down for 5-20 s (frozen, or crash-looping) while BEs and the CN start or
 * restart: a BE scale-out, or BE and CN pods deleted, lands during the FE outage.
 */
import { sleep } from '../../../agent/contract/backoff.ts';
import { crashLoop, deletePods, pauseProcesses, podName, resumeProcesses, scale } from '../actions.ts';
import type { Scenario, ScenarioContext } from '../scenario.ts';

export const scenario: Scenario = {
  name: 'fe-group-down-while-bes-start',
  summary: 'all FE processes stopped (SIGSTOP or a crash loop) for 5-20 s while BEs are scaled out or BE/CN pods restart',
  shape: { fe: 3, be: 1, cn: 1 },
  graceSeconds: { fe: 10, be: 10, cn: 10 },
  async run(ctx) {
    const outageMs = ctx.rng.int(5_000, 20_000);
    const beAction = ctx.rng.pick(['scale-out', 'restart'] as const);
    const atMs = ctx.rng.int(0, Math.floor(outageMs / 2));
    const during = async (): Promise<void> => {
      ctx.note(`the BE action in ${atMs} ms`);
      await sleep(atMs);
      await beDuringOutage(ctx, beAction);
    };
    if (ctx.rng.chance(0.5)) {
      const ips = await pauseProcesses(ctx, 'fe', [0, 1, 2]);
      const until = Date.now() + outageMs;
      try {
        await during();
        const rest = Math.max(0, until - Date.now());
        ctx.note(`FEs stay frozen ${rest} ms more`);
        await sleep(rest);
      } finally {
        await resumeProcesses(ctx, ips);
      }
    } else {
      await crashLoop(ctx, { component: 'fe', ordinals: [0, 1, 2], ms: outageMs, during });
    }
  },
  boundMs: 150_000,
};

async function beDuringOutage(ctx: ScenarioContext, action: 'scale-out' | 'restart'): Promise<void> {
  if (action === 'scale-out') await scale(ctx, 'be', ctx.rng.int(2, 3));
  else await deletePods(ctx, [podName(ctx.cluster, 'be', 0), podName(ctx.cluster, 'cn', 0)]);
}
