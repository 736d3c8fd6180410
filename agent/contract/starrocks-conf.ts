/**
 * Parser for StarRocks conf files (`fe.conf`, `be.conf`, `cn.conf`): `key = value` lines.
 *
 * Unlike the official scripts' grep/sed (weakness W7) it handles comments, surrounding quotes,
 * `${VAR}`/`$VAR` expansion from env and from keys defined above, `:` as separator, and duplicate
 * keys (the last one wins, as Java properties and the start scripts' exports both do).
 *
 * @example
 * ```ts
 * const conf = parseStarRocksConf('meta_dir = ${STARROCKS_HOME}/meta', { STARROCKS_HOME: '/opt/starrocks/fe' });
 * conf.get('meta_dir'); // '/opt/starrocks/fe/meta'
 * ```
 */

/** A parsed conf: key to expanded value. */
export type StarRocksConf = ReadonlyMap<string, string>;

/** Parse conf text. `env` supplies `${VAR}` values not defined in the file itself. */
export function parseStarRocksConf(text: string, env: Readonly<Record<string, string | undefined>> = {}): StarRocksConf {
  const conf = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (match === null) continue;
    const key = match[1] as string;
    const value = expand(unquote(stripComment(match[2] as string)), (name) => conf.get(name) ?? env[name]);
    conf.set(key, value);
  }
  return conf;
}

/** A port from a conf, or the fallback when the key is absent. Undefined when the value is not a port. */
export function confPort(conf: StarRocksConf, key: string, fallback: number): number | undefined {
  const raw = conf.get(key);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw)) return undefined;
  const port = Number(raw);
  return port >= 1 && port <= 65535 ? port : undefined;
}

// A `#` starts a comment only outside quotes and after whitespace, so `a#b` stays a value.
function stripComment(value: string): string {
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '#' && i > 0 && /\s/.test(value[i - 1] as string)) {
      return value.slice(0, i).trimEnd();
    }
  }
  return value.trimEnd();
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    return value.slice(1, -1);
  }
  return value;
}

function expand(value: string, lookup: (name: string) => string | undefined): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced, bare) => {
    const name = (braced ?? bare) as string;
    return lookup(name) ?? (braced === undefined ? whole : '');
  });
}
