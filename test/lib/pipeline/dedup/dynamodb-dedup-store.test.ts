// The dedup protocol over the wire, against dynalite and, where Java exists, the official
// DynamoDB Local: real conditional writes, real ConditionalCheckFailedException.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Severity } from '../../../../lib/detection/engine/severity.ts';
import { REPLAY_HORIZON_SECONDS } from '../../../../lib/pipeline/dedup/constants.ts';
import {
  alertIdFor,
  eventFingerprint,
  pendingRegisterKey,
  windowKey,
} from '../../../../lib/pipeline/dedup/dedup-item.ts';
import type {
  ClaimInput,
  ClaimResult,
  WindowLease,
  WindowSnapshot,
} from '../../../../lib/pipeline/dedup/dedup-store.ts';
import { DynamoDedupStore } from '../../../../lib/pipeline/dedup/dynamodb-dedup-store.ts';
import { DedupContentionError } from '../../../../lib/pipeline/dedup/errors.ts';
import { awsError, injectFaults } from '../../../reliability/harness/faults.ts';
import { createDedupTable } from '../../../support/aws-resources.ts';
import { javaAvailable, startDynamoDbLocal, type Emulator } from '../../../../lib/tooling/local/emulators.ts';

const HOUR = 3600;
/** A window start (a multiple of an hour), and the time events in it happen. */
const W0 = 1_699_999_200;
const T0 = W0 + 600;
const LEASE = 60;

interface Backend {
  readonly name: string;
  client(): DynamoDBClient;
}

const backends: Backend[] = [{ name: 'dynalite', client: () => new DynamoDBClient({}) }];
let local: Emulator | undefined;
// The mutation run (vitest.mutation.config.ts) runs these tests once per mutant: dynalite only there.
if (process.env.DEDUP_TEST_BACKENDS === 'dynalite') {
  // only dynalite, on purpose
} else if (javaAvailable()) {
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
});
afterAll(async () => {
  await local?.stop();
});

/** The rendered alert is the snapshot itself, so tests can see what the store asked for. */
const render = (window: WindowSnapshot): string => JSON.stringify(window);
const rendered = (result: ClaimResult): WindowSnapshot | undefined =>
  result.kind === 'publish' ? (JSON.parse(result.alert) as WindowSnapshot) : undefined;
const lease = (result: ClaimResult): WindowLease => {
  if (result.kind !== 'publish') throw new Error(`expected publish, got ${result.kind}`);
  return result.lease;
};

