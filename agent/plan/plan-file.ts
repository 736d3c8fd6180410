/**
 * The start plan the init container hands to the main container (`plan.json` in the shared
 * emptyDir), and the start script arguments it implies. Parsed at the edge into a typed value:
 * a file that is not exactly this shape stops `run` with ERR_PLAN_INVALID rather than starting
 * StarRocks with a guess. After a container restart the file may be gone or stale; `run` then
 * re-derives the plan (meta now exists), which is why a restart plan carries no helper.
 *
 * @example
 * ```ts
 * await writeFile(path, serializePlanFile(fePlanFile({ hostType, plan, now: new Date() })));
 * const args = startArgs(parsePlanFile(await readFile(path, 'utf8')), { logConsole: true });
 * ```
 */
import { HOST_TYPES, isComponent } from '../contract/index.ts';
import type { HostType } from '../contract/index.ts';
import { AgentError } from '../contract/errors.ts';
import { hostPortText, parseHostPort } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';
import type { FeStartPlan } from './fe-start-plan.ts';

/** Format version of plan.json. */
const PLAN_FILE_VERSION = 1;

/** What plan.json holds. */
export type PlanFile =
  | {
      readonly component: 'fe';
      readonly hostType: HostType;
      readonly start: 'bootstrap' | 'restart-from-meta';
      readonly clusterId: number | undefined;
      readonly createdAt: string;
    }
  | {
      readonly component: 'fe';
      readonly hostType: HostType;
      readonly start: 'join';
      readonly helper: HostPort;
      readonly clusterId: number | undefined;
      readonly createdAt: string;
    }
  | {
      readonly component: 'be' | 'cn';
      readonly hostType: HostType;
      readonly start: 'registered';
      /** The host:heartbeat port the node is registered as: DROP uses exactly this. */
      readonly registeredAs: HostPort;
      /** True when this start added the node: a new node has no tablets to heal after it. */
      readonly addedNow: boolean;
      readonly createdAt: string;
    };

/** The plan file for an FE plan that starts the process (bootstrap, join, restart). */
export function fePlanFile(input: { hostType: HostType; plan: FeStartPlan; now: Date }): PlanFile {
  const { plan, hostType } = input;
  const createdAt = input.now.toISOString();
  switch (plan.kind) {
    case 'bootstrap':
      return { component: 'fe', hostType, start: 'bootstrap', clusterId: undefined, createdAt };
    case 'restart-from-meta':
      return { component: 'fe', hostType, start: 'restart-from-meta', clusterId: plan.clusterId, createdAt };
    case 'join':
      return { component: 'fe', hostType, start: 'join', helper: plan.helper, clusterId: plan.clusterId, createdAt };
    default:
      throw new AgentError('ERR_INTERNAL', `an FE plan of kind ${plan.kind} does not start the FE and has no plan file`);
  }
}

/** The plan file of a registered BE or CN. */
export function nodePlanFile(input: { component: 'be' | 'cn'; hostType: HostType; registeredAs: HostPort; addedNow: boolean; now: Date }): PlanFile {
  return {
    component: input.component,
    hostType: input.hostType,
    start: 'registered',
    registeredAs: input.registeredAs,
    addedNow: input.addedNow,
    createdAt: input.now.toISOString(),
  };
}

