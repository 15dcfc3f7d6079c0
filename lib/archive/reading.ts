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
 * How many objects {@link folderLines} fetches at once, and so the most bodies it holds (the one
 * whose lines are being yielded included). A day can hold thousands of objects, and one S3 GET
 * after another spends minutes waiting on round trips; 16 at once cuts that sixteenfold and stays
 * well under S3's request rates and the SDK's default socket pool (50), holding at most 16 bodies.
 *
 * @example
 * ```ts
 * // At most this many store.get calls are pending, or fetched and not yet read, at any time.
 * const window = FOLDER_FETCH_CONCURRENCY; // 16
 * ```
 */
export const FOLDER_FETCH_CONCURRENCY = 16;

/** A fetch settled: its body, or what the store threw. */
type Fetched = { readonly body: Uint8Array } | { readonly error: unknown };

/**
 * `store.get(key)` as a promise that never rejects, so a fetch started ahead whose result is never
 * awaited (the reading ended first) is not an unhandled rejection.
 */
async function settledGet(store: ArchiveStore, key: string): Promise<Fetched> {
  try {
    return { body: await store.get(key) };
  } catch (error) {
    return { error };
  }
}

/**
 * The lines of every object of one folder of the layout, decoded by `decode`, in listing order
 * (then line order). A key that is not an object of the `kind` expected, an unreadable object and
 * a line that does not decode are reported to `onProblem` and skipped; folder markers (keys ending
 * in `/`) are passed over. Counts the objects read in `stats`.
 *
 * The folder is listed first, then its objects are fetched {@link FOLDER_FETCH_CONCURRENCY} at a
 * time, ahead of the one being read: lines and problems still come in listing order, whatever
 * order the fetches end in. A store that fails (listing, or fetching an object) ends the
 * iteration with its error when the reading reaches that point.
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
  const keys: { readonly key: string; readonly fetch: boolean }[] = [];
  for await (const key of store.list(folder)) {
    if (key.endsWith('/')) continue; // a folder marker, as consoles create
    keys.push({ key, fetch: parseArchiveKey(key)?.kind === kind });
  }
  // The fetches started and not yet read, in listing order; next: the first key not yet started.
  const ahead: { readonly index: number; readonly fetched: Promise<Fetched> }[] = [];
  let next = 0;
  for (const [index, { key, fetch }] of keys.entries()) {
    if (!fetch) {
      const name = kind === 'events' ? '<objectId>.jsonl.gz' : '<alertId>.jsonl.gz';
      onProblem({
        key,
        reason: `not an ${kind === 'events' ? 'events' : 'alert'} object of the layout (${name}): skipped`,
      });
      continue;
    }
    for (; next < keys.length && ahead.length < FOLDER_FETCH_CONCURRENCY; next++) {
      const upcoming = keys[next];
      if (upcoming?.fetch === true) ahead.push({ index: next, fetched: settledGet(store, upcoming.key) });
    }
    const head = ahead[0];
    // Unreachable: the loop above started this key's fetch, if not earlier.
    if (head?.index !== index) throw new Error(`folderLines: the fetch of ${JSON.stringify(key)} was not started`);
    const fetched = await head.fetched;
    if ('error' in fetched) throw fetched.error;
    stats.objects++;
    const read = objectLines(fetched.body);
    if ('problem' in read) {
      onProblem({ key, reason: read.problem });
    } else {
      for (const { number, text } of read.lines) {
        const decoded = decode(text);
        if ('problem' in decoded) onProblem({ key, line: number, reason: decoded.problem });
        else yield decoded.value;
      }
    }
    // Only now, its lines all yielded, does this body leave the window for the next fetch.
    ahead.shift();
  }
}