describe.each(backends)('DynamoDedupStore on $name', (backend) => {
  let now = T0;
  let client: DynamoDBClient;
  let table: string;
  const store = () => new DynamoDedupStore({ client, tableName: table, clock: () => now });
  const input = (
    eventId: string,
    key: string,
    options: { threshold?: number; severity?: Severity; at?: number | undefined; distinct?: string } = {},
  ): ClaimInput => ({
    dedupKey: key,
    ruleId: 'R',
    eventId,
    eventTime: 'at' in options ? options.at : T0,
    windowSeconds: HOUR,
    threshold: options.threshold ?? 1,
    severity: options.severity ?? 'MEDIUM',
    leaseUntil: now + LEASE,
    render,
    ...(options.distinct === undefined ? {} : { distinctValue: options.distinct }),
  });
  const claim = (eventId: string, key: string, options: Parameters<typeof input>[2] = {}, s = store()) =>
    s.claim(input(eventId, key, options));
  const item = async (pk: string) =>
    (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    client = backend.client();
    table = await createDedupTable(client);
  });

  it('opens a window by event time, publishes once, suppresses and counts the rest, ignores redeliveries', async () => {
    now = T0 + 5 * HOUR; // processed hours later: the window is the event's
    const key = 'R:api_key.created:user:first';
    const first = await claim('e1', key);
    expect(first).toEqual({
      kind: 'publish',
      alert: expect.any(String) as string,
      takeover: false,
      again: false,
      lease: {
        dedupKey: key,
        windowStart: W0,
        alertId: alertIdFor(key, W0),
        owner: expect.any(String) as string,
        leaseUntil: now + LEASE,
      },
    });
    expect(rendered(first)).toEqual({
      alertId: alertIdFor(key, W0),
      firstAlertId: alertIdFor(key, W0),
      windowStart: W0,
      windowEndsAt: W0 + HOUR,
      eventCount: 1,
      severity: 'MEDIUM',
    });
    const stored = await item(windowKey(key, W0));
    expect(stored).toMatchObject({
      status: { S: 'pending' },
      leaseUntil: { N: String(now + LEASE) },
      windowStart: { N: String(W0) },
      windowEndsAt: { N: String(W0 + HOUR) },
      firstEventId: { S: 'e1' },
      eventCount: { N: '1' },
      ruleId: { S: 'R' },
      severity: { S: 'MEDIUM' },
      eventIds: { SS: [eventFingerprint('e1')] },
      expiresAt: { N: String(now + REPLAY_HORIZON_SECONDS) },
    });
    expect(stored?.alert?.B).toBeDefined();

    const opened = now;
    now += 5;
    expect(await claim('e2', key)).toEqual({
      kind: 'busy',
      alertId: alertIdFor(key, W0),
      retryAfterSeconds: LEASE - 5,
    });
    expect(await store().markSent(lease(first))).toBe(true);
    const sent = await item(windowKey(key, W0));
    expect(sent?.status).toEqual({ S: 'sent' });
    expect(sent?.leaseUntil).toBeUndefined();
    expect(sent?.alert).toBeUndefined(); // the stored alert is dropped once out: later writes stay small

    expect(await claim('e2', key)).toEqual({ kind: 'suppressed', alertId: alertIdFor(key, W0), duplicate: false });
    expect(await claim('e2', key)).toEqual({ kind: 'suppressed', alertId: alertIdFor(key, W0), duplicate: true });
    expect(await claim('e1', key)).toEqual({ kind: 'suppressed', alertId: alertIdFor(key, W0), duplicate: true });
    expect(await claim('e3', key, { severity: 'LOW' })).toEqual({
      kind: 'suppressed',
      alertId: alertIdFor(key, W0),
      duplicate: false,
    });
    const counted = await item(windowKey(key, W0));
    expect(counted?.eventCount).toEqual({ N: '3' });
    expect(new Set(counted?.eventIds?.SS)).toEqual(new Set(['e1', 'e2', 'e3'].map(eventFingerprint)));
    expect(Number(counted?.expiresAt?.N)).toBe(now + REPLAY_HORIZON_SECONDS);
    expect(Number(counted?.expiresAt?.N)).toBeGreaterThan(opened + REPLAY_HORIZON_SECONDS);
  });

  it('keeps windows apart by event time, in any arrival order, and replays find their window', async () => {
    now = T0 + 30 * HOUR;
    const key = 'R:api_key.created:user:backfill';
    const late = await claim('b2', key, { at: T0 + 2 * HOUR });
    const early = await claim('b1', key, { at: T0 });
    expect(lease(late).alertId).toBe(alertIdFor(key, W0 + 2 * HOUR));
    expect(lease(early).alertId).toBe(alertIdFor(key, W0));
    await store().markSent(lease(late));
    await store().markSent(lease(early));
    now += 13 * 86_400; // a redrive almost two weeks later
    expect(await claim('b1', key, { at: T0 })).toEqual({
      kind: 'suppressed',
      alertId: alertIdFor(key, W0),
      duplicate: true,
    });
    expect(await claim('b3', key, { at: T0 + 2 * HOUR + 10 })).toEqual({
      kind: 'suppressed',
      alertId: alertIdFor(key, W0 + 2 * HOUR),
      duplicate: false,
    });
  });

  it('uses processing time for an event without a time', async () => {
    now = W0 + 7 * HOUR + 1;
    const key = 'R:api_key.created:user:no-time';
    expect(lease(await claim('n1', key, { at: undefined })).windowStart).toBe(W0 + 7 * HOUR);
  });

  it('overwrites a finished item past its TTL that DynamoDB has not deleted yet', async () => {
    const key = 'R:api_key.created:user:stale';
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: windowKey(key, W0) },
          alertId: { S: 'old' },
          ruleId: { S: 'R' },
          windowStart: { N: String(W0) },
          windowEndsAt: { N: String(W0 + HOUR) },
          expiresAt: { N: String(T0 + 100) },
          status: { S: 'sent' },
          severity: { S: 'HIGH' },
          firstEventId: { S: 'old-event' },
          eventCount: { N: '7' },
          eventIds: { SS: [eventFingerprint('old-event')] },
        },
      }),
    );
    now = T0 + 99;
    expect(await claim('old-event', key)).toEqual({ kind: 'suppressed', alertId: 'old', duplicate: true }); // still trusted: no write
    now = T0 + 100;
    expect(await claim('new-event-2', key)).toMatchObject({ kind: 'publish', lease: { alertId: alertIdFor(key, W0) } });
  });

  it('never overwrites a pending item past its TTL: it is taken over and its stored alert published', async () => {
    now = T0;
    const key = 'R:api_key.created:user:stale-pending';
    const crashed = await claim('p1', key);
    now = T0 + HOUR + REPLAY_HORIZON_SECONDS + 10;
    const taken = await claim('p2', key);
    expect(taken).toMatchObject({ kind: 'publish', takeover: true, lease: { alertId: lease(crashed).alertId } });
    expect(rendered(taken)).toEqual(rendered(crashed));
  });

  it('lets a redelivery take over after a publisher crashed, keeping the alert id and its content', async () => {
    now = T0;
    const key = 'R:api_key.created:user:crash';
    const crashed = await claim('c1', key);
    now = T0 + LEASE - 1;
    expect((await claim('c1', key)).kind).toBe('busy');
    now = T0 + LEASE;
    const takeover = await claim('c1', key);
    expect(takeover).toMatchObject({
      kind: 'publish',
      takeover: true,
      again: false,
      lease: { alertId: lease(crashed).alertId, leaseUntil: T0 + 2 * LEASE },
    });
    expect(takeover.kind === 'publish' && crashed.kind === 'publish' && takeover.alert).toBe(
      crashed.kind === 'publish' && crashed.alert,
    );
    expect(lease(takeover).owner).not.toBe(lease(crashed).owner);
    expect((await item(windowKey(key, W0)))?.leaseUntil).toEqual({ N: String(T0 + 2 * LEASE) });
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '1' });
    // The old holder cannot mark sent or release under the new lease; a stale alert id cannot either.
    expect(await store().markSent(lease(crashed))).toBe(false);
    await store().release(lease(crashed));
    expect((await item(windowKey(key, W0)))?.leaseUntil).toEqual({ N: String(T0 + 2 * LEASE) });
    expect(await store().markSent({ ...lease(takeover), alertId: 'not-this-alert' })).toBe(false);
    expect(await store().markSent(lease(takeover))).toBe(true);
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
        if (context.commandName === 'PutItemCommand' && puts === 1)
          throw Object.assign(new Error('injected: response lost'), { name: 'TimeoutError', $metadata: {} });
        return result;
      },
      { step: 'finalizeRequest', name: 'loseFirstPutResponse', priority: 'low' },
    );
    const lossyStore = new DynamoDedupStore({ client: lossy, tableName: table, clock: () => now });
    const result = await lossyStore.claim(input('l1', key));
    expect(result).toMatchObject({ kind: 'publish', takeover: false, lease: { alertId: alertIdFor(key, W0) } });
    expect(rendered(result)?.eventCount).toBe(1);
    expect(puts).toBe(2); // the first put was applied but its response lost; the SDK's retry hit the condition
    expect(await claim('l2', key)).toMatchObject({ kind: 'busy' }); // anyone else still waits for the lease
  });

  it('makes a released window available at once, same alert id and content, and counts a new event taking over', async () => {
    now = T0;
    const key = 'R:api_key.created:user:release';
    const first = await claim('r1', key);
    await store().release({ ...lease(first), owner: 'someone-else' }); // not the holder: no effect
    expect(await claim('r2', key)).toMatchObject({ kind: 'busy' });
    await store().release(lease(first));
    const second = await claim('r2', key);
    expect(second).toMatchObject({ kind: 'publish', takeover: true, lease: { alertId: alertIdFor(key, W0) } });
    expect(rendered(second)).toEqual(rendered(first));
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '2' });
  });

  it('lets exactly one of many concurrent claims publish', async () => {
    now = T0;
    const key = 'R:api_key.created:user:race';
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(`race-${i}`, key)));
    expect(results.filter((r) => r.kind === 'publish')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'busy')).toHaveLength(11);
  });

  it('counts below the threshold, keeps the highest severity, and publishes when the threshold is reached', async () => {
    now = T0;
    const key = 'R:login.failed:user:threshold';
    expect(await claim('t1', key, { threshold: 3 })).toEqual({
      kind: 'below-threshold',
      eventCount: 1,
      duplicate: false,
    });
    expect(await claim('t1', key, { threshold: 3 })).toEqual({
      kind: 'below-threshold',
      eventCount: 1,
      duplicate: true,
    });
    expect(await claim('t2', key, { threshold: 3, severity: 'HIGH' })).toEqual({
      kind: 'below-threshold',
      eventCount: 2,
      duplicate: false,
    });
    const reached = await claim('t3', key, { threshold: 3, severity: 'LOW' });
    expect(reached).toMatchObject({ kind: 'publish', takeover: false, lease: { alertId: alertIdFor(key, W0) } });
    expect(rendered(reached)).toMatchObject({ eventCount: 3, severity: 'HIGH' });
    expect((await item(windowKey(key, W0)))?.status).toEqual({ S: 'pending' });
  });

  it('counts distinct values toward the threshold for rules with unique(), every match toward the event count', async () => {
    now = T0;
    const key = 'R:login.failed:user:distinct';
    const at = (eventId: string, ip: string) => claim(eventId, key, { threshold: 3, distinct: ip });
    expect(await at('d1', '192.0.2.1')).toEqual({ kind: 'below-threshold', eventCount: 1, duplicate: false });
    expect(await at('d2', '192.0.2.1')).toEqual({ kind: 'below-threshold', eventCount: 2, duplicate: false });
    expect(await at('d3', '192.0.2.2')).toEqual({ kind: 'below-threshold', eventCount: 3, duplicate: false });
    expect(await at('d3', '192.0.2.9')).toEqual({ kind: 'below-threshold', eventCount: 3, duplicate: true });
    const reached = await at('d4', '192.0.2.3');
    expect(reached).toMatchObject({ kind: 'publish', lease: { alertId: alertIdFor(key, W0) } });
    expect(rendered(reached)).toMatchObject({ eventCount: 4 });
    expect((await item(windowKey(key, W0)))?.distinctValues?.SS).toHaveLength(3);
  });

  it('escalates a more severe match once per severity level, with its own id referring to the first alert', async () => {
    now = T0;
    const key = 'R:api_key.created:user:escalate';
    const first = await claim('m1', key, { severity: 'MEDIUM' });
    await store().markSent(lease(first));
    const high = await claim('h1', key, { severity: 'HIGH' });
    expect(high).toMatchObject({ kind: 'publish', takeover: false, lease: { alertId: alertIdFor(key, W0, 'HIGH') } });
    expect(rendered(high)).toEqual({
      alertId: alertIdFor(key, W0, 'HIGH'),
      firstAlertId: alertIdFor(key, W0),
      windowStart: W0,
      windowEndsAt: W0 + HOUR,
      eventCount: 2,
      severity: 'HIGH',
      escalatedFrom: 'MEDIUM',
    });
    expect(await claim('h2', key, { severity: 'HIGH' })).toMatchObject({ kind: 'busy' });
    expect(await store().markSent(lease(first))).toBe(false); // the first alert's holder has no say over the escalation
    await store().markSent(lease(high));
    expect(await claim('h2', key, { severity: 'HIGH' })).toEqual({
      kind: 'suppressed',
      alertId: alertIdFor(key, W0, 'HIGH'),
      duplicate: false,
    });
    expect(await claim('h1', key, { severity: 'HIGH' })).toEqual({
      kind: 'suppressed',
      alertId: alertIdFor(key, W0, 'HIGH'),
      duplicate: true,
    });
    expect(await claim('m2', key, { severity: 'MEDIUM' })).toMatchObject({ kind: 'suppressed' });
    const critical = await claim('c1', key, { severity: 'CRITICAL' });
    expect(rendered(critical)).toMatchObject({
      alertId: alertIdFor(key, W0, 'CRITICAL'),
      firstAlertId: alertIdFor(key, W0),
      escalatedFrom: 'HIGH',
      eventCount: 5,
    });
    expect((await item(windowKey(key, W0)))?.escalations).toEqual({ N: '2' });
  });

  it("publishes a dead publisher's pending alert first, then claims a more severe match again to escalate", async () => {
    now = T0;
    const key = 'R:api_key.created:user:takeover-escalate';
    const crashed = await claim('x1', key, { severity: 'MEDIUM' });
    now = T0 + LEASE;
    const taken = await claim('x2', key, { severity: 'HIGH' });
    expect(taken).toMatchObject({
      kind: 'publish',
      takeover: true,
      again: true,
      lease: { alertId: lease(crashed).alertId },
    });
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '1' }); // not counted yet
    await store().markSent(lease(taken));
    expect(await claim('x2', key, { severity: 'HIGH' })).toMatchObject({
      kind: 'publish',
      takeover: false,
      lease: { alertId: alertIdFor(key, W0, 'HIGH') },
    });
  });

  it('registers pending windows per dedup key, and lets a later window take over an earlier one whose publisher is gone', async () => {
    now = T0;
    const key = 'R:api_key.created:user:outage';
    const stuck = await claim('o1', key);
    expect(await store().trackPending(lease(stuck))).toEqual([]);
    await store().release(lease(stuck)); // the publish failed for longer than the record's retries
    now = T0 + 3 * HOUR;
    const next = await claim('o2', key, { at: T0 + 3 * HOUR });
    expect(await store().trackPending(lease(next))).toEqual([W0]);
    const taken = await store().takeOver(key, W0, now + LEASE);
    expect(taken).toMatchObject({ lease: { alertId: lease(stuck).alertId, windowStart: W0, leaseUntil: now + LEASE } });
    expect(taken?.alert).toBe(stuck.kind === 'publish' ? stuck.alert : '');
    expect(await store().takeOver(key, W0, now + LEASE)).toBeUndefined(); // now held by the taker
    if (taken) expect(await store().markSent(taken.lease)).toBe(true);
    expect((await item(pendingRegisterKey(key)))?.pendingWindows?.NS).toEqual([String(W0 + 3 * HOUR)]);
    await store().markSent(lease(next));
    expect((await item(pendingRegisterKey(key)))?.pendingWindows).toBeUndefined();
  });

  it('forgets a register entry whose window is already sent', async () => {
    now = T0;
    const key = 'R:api_key.created:user:stale-entry';
    const first = await claim('s1', key);
    await store().trackPending(lease(first));
    await client.send(
      new PutItemCommand({ TableName: table, Item: { ...(await item(windowKey(key, W0))), status: { S: 'sent' } } }),
    );
    expect(await store().takeOver(key, W0, now + LEASE)).toBeUndefined();
    expect((await item(pendingRegisterKey(key)))?.pendingWindows).toBeUndefined();
  });

  it('stores an over-long dedup key under its hash', async () => {
    now = T0;
    const key = `R:api_key.created:email:${'é'.repeat(1000)}`;
    expect((await claim('long', key)).kind).toBe('publish');
    expect((await item(windowKey(key, W0)))?.pk?.S).toMatch(/^sha256:[0-9a-f]{64}#\d+$/);
  });
  it('uses the system clock by default', async () => {
    const key = 'R:api_key.created:user:system-clock';
    const before = Math.floor(Date.now() / 1000);
    const result = await new DynamoDedupStore({ client, tableName: table }).claim({
      ...input('sc1', key),
      eventTime: before - 10 * 86_400,
    });
    const after = Math.floor(Date.now() / 1000);
    const expiresAt = Number((await item(windowKey(key, lease(result).windowStart)))?.expiresAt?.N);
    expect(expiresAt).toBeGreaterThanOrEqual(before + REPLAY_HORIZON_SECONDS);
    expect(expiresAt).toBeLessThanOrEqual(after + REPLAY_HORIZON_SECONDS);
  });

  it('gives up after five conflicting writes in a row, as contention (a fault: every condition made to fail)', async () => {
    now = T0;
    const key = 'R:api_key.created:user:contention';
    let writes = 0;
    const conflicting = injectFaults(backend.client(), (command) => {
      if (command !== 'PutItemCommand' && command !== 'UpdateItemCommand') return undefined;
      writes++;
      return awsError('ConditionalCheckFailedException');
    });
    const contended = new DynamoDedupStore({ client: conflicting, tableName: table, clock: () => now });
    await expect(contended.claim(input('k1', key))).rejects.toThrow(
      new DedupContentionError(`dedup window ${windowKey(key, W0)} changed under 5 consecutive writes`),
    );
    expect(writes).toBe(5);
    const first = await claim('k2', key);
    now = T0 + LEASE;
    writes = 0;
    await expect(contended.takeOver(key, W0, now + LEASE)).rejects.toThrow(
      new DedupContentionError(`dedup window ${windowKey(key, W0)} changed under 5 consecutive writes`),
    );
    expect(writes).toBe(5);
    expect((await item(windowKey(key, W0)))?.leaseOwner).toEqual({ S: lease(first).owner });
  });

  it('lets errors other than a failed condition through, from every write', async () => {
    now = T0;
    const key = 'R:api_key.created:user:invalid';
    const refusing = (command: string) =>
      injectFaults(backend.client(), (name) => (name === command ? awsError('ValidationException') : undefined));
    await expect(
      new DynamoDedupStore({ client: refusing('PutItemCommand'), tableName: table, clock: () => now }).claim(
        input('v1', key),
      ),
    ).rejects.toThrow('injected ValidationException');
    const first = await claim('v1', key);
    await expect(
      new DynamoDedupStore({ client: refusing('UpdateItemCommand'), tableName: table, clock: () => now }).markSent(
        lease(first),
      ),
    ).rejects.toThrow('injected ValidationException');
  });

  it('returns the other pending windows of a key oldest first, and keeps its register for the replay horizon', async () => {
    now = T0 + 4 * HOUR; // every event time is in the past
    const key = 'R:api_key.created:user:register';
    for (const at of [T0 + 2 * HOUR, T0, T0 + HOUR])
      await store().trackPending(lease(await claim(`reg-${at}`, key, { at })));
    const latest = lease(await claim('reg-last', key, { at: T0 + 3 * HOUR }));
    expect(await store().trackPending(latest)).toEqual([W0, W0 + HOUR, W0 + 2 * HOUR]);
    expect((await item(pendingRegisterKey(key)))?.expiresAt).toEqual({ N: String(now + REPLAY_HORIZON_SECONDS) });
  });

  it('forgets a register entry whose window is gone, and keeps one whose window is still held', async () => {
    now = T0;
    const key = 'R:api_key.created:user:gone';
    const held = await claim('g1', key);
    await store().trackPending({ ...lease(held), windowStart: W0 + 5 * HOUR });
    await store().trackPending(lease(held));
    expect(await store().takeOver(key, W0 + 5 * HOUR, now + LEASE)).toBeUndefined();
    expect(await store().takeOver(key, W0, now + LEASE)).toBeUndefined(); // its lease is live
    expect(await store().markSent({ ...lease(held), owner: 'not-the-holder' })).toBe(false);
    expect((await item(pendingRegisterKey(key)))?.pendingWindows?.NS).toEqual([String(W0)]);
  });

  it('lets exactly one of many takers publish another window, even when one gets in between the read and the write', async () => {
    now = T0;
    const key = 'R:api_key.created:user:take-race';
    await claim('t1', key);
    now = T0 + LEASE;
    const racing = backend.client();
    let raced = false;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand' && !raced) {
          raced = true;
          expect(await store().takeOver(key, W0, now + LEASE)).toBeDefined(); // another taker, between our read and our write
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceTakeOver' },
    );
    expect(
      await new DynamoDedupStore({ client: racing, tableName: table, clock: () => now }).takeOver(key, W0, now + LEASE),
    ).toBeUndefined();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(`t-${i}`, `${key}-many`)));
    now = T0 + 2 * LEASE;
    expect(results.filter((r) => r.kind === 'publish')).toHaveLength(1);
    const takers = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(`t-${i}`, `${key}-many`)));
    expect(takers.filter((r) => r.kind === 'publish')).toHaveLength(1);
    expect(takers.filter((r) => r.kind === 'busy')).toHaveLength(7);
  });

  it('lets exactly one of many concurrent counts reach the threshold, counting every event', async () => {
    now = T0;
    const key = 'R:login.failed:user:count-race';
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(`c-${i}`, key, { threshold: 3 })));
    const published = results.filter((r) => r.kind === 'publish');
    expect(
      published.length +
        results.filter((r) => r.kind === 'busy').length +
        results.filter((r) => r.kind === 'below-threshold').length,
    ).toBe(8);
    expect(published).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'below-threshold')).toHaveLength(2);
  });

  it('publishes a pending window written without its alert (by hand) from what the item says, and treats an unknown item as contention', async () => {
    now = T0;
    const key = 'R:api_key.created:user:handmade';
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: windowKey(key, W0) },
          alertId: { S: 'hand' },
          firstAlertId: { S: 'hand' },
          windowStart: { N: String(W0) },
          windowEndsAt: { N: String(W0 + HOUR) },
          expiresAt: { N: String(T0 + HOUR) },
          status: { S: 'pending' },
          leaseUntil: { N: '0' },
          eventCount: { N: '1' },
        },
      }),
    );
    const taken = await claim('h1', key, { severity: 'LOW' });
    expect(taken).toMatchObject({ kind: 'publish', takeover: true, again: true, lease: { alertId: 'hand' } });
    expect(rendered(taken)).toEqual({
      alertId: 'hand',
      firstAlertId: 'hand',
      windowStart: W0,
      windowEndsAt: W0 + HOUR,
      eventCount: 1,
      severity: 'INFO',
    });
    expect(await store().takeOver(key, W0, now + LEASE)).toBeUndefined(); // held now
    now = T0 + LEASE + 1;
    expect(await store().takeOver(key, W0, now + LEASE)).toBeUndefined(); // no stored alert to publish as it was
    const odd = 'R:api_key.created:user:odd';
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: windowKey(odd, W0) }, status: { S: 'archived' }, expiresAt: { N: String(T0 + HOUR) } },
      }),
    );
    await expect(claim('o1', odd)).rejects.toThrow(DedupContentionError);
  });

  it('keeps the first 256 characters of the first event id', async () => {
    now = T0;
    const key = 'R:api_key.created:user:long-event-id';
    await claim('e'.repeat(1000), key);
    expect((await item(windowKey(key, W0)))?.firstEventId).toEqual({ S: 'e'.repeat(256) });
  });

  it('masks a key in the first event id before cutting it', async () => {
    now = T0;
    const key = 'R:api_key.created:user:key-in-event-id';
    await claim(`${'e'.repeat(240)}sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789`, key);
    expect((await item(windowKey(key, W0)))?.firstEventId).toEqual({ S: `${'e'.repeat(240)}sk-proj-…6789` });
  });
});
