/**
 * BE/CN registration (DESIGN.md §3), a pure decision over the leader's view: ADD only when the
 * node is absent; a BE found decommissioning (scaled in, then out again) is recommissioned with
 * CANCEL DECOMMISSION, never added twice; "already exists" from an ADD is never taken as success
 * by itself: the caller re-reads the view and decides again, and only the row settles it.
 *
 * The node is matched by host and heartbeat port as StarRocks compares them, and the decision
 * names the row's own host form: that is the form every later DROP or DECOMMISSION must use.
 *
 * @example
 * ```ts
 * const decision = planRegistration({ component: 'be', self, view: { kind: 'rows', rows } });
 * if (decision.kind === 'add') await leader.exec(addBackend(decision.target));
 * ```
 */
import type { NodeRow } from '../membership/nodes.ts';
import { findNode, findNodesByHost } from '../membership/queries.ts';
import { hostPortText, sameHostPort } from '../sql/host-port.ts';
import type { HostPort } from '../sql/host-port.ts';

/** The leader's view of BEs and CNs, or why it could not be read. */
export type NodeView =
  | { readonly kind: 'rows'; readonly rows: readonly NodeRow[]; readonly otherKindRows?: readonly NodeRow[] }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Inputs of planRegistration. */
export interface RegistrationInput {
  readonly component: 'be' | 'cn';
  /** Own host (FQDN or pod IP, per host type) and `heartbeat_service_port`. */
  readonly self: HostPort;
  /** What this pod recorded as registered before (pod annotation), if anything. */
  readonly previous?: HostPort | undefined;
  /** SHOW BACKENDS for a BE, SHOW COMPUTE NODES for a CN; `otherKindRows` the other table. */
  readonly view: NodeView;
}

/** The registration step to take. */
export type RegistrationDecision =
  | { readonly kind: 'add'; readonly target: HostPort; readonly reason: string }
  | { readonly kind: 'registered'; readonly as: HostPort; readonly row: NodeRow; readonly reason: string }
  | { readonly kind: 'recommission'; readonly target: HostPort; readonly reason: string }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly reason: string; readonly fix: string };

/** Decide the BE/CN registration step. Pure. */
export function planRegistration(input: RegistrationInput): RegistrationDecision {
  const { view, self, component } = input;
  const what = component === 'be' ? 'BE' : 'CN';
  const other = component === 'be' ? 'CN' : 'BE';
  const text = hostPortText(self);
  if (view.kind === 'unavailable') return { kind: 'wait', reason: `the FE leader's view cannot be read: ${view.reason}` };

  const wrongKind = findNode(view.otherKindRows ?? [], self);
  if (wrongKind !== undefined) {
    return {
      kind: 'refuse',
      reason: `${text} is registered as a ${other}, but this pod is a ${what}`,
      fix: `drop it (ALTER SYSTEM DROP ${other === 'CN' ? 'COMPUTE NODE' : 'BACKEND'} "${wrongKind.host}:${wrongKind.heartbeatPort ?? self.port}") after checking it holds no data`,
    };
  }
  const row = findNode(view.rows, self);
  if (row !== undefined) {
    const as = row.address ?? self;
    if (component === 'be' && row.systemDecommissioned) {
      return { kind: 'recommission', target: as, reason: `${text} is decommissioning: cancel it rather than add it again` };
    }
    return { kind: 'registered', as, row, reason: `${text} is registered (id ${row.id || '?'}): no ADD` };
  }
  const samehost = findNodesByHost(view.rows, self.host);
  if (samehost.length > 0) {
    const ports = samehost.map((r) => r.heartbeatPort ?? '?').join(', ');
    return {
      kind: 'refuse',
      reason: `${self.host} is registered with heartbeat port ${ports}, but the conf sets heartbeat_service_port ${self.port}`,
      fix: `set heartbeat_service_port back to ${ports}, or remove the old entry (${component === 'be' ? 'DECOMMISSION BACKEND, then it is dropped' : 'DROP COMPUTE NODE'}) so the agent adds it again`,
    };
  }
  if (input.previous !== undefined && !sameHostPort(input.previous, self)) {
    const old = findNode(view.rows, input.previous);
    if (old !== undefined) {
      return {
        kind: 'refuse',
        reason: `this pod was registered as ${hostPortText(input.previous)} and that ${what} is still listed; adding ${text} would leave a ghost ${what}${component === 'be' ? ' holding tablets' : ''}`,
        fix: `use HOST_TYPE=FQDN so the name survives pod IP changes, or move the entry with ALTER SYSTEM MODIFY BACKEND HOST "${old.host}" TO "${self.host}"`,
      };
    }
  }
  return { kind: 'add', target: self, reason: `${text} is not in the leader's view: ADD ${component === 'be' ? 'BACKEND' : 'COMPUTE NODE'}` };
}
