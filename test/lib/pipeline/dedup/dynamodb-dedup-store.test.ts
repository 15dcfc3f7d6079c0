// The dedup protocol over the wire, against dynalite and, where Java exists, the official
// DynamoDB Local: real conditional writes, real ConditionalCheckFailedException.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertIdFor, partitionKey } from '../../../../lib/pipeline/dedup/dedup-item.ts';
import { DynamoDedupStore } from '../../../../lib/pipeline/dedup/dynamodb-dedup-store.ts';
import { createDedupTable } from '../../../support/aws-resources.ts';
import { javaAvailable, startDynamoDbLocal, type Emulator } from '../../../../lib/tooling/local/emulators.ts';

const T0 = 1_700_000_000;
const HOUR = 3600;
const LEASE = 60;

interface Backend {
  readonly name: string;
  client(): DynamoDBClient;
}

const backends: Backend[] = [{ name: 'dynalite', client: () => new DynamoDBClient({}) }];
let local: Emulator | undefined;
if (javaAvailable()) {
  backends.push({
    name: 'DynamoDB Local',
    client: () => new DynamoDBClient({ endpoint: local?.endpoint ?? 'http://127.0.0.1:1' }),
  });
} else {
  // Said once per run, so a machine without Java is visible in the output.
  // eslint-disable-next-line no-console
  console.warn('java not found: the dedup protocol tests run on dynalite only, not on DynamoDB Local');
}

beforeAll(async () => {
  if (backends.length > 1) local = await startDynamoDbLocal();
}, 90_000);
afterAll(async () => {
  await local?.stop();
});

