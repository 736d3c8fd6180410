/**
 * Stream load as StarRocks answers it over HTTP (`PUT /api/<db>/<table>/_stream_load`): the FE
 * checks the Basic credentials and the `Expect: 100-continue` header, then answers 307 with a
 * BE's HTTP address (LoadAction); the BE reads the rows and answers the load's JSON result
 * (StreamLoadAction). Pure helpers; the processes and the coordinator do the I/O.
 */

/** The database and table of a stream load path, or undefined for another path. */
export function streamLoadTarget(path: string): { db: string; table: string } | undefined {
  const match = /^\/api\/([^/]+)\/([^/]+)\/_stream_load$/.exec(path);
  if (match === null) return undefined;
  return { db: decodeURIComponent(match[1] ?? ''), table: decodeURIComponent(match[2] ?? '') };
}

/** The user and password of an `Authorization: Basic ...` header, or undefined. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Rows of a CSV body: lines, a last line without its delimiter counted too. */
export function countRows(body: string, rowDelimiter = '\n'): number {
  if (body === '') return 0;
  const parts = body.split(rowDelimiter);
  return parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
}

/** One load a BE accepted. */
export interface StreamLoadRecord {
  db: string;
  table: string;
  label: string;
  user: string;
  rows: number;
  bytes: number;
  /** The BE's address (the process that took the rows). */
  be: string;
  txnId: number;
}

/** The JSON result body of a successful load (StreamLoadAction's fields). */
export function streamLoadSuccess(record: StreamLoadRecord, loadTimeMs: number): string {
  return JSON.stringify({
    TxnId: record.txnId,
    Label: record.label,
    Status: 'Success',
    Message: 'OK',
    NumberTotalRows: record.rows,
    NumberLoadedRows: record.rows,
    NumberFilteredRows: 0,
    NumberUnselectedRows: 0,
    LoadBytes: record.bytes,
    LoadTimeMs: loadTimeMs,
  });
}

/** The JSON result body of a refused load. */
export function streamLoadFailure(label: string, message: string): string {
  return JSON.stringify({ TxnId: -1, Label: label, Status: 'Fail', Message: message });
}
