import { createHash } from 'node:crypto';
import { alertDay, encodeAlertLine, type ArchivableAlert } from './alert-line.ts';
import { archivedEventDay, encodeEventLine, type ArchivedEvent } from './event-line.ts';
import { alertObjectKey, eventObjectKey, NO_ORGANIZATION } from './keys.ts';
import { gzipLines } from './object-body.ts';

/**
 * One object to write: its key in the layout, and its gzip JSON Lines body.
 *
 * @example
 * ```ts
 * const { key, body }: ArchiveObject = alertObject(alertDocument);
 * await store.put(key, body);
 * ```
 */
export interface ArchiveObject {
  readonly key: string;
  readonly body: Uint8Array;
}

/**
 * The object id of a partition's object: the first 32 hex characters of SHA-256 over its distinct
 * message ids, sorted and joined by `\n`. The same messages give the same id, whatever their order.
 *
 * @example
 * ```ts
 * objectIdOf(['m-2', 'm-1', 'm-2']) === objectIdOf(['m-1', 'm-2']); // true
 * ```
 */
export function objectIdOf(messageIds: Iterable<string>): string {
  const sorted = [...new Set(messageIds)].sort();
  return createHash('sha256').update(sorted.join('\n'), 'utf8').digest('hex').slice(0, 32);
}

/**
 * The objects of one batch of archived events: one per (organization, `dt`) partition, `dt` the
 * UTC date of each event's time ({@link archivedEventDay}), named by {@link objectIdOf} its
 * messages. In an object, lines are ordered by message id (a message's own lines in batch order),
 * so a redelivered batch, in any order, gives the same keys and the same bytes. Objects are
 * returned in key order. Pure: writing them is {@link writeEventBatch}'s.
 *
 * Throws an `Error` when an organization id is not a safe key segment (callers check ids when they
 * accept them), or a `RangeError` for a time a key cannot place.
 *
 * @example
 * ```ts
 * for (const { key, body } of partitionEvents(lines)) await store.put(key, body);
 * ```
 */
export function partitionEvents(lines: readonly ArchivedEvent[]): ArchiveObject[] {
  const objects = eventPartitions(lines, (line) => line).map(({ organization, day, items: partitionLines }) => {
    const objectId = objectIdOf(partitionLines.map((line) => line.message_id));
    // A stable sort: each message's lines keep their order.
    const ordered = [...partitionLines].sort((a, b) => compareText(a.message_id, b.message_id));
    return { key: eventObjectKey(organization, day, objectId), body: gzipLines(ordered.map(encodeEventLine)) };
  });
  return objects.sort((a, b) => compareText(a.key, b.key));
}

/**
 * `items` grouped by the (organization, `dt`) partition of their line, in order of first
 * appearance: what one object of the archive holds. Generic, so a caller can keep what it knows of
 * each line (the record it came in) beside it.
 *
 * @example
 * ```ts
 * eventPartitions(received, (event) => event.line).map(({ items }) => items.length);
 * ```
 */
export function eventPartitions<T>(
  items: readonly T[],
  lineOf: (item: T) => ArchivedEvent,
): Array<{ readonly organization: string | null; readonly day: string; readonly items: T[] }> {
  const partitions = new Map<string, { organization: string | null; day: string; items: T[] }>();
  for (const item of items) {
    const line = lineOf(item);
    const day = archivedEventDay(line);
    const organization = line.organization_id;
    // 'org=none' holds events without an organization: the two share a partition, as their folder.
    const id = `${organization ?? NO_ORGANIZATION}\n${day}`;
    const partition = partitions.get(id);
    if (partition === undefined) partitions.set(id, { organization, day, items: [item] });
    else partition.items.push(item);
  }
  return [...partitions.values()];
}

/**
 * The object of one alert: `alerts/dt=<day of createdAt>/<alertId>.jsonl.gz`, one line, the
 * alert document's JSON. The alert id is the same on every delivery of an alert, so a redelivery
 * rewrites the same key. Throws an `Error` on an unsafe alert id, a `RangeError` on a `createdAt`
 * that is not a time.
 *
 * @example
 * ```ts
 * const { key, body } = alertObject(alertDocument); // key 'alerts/dt=2024-11-24/7885288cb029e201331629ee3b2b2a39.jsonl.gz'
 * ```
 */
export function alertObject(alert: ArchivableAlert): ArchiveObject {
  return { key: alertObjectKey(alertDay(alert), alert.alertId), body: gzipLines([encodeAlertLine(alert)]) };
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
