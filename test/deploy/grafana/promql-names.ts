/**
 * The metric names a PromQL expression selects, found by a small tokenizer: string literals,
 * label matchers (`{...}`), ranges (`[...]`), grouping label lists (`by (...)`, `on (...)`...),
 * numbers, keywords, aggregators and function calls are skipped; every other identifier is a
 * metric name. Grafana's variables are replaced first, as Grafana does before sending a query.
 */

/** Grafana's interval variables, replaced by a duration; other `$var`s by their name. */
export function expandGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => a ?? b ?? '');
}

const AGGREGATORS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
/** Keywords followed by a parenthesised label list. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OTHER_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'start', 'end', 'inf', 'nan']);

function skipBalanced(text: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(text, i) - 1;
      continue;
    }
    if (c === open) depth++;
    if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced ${open} at ${String(start)} in: ${text}`);
}

function skipString(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\' && quote !== '`') i++;
    else if (text[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string at ${String(start)} in: ${text}`);
}

/** The metric names `expr` selects, in order, without duplicates. */
export function metricNames(expr: string): string[] {
  const text = expandGrafanaVariables(expr);
  const names: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '"' || c === "'" || c === '`') i = skipString(text, i);
    else if (c === '{') i = skipBalanced(text, i, '{', '}');
    else if (c === '[') i = skipBalanced(text, i, '[', ']');
    else if (/[0-9.]/.test(c)) i += /^[0-9.]+(?:[eE][+-]?\d+)?[smhdwy]*/.exec(text.slice(i))?.[0].length ?? 1;
    else if (/[A-Za-z_:]/.test(c)) {
      const word = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(text.slice(i))?.[0] ?? c;
      i += word.length;
      let next = i;
      while (/\s/.test(text[next] ?? '')) next++;
      const lower = word.toLowerCase();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (text[next] === '(') i = skipBalanced(text, next, '(', ')');
      } else if (text[next] === '(' || AGGREGATORS.has(lower) || OTHER_KEYWORDS.has(lower)) {
        // A function call, an aggregator (its `by (...)` may come before the parenthesis), or a keyword.
      } else if (!names.includes(word)) {
        names.push(word);
      }
    } else i++;
  }
  return names;
}
