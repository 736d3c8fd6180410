/** Field names of the StarRocksCluster CR that vary by component. */
import type { Component } from '../../agent/contract/index.ts';

/** CRD spec field names of the components. */
export const COMPONENT_FIELDS = {
  fe: 'starRocksFeSpec',
  be: 'starRocksBeSpec',
  cn: 'starRocksCnSpec',
} as const satisfies Record<Component, string>;
/** Env var list field of each component. */
export const ENV_FIELDS = {
  fe: 'feEnvVars',
  be: 'beEnvVars',
  cn: 'cnEnvVars',
} as const satisfies Record<Component, string>;
/** Status field of each component. */
export const STATUS_FIELDS = {
  fe: 'starRocksFeStatus',
  be: 'starRocksBeStatus',
  cn: 'starRocksCnStatus',
} as const satisfies Record<Component, string>;
