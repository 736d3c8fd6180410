/**
 * The preStop hook runs as its own process (`starrocks-agent prestop`, exec'd by kubelet) while
 * `starrocks-agent run` supervises StarRocks. The hook holds a lock file in the shared state dir
 * for as long as it works; `run` does not exit while a live hook holds it, so the container is
 * not torn down under a running decommission or drop.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../contract/backoff.ts';
import { isPidAlive } from './pid-alive.ts';

const LOCK_FILE = 'prestop.lock';

/** Take the lock for this process; returns the release function. */
export async function holdPrestopLock(stateDir: string): Promise<() => Promise<void>> {
  const path = join(stateDir, LOCK_FILE);
  await writeFile(path, `${process.pid}\n`);
  return async () => {
    await rm(path, { force: true });
  };
}

/** True while a live process holds the lock. A lock left by a dead process does not count. */
export async function prestopRunning(stateDir: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(stateDir, LOCK_FILE), 'utf8');
  } catch {
    return false;
  }
  return isPidAlive(Number(text.trim()));
}

/** Options of waitForPrestop. */
export interface WaitForPrestopOptions {
  stateDir: string;
  /** Give up after this long (the pod's grace period bounds it anyway). */
  timeoutMs: number;
  pollMs?: number;
}

/** Resolve once no live preStop holds the lock, or when the timeout passes. */
export async function waitForPrestop(options: WaitForPrestopOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 200;
  while (Date.now() < deadline && (await prestopRunning(options.stateDir))) {
    await sleep(pollMs);
  }
}
