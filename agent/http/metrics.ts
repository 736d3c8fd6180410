/**
 * The agent's Prometheus metrics, on a registry of its own (tests create as many as they like).
 * Names follow Prometheus conventions: `starrocks_agent_` prefix, base units, `_total` counters.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../contract/process-metrics.ts';

/** Every metric the agent exports. */
export interface AgentMetrics {
  registry: Registry;
  /** 1 for the agent's current phase, 0 for the others. */
  phase: Gauge<'phase'>;
  probes: Counter<'probe' | 'result'>;
  sqlStatements: Counter<'kind' | 'outcome'>;
  sqlDuration: Histogram<'kind'>;
  registrationDuration: Histogram<'component'>;
  decommissionDuration: Histogram<'outcome'>;
  dnsLookups: Counter<'type' | 'outcome'>;
  membershipRefreshes: Counter<'outcome'>;
}

/** Create the agent's metrics, with the default process metrics, on a new registry. */
export function createMetrics(): AgentMetrics {
  const registry = new Registry();
  collectProcessMetrics(registry);
  const registers = [registry];
  return {
    registry,
    phase: new Gauge({ name: 'starrocks_agent_phase', help: 'Current agent phase (1) among all phases (0).', labelNames: ['phase'], registers }),
    probes: new Counter({ name: 'starrocks_agent_probe_results_total', help: 'Probe answers by probe and result.', labelNames: ['probe', 'result'], registers }),
    sqlStatements: new Counter({ name: 'starrocks_agent_sql_statements_total', help: 'SQL statements sent to the FE, by kind and outcome.', labelNames: ['kind', 'outcome'], registers }),
    sqlDuration: new Histogram({
      name: 'starrocks_agent_sql_duration_seconds',
      help: 'Latency of SQL statements sent to the FE.',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    }),
    registrationDuration: new Histogram({
      name: 'starrocks_agent_registration_duration_seconds',
      help: 'Time from agent start to the node being registered with the FE leader.',
      labelNames: ['component'],
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
      registers,
    }),
    decommissionDuration: new Histogram({
      name: 'starrocks_agent_decommission_duration_seconds',
      help: 'Duration of BE decommissions run by the preStop hook.',
      labelNames: ['outcome'],
      buckets: [1, 10, 60, 300, 900, 3600, 14400],
      registers,
    }),
    dnsLookups: new Counter({ name: 'starrocks_agent_dns_lookups_total', help: 'DNS lookups by record type and outcome.', labelNames: ['type', 'outcome'], registers }),
    membershipRefreshes: new Counter({
      name: 'starrocks_agent_membership_refreshes_total',
      help: 'Membership reads from the FE for probes and status, by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
  };
}

/** Set the phase gauge: 1 for `current`, 0 for every other known phase. */
export function setPhase(metrics: AgentMetrics, phases: readonly string[], current: string): void {
  for (const phase of phases) metrics.phase.set({ phase }, phase === current ? 1 : 0);
}
