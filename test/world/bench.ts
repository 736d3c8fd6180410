/**
 * Benchmark: starts and stops the Kubernetes world a few times and prints the timings (binaries
 * must be built). `node test/world/bench.ts [runs]`, default 3.
 */
import { startWorld } from './world.ts';

const runs = Math.max(1, Math.min(10, Number(process.argv[2] ?? 3) || 3));
for (let i = 1; i <= runs; i++) {
  const t0 = performance.now();
  const world = await startWorld();
  const t1 = performance.now();
  await world.stop();
  const t2 = performance.now();
  console.log(`run ${i}: world ready in ${((t1 - t0) / 1000).toFixed(1)} s, stopped in ${((t2 - t1) / 1000).toFixed(1)} s`);
}
