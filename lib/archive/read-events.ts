import type { JsonObject } from '../shared/json.ts';
import { dayRange } from './day.ts';
import { archivedEventTime, decodeEventLine, effectiveAtSeconds, type ArchivedEvent } from './event-line.ts';
import { EVENTS_FOLDER, eventDayFolder, eventOrganizationFolder, organizationOfFolder } from './keys.ts';
import type { ArchiveProblem } from './problem.ts';
import { emptyReadStats, folderLines, type ArchiveReading } from './reading.ts';
import { safeSegment } from './segment.ts';
import { daysToRead } from './stored-days.ts';
import type { ArchiveStore } from './store.ts';

/**
 * What {@link readArchivedEvents} reads.
 *
 * @example
 * ```ts
 * const options: ReadArchivedEventsOptions = { from: new Date('2024-11-24'), to: new Date('2024-11-25'), org: 'org-abc123', onProblem: console.error };
 * ```
 */
export interface ReadArchivedEventsOptions {
  /** Events whose time is at or after this... */
  readonly from: Date;
  /** ...and before this. */
  readonly to: Date;
  /** Only this organization's folder (`org=<id>`; `none` for events that came without one). */
  readonly org?: string;
  /** Called for each object or line skipped because it cannot be read; reading goes on. */
  readonly onProblem: (problem: ArchiveProblem) => void;
}

interface Kept {
  readonly time: number;
  readonly id: string;
  readonly event: JsonObject;
}

/** A line's archived event, or why it is not one. */
function decode(text: string): { readonly value: ArchivedEvent } | { readonly problem: string } {
  const decoded = decodeEventLine(text);
  return 'problem' in decoded ? decoded : { value: decoded.line };
}

function byTimeThenId(a: Kept, b: Kept): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/** Every organization folder under `events/`; one whose id is not a safe segment is reported and skipped. */
async function organizations(store: ArchiveStore, onProblem: (problem: ArchiveProblem) => void): Promise<string[]> {
  const found: string[] = [];
  for await (const folder of store.folders(`${EVENTS_FOLDER}org=`)) {
    const org = organizationOfFolder(folder);
    if (org === undefined) onProblem({ key: folder, reason: 'not an org=<id> folder of the layout: skipped' });
    else found.push(org);
  }
  return found;
}

/**
 * The archived audit events (each line's `event`, as received) whose time is in `[from, to)`, in
 * event-time order (ties by event id), each event once: the archive holds an event at least once
 * (a record redelivered in another batch lands in another object), and a duplicate of an event id
 * already read is dropped, so reading gives it exactly once.
 *
 * An event's time is its `effective_at`, or for an event without one the time it was received
 * (its `dt` too). The reader goes one `dt` partition (a UTC day) at a time, every organization's
 * (or only `org`'s) objects of that day together, so memory holds about one day's events; it lists
 * only the days of the range. Objects and lines that cannot be read are reported to `onProblem`
 * with their key and line, and skipped. An object that cannot be fetched (the store fails) ends
 * the iteration with that error.
 *
 * Throws a `RangeError` at once when `to` is not after `from`, an `Error` when `org` is not a safe
 * key segment.
 *
 * @example
 * ```ts
 * const reading = readArchivedEvents(store, { from: new Date('2024-11-24'), to: new Date('2024-11-25'), onProblem: report });
 * for await (const event of reading) stream.push(event);
 * console.error(`${reading.stats.yielded} events, ${reading.stats.duplicates} duplicates dropped`);
 * ```
 */
export function readArchivedEvents(
  store: ArchiveStore,
  options: ReadArchivedEventsOptions,
): ArchiveReading<JsonObject> {
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  if (!(fromMs < toMs)) throw new RangeError('readArchivedEvents: "to" must be after "from"');
  const only = options.org === undefined ? undefined : safeSegment(options.org, 'organization id');
  const stats = emptyReadStats();
  const onProblem = (problem: ArchiveProblem): void => {
    stats.problems++;
    options.onProblem(problem);
  };

  async function* events(): AsyncGenerator<JsonObject> {
    const range = dayRange(fromMs, toMs);
    if (range === undefined) return;
    const orgs = only === undefined ? await organizations(store, onProblem) : [only];
    // The organizations that may hold each day.
    const orgsByDay = new Map<string, string[]>();
    for (const org of orgs) {
      for (const day of await daysToRead(store, eventOrganizationFolder(org), range, onProblem)) {
        const list = orgsByDay.get(day) ?? [];
        list.push(org);
        orgsByDay.set(day, list);
      }
    }
    // Events placed by the time they were received may be redelivered on another day.
    const undatedSeen = new Set<string>();
    for (const day of [...orgsByDay.keys()].sort()) {
      stats.days++;
      const kept = new Map<string, Kept>();
      for (const org of orgsByDay.get(day) ?? []) {
        for await (const line of folderLines(store, eventDayFolder(org, day), 'events', decode, onProblem, stats)) {
          const { event } = line;
          const time = archivedEventTime(line);
          if (time < fromMs || time >= toMs) continue;
          const id = event.id as string;
          const undated = effectiveAtSeconds(event) === undefined;
          if (kept.has(id) || (undated && undatedSeen.has(id))) {
            stats.duplicates++;
            continue;
          }
          kept.set(id, { time, id, event });
          if (undated) undatedSeen.add(id);
        }
      }
      const ordered = [...kept.values()].sort(byTimeThenId);
      kept.clear();
      for (const { event } of ordered) {
        stats.yielded++;
        yield event;
      }
    }
  }

  return Object.assign(events(), { stats });
}
