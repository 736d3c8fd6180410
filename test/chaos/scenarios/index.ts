/** Every chaos scenario, by name (one file each). */
import type { Scenario } from '../scenario.ts';
import { scenario as dnsLateOnePod } from './dns-late-one-pod.ts';
import { scenario as feLeaderKilledWhileFollowerJoins } from './fe-leader-killed-while-follower-joins.ts';

/** The scenarios, in the order `npm run chaos` runs them. */
export const SCENARIOS: readonly Scenario[] = [feLeaderKilledWhileFollowerJoins, dnsLateOnePod];
