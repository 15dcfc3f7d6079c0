import { utcDay } from './day.ts';
import { dayOfFolder } from './keys.ts';
import type { ArchiveProblem } from './problem.ts';
import type { ArchiveStore } from './store.ts';

/**
 * Up to this many days, a reader lists each day's folder of the range; over it, it lists the `dt=`
 * folders that exist and keeps those in range (one request per 1,000 days instead of one per day).
 *
 * @example
 * ```ts
 * const oneByOne = days <= DAYS_LISTED_ONE_BY_ONE;
 * ```
 */
export const DAYS_LISTED_ONE_BY_ONE = 62;

/**
 * The days of `[first, last]` (`YYYY-MM-DD`, inclusive), in order.
 *
 * @example
 * ```ts
 * [...daysFrom('2024-02-28', '2024-03-01')]; // ['2024-02-28', '2024-02-29', '2024-03-01']
 * ```
 */
export function* daysFrom(first: string, last: string): Generator<string> {
  for (let ms = Date.parse(`${first}T00:00:00Z`); ; ms += 86_400_000) {
    const day = utcDay(ms);
    if (day > last) return;
    yield day;
  }
}

/**
 * The `dt=` folders below `folder` (`events/org=<id>/` or `alerts/`) that can hold a day of
 * `[first, last]`, as days, in order: for a short range every day of it (a day without a folder
 * simply lists nothing), for a long one the folders that exist. A `dt=` folder whose value is not
 * a date is reported, and skipped.
 *
 * @example
 * ```ts
 * for (const day of await daysToRead(store, 'alerts/', { first: '2024-11-24', last: '2024-11-25' }, report)) ...
 * ```
 */
export async function daysToRead(
  store: ArchiveStore,
  folder: string,
  range: { readonly first: string; readonly last: string },
  onProblem: (problem: ArchiveProblem) => void,
): Promise<string[]> {
  const span = (Date.parse(`${range.last}T00:00:00Z`) - Date.parse(`${range.first}T00:00:00Z`)) / 86_400_000 + 1;
  if (span <= DAYS_LISTED_ONE_BY_ONE) return [...daysFrom(range.first, range.last)];
  const days: string[] = [];
  for await (const dayFolder of store.folders(`${folder}dt=`)) {
    const day = dayOfFolder(dayFolder);
    if (day === undefined) {
      onProblem({ key: dayFolder, reason: 'not a dt=YYYY-MM-DD folder of the layout: skipped' });
      continue;
    }
    if (day >= range.first && day <= range.last) days.push(day);
  }
  return days;
}
