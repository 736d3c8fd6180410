/**
 * A reader for Java `.properties` text as `Properties.store` writes it (FE `meta/image/ROLE` and
 * `VERSION`): `#`/`!` comment lines (the timestamp line), `=`, `:` or whitespace separators, and
 * backslash escapes (`\:` in an IPv6 host, `\uXXXX`, line continuations).
 *
 * @example
 * ```ts
 * parseJavaProperties('#Fri Nov 20 10:00:00 UTC 2026\nrole=FOLLOWER').get('role'); // 'FOLLOWER'
 * ```
 */

/** Parse properties text; the last duplicate key wins, as java.util.Properties does. */
export function parseJavaProperties(text: string): ReadonlyMap<string, string> {
  const result = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] as string).replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the logical line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] as string).replace(/^[ \t\f]+/, '');
    }
    let keyEnd = 0;
    while (keyEnd < line.length && !/[=: \t\f]/.test(line[keyEnd] as string)) {
      keyEnd += line[keyEnd] === '\\' ? 2 : 1;
    }
    const key = unescape(line.slice(0, keyEnd));
    const rest = line.slice(keyEnd).replace(/^[ \t\f]*[=:]?[ \t\f]*/, '');
    result.set(key, unescape(rest));
  }
  return result;
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_whole, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(Number.parseInt(escaped.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[escaped] ?? escaped;
  });
}
