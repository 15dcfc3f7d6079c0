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
