// Correlation state over the wire, against dynalite: idempotent records, optimistic concurrency
// with real ConditionalCheckFailedException, no lost step under concurrent writers.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { correlationFindings, type CorrelationShape } from '../../../../lib/detection/engine/correlate.ts';
import { DynamoCorrelationStore, correlationItemKey } from '../../../../lib/pipeline/correlate/dynamodb-correlation-store.ts';
import { createDedupTable } from '../../../support/aws-resources.ts';

const rule: CorrelationShape = {
  id: 'Brute',
  steps: [
    { id: 'failures', ruleId: 'Failed', minMatchCount: 5 },
    { id: 'success', ruleId: 'Succeeded', minMatchCount: 1 },
  ],
  lookbackMinutes: 30,
};
const T0 = 1_700_000_000;

describe('DynamoCorrelationStore on dynalite', () => {
  let client: DynamoDBClient;
  let table: string;
  const store = () => new DynamoCorrelationStore({ client, tableName: table, clock: () => T0 });

  beforeAll(async () => {
    client = new DynamoDBClient({});
    table = await createDedupTable(client);
  });

  it('records step matches, once each, and keeps the state in one item with a TTL', async () => {
    const s = store();
    await s.record(rule, 'alice', 0, { eventId: 'f1', time: T0, detail: '192.0.2.1' });
    await s.record(rule, 'alice', 0, { eventId: 'f1', time: T0, detail: '192.0.2.1' });
    const state = await s.record(rule, 'alice', 0, { eventId: 'f2', time: T0 + 1 });
    expect(state.steps[0]?.map((r) => r.eventId)).toEqual(['f1', 'f2']);
    const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: correlationItemKey('Brute', 'alice') } }, ConsistentRead: true }));
    expect(Item?.version?.N).toBe('2');
    expect(Number(Item?.expiresAt?.N)).toBe(T0 + 1 + 30 * 60 + 14 * 24 * 3600);
    expect(JSON.parse(Item?.state?.S ?? '{}')).toEqual(state);
  });

  it('keeps keys apart', async () => {
    const s = store();
    await s.record(rule, 'bob', 0, { eventId: 'b1', time: T0 });
    const other = await s.record(rule, 'carol', 0, { eventId: 'c1', time: T0 });
    expect(other.steps[0]?.map((r) => r.eventId)).toEqual(['c1']);
  });

  it('loses no step match when many consumers record for the same key at once, and the finding completes', async () => {
    const writers = Array.from({ length: 6 }, () => store());
    await Promise.all(writers.map((s, i) => s.record(rule, 'dave', 0, { eventId: `d${i}`, time: T0 + i })));
    const success = { eventId: 'ok', time: T0 + 100 };
    const state = await store().record(rule, 'dave', 1, success);
    expect(state.steps[0]).toHaveLength(6);
    expect(correlationFindings(rule, state, 'dave', 1, success).map((f) => f.steps[0]?.records.length)).toEqual([6]);
  });
});
