// Reading the events archive back: events of [from, to) in event-time order, each event id once
// whatever the objects hold it, one day at a time, only the days of the range listed, every
// object or line that cannot be read reported with its key and line and skipped.
import { describe, expect, it } from 'vitest';
import {
  archivedEvent,
  encodeEventLine,
  eventObjectKey,
  gzipLines,
  readArchivedEvents,
  writeEventBatch,
  type ArchiveProblem,
  type ArchivedEvent,
  type ReadArchivedEventsOptions,
} from '../../../lib/archive/index.ts';
import type { JsonObject } from '../../../lib/shared/json.ts';
import { MemoryArchiveStore } from './memory-store.ts';

const T0 = Date.parse('2024-11-24T00:00:00Z') / 1000;
const HOUR = 3600;

const event = (id: string, seconds: number | undefined): JsonObject => ({
  id,
  type: 'login.failed',
  ...(seconds === undefined ? {} : { effective_at: seconds }),
});
const line = (
  messageId: string,
  organizationId: string | null,
  payload: JsonObject,
  receivedAt = '2024-11-26T00:00:00Z',
): ArchivedEvent =>
  archivedEvent({ organizationId, messageId, source: 'poller', receivedAt: new Date(receivedAt), event: payload });

async function read(store: MemoryArchiveStore, options: Partial<ReadArchivedEventsOptions> = {}) {
  const problems: ArchiveProblem[] = [];
  const reading = readArchivedEvents(store, {
    from: new Date('2024-11-24T00:00:00Z'),
    to: new Date('2024-11-27T00:00:00Z'),
    onProblem: (problem) => problems.push(problem),
    ...options,
  });
  const ids: string[] = [];
  for await (const found of reading) ids.push(found.id as string);
  return { ids, problems, stats: reading.stats };
}

