import type { Severity } from '../detection/engine/severity.ts';
import { decodeAlertLine, type ArchivedAlert } from './alert-line.ts';
import { dayRange } from './day.ts';
import { ALERTS_FOLDER, alertDayFolder } from './keys.ts';
import type { ArchiveProblem } from './problem.ts';
import { emptyReadStats, folderLines, type ArchiveReading } from './reading.ts';
import { daysToRead } from './stored-days.ts';
import type { ArchiveStore } from './store.ts';

/**
 * What {@link readArchivedAlerts} reads.
 *
 * @example
 * ```ts
 * const options: ReadArchivedAlertsOptions = { from: new Date('2024-11-24'), to: new Date('2024-11-25'), severity: 'HIGH' };
 * ```
 */
export interface ReadArchivedAlertsOptions {
  /** Alerts created at or after this... */
  readonly from: Date;
  /** ...and before this. */
  readonly to: Date;
  /** Only alerts of this severity. */
  readonly severity?: Severity;
  /** Only alerts of this rule. */
  readonly ruleId?: string;
  /** Called for each object or line skipped because it cannot be read; reading goes on. Default: none. */
  readonly onProblem?: (problem: ArchiveProblem) => void;
}

interface Kept {
  readonly time: number;
  readonly alert: ArchivedAlert;
}

/** A line's alert, or why it is not one. */
function decode(text: string): { readonly value: ArchivedAlert } | { readonly problem: string } {
  const decoded = decodeAlertLine(text);
  return 'problem' in decoded ? decoded : { value: decoded.alert };
}

function byTimeThenId(a: Kept, b: Kept): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.alert.alertId === b.alert.alertId) return 0;
  return a.alert.alertId < b.alert.alertId ? -1 : 1;
}

/**
 * The archived alert documents created in `[from, to)` (and of `severity`, of `ruleId`, when
 * given), in `createdAt` order (ties by alert id), each alert id once: a redelivered alert
 * rewrites its own key, or, created again on another day, is dropped as a duplicate of the first.
 * Reads one `dt` day at a time; the alert ids seen are kept for the whole range (an alert is a
 * few hundred bytes; its id 32). Objects and lines that cannot be read are reported to
 * `onProblem` with their key and line, and skipped. Throws a `RangeError` at once when `to` is
 * not after `from`.
 *
 * @example
 * ```ts
 * for await (const alert of readArchivedAlerts(store, { from, to, severity: 'HIGH' })) console.log(alert.title);
 * ```
 */
export function readArchivedAlerts(
  store: ArchiveStore,
  options: ReadArchivedAlertsOptions,
): ArchiveReading<ArchivedAlert> {
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  if (!(fromMs < toMs)) throw new RangeError('readArchivedAlerts: "to" must be after "from"');
  const stats = emptyReadStats();
  const onProblem = (problem: ArchiveProblem): void => {
    stats.problems++;
    options.onProblem?.(problem);
  };
  const wanted = (alert: ArchivedAlert): boolean =>
    (options.severity === undefined || alert.severity === options.severity) &&
    (options.ruleId === undefined || alert.ruleId === options.ruleId);

  async function* alerts(): AsyncGenerator<ArchivedAlert> {
    const range = dayRange(fromMs, toMs);
    if (range === undefined) return;
    const seen = new Set<string>();
    for (const day of await daysToRead(store, ALERTS_FOLDER, range, onProblem)) {
      stats.days++;
      const kept: Kept[] = [];
      for await (const alert of folderLines(store, alertDayFolder(day), 'alerts', decode, onProblem, stats)) {
        const time = Date.parse(alert.createdAt);
        if (time >= fromMs && time < toMs && wanted(alert)) kept.push({ time, alert });
      }
      for (const { alert } of kept.sort(byTimeThenId)) {
        if (seen.has(alert.alertId)) {
          stats.duplicates++;
          continue;
        }
        seen.add(alert.alertId);
        stats.yielded++;
        yield alert;
      }
    }
  }

  return Object.assign(alerts(), { stats });
}
