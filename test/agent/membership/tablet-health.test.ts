import t from 'tap';
import { parseTabletHealth } from '../../../agent/membership/tablet-health.ts';

const COLUMNS = ['DbId', 'DbName', 'TableNum', 'PartitionNum', 'IndexNum', 'TabletNum', 'ReplicaNum', 'UnhealthyTabletNum', 'InconsistentTabletNum', 'CloningTabletNum', 'ErrorStateTabletNum'];

t.test('the Total row gives the cluster-wide numbers', async (t) => {
  const health = parseTabletHealth({
    columns: COLUMNS,
    rows: [
      ['10001', 'db1', '2', '2', '2', '20', '60', '3', '0', '1', '0'],
      ['10002', 'db2', '1', '1', '1', '8', '24', '0', '0', '0', '0'],
      ['Total', '2', '3', '3', '3', '28', '84', '3', '0', '1', '0'],
    ],
  });
  t.same(health, { tablets: 28, unhealthy: 3, cloning: 1 });
});

t.test('without a Total row the databases are added up; columns are found by name', async (t) => {
  const columns = ['DbName', 'UnhealthyTabletNum', 'DbId', 'TabletNum'];
  t.same(parseTabletHealth({ columns, rows: [['db1', '2', '1', '5'], ['db2', '1', '2', '5']] }), { tablets: 10, unhealthy: 3, cloning: undefined });
  t.same(parseTabletHealth({ columns: COLUMNS, rows: [] }), { tablets: 0, unhealthy: 0, cloning: 0 });
});

t.test('a result without the columns is ERR_SQL_RESULT naming them', async (t) => {
  t.throws(() => parseTabletHealth({ columns: ['DbId', 'DbName'], rows: [] }), { code: 'ERR_SQL_RESULT', message: /UnhealthyTabletNum/ });
  t.throws(() => parseTabletHealth({ columns: COLUMNS, rows: [['Total', '1', '1', '1', '1', 'x', '1', '1', '0', '0', '0']] }), { code: 'ERR_SQL_RESULT', message: /TabletNum/ });
});
