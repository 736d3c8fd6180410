/**
 * `SHOW PROC '/statistic'` parsed by column name: one row per database and a `Total` row
 * (StatisticProcDir: DbId, DbName, TableNum, PartitionNum, IndexNum, TabletNum, ReplicaNum,
 * UnhealthyTabletNum, InconsistentTabletNum, CloningTabletNum, ErrorStateTabletNum). The agent
 * needs one number from it: how many tablets the cluster reports unhealthy, to hold a restarted
 * BE's readiness until StarRocks has healed (health-gated rollouts).
 *
 * @example
 * ```ts
 * parseTabletHealth(await client.query(showStatistic())).unhealthy; // 0 when healed
 * ```
 */
import { columnsOf } from './result-set.ts';
import type { ResultSet } from './result-set.ts';

/** The cluster's tablet health, summed over its databases. */
export interface TabletHealth {
  readonly tablets: number;
  readonly unhealthy: number;
  /** Tablets being cloned right now; undefined when the column is absent. */
  readonly cloning: number | undefined;
}

/** Parse SHOW PROC '/statistic'. Throws ERR_SQL_RESULT when the columns are missing. */
export function parseTabletHealth(resultSet: ResultSet): TabletHealth {
  const columns = columnsOf(resultSet, { required: ['DbId', 'TabletNum', 'UnhealthyTabletNum'], what: "SHOW PROC '/statistic'" });
  // The Total row is the sum StarRocks computed; without one (an empty cluster), add the rows up.
  const total = resultSet.rows.find((row) => columns.text(row, 'DbId') === 'Total');
  const rows = total === undefined ? resultSet.rows : [total];
  let tablets = 0;
  let unhealthy = 0;
  let cloning: number | undefined = columns.has('CloningTabletNum') ? 0 : undefined;
  for (const row of rows) {
    tablets += columns.int(row, 'TabletNum') ?? 0;
    unhealthy += columns.int(row, 'UnhealthyTabletNum') ?? 0;
    if (cloning !== undefined) cloning += columns.int(row, 'CloningTabletNum') ?? 0;
  }
  return { tablets, unhealthy, cloning };
}
