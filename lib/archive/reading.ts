import { parseArchiveKey, type ArchiveKey } from './keys.ts';
import { objectLines } from './object-body.ts';
import type { ArchiveProblem } from './problem.ts';
import type { ArchiveStore } from './store.ts';

/**
 * What a reader of the archive has done so far (final once its iteration ends).
 *
 * @example
 * ```ts
 * const reading = readArchivedEvents(store, options);
 * for await (const event of reading) evaluate(event);
 * console.error(`${reading.stats.objects} objects, ${reading.stats.duplicates} duplicates dropped`);
 * ```
 */
export interface ArchiveReadStats {
  /** `dt` partitions (days) read, every organization's of a day counted once. */
  days: number;
  /** Objects read. */
  objects: number;
  /** Items yielded. */
  yielded: number;
  /** Items in range dropped as duplicates (an event id, or an alert id, seen already). */
  duplicates: number;
  /** Problems reported (objects and lines skipped). */
  problems: number;
}

/**
 * What a reader returns: the items, as an async iterable, and its {@link ArchiveReadStats}.
 *
 * @example
 * ```ts
 * const reading: ArchiveReading<ArchivedAlert> = readArchivedAlerts(store, options);
 * for await (const alert of reading) print(alert);
 * ```
 */
export interface ArchiveReading<T> extends AsyncIterable<T> {
  readonly stats: Readonly<ArchiveReadStats>;
}

/**
 * A fresh {@link ArchiveReadStats}, all counts zero.
 *
 * @example
 * ```ts
 * const stats = emptyReadStats(); // { days: 0, objects: 0, yielded: 0, duplicates: 0, problems: 0 }
 * ```
 */
export function emptyReadStats(): ArchiveReadStats {
  return { days: 0, objects: 0, yielded: 0, duplicates: 0, problems: 0 };
}

/**
 * The lines of every object of one folder of the layout, decoded by `decode`, in listing order.
 * A key that is not an object of the `kind` expected, an unreadable object and a line that does
 * not decode are reported to `onProblem` and skipped; folder markers (keys ending in `/`) are
 * passed over. Counts the objects read in `stats`.
 *
 * @example
 * ```ts
 * for await (const alert of folderLines(store, 'alerts/dt=2024-11-24/', 'alerts', decodeAlertLine, onProblem, stats)) ...
 * ```
 */
export async function* folderLines<T>(
  store: ArchiveStore,
  folder: string,
  kind: ArchiveKey['kind'],
  decode: (text: string) => { readonly value: T } | { readonly problem: string },
  onProblem: (problem: ArchiveProblem) => void,
  stats: ArchiveReadStats,
): AsyncGenerator<T> {
  for await (const key of store.list(folder)) {
    if (key.endsWith('/')) continue; // a folder marker, as consoles create
    if (parseArchiveKey(key)?.kind !== kind) {
      const name = kind === 'events' ? '<objectId>.jsonl.gz' : '<alertId>.jsonl.gz';
      onProblem({
        key,
        reason: `not an ${kind === 'events' ? 'events' : 'alert'} object of the layout (${name}): skipped`,
      });
      continue;
    }
    const body = await store.get(key);
    stats.objects++;
    const read = objectLines(body);
    if ('problem' in read) {
      onProblem({ key, reason: read.problem });
      continue;
    }
    for (const { number, text } of read.lines) {
      const decoded = decode(text);
      if ('problem' in decoded) onProblem({ key, line: number, reason: decoded.problem });
      else yield decoded.value;
    }
  }
}
