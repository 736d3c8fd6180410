/**
 * `validateHostAndPort` of the FE (reference §4.3; SystemInfoService.java and
 * NetUtils.resolveHostInfoFromHostPort, 3.3+): the analysis-time check of "host:port".
 */

/** A checked host and port, or the detail text of the analysis error. */
export type HostPortResult = { ok: true; host: string; port: number } | { ok: false; detail: string };

/** The host and the unparsed port of a `host:port` string, or the detail text of the error. */
export type HostPortSplit = { ok: true; host: string; portText: string } | { ok: false; detail: string };

/** Split `host:port`; whitespace inside is stripped first, as the FE does, and `[v6]:port` is accepted. */
export function splitHostPort(raw: string): HostPortSplit {
  const s = raw.replace(/\s+/g, '');
  if (s === '') return { ok: false, detail: `Invalid host port: ${s}` };
  let pair: string[];
  if (s.startsWith('[')) {
    // Java's String.split drops trailing empty strings.
    pair = s.slice(1).split(']:');
    while (pair.length > 0 && pair.at(-1) === '') pair.pop();
  } else {
    const colon = s.lastIndexOf(':');
    if (colon < 0) return { ok: false, detail: `Invalid host port: ${s}` };
    pair = [s.slice(0, colon), s.slice(colon + 1)];
  }
  if (pair.length !== 2) return { ok: false, detail: `Invalid host port: ${s}` };
  const [host, portText] = pair as [string, string];
  if (host === '') return { ok: false, detail: 'Host is null' };
  return { ok: true, host, portText };
}

/**
 * The port step. It runs inside a `catch (Exception e)` that rewraps everything as
 * `Encounter unknown exception: <e.getMessage()>`, so the range error, itself a
 * SemanticException, arrives with its own `Getting analyzing error` text nested inside.
 */
export function parsePort(portText: string): { ok: true; port: number } | { ok: false; detail: string } {
  const wrap = (message: string): { ok: false; detail: string } => ({ ok: false, detail: `Encounter unknown exception: ${message}` });
  // Integer.parseInt: an optional sign and decimal digits within the int range.
  if (!/^[+-]?\d+$/.test(portText)) return wrap(`For input string: "${portText}"`);
  const port = Number(portText);
  if (port < -(2 ** 31) || port > 2 ** 31 - 1) return wrap(`For input string: "${portText}"`);
  if (port <= 0 || port >= 65536) return wrap(analysisError(`Port is out of range: ${port}`));
  return { ok: true, port };
}

/** Split and check a `host:port` string without resolving the host. */
export function validateHostPort(raw: string): HostPortResult {
  const split = splitHostPort(raw);
  if (!split.ok) return split;
  const port = parsePort(split.portText);
  return port.ok ? { ok: true, host: split.host, port: port.port } : port;
}

/** The 1064 text of an analysis error: `Getting analyzing error. Detail message: <detail>.` */
export function analysisError(detail: string): string {
  return `Getting analyzing error. Detail message: ${detail}.`;
}