describe('readArchivedEvents', () => {
  it('yields the events of every organization in event-time order (ties by event id), whatever the batches', async () => {
    const store = new MemoryArchiveStore();
    await writeEventBatch(store, [
      line('m-1', 'org-a', event('c', T0 + 3 * HOUR)),
      line('m-1', 'org-a', event('a', T0 + 25 * HOUR)),
      line('m-2', 'org-b', event('b', T0 + HOUR)),
    ]);
    await writeEventBatch(store, [
      line('m-3', null, event('d', T0 + 2 * HOUR)),
      line('m-3', null, event('f', T0 + 3 * HOUR)),
      line('m-4', 'org-b', event('e', T0 + 3 * HOUR)),
    ]);
    const { ids, problems, stats } = await read(store);
    expect(ids).toEqual(['b', 'd', 'c', 'e', 'f', 'a']);
    expect(problems).toEqual([]);
    expect(stats).toEqual({ days: 3, objects: 5, yielded: 6, duplicates: 0, problems: 0 });
  });

  it('gives each event once: a record redelivered in another batch is stored twice and read once', async () => {
    const store = new MemoryArchiveStore();
    const redelivered = line('m-1', 'org-a', event('e1', T0 + HOUR));
    await writeEventBatch(store, [redelivered, line('m-2', 'org-a', event('e2', T0 + 2 * HOUR))]);
    await writeEventBatch(store, [redelivered]);
    // The same event under another organization's folder is the same event.
    await writeEventBatch(store, [line('m-9', 'org-b', event('e2', T0 + 2 * HOUR))]);
    expect(store.objects.size).toBe(3);
    const { ids, stats } = await read(store);
    expect(ids).toEqual(['e1', 'e2']);
    expect(stats.duplicates).toBe(2);
  });

  it('drops a duplicate of an event without effective_at received on another day', async () => {
    const store = new MemoryArchiveStore();
    await writeEventBatch(store, [line('m-1', null, event('u1', undefined), '2024-11-24T10:00:00Z')]);
    await writeEventBatch(store, [line('m-2', null, event('u1', undefined), '2024-11-25T10:00:00Z')]);
    const { ids, stats } = await read(store);
    expect(ids).toEqual(['u1']);
    expect(stats.duplicates).toBe(1);
  });

  it('keeps from <= event time < to', async () => {
    const store = new MemoryArchiveStore();
    await writeEventBatch(store, [
      line('m-1', 'org-a', event('before', T0 + HOUR - 1)),
      line('m-1', 'org-a', event('from', T0 + HOUR)),
      line('m-1', 'org-a', event('last', T0 + 2 * HOUR - 0.5)),
      line('m-1', 'org-a', event('to', T0 + 2 * HOUR)),
    ]);
    const range = { from: new Date((T0 + HOUR) * 1000), to: new Date((T0 + 2 * HOUR) * 1000) };
    expect((await read(store, range)).ids).toEqual(['from', 'last']);
  });

  it("reads only the given organization's folder", async () => {
    const store = new MemoryArchiveStore();
    await writeEventBatch(store, [
      line('m-1', 'org-a', event('a1', T0 + HOUR)),
      line('m-2', 'org-b', event('b1', T0 + HOUR)),
      line('m-3', null, event('n1', T0 + HOUR)),
    ]);
    expect((await read(store, { org: 'org-b' })).ids).toEqual(['b1']);
    expect((await read(store, { org: 'none' })).ids).toEqual(['n1']);
    expect(store.calls.filter((call) => call.op === 'get').every((call) => !call.arg.includes('org=org-a'))).toBe(true);
    expect(() =>
      readArchivedEvents(store, { from: new Date(0), to: new Date(1), org: '../a', onProblem: () => {} }),
    ).toThrow('unsafe organization id "../a" for an archive key');
  });

  it('lists only the days of the range, and reads a day whole before the next', async () => {
    const store = new MemoryArchiveStore();
    await writeEventBatch(store, [
      line('m-1', 'org-a', event('d23', T0 - HOUR)),
      line('m-2', 'org-a', event('d24', T0 + HOUR)),
      line('m-3', 'org-a', event('d25', T0 + 25 * HOUR)),
      line('m-4', 'org-a', event('d27', T0 + 73 * HOUR)),
    ]);
    const reading = readArchivedEvents(store, {
      from: new Date('2024-11-24T00:00:00Z'),
      to: new Date('2024-11-26T00:00:00Z'),
      onProblem: () => {},
    });
    const seen: string[] = [];
    for await (const found of reading)
      seen.push(`${found.id as string} after ${store.calls.filter((c) => c.op === 'get').length} gets`);
    expect(store.calls.filter((call) => call.op === 'list').map((call) => call.arg)).toEqual([
      'events/org=org-a/dt=2024-11-24/',
      'events/org=org-a/dt=2024-11-25/',
    ]);
    // The first day's event comes out before the second day's object is fetched.
    expect(seen).toEqual(['d24 after 1 gets', 'd25 after 2 gets']);
  });

  it('over a long range, lists the dt= folders that exist and reads those in range', async () => {
    const store = new MemoryArchiveStore();
    const day = 86_400;
    await writeEventBatch(store, [
      line('m-1', 'org-a', event('old', T0 - 400 * day)),
      line('m-2', 'org-a', event('in1', T0 - 100 * day)),
      line('m-3', 'org-a', event('in2', T0)),
    ]);
    const { ids } = await read(store, { from: new Date((T0 - 200 * day) * 1000), to: new Date((T0 + day) * 1000) });
    expect(ids).toEqual(['in1', 'in2']);
    expect(store.calls.filter((call) => call.op === 'list')).toHaveLength(2);
    expect(store.calls.filter((call) => call.op === 'folders').map((call) => call.arg)).toEqual([
      'events/org=',
      'events/org=org-a/dt=',
    ]);
  });

  it('reports each line that cannot be read with its key and line number, skips it, and reads the rest', async () => {
    const store = new MemoryArchiveStore();
    const key = eventObjectKey('org-a', '2024-11-24', 'badlines');
    const good = encodeEventLine(line('m-1', 'org-a', event('good', T0 + HOUR)));
    await store.put(
      key,
      gzipLines([
        good,
        '{"not": "an archived event"}',
        'not json',
        encodeEventLine(line('m-1', 'org-a', event('fine', T0 + 2 * HOUR))),
      ]),
    );
    await store.put(eventObjectKey('org-a', '2024-11-24', 'broken'), new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
    await store.put('events/org=org-a/dt=2024-11-24/notes.txt', gzipLines(['x']));
    const { ids, problems, stats } = await read(store);
    expect(ids).toEqual(['good', 'fine']);
    expect(problems).toEqual([
      { key, line: 2, reason: 'not an archived event: "organization_id" must be a string or null' },
      { key, line: 3, reason: expect.stringMatching(/^not valid JSON: /) as unknown },
      {
        key: 'events/org=org-a/dt=2024-11-24/broken.jsonl.gz',
        reason: expect.stringMatching(/^not a readable gzip object: /) as unknown,
      },
      {
        key: 'events/org=org-a/dt=2024-11-24/notes.txt',
        reason: 'not an events object of the layout (<objectId>.jsonl.gz): skipped',
      },
    ]);
    expect(stats.problems).toBe(4);
  });

  it('reports an organization folder outside the layout and reads the others', async () => {
    const store = new MemoryArchiveStore();
    await writeEventBatch(store, [line('m-1', 'org-a', event('a1', T0 + HOUR))]);
    await store.put('events/org=bad name/dt=2024-11-24/x.jsonl.gz', gzipLines([]));
    const { ids, problems } = await read(store);
    expect(ids).toEqual(['a1']);
    expect(problems).toEqual([
      { key: 'events/org=bad name/', reason: 'not an org=<id> folder of the layout: skipped' },
    ]);
  });

  it("ends with the store's error when an object cannot be fetched", async () => {
    const store = new MemoryArchiveStore();
    const [key] = await writeEventBatch(store, [line('m-1', 'org-a', event('a1', T0 + HOUR))]);
    store.failing.add(key ?? '');
    await expect(read(store)).rejects.toThrow(`AccessDenied: ${key ?? ''}`);
  });

  it('refuses a range whose end is not after its start', () => {
    const store = new MemoryArchiveStore();
    const at = new Date('2024-11-24T00:00:00Z');
    expect(() => readArchivedEvents(store, { from: at, to: at, onProblem: () => {} })).toThrow(
      'readArchivedEvents: "to" must be after "from"',
    );
  });
});