/** plan.json text. */
export function serializePlanFile(file: PlanFile): string {
  const body: Record<string, unknown> = { version: PLAN_FILE_VERSION, ...file };
  if ('helper' in file) body.helper = hostPortText(file.helper);
  if ('registeredAs' in file) body.registeredAs = hostPortText(file.registeredAs);
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** Parse plan.json. Throws ERR_PLAN_INVALID naming what is wrong. */
export function parsePlanFile(text: string): PlanFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(`not JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('not a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.version !== PLAN_FILE_VERSION) throw invalid(`version ${JSON.stringify(o.version)}, expected ${PLAN_FILE_VERSION}`);
  const component = o.component;
  if (typeof component !== 'string' || !isComponent(component)) throw invalid(`component ${JSON.stringify(component)}`);
  const hostType = o.hostType;
  if (typeof hostType !== 'string' || !(HOST_TYPES as readonly string[]).includes(hostType)) throw invalid(`hostType ${JSON.stringify(hostType)}`);
  const createdAt = o.createdAt;
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) throw invalid(`createdAt ${JSON.stringify(createdAt)}`);
  const ht = hostType as HostType;
  if (component === 'fe') {
    const clusterId = o.clusterId;
    if (clusterId !== undefined && !Number.isInteger(clusterId)) throw invalid(`clusterId ${JSON.stringify(clusterId)}`);
    const id = clusterId as number | undefined;
    if (o.start === 'bootstrap' || o.start === 'restart-from-meta') return { component, hostType: ht, start: o.start, clusterId: id, createdAt };
    if (o.start === 'join') return { component, hostType: ht, start: 'join', helper: endpoint(o.helper, 'helper'), clusterId: id, createdAt };
    throw invalid(`start ${JSON.stringify(o.start)} for an FE`);
  }
  if (o.start !== 'registered') throw invalid(`start ${JSON.stringify(o.start)} for a ${component.toUpperCase()}`);
  // Absent in files of earlier agents: not known to be new, so treated as a restart.
  if (o.addedNow !== undefined && typeof o.addedNow !== 'boolean') throw invalid(`addedNow ${JSON.stringify(o.addedNow)}`);
  return { component, hostType: ht, start: 'registered', registeredAs: endpoint(o.registeredAs, 'registeredAs'), addedNow: o.addedNow === true, createdAt };
}

/** Arguments of start_fe.sh / start_be.sh / start_cn.sh for a plan. */
export function startArgs(file: PlanFile, options: { logConsole: boolean }): string[] {
  const args: string[] = [];
  if (file.component === 'fe') {
    // --host_type and --helper matter only at the first start; with meta the FE reads its
    // host type from image/ROLE, and a helper outside its local group view fails the start.
    if (file.start !== 'restart-from-meta') args.push('--host_type', file.hostType);
    if (file.start === 'join') args.push('--helper', hostPortText(file.helper));
  }
  if (options.logConsole) args.push('--logconsole');
  return args;
}

function endpoint(value: unknown, what: string): HostPort {
  if (typeof value !== 'string') throw invalid(`${what} ${JSON.stringify(value)}`);
  try {
    return parseHostPort(value);
  } catch (error) {
    throw invalid(`${what}: ${(error as Error).message}`);
  }
}

function invalid(what: string): AgentError {
  return new AgentError('ERR_PLAN_INVALID', `the start plan file is invalid: ${what}; delete it so the agent derives the plan again`);
}

/** Whether `run` may start from the plan file or must derive the plan again. */
export type PlanUse = { readonly kind: 'use'; readonly plan: PlanFile } | { readonly kind: 'derive'; readonly reason: string };

/**
 * Use the plan init wrote for the first start of the main container. A container restart (a
 * crash, a liveness restart) does not run init again, and the world may have changed since: an
 * FE 0 whose volume was wiped would otherwise start its old `bootstrap` plan again and create a
 * second cluster without looking at the fence. So an FE bootstrap or join plan already started
 * once (its `createdAt` recorded as consumed) is derived again, as is an FE plan other than a
 * restart while the meta is complete. A BE/CN keeps its registration across container restarts
 * (its row does not change when its process does), but is no longer new. Pure.
 */
export function planUse(input: { file: PlanFile | undefined; consumedCreatedAt: string | undefined; component: string; metaComplete: boolean }): PlanUse {
  const { file } = input;
  if (file === undefined) return { kind: 'derive', reason: 'no usable plan file' };
  if (file.component !== input.component) return { kind: 'derive', reason: `the plan file is for ${file.component}` };
  const consumed = input.consumedCreatedAt === file.createdAt;
  if (file.component !== 'fe') return { kind: 'use', plan: consumed ? { ...file, addedNow: false } : file };
  if (file.start === 'restart-from-meta') {
    // Without complete meta and without a helper, StarRocks would start a new cluster.
    return input.metaComplete ? { kind: 'use', plan: file } : { kind: 'derive', reason: 'the plan restarts from meta, but the meta is not complete' };
  }
  if (input.metaComplete) return { kind: 'derive', reason: 'the meta is complete: restart from it' };
  if (consumed) return { kind: 'derive', reason: `the ${file.start} plan was used by an earlier container: a restart decides again` };
  return { kind: 'use', plan: file };
}
