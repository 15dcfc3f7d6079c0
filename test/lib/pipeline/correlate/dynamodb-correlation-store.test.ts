// Correlation state over the wire, against dynalite: idempotent records, optimistic concurrency
// with real ConditionalCheckFailedException, no lost step under concurrent writers, contention and
// refusals reported as what they are.
import { createHash } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { correlationFindings, type CorrelationShape } from '../../../../lib/detection/engine/correlation.ts';
import {
  DynamoCorrelationStore,
  MAX_CORRELATION_WRITE_ATTEMPTS,
  correlationItemKey,
} from '../../../../lib/pipeline/correlate/dynamodb-correlation-store.ts';
import { CorrelationContentionError } from '../../../../lib/pipeline/correlate/errors.ts';
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
  const item = async (key: string) =>
    (
      await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: correlationItemKey('Brute', key) } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  /** Counts the commands a client sends, by name. */
  const counting = (target: DynamoDBClient) => {
    const sent: Record<string, number> = {};
    target.middlewareStack.add(
      (next, context) => (args) => {
        sent[String(context.commandName)] = (sent[String(context.commandName)] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    return sent;
  };

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
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: correlationItemKey('Brute', 'alice') } },
        ConsistentRead: true,
      }),
    );
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

  it('keeps the state under the documented item key, with its kind and rule for people reading the table', async () => {
    // The key is persisted: another format would orphan every state in a deployed table.
    expect(correlationItemKey('Brute', 'erin')).toBe(
      `corr#Brute#${createHash('sha256').update('erin').digest('hex').slice(0, 32)}`,
    );
    await store().record(rule, 'erin', 0, { eventId: 'e1', time: T0 });
    expect(await item('erin')).toMatchObject({
      kind: { S: 'correlation' },
      ruleId: { S: 'Brute' },
      version: { N: '1' },
    });
  });

  it("starts afresh from a state it cannot read (the rule's steps changed, a hand edit), continuing its version", async () => {
    const unreadable = {
      'frank-steps': '{"steps":[[{"eventId":"old","time":1700000000}]]}',
      'frank-json': 'not json',
      'frank-shape': '{"steps":5}',
    };
    for (const [key, state] of Object.entries(unreadable)) {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: correlationItemKey('Brute', key) }, state: { S: state }, version: { N: '7' } },
        }),
      );
      const recorded = await store().record(rule, key, 1, { eventId: 'ok', time: T0 });
      expect(recorded).toEqual({ steps: [[], [{ eventId: 'ok', time: T0 }]] });
      expect((await item(key))?.version).toEqual({ N: '8' });
    }
  });

  it(`gives up after ${MAX_CORRELATION_WRITE_ATTEMPTS} writes that another consumer beat every time, as contention, losing none of its records`, async () => {
    const contended = new DynamoDBClient({});
    const sent = counting(contended);
    let rivals = 0;
    contended.middlewareStack.add(
      (next, context) => async (args) => {
        // Another consumer records a step for the same key between our read and our write.
        if (context.commandName === 'PutItemCommand')
          await store().record(rule, 'gina', 0, { eventId: `rival-${++rivals}`, time: T0 + rivals });
        return next(args);
      },
      { step: 'initialize', name: 'rivalWriter' },
    );
    const error = await new DynamoCorrelationStore({ client: contended, tableName: table, clock: () => T0 })
      .record(rule, 'gina', 0, { eventId: 'mine', time: T0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorrelationContentionError);
    // The name and message reach the logs and, on a last receive, the dead letter's reason.
    expect(error).toMatchObject({
      name: 'CorrelationContentionError',
      message: `correlation state of Brute kept changing under ${MAX_CORRELATION_WRITE_ATTEMPTS} attempts; retrying later`,
    });
    expect(sent).toEqual({
      GetItemCommand: MAX_CORRELATION_WRITE_ATTEMPTS,
      PutItemCommand: MAX_CORRELATION_WRITE_ATTEMPTS,
    });
    const state = await store().record(rule, 'gina', 0, { eventId: 'mine', time: T0 }); // the record's retry
    expect(state.steps[0]?.map((r) => r.eventId).sort()).toEqual(
      [...Array.from({ length: MAX_CORRELATION_WRITE_ATTEMPTS }, (_, i) => `rival-${i + 1}`), 'mine'].sort(),
    );
  });

  it('lets an error other than a failed condition through at once (an item DynamoDB refuses: over 400 KB)', async () => {
    const refused = new DynamoDBClient({});
    const sent = counting(refused);
    const huge = { eventId: 'huge', time: T0, detail: 'x'.repeat(500_000) };
    await expect(
      new DynamoCorrelationStore({ client: refused, tableName: table, clock: () => T0 }).record(rule, 'hank', 0, huge),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    expect(await item('hank')).toBeUndefined();
  });

  it('keeps the state of old events from their arrival, on the system clock by default', async () => {
    // A backfill of month-old failures: their state must live until the lookback after arrival,
    // not expire before a success arriving with them can complete the finding.
    const before = Math.floor(Date.now() / 1000);
    await new DynamoCorrelationStore({ client, tableName: table }).record(rule, 'ivan', 0, {
      eventId: 'old',
      time: before - 30 * 86_400,
    });
    const after = Math.floor(Date.now() / 1000);
    const expiresAt = (await item('ivan'))?.expiresAt?.N ?? '';
    expect(expiresAt).toMatch(/^\d+$/);
    expect(Number(expiresAt)).toBeGreaterThanOrEqual(before + 30 * 60 + 14 * 86_400);
    expect(Number(expiresAt)).toBeLessThanOrEqual(after + 30 * 60 + 14 * 86_400);
  });
});
