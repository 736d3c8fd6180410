/** `validateHostAndPort` of the FE (reference §4.3): the analysis-time check of "host:port". */

/** A checked host and port, or the detail text of the analysis error. */
export type HostPortResult = { ok: true; host: string; port: number } | { ok: false; detail: string };

/** Split and check a `host:port` string; whitespace inside is stripped first, as the FE does. */
export function validateHostPort(raw: string): HostPortResult {
  const s = raw.replace(/\s+/g, '');
  if (s === '') return { ok: false, detail: `Invalid host port: ${raw}` };
  const colon = s.lastIndexOf(':');
  if (colon < 0) return { ok: false, detail: `Invalid host port: ${raw}` };
  const host = s.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = s.slice(colon + 1);
  if (host === '') return { ok: false, detail: 'Host is null' };
  if (!/^-?\d+$/.test(portText)) return { ok: false, detail: `Invalid host port: ${raw}` };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, detail: `Port is out of range: ${portText}` };
  return { ok: true, host, port };
}

/** The 1064 text of an analysis error: `Getting analyzing error. Detail message: <detail>.` */
export function analysisError(detail: string): string {
  return `Getting analyzing error. Detail message: ${detail}.`;
}
