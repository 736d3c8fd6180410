/**
 * Simulator timings, printed (not asserted): FE start to open ports, a follower's join after ADD,
 * leader failover after SIGKILL, and a SHOW FRONTENDS round trip. Run:
 * `node_modules/.bin/node test/sim/bench.ts`.
 */
import mysql from 'mysql2/promise';
import { SimWorld } from './world/sim-world.ts';

const RUNS = 5;
const heartbeatIntervalMs = 100;

function stats(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(`${label.padEnd(46)} median ${String(Math.round(median)).padStart(5)} ms  min ${Math.round(sorted[0] ?? 0)}  max ${Math.round(sorted.at(-1) ?? 0)}  (n=${samples.length})`);
}

const start: number[] = [];
const join: number[] = [];
const failover: number[] = [];
const show: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const world = await SimWorld.start({ heartbeatIntervalMs, heartbeatRetries: 2, joinPollMs: 100 });
  try {
    let t0 = performance.now();
    const fe0 = world.spawn({ component: 'fe' });
    await world.waitOpen(fe0.ip);
    start.push(performance.now() - t0);
    const conn = await mysql.createConnection({ host: fe0.ip, port: 9030, user: 'root' });
    const followers = [world.addresses.next(), world.addresses.next()];
    for (const ip of followers) await conn.query(`ALTER SYSTEM ADD FOLLOWER "${ip}:9010"`);
    t0 = performance.now();
    for (const ip of followers) world.spawn({ component: 'fe', ip, args: ['--helper', `${fe0.ip}:9010`] });
    for (const ip of followers) await world.waitOpen(ip);
    join.push(performance.now() - t0);
    for (let i = 0; i < 20; i++) {
      const s = performance.now();
      await conn.query('SHOW FRONTENDS');
      show.push(performance.now() - s);
    }
    await conn.end();
    t0 = performance.now();
    world.kill(fe0.ip);
    await world.waitFor(() => world.leader() !== undefined && world.leader()?.host !== fe0.ip, { what: 'failover' });
    failover.push(performance.now() - t0);
  } finally {
    await world.stop();
  }
}
console.log(`simulator timings, heartbeat interval ${heartbeatIntervalMs} ms, ${RUNS} worlds`);
stats('FE start (exec) to query port open', start);
stats('2 followers: start with --helper to open', join);
stats('leader SIGKILL to new leader', failover);
stats('SHOW FRONTENDS round trip (mysql2)', show);
