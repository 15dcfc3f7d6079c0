// A burst the cursor must survive: 50,000 events within the 600-second overlap (about 83 a second,
// far past the ~8,000 that overflowed the old one-string cursor). The cursor lives in DynamoDB
// (dynalite, which enforces the 400 KB item limit); the list endpoint is served from memory.
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoCursorStore } from '../../../../lib/ingestion/poller/cursor-store.ts';
import { pollAuditLogs, type PollOptions } from '../../../../lib/ingestion/poller/poll.ts';
import type { JsonObject } from '../../../../lib/shared/json.ts';
import { createDedupTable } from '../../../support/aws-resources.ts';
import { memoryAuditLog, type MemoryAuditLog } from '../../../support/memory-audit-log.ts';

const NOW = 1_800_000_000;
const OPTIONS: PollOptions = { overlapSeconds: 600, backfillSeconds: 3600, sliceSeconds: 3600 };
const event = (id: string, at: number): JsonObject => ({ id, type: 'login.succeeded', effective_at: at });

let api: MemoryAuditLog;
let table: string;
let delivered: string[];

beforeEach(async () => {
  api = memoryAuditLog();
  table = await createDedupTable();
  delivered = [];
});

const store = () => new DynamoCursorStore(new DynamoDBClient({}), table, 'ingest-cursor');
const run = (now: number) =>
  pollAuditLogs(
    {
      client: api,
      cursor: store(),
      deliver: (events) => (delivered.push(...events.map((e) => e.id as string)), Promise.resolve({ rejected: 0 })),
      clock: () => now,
      remainingMs: () => 60_000,
    },
    OPTIONS,
  );

/** The cursor item's size as DynamoDB counts it: attribute names plus values, in UTF-8 bytes. */
async function cursorItemBytes(): Promise<number> {
  const { Item = {} } = await new DynamoDBClient({}).send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: 'ingest-cursor' } }, ConsistentRead: true }),
  );
  const valueBytes = (v: AttributeValue) => Buffer.byteLength(v.S ?? v.N ?? '');
  return Object.entries(Item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

describe('the poll cursor under a burst', () => {
  it('stays below 400 KB (about 200 KB) with 50,000 events in the overlap, and keeps advancing, each event delivered once', async () => {
    for (let i = 0; i < 50_000; i++)
      api.events.push(event(`burst-${String(i).padStart(5, '0')}`, NOW - 599 + (i % 600)));
    const first = await run(NOW);
    expect(first).toMatchObject({ complete: true, delivered: 50_000, redelivered: 0, highWater: NOW });
    // The ids budget (200,000 bytes) plus the item's other attributes.
    expect(await cursorItemBytes()).toBeLessThan(210_000);

    // A minute later: ten new events; the overlap (all 50,000) is listed again and recognised.
    for (let i = 0; i < 10; i++) api.events.push(event(`next-${i}`, NOW + 1 + i));
    delivered = [];
    const second = await run(NOW + 60);
    expect(second).toMatchObject({ complete: true, delivered: 10, redelivered: 0, highWater: NOW + 60 });
    expect(second.alreadyDelivered).toBeGreaterThan(40_000);
    expect(delivered).toEqual(Array.from({ length: 10 }, (_, i) => `next-${i}`));
    expect(await cursorItemBytes()).toBeLessThan(210_000);
  });

  it('re-delivers only the second of a late event when that second is remembered by digest, and counts it', async () => {
    for (let i = 0; i < 50_000; i++)
      api.events.push(event(`burst-${String(i).padStart(5, '0')}`, NOW - 599 + (i % 600)));
    await run(NOW);
    // The busiest seconds lost their ids to the budget: a late event in one of them, and one in a
    // second still remembered by its ids.
    const seen = (await store().load())?.seen ?? {};
    const second = Number(Object.keys(seen).find((s) => seen[s]?.ids === undefined));
    const exact = Number(Object.keys(seen).find((s) => seen[s]?.ids !== undefined));
    expect([Number.isInteger(second), Number.isInteger(exact)]).toEqual([true, true]);
    api.events.push(event('late-2', exact));
    api.events.push(event('late-1', second));
    delivered = [];
    const result = await run(NOW + 60);
    const inThatSecond = api.events.filter((e) => e.effective_at === second).length;
    expect(result.delivered).toBe(inThatSecond + 1);
    expect(result.redelivered).toBe(inThatSecond - 1);
    expect(delivered.filter((id) => id.startsWith('late-')).sort()).toEqual(['late-1', 'late-2']);
    delivered = [];
    expect((await run(NOW + 120)).delivered).toBe(0);
  });

  it('still reads a cursor written the old way (ids with their time)', async () => {
    const { PutItemCommand } = await import('@aws-sdk/client-dynamodb');
    await new DynamoDBClient({}).send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'ingest-cursor' },
          highWater: { N: String(NOW) },
          sent: { S: JSON.stringify({ 'old-1': NOW - 10 }) },
        },
      }),
    );
    api.events.push(event('old-1', NOW - 10), event('new-1', NOW - 10), event('new-2', NOW + 5));
    const result = await run(NOW + 10);
    expect(result).toMatchObject({ delivered: 2, alreadyDelivered: 1 });
    expect(delivered).toEqual(['new-1', 'new-2']);
  });
});
