import { quote } from '../shared/printable.ts';

/** A date, or a date and time with seconds and fractions optional and a zone required. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;

/**
 * A time range of the archive: `[from, to)`.
 *
 * @example
 * ```ts
 * const range: TimeRange = { from: new Date('2024-11-24'), to: new Date('2024-11-25') };
 * ```
 */
export interface TimeRange {
  readonly from: Date;
  readonly to: Date;
}

/**
 * Reads an ISO 8601 time: `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM[:SS[.fff]]` with its
 * zone (`Z` or `+HH:MM`); a time without a zone is refused (it would depend on the machine's), and
 * so is a date that does not exist.
 *
 * @example
 * ```ts
 * parseIsoTime('2024-11-24');                // { time: 2024-11-24T00:00:00.000Z }
 * parseIsoTime('2024-11-24T06:00:00+01:00'); // { time: 2024-11-24T05:00:00.000Z }
 * parseIsoTime('2024-11-24T06:00');          // { problem: '... needs a time zone ...' }
 * ```
 */
export function parseIsoTime(text: string): { readonly time: Date } | { readonly problem: string } {
  const example = 'such as 2024-11-24 or 2024-11-24T06:00:00Z';
  const parts = ISO_TIME.exec(text.trim());
  if (parts === null) return { problem: `must be an ISO 8601 date or time ${example}, got ${quote(text, 80)}` };
  const [, year, month, day, hour, , , zone] = parts;
  if (hour !== undefined && zone === undefined)
    return { problem: `needs a time zone (Z or +HH:MM), ${example}, got ${quote(text, 80)}` };
  const ms = Date.parse(text.trim());
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (
    !Number.isFinite(ms) ||
    calendar.getUTCMonth() !== Number(month) - 1 ||
    calendar.getUTCDate() !== Number(day) ||
    (hour !== undefined && !validClock(text.trim()))
  )
    return { problem: `is not a real date and time, got ${quote(text, 80)}` };
  return { time: new Date(ms) };
}

/** Hours 00-23, minutes and seconds 00-59, a zone within ±23:59. */
function validClock(text: string): boolean {
  const [, hh, mm, ss] = /T(\d{2}):(\d{2})(?::(\d{2}))?/i.exec(text) ?? [];
  const zone = /([+-])(\d{2}):(\d{2})$/.exec(text);
  return (
    Number(hh) <= 23 &&
    Number(mm) <= 59 &&
    (ss === undefined || Number(ss) <= 59) &&
    (zone === null || (Number(zone[2]) <= 23 && Number(zone[3]) <= 59))
  );
}

/**
 * Reads `--from` and `--to`: both required, each {@link parseIsoTime}, `to` after `from`. The
 * problem names the option, as the CLI prints it after the command's name.
 *
 * @example
 * ```ts
 * parseTimeRange('2024-11-24', '2024-11-25'); // { range: { from: 2024-11-24T00:00:00.000Z, to: 2024-11-25T00:00:00.000Z } }
 * parseTimeRange('2024-11-25', '2024-11-24'); // { problem: '--to (2024-11-24T00:00:00.000Z) must be after --from (2024-11-25T00:00:00.000Z)' }
 * ```
 */
export function parseTimeRange(
  from: string | undefined,
  to: string | undefined,
): { readonly range: TimeRange } | { readonly problem: string } {
  if (from === undefined) return { problem: '--from is required: the start of the range, e.g. --from 2024-11-24' };
  if (to === undefined) return { problem: '--to is required: the end of the range (excluded), e.g. --to 2024-11-25' };
  const start = parseIsoTime(from);
  if ('problem' in start) return { problem: `--from ${start.problem}` };
  const end = parseIsoTime(to);
  if ('problem' in end) return { problem: `--to ${end.problem}` };
  if (end.time.getTime() <= start.time.getTime())
    return {
      problem: `--to (${end.time.toISOString()}) must be after --from (${start.time.toISOString()})`,
    };
  return { range: { from: start.time, to: end.time } };
}
