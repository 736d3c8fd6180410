/**
 * A SHOW result set as it comes off the wire (column titles and text values), and typed access
 * to it by column name. StarRocks sends every membership value as text, including the literal
 * `NULL`; column positions change between versions (3.5 put an `Id` column first), so nothing
 * here reads a column by position.
 *
 * @example
 * ```ts
 * const table = columnsOf(resultSet, { required: ['IP', 'Role'], what: 'SHOW FRONTENDS' });
 * for (const row of resultSet.rows) table.text(row, 'IP');
 * ```
 */
import { AgentError } from '../contract/errors.ts';

/** Column titles and rows of text (or SQL NULL) values. */
export interface ResultSet {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

/** Typed readers over one result set's rows, by column name (case-insensitive). */
export interface Columns {
  /** True when the result set has this column. */
  has(column: string): boolean;
  /** Text value; `undefined` for SQL NULL, the `NULL` string, or an absent optional column. */
  text(row: readonly (string | null)[], column: string): string | undefined;
  /** Text value, '' for NULL. */
  textOrEmpty(row: readonly (string | null)[], column: string): string;
  /** `true`/`false` (any case). Throws ERR_SQL_RESULT on anything else; undefined for NULL. */
  bool(row: readonly (string | null)[], column: string): boolean | undefined;
  /** A whole number. Throws ERR_SQL_RESULT when not one; undefined for NULL. */
  int(row: readonly (string | null)[], column: string): number | undefined;
  /** A port: undefined for NULL, `0` and `-1` (StarRocks' "not known yet"). */
  port(row: readonly (string | null)[], column: string): number | undefined;
}

/** Index a result set's columns; throws ERR_SQL_RESULT naming every missing required column. */
export function columnsOf(resultSet: ResultSet, spec: { required: readonly string[]; what: string }): Columns {
  const index = new Map<string, number>();
  resultSet.columns.forEach((title, i) => {
    const key = title.toLowerCase();
    if (!index.has(key)) index.set(key, i);
  });
  const missing = spec.required.filter((c) => !index.has(c.toLowerCase()));
  if (missing.length > 0) {
    throw new AgentError(
      'ERR_SQL_RESULT',
      `${spec.what} has no column ${missing.join(', ')} (columns: ${resultSet.columns.join(', ')}): this StarRocks version is not supported`,
    );
  }
  const raw = (row: readonly (string | null)[], column: string): string | undefined => {
    const i = index.get(column.toLowerCase());
    if (i === undefined) return undefined;
    const value = row[i];
    return value === null || value === undefined || value === 'NULL' ? undefined : value;
  };
  const bad = (column: string, value: string, expected: string): AgentError =>
    new AgentError('ERR_SQL_RESULT', `${spec.what} column ${column} has ${JSON.stringify(value)}, expected ${expected}`);
  return {
    has: (column) => index.has(column.toLowerCase()),
    text: raw,
    textOrEmpty: (row, column) => raw(row, column) ?? '',
    bool: (row, column) => {
      const value = raw(row, column);
      if (value === undefined) return undefined;
      const lower = value.trim().toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw bad(column, value, 'true or false');
    },
    int: (row, column) => {
      const value = raw(row, column);
      if (value === undefined || value.trim() === '') return undefined;
      if (!/^-?[0-9]+$/.test(value.trim())) throw bad(column, value, 'a whole number');
      return Number(value.trim());
    },
    port: (row, column) => {
      const value = raw(row, column);
      if (value === undefined || value.trim() === '') return undefined;
      const n = Number(value.trim());
      if (!/^-?[0-9]+$/.test(value.trim())) throw bad(column, value, 'a port');
      return n >= 1 && n <= 65535 ? n : undefined;
    },
  };
}
