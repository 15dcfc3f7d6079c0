/**
 * The last millisecond a key's `dt` can name: 9999-12-31T23:59:59.999Z.
 *
 * @example
 * ```ts
 * new Date(LAST_ARCHIVE_MS).toISOString(); // '9999-12-31T23:59:59.999Z'
 * ```
 */
export const LAST_ARCHIVE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Whether `ms` (milliseconds since the epoch) is a time an archive key can place: from
 * 1970-01-01T00:00:00Z to {@link LAST_ARCHIVE_MS}.
 *
 * @example
 * ```ts
 * isArchiveTime(Date.parse('2024-11-24T06:33:20Z')); // true
 * isArchiveTime(-1);                                  // false
 * ```
 */
export function isArchiveTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0 && ms <= LAST_ARCHIVE_MS;
}

/**
 * The UTC date (`YYYY-MM-DD`) of a time in milliseconds, as a key's `dt`. Throws a `RangeError`
 * for a time outside {@link isArchiveTime}.
 *
 * @example
 * ```ts
 * utcDay(1732430000 * 1000); // '2024-11-24'
 * ```
 */
export function utcDay(ms: number): string {
  if (!isArchiveTime(ms)) throw new RangeError(`no archive date for the time ${String(ms)} (ms)`);
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Whether `text` is a real calendar date written `YYYY-MM-DD` (what a key's `dt` holds).
 *
 * @example
 * ```ts
 * isUtcDay('2024-02-29'); // true
 * isUtcDay('2023-02-29'); // false
 * ```
 */
export function isUtcDay(text: string): boolean {
  const parts = DAY.exec(text);
  if (parts === null) return false;
  const [, year, month, day] = parts.map(Number) as [number, number, number, number];
  const ms = Date.UTC(year, month - 1, day);
  return isArchiveTime(ms) && new Date(ms).toISOString().startsWith(text);
}

/**
 * The first and last `dt` that can hold a time in `[fromMs, toMs)`, clamped to the dates a key can
 * name; `undefined` when the range is empty. Dates compare as strings.
 *
 * @example
 * ```ts
 * dayRange(Date.parse('2024-11-24T06:00:00Z'), Date.parse('2024-11-26T00:00:00Z')); // { first: '2024-11-24', last: '2024-11-25' }
 * ```
 */
export function dayRange(fromMs: number, toMs: number): { readonly first: string; readonly last: string } | undefined {
  const from = Math.max(fromMs, 0);
  const lastMs = Math.min(toMs - 1, LAST_ARCHIVE_MS);
  if (!(from <= lastMs) || from > LAST_ARCHIVE_MS || lastMs < 0) return undefined;
  return { first: utcDay(from), last: utcDay(lastMs) };
}
