/**
 * Value formats of the membership statements (reference §1.2, §2.2): every value is a string,
 * `NULL` included.
 */

/** The literal text StarRocks sends for an absent time or version. */
export const NULL_TEXT = 'NULL';

/** `yyyy-MM-dd HH:mm:ss` in local time, or `NULL` for a time at or below zero. */
export function formatTime(epochMs: number): string {
  if (epochMs <= 0) return NULL_TEXT;
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Three decimals and a unit: `25.122 GB`, `0.000 B`. */
export function formatCapacity(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(3)} ${UNITS[unit] as string}`;
}

/** Compact size as MemLimit shows it: `6.207GB`. */
export function formatCompactSize(bytes: number): string {
  return formatCapacity(bytes).replace(' ', '');
}

/** `%.2f %`: `44.72 %`. */
export function formatPct2(pct: number): string {
  return `${pct.toFixed(2)} %`;
}

/** `%.1f %`: `0.2 %`. */
export function formatPct1(pct: number): string {
  return `${pct.toFixed(1)} %`;
}

/** `true` / `false`. */
export function formatBool(value: boolean): string {
  return value ? 'true' : 'false';
}
