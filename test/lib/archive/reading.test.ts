// Reading one folder of the archive: its objects fetched several at a time (a day can hold
// thousands, and one GET after another takes minutes), yet lines and problems in listing order,
// at most FOLDER_FETCH_CONCURRENCY bodies held, and a failed fetch reported where it stands.
import { describe, expect, it } from 'vitest';
import { alertObjectKey, gzipLines, type ArchiveProblem } from '../../../lib/archive/index.ts';
import { emptyReadStats, FOLDER_FETCH_CONCURRENCY, folderLines } from '../../../lib/archive/reading.ts';
import { MemoryArchiveStore } from './memory-store.ts';

const N = FOLDER_FETCH_CONCURRENCY;
const DAY = '2024-11-24';
const FOLDER = `alerts/dt=${DAY}/`;

/** The key of the object numbered `index`: keys list in the order of their numbers. */
const keyOf = (index: number): string => alertObjectKey(DAY, `obj-${String(index).padStart(2, '0')}`);
/** Object `index`'s line `line`, as text: `o07-l2`. */
const lineOf = (index: number, line: number): string => `o${String(index).padStart(2, '0')}-l${line}`;
/** The number of the object a line came from. */
const objectOf = (text: string): number => Number(text.slice(1, 3));

const decode = (text: string): { readonly value: string } | { readonly problem: string } =>
  text === 'bad' ? { problem: 'a bad line' } : { value: text };

/** A store whose GETs resolve only when the test releases them, in the order it chooses. */
class GatedStore extends MemoryArchiveStore {
  /** The GETs started and not yet released, in the order they were started. */
  readonly waiting: { readonly key: string; readonly release: () => void }[] = [];
  /** GETs started so far. */
  started = 0;

  override get(key: string): Promise<Uint8Array> {
    this.started++;
    return new Promise((resolve) => {
      this.waiting.push({ key, release: () => resolve(super.get(key)) });
    });
  }

  /** Releases every waiting GET, the last started first, so fetches end out of listing order. */
  releaseAllBackwards(): string[] {
    const released = this.waiting.splice(0).reverse();
    for (const { release } of released) release();
    return released.map(({ key }) => key).reverse();
  }

  /**
   * Resolves once `count` GETs wait; rejects when the reader goes quiet with fewer. No timers:
   * it counts microtask turns, far more than reading a folder of the memory store takes.
   */
  async untilWaiting(count: number): Promise<void> {
    for (let turn = 0; turn < 10_000; turn++) {
      if (this.waiting.length >= count) return;
      await Promise.resolve();
    }
    throw new Error(`the reader went quiet with ${this.waiting.length} GETs waiting, not ${count}`);
  }
}

describe('folderLines', () => {
  it('fetches several objects at once, never more than FOLDER_FETCH_CONCURRENCY, and yields in listing order', async () => {
    const objects = 2 * N + 8;
    const store = new GatedStore();
    await store.put(FOLDER, new Uint8Array()); // a folder marker, passed over
    for (let index = 0; index < objects; index++) {
      if (index === 9) await store.put(keyOf(index), new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
      else if (index === 12) await store.put(keyOf(index), gzipLines([lineOf(index, 1), 'bad', lineOf(index, 3)]));
      else await store.put(keyOf(index), gzipLines([lineOf(index, 1), lineOf(index, 2)]));
    }
    const stray = `${FOLDER}obj-05.txt`; // lists between obj-05 and obj-06
    await store.put(stray, gzipLines(['x']));

    // What a reader fetching one object after another gives: keys in order, then lines in order.
    const expected: unknown[] = [];
    for (let index = 0; index < objects; index++) {
      if (index === 9)
        expected.push({ key: keyOf(index), reason: expect.stringMatching(/^not a readable gzip object: /) as unknown });
      else if (index === 12)
        expected.push(lineOf(index, 1), { key: keyOf(index), line: 2, reason: 'a bad line' }, lineOf(index, 3));
      else expected.push(lineOf(index, 1), lineOf(index, 2));
      if (index === 5)
        expected.push({ key: stray, reason: 'not an alert object of the layout (<alertId>.jsonl.gz): skipped' });
    }

    const stats = emptyReadStats();
    const log: unknown[] = [];
    // For each line yielded: the bodies fetched or being fetched, its own object's included.
    const held: number[] = [];
    const reading = (async () => {
      const onProblem = (problem: ArchiveProblem): void => void log.push(problem);
      for await (const text of folderLines(store, FOLDER, 'alerts', decode, onProblem, stats)) {
        log.push(text);
        held.push(store.started - objectOf(text));
      }
    })();

    const fetchedInBatches: string[][] = [];
    for (const batch of [N, N, objects - 2 * N]) {
      await store.untilWaiting(batch);
      expect(store.waiting).toHaveLength(batch);
      fetchedInBatches.push(store.releaseAllBackwards());
    }
    await reading;

    const keys = Array.from({ length: objects }, (_, index) => keyOf(index));
    expect(fetchedInBatches).toEqual([keys.slice(0, N), keys.slice(N, 2 * N), keys.slice(2 * N)]);
    expect(log).toEqual(expected);
    expect(Math.max(...held)).toBe(N);
    expect(store.started).toBe(objects);
    expect(stats.objects).toBe(objects);
  });

  it("ends with a failed fetch's error where its object stands, not earlier, whatever fetch ends first", async () => {
    const store = new GatedStore();
    for (let index = 0; index < 6; index++) await store.put(keyOf(index), gzipLines([lineOf(index, 1)]));
    // The later failure is fetched ahead and never read: it must not surface as an unhandled rejection.
    store.failing.add(keyOf(2)).add(keyOf(4));
    const stats = emptyReadStats();
    const log: string[] = [];
    const reading = (async () => {
      for await (const text of folderLines(store, FOLDER, 'alerts', decode, () => {}, stats)) log.push(text);
    })();
    await store.untilWaiting(6);
    store.releaseAllBackwards();
    await expect(reading).rejects.toThrow(`AccessDenied: ${keyOf(2)}`);
    expect(log).toEqual([lineOf(0, 1), lineOf(1, 1)]);
    expect(stats.objects).toBe(2);
  });

  it('starts no fetch once the reading stops', async () => {
    const store = new GatedStore();
    for (let index = 0; index < 2 * N; index++) await store.put(keyOf(index), gzipLines([lineOf(index, 1)]));
    store.failing.add(keyOf(N - 1));
    const lines = folderLines(store, FOLDER, 'alerts', decode, () => {}, emptyReadStats());
    const first = lines.next();
    await store.untilWaiting(N);
    store.releaseAllBackwards();
    expect(await first).toEqual({ done: false, value: lineOf(0, 1) });
    await lines.return(undefined);
    expect(store.started).toBe(N);
  });
});