describe.each(backends)('DynamoDedupStore on $name', (backend) => {
  let now = T0;
  let client: DynamoDBClient;
  let table: string;
  const store = (leaseSeconds = LEASE) => new DynamoDedupStore({ client, tableName: table, clock: () => now, leaseSeconds });
  const claim = (eventId: string, key = 'R:api_key.created:user:u1', threshold = 1, s = store()) =>
    s.claim({ dedupKey: key, ruleId: 'R', eventId, windowSeconds: HOUR, threshold });
  const item = async (key = 'R:api_key.created:user:u1') =>
    (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: partitionKey(key) } }, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    client = backend.client();
    table = await createDedupTable(client);
  });

  it('opens a window, publishes once, suppresses and counts the rest, ignores redeliveries', async () => {
    now = T0;
    const key = 'R:api_key.created:user:first';
    const first = await claim('e1', key);
    expect(first).toEqual({ kind: 'publish', alertId: alertIdFor(key, T0), windowEndsAt: T0 + HOUR, eventCount: 1, takeover: false });
    expect(await item(key)).toMatchObject({
      status: { S: 'pending' },
      leaseUntil: { N: String(T0 + LEASE) },
      windowStart: { N: String(T0) },
      windowEndsAt: { N: String(T0 + HOUR) },
      firstEventId: { S: 'e1' },
      eventCount: { N: '1' },
      ruleId: { S: 'R' },
    });
    expect(Number((await item(key))?.expiresAt?.N)).toBeGreaterThanOrEqual(T0 + HOUR);

    now = T0 + 5;
    expect(await claim('e2', key)).toEqual({ kind: 'busy', alertId: alertIdFor(key, T0), retryAfterSeconds: LEASE - 5 });
    expect(await store().markSent(key, alertIdFor(key, T0))).toBe(true);
    expect((await item(key))?.status).toEqual({ S: 'sent' });
    expect((await item(key))?.leaseUntil).toBeUndefined();

    expect(await claim('e2', key)).toEqual({ kind: 'suppressed', alertId: alertIdFor(key, T0), duplicate: false });
    expect(await claim('e2', key)).toEqual({ kind: 'suppressed', alertId: alertIdFor(key, T0), duplicate: true });
    expect(await claim('e1', key)).toEqual({ kind: 'suppressed', alertId: alertIdFor(key, T0), duplicate: true });
    expect(await claim('e3', key)).toEqual({ kind: 'suppressed', alertId: alertIdFor(key, T0), duplicate: false });
    expect((await item(key))?.eventCount).toEqual({ N: '3' });
    expect(new Set((await item(key))?.eventIds?.SS)).toEqual(new Set(['e1', 'e2', 'e3']));
  });

  it('opens a new window with a new alert id once the window has ended, overwriting the expired item', async () => {
    now = T0;
    const key = 'R:api_key.created:user:windows';
    const first = await claim('a1', key);
    await store().markSent(key, alertIdFor(key, T0));
    now = T0 + HOUR; // windowEndsAt <= now: the window is over (TTL has not deleted the item)
    const second = await claim('a2', key);
    expect(second).toMatchObject({ kind: 'publish', alertId: alertIdFor(key, T0 + HOUR), eventCount: 1 });
    expect(second.kind === 'publish' && first.kind === 'publish' && second.alertId !== first.alertId).toBe(true);
    expect((await item(key))?.firstEventId).toEqual({ S: 'a2' });
  });

  it('overwrites an expired item written by someone else (e.g. an old deployment)', async () => {
    const key = 'R:api_key.created:user:stale';
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: key }, alertId: { S: 'old' }, ruleId: { S: 'R' }, windowStart: { N: String(T0 - 2 * HOUR) },
          windowEndsAt: { N: String(T0 - HOUR) }, expiresAt: { N: String(T0 - HOUR) }, status: { S: 'sent' },
          firstEventId: { S: 'old-event' }, eventCount: { N: '7' }, eventIds: { SS: ['old-event'] },
        },
      }),
    );
    now = T0;
    expect(await claim('new-event', key)).toMatchObject({ kind: 'publish', alertId: alertIdFor(key, T0), eventCount: 1 });
  });

  it('lets a redelivery take over after a publisher crashed, keeping the alert id', async () => {
    now = T0;
    const key = 'R:api_key.created:user:crash';
    const crashed = await claim('c1', key); // the process dies here: no publish, no markSent
    now = T0 + LEASE - 1;
    expect((await claim('c1', key)).kind).toBe('busy');
    now = T0 + LEASE;
    const takeover = await claim('c1', key);
    expect(takeover).toEqual({ kind: 'publish', alertId: crashed.kind === 'publish' ? crashed.alertId : '', windowEndsAt: T0 + HOUR, eventCount: 1, takeover: true });
    expect((await item(key))?.leaseUntil).toEqual({ N: String(T0 + 2 * LEASE) });
    // The crashed invocation cannot mark the window sent under the new lease holder: same alert
    // id, so it may, and that is harmless; a stale alert id may not.
    expect(await store().markSent(key, 'not-this-alert')).toBe(false);
  });

  it('carries on when its own write was applied but the response was lost (SDK retry, then its own lease)', async () => {
    now = T0;
    const key = 'R:api_key.created:user:lost-response';
    const lossy = backend.client();
    let puts = 0;
    lossy.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand') puts++;
        const result = await next(args);
        if (context.commandName === 'PutItemCommand' && puts === 1) throw Object.assign(new Error('injected: response lost'), { name: 'TimeoutError', $metadata: {} });
        return result;
      },
      { step: 'finalizeRequest', name: 'loseFirstPutResponse', priority: 'low' },
    );
    const store = new DynamoDedupStore({ client: lossy, tableName: table, clock: () => now, leaseSeconds: LEASE });
    expect(await store.claim({ dedupKey: key, ruleId: 'R', eventId: 'l1', windowSeconds: HOUR, threshold: 1 })).toEqual({
      kind: 'publish', alertId: alertIdFor(key, T0), windowEndsAt: T0 + HOUR, eventCount: 1, takeover: false,
    });
    expect(puts).toBe(2); // the first put was applied but its response lost; the SDK's retry hit the condition
    expect(await claim('l2', key)).toMatchObject({ kind: 'busy' }); // anyone else still waits for the lease
  });

  it('makes a released window available at once, with the same alert id, and counts a new event taking over', async () => {
    now = T0;
    const key = 'R:api_key.created:user:release';
    await claim('r1', key);
    await store().release(key, alertIdFor(key, T0));
    expect(await claim('r2', key)).toEqual({ kind: 'publish', alertId: alertIdFor(key, T0), windowEndsAt: T0 + HOUR, eventCount: 2, takeover: true });
    expect((await item(key))?.eventCount).toEqual({ N: '2' });
  });

  it('lets exactly one of many concurrent claims publish', async () => {
    now = T0;
    const key = 'R:api_key.created:user:race';
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(`race-${i}`, key, 1, store())));
    expect(results.filter((r) => r.kind === 'publish')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'busy')).toHaveLength(11);
  });

  it('counts below the threshold and publishes when it is reached', async () => {
    now = T0;
    const key = 'R:login.failed:user:threshold';
    expect(await claim('t1', key, 3)).toEqual({ kind: 'below-threshold', eventCount: 1, duplicate: false });
    expect(await claim('t1', key, 3)).toEqual({ kind: 'below-threshold', eventCount: 1, duplicate: true });
    expect(await claim('t2', key, 3)).toEqual({ kind: 'below-threshold', eventCount: 2, duplicate: false });
    expect(await claim('t3', key, 3)).toEqual({ kind: 'publish', alertId: alertIdFor(key, T0), windowEndsAt: T0 + HOUR, eventCount: 3, takeover: false });
    expect((await item(key))?.status).toEqual({ S: 'pending' });
  });

  it('stores an over-long dedup key under its hash', async () => {
    now = T0;
    const key = `R:api_key.created:email:${'é'.repeat(1000)}`;
    expect((await claim('long', key)).kind).toBe('publish');
    expect((await item(key))?.pk?.S).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
