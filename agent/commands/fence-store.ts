/**
 * Where the bootstrap fence lives: a ConfigMap created with create-only semantics in Kubernetes,
 * or a file in a directory every FE shares outside Kubernetes (`STARROCKS_AGENT_FENCE_DIR`).
 * Reading it may fail; the FE start plan then never bootstraps ("unknown" is not "absent").
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../contract/errors.ts';
import type { AgentKube, Fence } from '../kube/agent-kube.ts';
import type { FenceState } from '../plan/fe-start-plan.ts';

/** Reads and creates the fence. */
export interface FenceStore {
  read(): Promise<FenceState>;
  /** Create-only: `exists` with the stored fence when another FE got there first. */
  create(fence: Fence): Promise<{ kind: 'created' } | { kind: 'exists'; stored: FenceState }>;
}

/** The fence as a ConfigMap (DESIGN.md §3). */
export function kubeFenceStore(kube: AgentKube, name: string): FenceStore {
  const read = async (): Promise<FenceState> => {
    try {
      return toState(await kube.readFence(name));
    } catch (error) {
      return { kind: 'unknown', reason: describeError(error) };
    }
  };
  return {
    read,
    async create(fence) {
      const result = await kube.createFence(name, fence);
      return result === 'created' ? { kind: 'created' } : { kind: 'exists', stored: await read() };
    },
  };
}

/** The fence as a file `<dir>/<name>.json`, created with O_EXCL (create-only). */
export function fileFenceStore(dir: string, name: string): FenceStore {
  const path = join(dir, `${name}.json`);
  const read = async (): Promise<FenceState> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      return { kind: 'unknown', reason: describeError(error) };
    }
    try {
      const parsed = JSON.parse(text) as Partial<Fence>;
      if (typeof parsed.clusterId !== 'string') return { kind: 'unknown', reason: `${path} has no clusterId` };
      return toState(parsed as Fence);
    } catch {
      return { kind: 'unknown', reason: `${path} is not JSON` };
    }
  };
  return {
    read,
    async create(fence) {
      await mkdir(dir, { recursive: true });
      try {
        await writeFile(path, `${JSON.stringify(fence)}\n`, { flag: 'wx' });
        return { kind: 'created' };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return { kind: 'exists', stored: await read() };
      }
    },
  };
}

function toState(fence: Fence | undefined): FenceState {
  if (fence === undefined) return { kind: 'absent' };
  const clusterId = Number(fence.clusterId);
  if (!Number.isInteger(clusterId) || clusterId <= 0) return { kind: 'unknown', reason: `the fence holds an invalid cluster id ${JSON.stringify(fence.clusterId)}` };
  return { kind: 'present', clusterId };
}
