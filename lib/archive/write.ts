import type { ArchivableAlert } from './alert-line.ts';
import type { ArchivedEvent } from './event-line.ts';
import { alertObject, partitionEvents } from './partition.ts';
import type { ArchiveStore } from './store.ts';

/**
 * Archives one batch of received events: one object per (organization, `dt`) partition
 * ({@link partitionEvents}), written together. Returns the keys written. Writing is at least
 * once: a redelivered identical batch rewrites the same keys with the same bytes; a record
 * redelivered in another batch lands in another object, and readers drop the duplicate.
 *
 * @example
 * ```ts
 * const keys = await writeEventBatch(store, records.map((record) => archivedEvent({ ... })));
 * ```
 */
export async function writeEventBatch(store: ArchiveStore, lines: readonly ArchivedEvent[]): Promise<string[]> {
  const objects = partitionEvents(lines);
  await Promise.all(objects.map(({ key, body }) => store.put(key, body)));
  return objects.map(({ key }) => key);
}

/**
 * Archives one alert document ({@link alertObject}); returns its key. A redelivery of the alert
 * rewrites the same key.
 *
 * @example
 * ```ts
 * await writeAlert(store, alertDocument); // 'alerts/dt=2024-11-24/7885288cb029e201331629ee3b2b2a39.jsonl.gz'
 * ```
 */
export async function writeAlert(store: ArchiveStore, alert: ArchivableAlert): Promise<string> {
  const { key, body } = alertObject(alert);
  await store.put(key, body);
  return key;
}
