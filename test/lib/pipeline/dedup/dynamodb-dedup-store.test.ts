// The dedup protocol over the wire, against dynalite and, where Java exists, the official
// DynamoDB Local: real conditional writes, real ConditionalCheckFailedException.
import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Severity } from '../../../../lib/detection/engine/severity.ts';
import { MAX_CLAIM_ATTEMPTS, REPLAY_HORIZON_SECONDS } from '../../../../lib/pipeline/dedup/constants.ts';
import {
  alertIdFor,
  pendingRegisterKey,
  shortFingerprint,
  windowKey,
} from '../../../../lib/pipeline/dedup/dedup-item.ts';
import type {
  ClaimedOutcome,
  WindowClaim,
  WindowClaimResult,
  WindowLease,
  WindowMatch,
  WindowSnapshot,
} from '../../../../lib/pipeline/dedup/dedup-store.ts';
import { DynamoDedupStore } from '../../../../lib/pipeline/dedup/dynamodb-dedup-store.ts';
import { DedupContentionError } from '../../../../lib/pipeline/dedup/errors.ts';
import { awsError, injectFaults } from '../../../reliability/harness/faults.ts';
import { createDedupTable } from '../../../support/aws-resources.ts';
import { claimOne } from '../../../support/claim-one.ts';
import { dynamoDbBackends } from '../../../support/dynamodb-backends.ts';

const HOUR = 3600;
/** A window start (a multiple of an hour), and the time events in it happen. */
const W0 = 1_699_999_200;
const T0 = W0 + 600;
const LEASE = 60;

const backends = dynamoDbBackends('the dedup protocol tests');

type Published = Extract<WindowClaimResult, { kind: 'publish' }>;
type Item = Record<string, AttributeValue>;

/** The rendered alert is the snapshot itself, so tests can see what the store asked for. */
const render = (window: WindowSnapshot): string => JSON.stringify(window);
const rendered = (result: WindowClaimResult): WindowSnapshot | undefined =>
  result.kind === 'publish' ? (JSON.parse(result.alert) as WindowSnapshot) : undefined;
const published = (result: WindowClaimResult): Published => {
  if (result.kind !== 'publish') throw new Error(`expected publish, got ${result.kind}`);
  return result;
};
const lease = (result: WindowClaimResult): WindowLease => published(result).lease;
const done = (...outcomes: Array<[number, ClaimedOutcome]>) => ({ kind: 'done', outcomes: new Map(outcomes) });
const suppressed = (alertId: string): ClaimedOutcome => ({ kind: 'suppressed', alertId });
/** A redelivery recognised after the alert. */
const duplicate: ClaimedOutcome = { kind: 'duplicate' };
/** A redelivery recognised below the threshold, with the window's count. */
const duplicateAt = (eventCount: number): ClaimedOutcome => ({ kind: 'duplicate', eventCount });
const below = (eventCount: number): ClaimedOutcome => ({ kind: 'below-threshold', eventCount });
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const match = (eventId: string, severity: Severity = 'MEDIUM', distinctValue?: string): WindowMatch => ({
  eventId,
  severity,
  ...(distinctValue === undefined ? {} : { distinctValue }),
});
/** A set of 8-byte fingerprints as stored (binary set), as hex. */
const fingerprints = (value: AttributeValue | undefined): string[] =>
  (value?.BS ?? []).map((bytes) => Buffer.from(bytes).toString('hex')).sort();
const sortedFingerprints = (texts: readonly string[]): string[] => texts.map(shortFingerprint).sort();
/** The previous layout's fingerprint: the first 32 hex characters of SHA-256. */
const legacyFingerprint = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** An item's size roughly as DynamoDB bills it: attribute names plus values. */
function itemBytes(item: Item): number {
  const valueBytes = (value: AttributeValue): number => {
    if (value.S !== undefined) return Buffer.byteLength(value.S);
    if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
    if (value.B !== undefined) return value.B.length;
    if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
    if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
    if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0);
    throw new Error(`no size for ${JSON.stringify(value)}`);
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

/** One request as the client sent it, and the error it ended with (after the SDK's retries). */
interface SentRequest {
  readonly command: string;
  readonly input: Record<string, unknown>;
  error?: string;
}

/** Records every request `client` sends, in order. */
function recordRequests(client: DynamoDBClient): SentRequest[] {
  const requests: SentRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request: SentRequest = {
        command: String(context.commandName),
        input: args.input as Record<string, unknown>,
      };
      requests.push(request);
      try {
        return await next(args);
      } catch (error) {
        request.error = error instanceof Error ? error.name : String(error);
        throw error;
      }
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return requests;
}

/**
 * Runs `action` once, just before the first `UpdateItem` `client` sends that `isIt` picks (another
 * claim getting in between this one's writes), and returns what it gave.
 */
function beforeFirstUpdate<T>(
  client: DynamoDBClient,
  isIt: (input: Record<string, unknown>) => boolean,
  action: () => Promise<T>,
): { readonly result: () => T | undefined } {
  let done = false;
  let result: T | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!done && context.commandName === 'UpdateItemCommand' && isIt(args.input as Record<string, unknown>)) {
        done = true;
        result = await action();
      }
      return next(args);
    },
    { step: 'initialize', name: 'beforeFirstUpdate' },
  );
  return { result: () => result };
}

/**
 * Loses the response of the first `UpdateItem` `isIt` picks, after DynamoDB applied it (a timeout the
 * SDK retries); returns how many such writes were sent.
 */
function loseFirstResponse(client: DynamoDBClient, isIt: (input: Record<string, unknown>) => boolean): () => number {
  let sent = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const picked = context.commandName === 'UpdateItemCommand' && isIt(args.input as Record<string, unknown>);
      if (picked) sent++;
      const response = await next(args);
      if (picked && sent === 1)
        throw Object.assign(new Error('injected: response lost'), { name: 'TimeoutError', $metadata: {} });
      return response;
    },
    { step: 'finalizeRequest', name: 'loseFirstResponse', priority: 'low' },
  );
  return () => sent;
}

const expression = (input: Record<string, unknown>, name: 'UpdateExpression' | 'ConditionExpression'): string =>
  typeof input[name] === 'string' ? input[name] : '';
/** The write that moves a counting window to pending (its first alert). */
const isMoveToPending = (input: Record<string, unknown>): boolean =>
  expression(input, 'UpdateExpression').includes('#status = :pending') &&
  expression(input, 'ConditionExpression').includes(':counting');
/** The counting write of a window still counting (or new). */
const isCountingWrite = (input: Record<string, unknown>): boolean =>
  expression(input, 'ConditionExpression').startsWith('attribute_not_exists(#status)');
/** The counting write of a window whose alert is out. */
const isSentCountingWrite = (input: Record<string, unknown>): boolean =>
  expression(input, 'ConditionExpression') === '#status = :sent AND #expiresAt > :now';
/** The count of a batch on a window another claim is publishing (no more severe than its alert). */
const isPendingCountingWrite = (input: Record<string, unknown>): boolean =>
  expression(input, 'UpdateExpression') === 'SET #expiresAt = :exp ADD #eventCount :n' &&
  expression(input, 'ConditionExpression') === '#alertId = :aid AND #status = :pending';
const isEscalation = (input: Record<string, unknown>): boolean =>
  expression(input, 'UpdateExpression').includes('#alertId = :new');
/** A take-over by a claim (it counts the batch as it takes the lease). */
const isClaimTakeOver = (input: Record<string, unknown>): boolean =>
  expression(input, 'ConditionExpression').includes('#leaseUntil <= :now') &&
  expression(input, 'UpdateExpression').includes('ADD #eventCount');
const values = (input: Record<string, unknown>): Record<string, AttributeValue> =>
  input.ExpressionAttributeValues as Record<string, AttributeValue>;

describe.each(backends)('DynamoDedupStore on $name', (backend) => {
  let now = T0;
  let client: DynamoDBClient;
  let table: string;
  const store = (on: DynamoDBClient = client) =>
    new DynamoDedupStore({ client: on, tableName: table, clock: () => now });
  interface ClaimOptions {
    threshold?: number;
    severity?: Severity;
    at?: number | undefined;
    distinct?: string;
  }
  /** One match claimed on its own window, as the pipeline claims a window holding one match of a batch. */
  const claim = (eventId: string, key: string, options: ClaimOptions = {}, s = store()) =>
    claimOne(s, {
      dedupKey: key,
      ruleId: 'R',
      eventId,
      eventTime: 'at' in options ? options.at : T0,
      windowSeconds: HOUR,
      threshold: options.threshold ?? 1,
      severity: options.severity ?? 'MEDIUM',
      leaseUntil: now + LEASE,
      now,
      render,
      ...(options.distinct === undefined ? {} : { distinctValue: options.distinct }),
    });
  /** A batch's matches of window W0, claimed together; the alert says which match it was made from. */
  const batch = (key: string, matches: readonly WindowMatch[], threshold = 1): WindowClaim => ({
    dedupKey: key,
    ruleId: 'R',
    windowStart: W0,
    windowEndsAt: W0 + HOUR,
    threshold,
    distinct: matches.some((m) => m.distinctValue !== undefined),
    matches,
    leaseUntil: now + LEASE,
    render: (window, index) => JSON.stringify({ ...window, eventId: matches[index]?.eventId }),
  });
  /** The rest of a batch, claimed again once the alert it came back from is out (as the pipeline does). */
  const claimRest = (claimed: WindowClaim, result: Published, s = store()) =>
    s.claimWindow(
      batch(
        claimed.dedupKey,
        result.rest.map((index) => claimed.matches[index] as WindowMatch),
        claimed.threshold,
      ),
      result.sent,
    );
  const item = async (pk: string) =>
    (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
  const put = (value: Item) => client.send(new PutItemCommand({ TableName: table, Item: value }));

  beforeAll(async () => {
    client = backend.client();
    table = await createDedupTable(client);
  });

  it('opens a window by event time, publishes once, then counts further matches: a redelivered counted event is a duplicate, the others are suppressed (counted again all the same: the documented error)', async () => {
    now = T0 + 5 * HOUR; // processed hours later: the window is the event's
    const key = 'R:api_key.created:user:first';
    const first = await claim('e1', key);
    expect(first).toEqual({
      kind: 'publish',
      alert: expect.any(String) as string,
      takeover: false,
      lease: {
        dedupKey: key,
        windowStart: W0,
        alertId: alertIdFor(key, W0),
        owner: expect.any(String) as string,
        leaseUntil: now + LEASE,
      },
      outcomes: new Map([[0, { kind: 'alerted' }]]),
      rest: [],
      sent: {
        alertId: alertIdFor(key, W0),
        firstAlertId: alertIdFor(key, W0),
        severity: 'MEDIUM',
        eventCount: 1,
        seen: [shortFingerprint('e1')],
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
      alertId: { S: alertIdFor(key, W0) },
      firstAlertId: { S: alertIdFor(key, W0) },
      leaseUntil: { N: String(now + LEASE) },
      leaseOwner: { S: lease(first).owner },
      windowStart: { N: String(W0) },
      windowEndsAt: { N: String(W0 + HOUR) },
      firstEventId: { S: 'e1' },
      eventCount: { N: '1' },
      ruleId: { S: 'R' },
      severity: { S: 'MEDIUM' },
      escalations: { N: '0' },
      expiresAt: { N: String(now + REPLAY_HORIZON_SECONDS) },
    });
    expect(stored?.alert?.B).toBeDefined();
    // Once pending, the window keeps the events it counted (to recognise their redeliveries), not the severities.
    expect(fingerprints(stored?.seen)).toEqual(sortedFingerprints(['e1']));
    expect(stored?.severities).toBeUndefined();

    const opened = now;
    now += 5;
    const alertId = alertIdFor(key, W0);
    // While it is published, a more severe match waits (to escalate it), and is not counted...
    expect(await claim('e2', key, { severity: 'HIGH' })).toEqual({
      kind: 'busy',
      alertId,
      retryAfterSeconds: LEASE - 5,
    });
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '1' });
    // ...while one no more severe is counted and suppressed by the alert being published, which is left as it was.
    expect(await claim('e2', key)).toEqual(done([0, suppressed(alertId)]));
    expect(await item(windowKey(key, W0))).toEqual({
      ...stored,
      eventCount: { N: '2' },
      expiresAt: { N: String(now + REPLAY_HORIZON_SECONDS) },
    });
    expect(await store().markSent(lease(first))).toBe(true);
    const sent = await item(windowKey(key, W0));
    expect(sent?.status).toEqual({ S: 'sent' });
    expect(sent?.leaseUntil).toBeUndefined();
    expect(sent?.leaseOwner).toBeUndefined();
    expect(sent?.alert).toBeUndefined(); // the stored alert is dropped once out: later writes stay small

    expect(await claim('e2', key)).toEqual(done([0, suppressed(alertId)]));
    // An event first matched after the alert is not remembered: its redelivery is suppressed again.
    expect(await claim('e2', key)).toEqual(done([0, suppressed(alertId)]));
    // The event the alert was made from is remembered: its redelivery is a duplicate, and no alert.
    expect(await claim('e1', key)).toEqual(done([0, duplicate]));
    expect(await claim('e3', key, { severity: 'LOW' })).toEqual(done([0, suppressed(alertId)]));
    // Every one of them is counted by the write for sent windows, redeliveries too (the documented error):
    // e1, e2 while pending, then e2, e2, e1, e3.
    const counted = await item(windowKey(key, W0));
    expect(counted?.eventCount).toEqual({ N: '6' });
    expect(fingerprints(counted?.seen)).toEqual(sortedFingerprints(['e1']));
    expect(counted?.status).toEqual({ S: 'sent' });
    expect(Number(counted?.expiresAt?.N)).toBe(now + REPLAY_HORIZON_SECONDS);
    expect(Number(counted?.expiresAt?.N)).toBeGreaterThan(opened + REPLAY_HORIZON_SECONDS);
  });

  it('in a sent window of a threshold-1 rule, takes a redelivery of the event that made the alert as a duplicate: no publish', async () => {
    now = T0;
    const key = 'R:api_key.created:user:redelivered-alerter';
    const recorded = backend.client();
    const requests = recordRequests(recorded);
    const warm = store(recorded);
    const first = published(await warm.claimWindow(batch(key, [match('a1', 'HIGH')])));
    expect(first.outcomes).toEqual(new Map([[0, { kind: 'alerted' }]]));
    expect(await warm.markSent(first.lease)).toBe(true);

    requests.length = 0;
    expect(await warm.claimWindow(batch(key, [match('a1', 'HIGH')]))).toEqual(done([0, duplicate]));
    // Alone, or in a batch with a new event (suppressed): one write, the count; no move, no escalation.
    expect(await warm.claimWindow(batch(key, [match('a2', 'HIGH'), match('a1', 'HIGH')]))).toEqual(
      done([0, suppressed(alertIdFor(key, W0))], [1, duplicate]),
    );
    expect(requests.map((r) => [r.command, r.error])).toEqual([
      ['UpdateItemCommand', undefined],
      ['UpdateItemCommand', undefined],
    ]);
    expect(requests.every((r) => isSentCountingWrite(r.input))).toBe(true);
    // A cold function, which tries the counting write first, finds it the same.
    expect(await store().claimWindow(batch(key, [match('a1', 'HIGH')]))).toEqual(done([0, duplicate]));
    expect(await item(windowKey(key, W0))).toMatchObject({
      status: { S: 'sent' },
      alertId: { S: alertIdFor(key, W0) },
      escalations: { N: '0' },
      eventCount: { N: '5' }, // a1, then a1, a2, a1, a1: redeliveries counted again (the documented error)
    });
    expect(fingerprints((await item(windowKey(key, W0)))?.seen)).toEqual(sortedFingerprints(['a1']));
  });

  it('keeps windows apart by event time, in any arrival order, and replays find their window', async () => {
    now = T0 + 30 * HOUR;
    const key = 'R:api_key.created:user:backfill';
    const late = await claim('b2', key, { at: T0 + 2 * HOUR });
    const early = await claim('b1', key, { at: T0 });
    expect(lease(late)).toMatchObject({ alertId: alertIdFor(key, W0 + 2 * HOUR), windowStart: W0 + 2 * HOUR });
    expect(lease(early)).toMatchObject({ alertId: alertIdFor(key, W0), windowStart: W0 });
    await store().markSent(lease(late));
    await store().markSent(lease(early));
    now += 13 * 86_400; // a redrive almost two weeks later
    // Each redriven event is recognised in its own window; a new one is suppressed by its window's alert.
    expect(await claim('b1', key, { at: T0 })).toEqual(done([0, duplicate]));
    expect(await claim('b2', key, { at: T0 + 2 * HOUR })).toEqual(done([0, duplicate]));
    expect(await claim('b3', key, { at: T0 + 2 * HOUR + 10 })).toEqual(
      done([0, suppressed(alertIdFor(key, W0 + 2 * HOUR))]),
    );
  });

  it('uses processing time for an event without a time', async () => {
    now = W0 + 7 * HOUR + 1;
    const key = 'R:api_key.created:user:no-time';
    expect(lease(await claim('n1', key, { at: undefined })).windowStart).toBe(W0 + 7 * HOUR);
  });

  it('replaces a finished item past its TTL that DynamoDB has not deleted yet by a new counting window', async () => {
    const key = 'R:api_key.created:user:stale';
    const finished: Item = {
      pk: { S: windowKey(key, W0) },
      alertId: { S: 'old' },
      firstAlertId: { S: 'old' },
      ruleId: { S: 'R' },
      windowStart: { N: String(W0) },
      windowEndsAt: { N: String(W0 + HOUR) },
      expiresAt: { N: String(T0 + 100) },
      status: { S: 'sent' },
      severity: { S: 'HIGH' },
      firstEventId: { S: 'old-event' },
      eventCount: { N: '7' },
      eventIds: { SS: [legacyFingerprint('old-event')] },
    };
    await put(finished);
    now = T0 + 99;
    // Still trusted: the event its (previous layout) `eventIds` holds is a duplicate, another one is
    // suppressed by its alert, and both are counted.
    expect(await claim('old-event', key)).toEqual(done([0, duplicate]));
    expect(await claim('other-event', key)).toEqual(done([0, suppressed('old')]));
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '9' });

    await put(finished);
    now = T0 + 100;
    expect(await claim('new-event', key, { threshold: 2 })).toEqual(done([0, below(1)]));
    const { seen, ...reopened } = (await item(windowKey(key, W0))) ?? {};
    // A new item: nothing of the old one is left (no `eventIds`, `severity`, `eventCount`).
    expect(reopened).toEqual({
      pk: { S: windowKey(key, W0) },
      alertId: { S: alertIdFor(key, W0) },
      firstAlertId: { S: alertIdFor(key, W0) },
      ruleId: { S: 'R' },
      windowStart: { N: String(W0) },
      windowEndsAt: { N: String(W0 + HOUR) },
      expiresAt: { N: String(W0 + HOUR + REPLAY_HORIZON_SECONDS) },
      status: { S: 'counting' },
      escalations: { N: '0' },
      firstEventId: { S: 'new-event' },
      severities: { SS: ['MEDIUM'] },
    });
    expect(fingerprints(seen)).toEqual(sortedFingerprints(['new-event']));
    const reached = await claim('new-event-2', key, { threshold: 2 });
    expect(reached).toMatchObject({ kind: 'publish', lease: { alertId: alertIdFor(key, W0) } });
    expect(rendered(reached)).toMatchObject({ eventCount: 2 });

    // A counting window past its TTL is replaced too: what it remembered is not trusted.
    const counting = 'R:api_key.created:user:stale-counting';
    await put({
      pk: { S: windowKey(counting, W0) },
      alertId: { S: alertIdFor(counting, W0) },
      firstAlertId: { S: alertIdFor(counting, W0) },
      windowStart: { N: String(W0) },
      windowEndsAt: { N: String(W0 + HOUR) },
      expiresAt: { N: String(now) },
      status: { S: 'counting' },
      severities: { SS: ['CRITICAL'] },
      seen: { BS: [Buffer.from(shortFingerprint('x1'), 'hex'), Buffer.from(shortFingerprint('x2'), 'hex')] },
    });
    expect(await claim('x1', counting, { threshold: 3 })).toEqual(done([0, below(1)]));
    expect(fingerprints((await item(windowKey(counting, W0)))?.seen)).toEqual(sortedFingerprints(['x1']));
    expect((await item(windowKey(counting, W0)))?.severities).toEqual({ SS: ['MEDIUM'] });
  });

  it('never overwrites a pending item past its TTL: it is taken over and its stored alert published', async () => {
    now = T0;
    const key = 'R:api_key.created:user:stale-pending';
    const crashed = await claim('p1', key);
    now = T0 + HOUR + REPLAY_HORIZON_SECONDS + 10;
    const taken = await claim('p2', key);
    expect(taken).toMatchObject({ kind: 'publish', takeover: true, lease: { alertId: lease(crashed).alertId } });
    expect(rendered(taken)).toEqual(rendered(crashed));
    expect(published(taken).alert).toBe(published(crashed).alert);
    // The batch was counted by the take-over, and is claimed again once the alert is out.
    expect(published(taken).outcomes).toEqual(new Map());
    expect(published(taken).rest).toEqual([0]);
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '2' });
    expect((await item(windowKey(key, W0)))?.firstEventId).toEqual({ S: 'p1' });
  });

  it('lets a redelivery take over after a publisher crashed, keeping the alert id and its content', async () => {
    now = T0;
    const key = 'R:api_key.created:user:crash';
    const crashed = await claim('c1', key);
    now = T0 + LEASE - 1;
    // Up to the lease's last second, a more severe redelivery waits, not counted...
    expect(await claim('c1', key, { severity: 'HIGH' })).toEqual({
      kind: 'busy',
      alertId: lease(crashed).alertId,
      retryAfterSeconds: 1,
    });
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '1' });
    // ...and one no more severe is a duplicate of the event the alert was made from, counted again
    // all the same (the documented error), with no write but the count.
    expect(await claim('c1', key)).toEqual(done([0, duplicate]));
    expect(await item(windowKey(key, W0))).toMatchObject({
      status: { S: 'pending' },
      eventCount: { N: '2' },
      leaseUntil: { N: String(T0 + LEASE) },
      leaseOwner: { S: lease(crashed).owner },
    });
    now = T0 + LEASE;
    const takeover = await claim('c1', key);
    expect(takeover).toMatchObject({
      kind: 'publish',
      takeover: true,
      lease: { alertId: lease(crashed).alertId, leaseUntil: T0 + 2 * LEASE },
      rest: [0],
      sent: { alertId: lease(crashed).alertId, firstAlertId: lease(crashed).alertId, severity: 'MEDIUM' },
    });
    expect(published(takeover).alert).toBe(published(crashed).alert);
    expect(lease(takeover).owner).not.toBe(lease(crashed).owner);
    expect((await item(windowKey(key, W0)))?.leaseUntil).toEqual({ N: String(T0 + 2 * LEASE) });
    // The take-over counts its batch without looking at `seen`: the redelivery is counted again.
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '3' });
    expect(published(takeover).sent.eventCount).toBe(3);
    // The old holder cannot mark sent or release under the new lease; a stale alert id cannot either.
    expect(await store().markSent(lease(crashed))).toBe(false);
    await store().release(lease(crashed));
    expect((await item(windowKey(key, W0)))?.leaseUntil).toEqual({ N: String(T0 + 2 * LEASE) });
    expect(await store().markSent({ ...lease(takeover), alertId: 'not-this-alert' })).toBe(false);
    expect(await store().markSent(lease(takeover))).toBe(true);
    // The rest of the batch (the redelivery itself), claimed from what the alert says (`sent`, which
    // carries the window's `seen`), is a duplicate, without another write...
    const again = await store().claimWindow(batch(key, [match('c1')]), published(takeover).sent);
    expect(again).toEqual(done([0, duplicate]));
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '3' });
    // ...while the window remembers c1, so the same event claimed afresh is a duplicate (and counted).
    expect(fingerprints((await item(windowKey(key, W0)))?.seen)).toEqual(sortedFingerprints(['c1']));
    expect(await claim('c1', key)).toEqual(done([0, duplicate]));
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '4' });
  });

  it('carries on when its own write was applied but the response was lost (SDK retry, then its own lease)', async () => {
    now = T0;
    const key = 'R:api_key.created:user:lost-response';
    const lossy = backend.client();
    const moves = loseFirstResponse(lossy, isMoveToPending);
    const result = await store(lossy).claimWindow(batch(key, [match('l1')]));
    expect(result).toMatchObject({ kind: 'publish', takeover: false, lease: { alertId: alertIdFor(key, W0) } });
    expect(rendered(result)?.eventCount).toBe(1);
    expect(moves()).toBe(2); // the first move was applied but its response lost; the SDK's retry hit the condition
    // Every match has its outcome, or is left to claim once the alert is out.
    const { outcomes, rest } = published(result);
    expect([...outcomes.keys(), ...rest].sort()).toEqual([0]);
    // Anyone else still finds the lease live: a more severe match waits for it, one no more severe is
    // counted and suppressed by it.
    expect(await claim('l2', key, { severity: 'HIGH' })).toEqual({
      kind: 'busy',
      alertId: alertIdFor(key, W0),
      retryAfterSeconds: LEASE,
    });
    expect(await claim('l2', key)).toEqual(done([0, suppressed(alertIdFor(key, W0))]));
    expect(await item(windowKey(key, W0))).toMatchObject({
      status: { S: 'pending' },
      leaseOwner: { S: lease(result).owner },
      eventCount: { N: '2' },
    });
    expect(await store().markSent(lease(result))).toBe(true);

    // The counting write's response lost: the SDK's retry counts the batch again, which the window
    // recognises (a set of fingerprints), and the claim still publishes, once.
    const counted = 'R:api_key.created:user:lost-counting-response';
    const lossyCount = backend.client();
    const counts = loseFirstResponse(lossyCount, isCountingWrite);
    const reached = await store(lossyCount).claimWindow(batch(counted, [match('lc1')]));
    expect(counts()).toBe(2);
    expect(reached).toMatchObject({ kind: 'publish', takeover: false, lease: { alertId: alertIdFor(counted, W0) } });
    expect(rendered(reached)?.eventCount).toBe(1);
    expect((await item(windowKey(counted, W0)))?.eventCount).toEqual({ N: '1' });
  });

  it('makes a released window available at once, same alert id and content, and counts a new event taking over', async () => {
    now = T0;
    const key = 'R:api_key.created:user:release';
    const first = await claim('r1', key);
    await store().release({ ...lease(first), owner: 'someone-else' }); // not the holder: no effect
    // The lease is still live: a more severe match waits, one no more severe is counted and suppressed.
    expect(await claim('r2', key, { severity: 'HIGH' })).toEqual({
      kind: 'busy',
      alertId: alertIdFor(key, W0),
      retryAfterSeconds: LEASE,
    });
    expect(await claim('r0', key)).toEqual(done([0, suppressed(alertIdFor(key, W0))]));
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '2' });
    await store().release(lease(first));
    expect((await item(windowKey(key, W0)))?.leaseUntil).toEqual({ N: '0' });
    const second = await claim('r2', key);
    expect(second).toMatchObject({
      kind: 'publish',
      takeover: true,
      lease: { alertId: alertIdFor(key, W0) },
      rest: [0],
    });
    expect(rendered(second)).toEqual(rendered(first));
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '3' }); // r1, r0, then r2 by the take-over
  });

  // A window another claim is publishing (its lease live).

  it('counts a batch no more severe than a window another claim is publishing with one conditional write more, suppressed by that alert; a more severe one waits, not counted', async () => {
    now = T0;
    const key = 'R:api_key.created:user:count-while-pending';
    const alertId = alertIdFor(key, W0);
    const holder = published(await store().claimWindow(batch(key, [match('p1', 'HIGH')])));
    const before = (await item(windowKey(key, W0))) as Item;
    expect(before).toMatchObject({ status: { S: 'pending' }, eventCount: { N: '1' }, severity: { S: 'HIGH' } });
    const recorded = backend.client();
    const requests = recordRequests(recorded);
    now = T0 + 10;

    // No match more severe than the HIGH alert: its counting writes fail (the window is pending), it
    // reads the window, and counts the whole batch there, conditioned on the alert: no publish.
    const matches = [match('p1', 'LOW'), match('x1', 'HIGH'), match('x2', 'MEDIUM'), match('x1', 'INFO')];
    expect(await store(recorded).claimWindow(batch(key, matches))).toEqual(
      done([0, duplicate], [1, suppressed(alertId)], [2, suppressed(alertId)], [3, suppressed(alertId)]),
    );
    expect(requests.map((r) => [r.command, r.error])).toEqual([
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['GetItemCommand', undefined],
      ['UpdateItemCommand', undefined],
    ]);
    expect(isCountingWrite(requests[0]?.input ?? {})).toBe(true);
    expect(isSentCountingWrite(requests[1]?.input ?? {})).toBe(true);
    expect(isPendingCountingWrite(requests[3]?.input ?? {})).toBe(true);
    expect(values(requests[3]?.input ?? {})).toMatchObject({
      ':n': { N: '4' },
      ':aid': { S: alertId },
      ':pending': { S: 'pending' },
    });
    // Only the count changed: the holder's lease, alert and what the window remembers are as they were.
    expect(await item(windowKey(key, W0))).toEqual({ ...before, eventCount: { N: '5' } });

    // One more severe match in the batch: it waits for the alert, with no write past the failed ones.
    requests.length = 0;
    expect(await store(recorded).claimWindow(batch(key, [match('x3'), match('x4', 'CRITICAL')]))).toEqual({
      kind: 'busy',
      alertId,
      retryAfterSeconds: LEASE - 10,
    });
    expect(requests.map((r) => [r.command, r.error])).toEqual([
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['GetItemCommand', undefined],
    ]);
    expect(await item(windowKey(key, W0))).toEqual({ ...before, eventCount: { N: '5' } });

    // Once the alert is out, the same batch is counted again (the documented error), the same outcomes.
    expect(await store().markSent(holder.lease)).toBe(true);
    expect(await store().claimWindow(batch(key, matches))).toEqual(
      done([0, duplicate], [1, suppressed(alertId)], [2, suppressed(alertId)], [3, suppressed(alertId)]),
    );
    expect(await item(windowKey(key, W0))).toMatchObject({ status: { S: 'sent' }, eventCount: { N: '9' } });

    // The same on a window of distinct values: every match counted, none remembered.
    const distinct = 'R:login.failed:user:count-while-pending-distinct';
    const distinctId = alertIdFor(distinct, W0);
    const reached = await store().claimWindow(
      batch(distinct, [match('v1', 'LOW', '192.0.2.1'), match('v2', 'LOW', '192.0.2.2')], 2),
    );
    expect(reached).toMatchObject({ kind: 'publish', sent: { eventCount: 2, severity: 'LOW' } });
    expect(
      await store().claimWindow(
        batch(distinct, [match('v3', 'INFO', '192.0.2.3'), match('v4', 'LOW', '192.0.2.1')], 2),
      ),
    ).toEqual(done([0, suppressed(distinctId)], [1, suppressed(distinctId)]));
    const distinctPending = await item(windowKey(distinct, W0));
    expect(distinctPending).toMatchObject({ status: { S: 'pending' }, eventCount: { N: '4' } });
    expect(distinctPending?.values).toBeUndefined();
  });

  it('writes nothing more for a batch counted while the window was counting, when another claim moved it to pending first', async () => {
    now = T0;
    const key = 'R:login.failed:user:counted-before-move';
    const alertId = alertIdFor(key, W0);
    expect(await store().claimWindow(batch(key, [match('x1')], 2))).toEqual(done([0, below(1)]));
    // This claim counts its batch, which reaches the threshold; between that write and its move to
    // pending, another claim counts its own and moves the window first.
    const racing = backend.client();
    const requests = recordRequests(racing);
    const other = beforeFirstUpdate(racing, isMoveToPending, () =>
      store().claimWindow(batch(key, [match('b1', 'HIGH')], 2)),
    );
    const result = await store(racing).claimWindow(batch(key, [match('a1', 'LOW'), match('a2')], 2));
    expect(other.result()).toMatchObject({
      kind: 'publish',
      lease: { alertId },
      outcomes: new Map([[0, { kind: 'alerted' }]]),
      sent: { severity: 'HIGH', eventCount: 4 },
    });
    // Its events are in the other claim's alert: duplicates, and no write to count them again.
    expect(result).toEqual(done([0, duplicate], [1, duplicate]));
    expect(requests.map((r) => [r.command, r.error])).toEqual([
      ['UpdateItemCommand', undefined],
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['GetItemCommand', undefined],
    ]);
    expect(isCountingWrite(requests[0]?.input ?? {})).toBe(true);
    expect(isMoveToPending(requests[1]?.input ?? {})).toBe(true);
    expect(requests.some((r) => isPendingCountingWrite(r.input))).toBe(false);
    const pending = await item(windowKey(key, W0));
    expect(pending).toMatchObject({ status: { S: 'pending' }, eventCount: { N: '4' } }); // x1, a1, a2, b1
    expect(fingerprints(pending?.seen)).toEqual(sortedFingerprints(['x1', 'a1', 'a2', 'b1']));
  });

  it.each([
    ['moved it to pending', false],
    ['moved it to pending and sent it', true],
  ])('counts what the window did not store of a batch counted before another claim %s', async (_, sendFirst) => {
    now = T0;
    const key = `R:login.failed:user:beyond-stored${sendFirst ? '-sent' : ''}`;
    expect(await store().claimWindow(batch(key, [match('x1')], 2))).toEqual(done([0, below(1)]));
    // Threshold 2: this claim's counting write stores a1 and a2 only (enough to reach it); another
    // claim counts b1 and moves the window before this one does, and may publish it and mark it
    // sent too: read again, the window is pending or sent, and a3 and a4 were never counted.
    const racing = backend.client();
    const requests = recordRequests(racing);
    const other = beforeFirstUpdate(racing, isMoveToPending, async () => {
      const claimed = published(await store().claimWindow(batch(key, [match('b1')], 2)));
      if (sendFirst) await store().markSent(claimed.lease);
      return claimed;
    });
    const result = await store(racing).claimWindow(
      batch(key, [match('a1'), match('a2'), match('a3'), match('a4'), match('a3')], 2),
    );
    expect(other.result()).toMatchObject({ kind: 'publish', sent: { eventCount: 4 } });
    expect(result).toEqual(
      done(
        [0, duplicate],
        [1, duplicate],
        [2, suppressed(alertIdFor(key, W0))],
        [3, suppressed(alertIdFor(key, W0))],
        [4, suppressed(alertIdFor(key, W0))],
      ),
    );
    // a3 and a4, never stored, are counted once, in the pending or the sent window: x1, a1-a4, b1.
    expect(requests.filter((r) => isPendingCountingWrite(r.input)).map((r) => r.error)).toEqual(
      sendFirst ? [] : [undefined],
    );
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '6' });
  });

  it('adds nothing more for a distinct-values batch in the same race: its counting write counted every match', async () => {
    now = T0;
    const key = 'R:login.failed:user:beyond-stored-sent-distinct';
    expect(await store().claimWindow(batch(key, [match('x1', 'LOW', '192.0.2.1')], 2))).toEqual(done([0, below(1)]));
    const racing = backend.client();
    beforeFirstUpdate(racing, isMoveToPending, async () => {
      const sent = published(await store().claimWindow(batch(key, [match('b1', 'LOW', '192.0.2.5')], 2)));
      await store().markSent(sent.lease);
    });
    const result = await store(racing).claimWindow(
      batch(
        key,
        [match('a1', 'LOW', '192.0.2.2'), match('a2', 'LOW', '192.0.2.3'), match('a3', 'LOW', '192.0.2.4')],
        2,
      ),
    );
    expect(result.kind).toBe('done');
    // x1, a1-a3 (all counted by the counting write of a distinct-values window), b1.
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '5' });
  });

  it('counts a batch once when the window it would count while pending is marked sent before its write: read again, counted by the write for sent windows', async () => {
    now = T0;
    const key = 'R:api_key.created:user:sent-before-pending-count';
    const alertId = alertIdFor(key, W0);
    const holder = published(await store().claimWindow(batch(key, [match('s1')])));
    const recorded = backend.client();
    const requests = recordRequests(recorded);
    // Between this claim's read and its write.
    const marked = beforeFirstUpdate(recorded, isPendingCountingWrite, () => store().markSent(holder.lease));
    now = T0 + 5;
    const result = await store(recorded).claimWindow(batch(key, [match('s1', 'LOW'), match('s2'), match('s3')]));
    expect(marked.result()).toBe(true);
    expect(result).toEqual(done([0, duplicate], [1, suppressed(alertId)], [2, suppressed(alertId)]));
    expect(requests.map((r) => [r.command, r.error])).toEqual([
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['GetItemCommand', undefined],
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['GetItemCommand', undefined],
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['UpdateItemCommand', undefined],
    ]);
    expect(isPendingCountingWrite(requests[3]?.input ?? {})).toBe(true);
    expect(isCountingWrite(requests[5]?.input ?? {})).toBe(true);
    expect(isSentCountingWrite(requests[6]?.input ?? {})).toBe(true);
    // Counted once, by the write for sent windows: 1 + 3.
    expect(await item(windowKey(key, W0))).toMatchObject({
      status: { S: 'sent' },
      alertId: { S: alertId },
      eventCount: { N: '4' },
      escalations: { N: '0' },
    });
  });

  it('lets exactly one of many concurrent claims publish; the others are counted once each, and a more severe one waits', async () => {
    now = T0;
    const key = 'R:api_key.created:user:race';
    const alertId = alertIdFor(key, W0);
    const ids = Array.from({ length: 12 }, (_, i) => `race-${i}`);
    const results = await Promise.all(ids.map((id) => claim(id, key)));
    const publishers = results.filter((r) => r.kind === 'publish');
    expect(publishers).toHaveLength(1);
    const publisher = published(publishers[0] as WindowClaimResult);
    expect(results.filter((r) => r.kind === 'done')).toHaveLength(11);
    // The alert counted every event counted before its move to pending: those are its duplicates. The
    // others, counted on the pending window, are suppressed by it.
    const pending = await item(windowKey(key, W0));
    const remembered = fingerprints(pending?.seen);
    expect(remembered).toHaveLength(publisher.sent.eventCount);
    expect(remembered).toContain(shortFingerprint(ids[results.indexOf(publisher)] as string));
    results.forEach((result, i) => {
      if (result === publisher) return;
      expect(result).toEqual(
        done([0, remembered.includes(shortFingerprint(ids[i] as string)) ? duplicate : suppressed(alertId)]),
      );
    });
    // Every event is counted exactly once: by the alert, or on the pending window.
    expect(pending).toMatchObject({ status: { S: 'pending' }, eventCount: { N: '12' } });

    // More severe matches wait for the alert, all of them, not counted.
    const severe = await Promise.all(range(0, 4).map((i) => claim(`race-high-${i}`, key, { severity: 'HIGH' })));
    expect(severe).toEqual(Array(4).fill({ kind: 'busy', alertId, retryAfterSeconds: LEASE }));
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '12' });
  });

  it('counts below the threshold, keeps the highest severity, and publishes when the threshold is reached', async () => {
    now = T0;
    const key = 'R:login.failed:user:threshold';
    expect(await claim('t1', key, { threshold: 3 })).toEqual(done([0, below(1)]));
    expect(await claim('t1', key, { threshold: 3 })).toEqual(done([0, duplicateAt(1)]));
    expect(await claim('t2', key, { threshold: 3, severity: 'HIGH' })).toEqual(done([0, below(2)]));
    const counting = await item(windowKey(key, W0));
    expect(counting).toMatchObject({
      status: { S: 'counting' },
      alertId: { S: alertIdFor(key, W0) },
      firstEventId: { S: 't1' },
      escalations: { N: '0' },
    });
    // The count is what the window remembers: 8-byte fingerprints, and the severities it counted.
    expect(fingerprints(counting?.seen)).toEqual(sortedFingerprints(['t1', 't2']));
    expect(counting?.seen?.BS?.every((fingerprint) => fingerprint.length === 8)).toBe(true);
    expect(new Set(counting?.severities?.SS)).toEqual(new Set(['MEDIUM', 'HIGH']));
    expect(counting?.eventCount).toBeUndefined();
    expect(counting?.severity).toBeUndefined();
    const reached = await claim('t3', key, { threshold: 3, severity: 'LOW' });
    expect(reached).toMatchObject({
      kind: 'publish',
      takeover: false,
      lease: { alertId: alertIdFor(key, W0) },
      outcomes: new Map([[0, { kind: 'alerted' }]]),
      rest: [],
      sent: { severity: 'HIGH', eventCount: 3 },
    });
    expect(rendered(reached)).toMatchObject({ eventCount: 3, severity: 'HIGH' });
    const pending = await item(windowKey(key, W0));
    expect(pending).toMatchObject({ status: { S: 'pending' }, severity: { S: 'HIGH' }, eventCount: { N: '3' } });
    // Pending, it keeps the events it counted (8 bytes each), and drops the severities.
    expect(fingerprints(pending?.seen)).toEqual(sortedFingerprints(['t1', 't2', 't3']));
    expect(pending?.seen?.BS?.every((fingerprint) => fingerprint.length === 8)).toBe(true);
    expect(pending?.severities).toBeUndefined();
  });

  it('counts distinct values toward the threshold for rules with unique(), every match toward the event count', async () => {
    now = T0;
    const key = 'R:login.failed:user:distinct';
    const at = (eventId: string, ip: string) => claim(eventId, key, { threshold: 3, distinct: ip });
    expect(await at('d1', '192.0.2.1')).toEqual(done([0, below(1)]));
    expect(await at('d2', '192.0.2.1')).toEqual(done([0, below(2)]));
    expect(await at('d3', '192.0.2.2')).toEqual(done([0, below(3)]));
    const counting = await item(windowKey(key, W0));
    expect(fingerprints(counting?.values)).toEqual(sortedFingerprints(['192.0.2.1', '192.0.2.2']));
    expect(counting?.values?.BS?.every((fingerprint) => fingerprint.length === 8)).toBe(true);
    expect(counting?.eventCount).toEqual({ N: '3' });
    expect(counting?.seen).toBeUndefined(); // such a window remembers values, not events
    // A redelivery counts toward the event count, never toward the distinct values.
    expect(await at('d3', '192.0.2.2')).toEqual(done([0, below(4)]));
    const reached = await at('d4', '192.0.2.3');
    expect(reached).toMatchObject({ kind: 'publish', lease: { alertId: alertIdFor(key, W0) } });
    expect(rendered(reached)).toMatchObject({ eventCount: 5 });
    const pending = await item(windowKey(key, W0));
    expect(pending?.values).toBeUndefined();
    expect(pending?.eventCount).toEqual({ N: '5' });
  });

  it('escalates a more severe match once per severity level, with its own id referring to the first alert', async () => {
    now = T0;
    const key = 'R:api_key.created:user:escalate';
    const first = await claim('m1', key, { severity: 'MEDIUM' });
    await store().markSent(lease(first));
    const high = await claim('h1', key, { severity: 'HIGH' });
    expect(high).toMatchObject({
      kind: 'publish',
      takeover: false,
      lease: { alertId: alertIdFor(key, W0, 'HIGH') },
      outcomes: new Map([[0, { kind: 'alerted' }]]),
      rest: [],
      sent: {
        alertId: alertIdFor(key, W0, 'HIGH'),
        firstAlertId: alertIdFor(key, W0),
        severity: 'HIGH',
        eventCount: 2,
      },
    });
    expect(rendered(high)).toEqual({
      alertId: alertIdFor(key, W0, 'HIGH'),
      firstAlertId: alertIdFor(key, W0),
      windowStart: W0,
      windowEndsAt: W0 + HOUR,
      eventCount: 2,
      severity: 'HIGH',
      escalatedFrom: 'MEDIUM',
    });
    const highId = alertIdFor(key, W0, 'HIGH');
    // While the escalation is published, a more severe match waits (not counted); one no more severe
    // than the escalation is counted and suppressed by it.
    expect(await claim('c0', key, { severity: 'CRITICAL' })).toEqual({
      kind: 'busy',
      alertId: highId,
      retryAfterSeconds: LEASE,
    });
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '2' });
    expect(await claim('h2', key, { severity: 'HIGH' })).toEqual(done([0, suppressed(highId)]));
    expect(await item(windowKey(key, W0))).toMatchObject({
      status: { S: 'pending' },
      alertId: { S: highId },
      eventCount: { N: '3' },
    });
    expect(await store().markSent(lease(first))).toBe(false); // the first alert's holder has no say over the escalation
    await store().markSent(lease(high));
    expect(await claim('h2', key, { severity: 'HIGH' })).toEqual(done([0, suppressed(highId)]));
    expect(await claim('h1', key, { severity: 'HIGH' })).toEqual(done([0, suppressed(highId)]));
    expect(await claim('m2', key, { severity: 'MEDIUM' })).toEqual(done([0, suppressed(highId)]));
    const critical = await claim('c1', key, { severity: 'CRITICAL' });
    expect(rendered(critical)).toMatchObject({
      alertId: alertIdFor(key, W0, 'CRITICAL'),
      firstAlertId: alertIdFor(key, W0),
      escalatedFrom: 'HIGH',
      eventCount: 7, // m1, h1, h2 (while pending), then h2 again, h1 (again), m2, c1
    });
    const stored = await item(windowKey(key, W0));
    expect(stored).toMatchObject({
      escalations: { N: '2' },
      alertId: { S: alertIdFor(key, W0, 'CRITICAL') },
      firstAlertId: { S: alertIdFor(key, W0) },
      severity: { S: 'CRITICAL' },
      status: { S: 'pending' },
      eventCount: { N: '7' },
    });
  });

  it("publishes a dead publisher's pending alert first, then claims a more severe match again to escalate", async () => {
    now = T0;
    const key = 'R:api_key.created:user:takeover-escalate';
    const crashed = await claim('x1', key, { severity: 'MEDIUM' });
    now = T0 + LEASE;
    const input = batch(key, [match('x2', 'HIGH')]);
    const taken = published(await store().claimWindow(input));
    expect(taken).toMatchObject({
      kind: 'publish',
      takeover: true,
      lease: { alertId: lease(crashed).alertId },
      outcomes: new Map(),
      rest: [0],
      // The take-over counted the batch: what claiming the rest starts from says so.
      sent: {
        alertId: lease(crashed).alertId,
        firstAlertId: lease(crashed).alertId,
        severity: 'MEDIUM',
        eventCount: 2,
      },
    });
    expect(taken.alert).toBe(published(crashed).alert);
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '2' }); // counted by the take-over
    await store().markSent(taken.lease);
    const escalated = await claimRest(input, taken);
    expect(escalated).toMatchObject({
      kind: 'publish',
      takeover: false,
      lease: { alertId: alertIdFor(key, W0, 'HIGH') },
      outcomes: new Map([[0, { kind: 'alerted' }]]),
      rest: [],
    });
    expect(rendered(escalated)).toMatchObject({
      alertId: alertIdFor(key, W0, 'HIGH'),
      firstAlertId: lease(crashed).alertId,
      severity: 'HIGH',
      escalatedFrom: 'MEDIUM',
      eventId: 'x2',
      eventCount: 2,
    });
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '2' }); // not counted twice
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
    expect(taken?.alert).toBe(published(stuck).alert);
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
    await put({ ...(await item(windowKey(key, W0))), status: { S: 'sent' } });
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
    const result = await claimOne(new DynamoDedupStore({ client, tableName: table }), {
      dedupKey: key,
      ruleId: 'R',
      eventId: 'sc1',
      eventTime: before - 10 * 86_400,
      windowSeconds: HOUR,
      threshold: 1,
      severity: 'MEDIUM',
      leaseUntil: before + LEASE,
      now: before,
      render,
    });
    const after = Math.floor(Date.now() / 1000);
    const expiresAt = Number((await item(windowKey(key, lease(result).windowStart)))?.expiresAt?.N);
    expect(expiresAt).toBeGreaterThanOrEqual(before + REPLAY_HORIZON_SECONDS);
    expect(expiresAt).toBeLessThanOrEqual(after + REPLAY_HORIZON_SECONDS);
  });

  it('gives up after five conflicting rounds in a row, as contention (a fault: every condition made to fail)', async () => {
    now = T0;
    const key = 'R:api_key.created:user:contention';
    const contention = new DedupContentionError(
      `dedup window ${windowKey(key, W0)} changed under 5 consecutive writes`,
    );
    let writes = 0;
    const conflicting = injectFaults(backend.client(), (command) => {
      if (command !== 'PutItemCommand' && command !== 'UpdateItemCommand') return undefined;
      writes++;
      return awsError('ConditionalCheckFailedException');
    });
    const contended = store(conflicting);
    await expect(contended.claimWindow(batch(key, [match('k1')]))).rejects.toThrow(contention);
    // Each round: the counting write for counting windows, then the one for sent windows.
    expect(writes).toBe(2 * MAX_CLAIM_ATTEMPTS);
    const first = await claim('k2', key);
    now = T0 + LEASE;
    writes = 0;
    await expect(contended.takeOver(key, W0, now + LEASE)).rejects.toThrow(contention);
    expect(writes).toBe(MAX_CLAIM_ATTEMPTS);
    expect((await item(windowKey(key, W0)))?.leaseOwner).toEqual({ S: lease(first).owner });

    // The move to pending failing its condition every time: counted once, then five moves.
    const moving = 'R:api_key.created:user:contention-move';
    const requests: string[] = [];
    const refusedMoves = injectFaults(backend.client(), (command, input) => {
      if (command === 'UpdateItemCommand') requests.push(isMoveToPending(input) ? 'move' : 'count');
      return command === 'UpdateItemCommand' && isMoveToPending(input)
        ? awsError('ConditionalCheckFailedException')
        : undefined;
    });
    await expect(store(refusedMoves).claimWindow(batch(moving, [match('k3')]))).rejects.toThrow(
      new DedupContentionError(`dedup window ${windowKey(moving, W0)} changed under 5 consecutive writes`),
    );
    expect(requests).toEqual(['count', ...Array<string>(MAX_CLAIM_ATTEMPTS).fill('move')]);
    expect((await item(windowKey(moving, W0)))?.status).toEqual({ S: 'counting' });
  });

  it('lets errors other than a failed condition through, from every write and read', async () => {
    now = T0;
    const key = 'R:api_key.created:user:invalid';
    type Refused = (command: string, input: Record<string, unknown>) => boolean;
    const refusing = (refused: Refused) =>
      store(
        injectFaults(backend.client(), (command, input) =>
          refused(command, input) ? awsError('ValidationException') : undefined,
        ),
      );
    const update =
      (test: (input: Record<string, unknown>) => boolean): Refused =>
      (command, input) =>
        command === 'UpdateItemCommand' && test(input);
    const rejected = 'injected ValidationException';
    // The counting write of a new window, and its move to pending.
    await expect(refusing(update(isCountingWrite)).claimWindow(batch(key, [match('v1')]))).rejects.toThrow(rejected);
    await expect(refusing(update(isMoveToPending)).claimWindow(batch(key, [match('v1')]))).rejects.toThrow(rejected);
    // A pending window is read, and taken over once its lease ended.
    const held = await store().claimWindow(batch(key, [match('v1')]));
    await expect(
      refusing((command) => command === 'GetItemCommand').claimWindow(batch(key, [match('v2')])),
    ).rejects.toThrow(rejected);
    now = T0 + LEASE;
    await expect(refusing(update(isClaimTakeOver)).claimWindow(batch(key, [match('v2')]))).rejects.toThrow(rejected);
    await expect(refusing((command) => command === 'GetItemCommand').takeOver(key, W0, now + LEASE)).rejects.toThrow(
      rejected,
    );
    await expect(
      refusing(update((input) => expression(input, 'ConditionExpression').includes('#leaseUntil <= :now'))).takeOver(
        key,
        W0,
        now + LEASE,
      ),
    ).rejects.toThrow(rejected);
    // The register, marking sent, releasing.
    await expect(
      refusing(update((input) => expression(input, 'UpdateExpression').startsWith('ADD #pendingWindows'))).trackPending(
        lease(held),
      ),
    ).rejects.toThrow(rejected);
    await expect(
      refusing(update((input) => expression(input, 'UpdateExpression').startsWith('SET #leaseUntil = :zero'))).release(
        lease(held),
      ),
    ).rejects.toThrow(rejected);
    await expect(
      refusing(update((input) => expression(input, 'UpdateExpression').startsWith('SET #status = :sent'))).markSent(
        lease(held),
      ),
    ).rejects.toThrow(rejected);
    // Dropping the register entry after marking sent may fail: the entry is only a pointer.
    await store().trackPending(lease(held));
    expect(
      await refusing(
        update((input) => expression(input, 'UpdateExpression').startsWith('DELETE #pendingWindows')),
      ).markSent(lease(held)),
    ).toBe(true);
    expect((await item(pendingRegisterKey(key)))?.pendingWindows?.NS).toEqual([String(W0)]);
    // The counting write of a sent window, and an escalation.
    await expect(refusing(update(isSentCountingWrite)).claimWindow(batch(key, [match('v3')]))).rejects.toThrow(
      rejected,
    );
    await expect(refusing(update(isEscalation)).claimWindow(batch(key, [match('v4', 'HIGH')]))).rejects.toThrow(
      rejected,
    );
    // A finished window past its TTL is replaced by a put.
    now = Number((await item(windowKey(key, W0)))?.expiresAt?.N);
    await expect(
      refusing((command) => command === 'PutItemCommand').claimWindow(batch(key, [match('v5')])),
    ).rejects.toThrow(rejected);
    expect((await item(windowKey(key, W0)))?.status).toEqual({ S: 'sent' });
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
    expect(await store(racing).takeOver(key, W0, now + LEASE)).toBeUndefined();
    const many = `${key}-many`;
    const manyId = alertIdFor(many, W0);
    const ids = range(0, 8).map((i) => `t-${i}`);
    const results = await Promise.all(ids.map((id) => claim(id, many)));
    const publishers = results.filter((r) => r.kind === 'publish');
    expect(publishers).toHaveLength(1);
    // The others are counted (before the move to pending, or on the pending window) and suppressed by
    // it, or duplicates of the events it counted.
    const remembered = fingerprints((await item(windowKey(many, W0)))?.seen);
    results.forEach((result, i) => {
      if (result.kind === 'publish') return;
      expect(result).toEqual(
        done([0, remembered.includes(shortFingerprint(ids[i] as string)) ? duplicate : suppressed(manyId)]),
      );
    });
    expect((await item(windowKey(many, W0)))?.eventCount).toEqual({ N: '8' });
    now = T0 + 2 * LEASE;
    // Redelivered, more severe, to takers at once when the lease has ended: one takes over (counting
    // its match) and publishes the stored alert; the others then find its live lease and wait.
    const takers = await Promise.all(ids.map((id) => claim(id, many, { severity: 'HIGH' })));
    const taker = published(takers.find((r) => r.kind === 'publish') as WindowClaimResult);
    expect(takers.filter((r) => r.kind === 'publish')).toHaveLength(1);
    expect(taker).toMatchObject({ takeover: true, rest: [0], lease: { alertId: manyId, leaseUntil: now + LEASE } });
    expect(taker.alert).toBe(published(publishers[0] as WindowClaimResult).alert);
    expect(takers.filter((r) => r.kind === 'busy')).toEqual(
      Array(7).fill({ kind: 'busy', alertId: manyId, retryAfterSeconds: LEASE }),
    );
    expect((await item(windowKey(many, W0)))?.eventCount).toEqual({ N: '9' });
  });

  it('lets exactly one of many concurrent counts reach the threshold, counting every event once', async () => {
    now = T0;
    const key = 'R:login.failed:user:count-race';
    const alertId = alertIdFor(key, W0);
    const ids = Array.from({ length: 8 }, (_, i) => `c-${i}`);
    const results = await Promise.all(ids.map((id) => claim(id, key, { threshold: 3 })));
    const publishers = ids.filter((_, i) => results[i]?.kind === 'publish');
    const belowThreshold = ids.filter(
      (_, i) =>
        results[i]?.kind === 'done' &&
        [...(results[i]?.outcomes.values() ?? [])].every((o) => o.kind === 'below-threshold'),
    );
    // The others found the window pending (no match is more severe than its alert): none is busy.
    const whilePending = ids.filter((id) => !publishers.includes(id) && !belowThreshold.includes(id));
    expect(results.some((r) => r.kind === 'busy')).toBe(false);
    expect(publishers).toHaveLength(1);
    expect(belowThreshold).toHaveLength(2);
    expect(whilePending).toHaveLength(5);
    const publisher = published(results[ids.indexOf(publishers[0] as string)] as WindowClaimResult);
    // The alert counted the two below the threshold, its own event, and any other whose counting
    // write came before its move to pending (`sent.eventCount` in all).
    const { eventCount } = publisher.sent;
    expect(eventCount).toBeGreaterThanOrEqual(3);
    const pending = await item(windowKey(key, W0));
    // The window remembers exactly the events counted up to its alert: those are the duplicates. An
    // event it did not count (its counting write failed on the pending window) is counted there, and
    // suppressed by the alert.
    const remembered = fingerprints(pending?.seen);
    expect(remembered).toHaveLength(eventCount);
    expect(remembered).toEqual(expect.arrayContaining(sortedFingerprints([...belowThreshold, ...publishers])));
    for (const id of whilePending)
      expect(results[ids.indexOf(id)]).toEqual(
        done([0, remembered.includes(shortFingerprint(id)) ? duplicate : suppressed(alertId)]),
      );
    expect(
      whilePending.filter((id) => remembered.includes(shortFingerprint(id))),
      `duplicates among those that found the window pending: the events the alert counted (${eventCount} counted, 3 not pending)`,
    ).toHaveLength(eventCount - 3);
    // Every event is counted exactly once, before the alert's move or on the pending window.
    expect(pending).toMatchObject({ status: { S: 'pending' }, eventCount: { N: '8' } });

    // Redelivered once the alert is out: the same outcomes, and each counted again (the documented error).
    expect(await store().markSent(publisher.lease)).toBe(true);
    const redelivered = await Promise.all(whilePending.map((id) => claim(id, key, { threshold: 3 })));
    whilePending.forEach((id, i) => expect(redelivered[i]).toEqual(results[ids.indexOf(id)]));
    const sent = await item(windowKey(key, W0));
    expect(fingerprints(sent?.seen)).toEqual(remembered);
    expect(sent).toMatchObject({ status: { S: 'sent' }, eventCount: { N: String(8 + whilePending.length) } });
  });

  it('publishes a pending window written without its alert (by hand) from what the item says, and treats an unknown item as contention', async () => {
    now = T0;
    const key = 'R:api_key.created:user:handmade';
    await put({
      pk: { S: windowKey(key, W0) },
      alertId: { S: 'hand' },
      firstAlertId: { S: 'hand' },
      windowStart: { N: String(W0) },
      windowEndsAt: { N: String(W0 + HOUR) },
      expiresAt: { N: String(T0 + HOUR) },
      status: { S: 'pending' },
      leaseUntil: { N: '0' },
      eventCount: { N: '1' },
    });
    const taken = await claim('h1', key, { severity: 'LOW' });
    expect(taken).toMatchObject({ kind: 'publish', takeover: true, rest: [0], lease: { alertId: 'hand' } });
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
    await put({ pk: { S: windowKey(odd, W0) }, status: { S: 'archived' }, expiresAt: { N: String(T0 + HOUR) } });
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

  // One counting write per window and batch.

  it('decides again when its escalation loses to another claim, counting its match once', async () => {
    now = T0;
    const key = 'R:api_key.created:user:escalation-race';
    const first = await claim('m0', key, { severity: 'MEDIUM' });
    expect(await store().markSent(lease(first))).toBe(true);
    // Between this claim's counting write and its escalation, another claim escalates to HIGH first.
    const racing = backend.client();
    const requests = recordRequests(racing);
    const other = beforeFirstUpdate(racing, isEscalation, () => store().claimWindow(batch(key, [match('h2', 'HIGH')])));
    const result = await store(racing).claimWindow(batch(key, [match('h1', 'HIGH')]));
    expect(other.result()).toMatchObject({ kind: 'publish', lease: { alertId: alertIdFor(key, W0, 'HIGH') } });
    // Its match is no more severe than the escalation being published: suppressed by it, and not
    // counted again (the write for sent windows counted it).
    expect(result).toEqual(done([0, suppressed(alertIdFor(key, W0, 'HIGH'))]));
    expect(requests.map((r) => [r.command, r.error])).toEqual([
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['UpdateItemCommand', undefined],
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['GetItemCommand', undefined],
    ]);
    expect(isSentCountingWrite(requests[1]?.input ?? {})).toBe(true);
    expect(isEscalation(requests[2]?.input ?? {})).toBe(true);
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '3' }); // m0, h1, h2
  });

  it('counts batches below a threshold with one write each, never trying the write for sent windows first', async () => {
    now = T0;
    const key = 'R:login.failed:user:batch-counting';
    const recorded = backend.client();
    const requests = recordRequests(recorded);
    const warm = store(recorded);
    for (const [prefix, expected] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const) {
      requests.length = 0;
      expect(await warm.claimWindow(batch(key, [match(prefix)], 10))).toEqual(done([0, below(expected)]));
      expect(requests.map((r) => [r.command, r.error])).toEqual([['UpdateItemCommand', undefined]]);
      expect(isCountingWrite(requests[0]?.input ?? {})).toBe(true);
    }
  });

  it('counts a batch on a sent window it remembers with one write (no read, no failed condition), and on one it does not with one failed condition more', async () => {
    now = T0;
    const key = 'R:api_key.created:user:batch-sent';
    const recorded = backend.client();
    const requests = recordRequests(recorded);
    const warm = store(recorded);
    const first = await claim('s0', key, {}, warm);
    expect(await warm.markSent(lease(first))).toBe(true);
    const alertId = alertIdFor(key, W0);
    const suppressedAll = (n: number) =>
      done(...range(0, n).map((i): [number, ClaimedOutcome] => [i, suppressed(alertId)]));
    const matches = (prefix: string, n: number) => range(0, n).map((i) => match(`${prefix}-${i}`));

    requests.length = 0;
    expect(await warm.claimWindow(batch(key, matches('a', 50)))).toEqual(suppressedAll(50));
    expect(requests.map((r) => [r.command, r.error])).toEqual([['UpdateItemCommand', undefined]]);
    expect(isSentCountingWrite(requests[0]?.input ?? {})).toBe(true);
    expect(values(requests[0]?.input ?? {})[':n']).toEqual({ N: '50' });
    requests.length = 0;
    expect(await warm.claimWindow(batch(key, matches('b', 20)))).toEqual(suppressedAll(20));
    expect(requests.map((r) => [r.command, r.error])).toEqual([['UpdateItemCommand', undefined]]);

    // A fresh instance (a cold function) tries the counting write first: it fails its condition,
    // and the write for sent windows counts the batch; no read. Then it remembers.
    const cold = store(recorded);
    requests.length = 0;
    expect(await cold.claimWindow(batch(key, matches('c', 30)))).toEqual(suppressedAll(30));
    expect(requests.map((r) => [r.command, r.error])).toEqual([
      ['UpdateItemCommand', 'ConditionalCheckFailedException'],
      ['UpdateItemCommand', undefined],
    ]);
    expect(isCountingWrite(requests[0]?.input ?? {})).toBe(true);
    expect(isSentCountingWrite(requests[1]?.input ?? {})).toBe(true);
    requests.length = 0;
    expect(await cold.claimWindow(batch(key, matches('d', 10)))).toEqual(suppressedAll(10));
    expect(requests.map((r) => [r.command, r.error])).toEqual([['UpdateItemCommand', undefined]]);
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: String(1 + 50 + 20 + 30 + 10) });
  });

  it('alerts once on a batch of 1,000 matches of a threshold-5 window, stores the whole count, and keeps the item small', async () => {
    now = T0;
    const key = 'R:login.failed:user:batch-1000';
    const recorded = backend.client();
    const requests = recordRequests(recorded);
    const input = batch(
      key,
      range(0, 1000).map((i) => match(`e-${i}`)),
      5,
    );
    const result = published(await store(recorded).claimWindow(input));
    expect(result.outcomes).toEqual(
      new Map<number, ClaimedOutcome>([
        [0, below(1)],
        [1, below(2)],
        [2, below(3)],
        [3, below(4)],
        [4, { kind: 'alerted' }],
      ]),
    );
    expect(result.rest).toEqual(range(5, 1000));
    expect(result.sent).toEqual({
      alertId: alertIdFor(key, W0),
      firstAlertId: alertIdFor(key, W0),
      severity: 'MEDIUM',
      eventCount: 1000,
      seen: range(0, 5).map((i) => shortFingerprint(`e-${i}`)),
    });
    // The alert is the window's at the match that reached the threshold.
    expect(rendered(result)).toMatchObject({ eventCount: 5, eventId: 'e-4' });
    // Two writes: the counting write (only the threshold's worth of fingerprints), the move to pending.
    expect(requests.map((r) => [r.command, r.error])).toEqual([
      ['UpdateItemCommand', undefined],
      ['UpdateItemCommand', undefined],
    ]);
    expect(values(requests[0]?.input ?? {})[':seen']?.BS).toHaveLength(5);
    expect(isMoveToPending(requests[1]?.input ?? {})).toBe(true);
    const pending = (await item(windowKey(key, W0))) as Item;
    expect(pending.eventCount).toEqual({ N: '1000' });
    // It keeps the events counted up to its alert: the threshold's worth, not the 1,000.
    const alertedOn = sortedFingerprints(range(0, 5).map((i) => `e-${i}`));
    expect(fingerprints(pending.seen)).toEqual(alertedOn);
    expect(itemBytes(pending)).toBeLessThan(4096);

    const store2 = store(recorded);
    expect(await store2.markSent(result.lease)).toBe(true);
    requests.length = 0;
    const rest = await claimRest(input, result, store2);
    expect(rest.kind).toBe('done');
    expect(rest.kind === 'done' && [...rest.outcomes.values()]).toEqual(
      Array<ClaimedOutcome>(995).fill(suppressed(alertIdFor(key, W0))),
    );
    expect(requests).toEqual([]); // counted already: nothing to write
    const sent = (await item(windowKey(key, W0))) as Item;
    expect(sent).toMatchObject({ status: { S: 'sent' }, eventCount: { N: '1000' } });
    // Sent, it still holds those 5 fingerprints and no more: under 4 KB, and with 5 of them under 1 KB.
    expect(fingerprints(sent.seen)).toEqual(alertedOn);
    expect(itemBytes(sent)).toBeLessThan(4096);
    expect(itemBytes(sent)).toBeLessThan(1024);
    // A redelivery of the batch: the 5 events the alert counted are duplicates, the others suppressed.
    const redelivered = await store2.claimWindow(input);
    expect(redelivered.kind === 'done' && [...redelivered.outcomes].sort(([a], [b]) => a - b)).toEqual(
      range(0, 1000).map((i) => [i, i < 5 ? duplicate : suppressed(alertIdFor(key, W0))]),
    );
    const redriven = (await item(windowKey(key, W0))) as Item;
    expect(redriven.eventCount).toEqual({ N: '2000' }); // counted again: the documented error
    expect(fingerprints(redriven.seen)).toEqual(alertedOn);
    expect(itemBytes(redriven)).toBeLessThan(4096);
  });

  it('remembers at most the threshold in 8-byte fingerprints from one batch', async () => {
    now = T0;
    const key = 'R:login.failed:user:batch-fingerprints';
    const recorded = backend.client();
    const requests = recordRequests(recorded);
    // Below the threshold: each event once, redeliveries in the batch are duplicates.
    expect(
      await store(recorded).claimWindow(
        batch(
          key,
          ['a', 'b', 'a', 'c', 'b', 'd'].map((id) => match(id)),
          5,
        ),
      ),
    ).toEqual(
      done([0, below(1)], [1, below(2)], [2, duplicateAt(2)], [3, below(3)], [4, duplicateAt(3)], [5, below(4)]),
    );
    const counting = await item(windowKey(key, W0));
    expect(fingerprints(counting?.seen)).toEqual(sortedFingerprints(['a', 'b', 'c', 'd']));
    expect(counting?.seen?.BS?.map((fingerprint) => fingerprint.length)).toEqual([8, 8, 8, 8]);
    expect(values(requests[0]?.input ?? {})[':seen']?.BS).toHaveLength(4);
    // A batch of 40 new events on it writes no more than the threshold's worth.
    requests.length = 0;
    const reached = published(
      await store(recorded).claimWindow(
        batch(
          key,
          range(0, 40).map((i) => match(`n-${i}`)),
          5,
        ),
      ),
    );
    expect(reached.outcomes.get(0)).toEqual({ kind: 'alerted' });
    expect(reached.sent.eventCount).toBe(44);
    const written = values(requests[0]?.input ?? {})[':seen']?.BS ?? [];
    expect(written).toHaveLength(5);
    expect(written.map((fingerprint) => Buffer.from(fingerprint).toString('hex'))).toEqual(
      range(0, 5).map((i) => shortFingerprint(`n-${i}`)),
    );

    // The same for distinct values: at most the threshold's worth of values, and every match counted.
    const distinct = 'R:login.failed:user:batch-values';
    requests.length = 0;
    const ips = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
    const result = await store(recorded).claimWindow(
      batch(
        distinct,
        range(0, 20).map((i) => match(`v-${i}`, 'LOW', ips[i % 3])),
        5,
      ),
    );
    expect(result).toEqual(done(...range(0, 20).map((i): [number, ClaimedOutcome] => [i, below(i + 1)])));
    expect(values(requests[0]?.input ?? {})[':values']?.BS).toHaveLength(3);
    const stored = await item(windowKey(distinct, W0));
    expect(fingerprints(stored?.values)).toEqual(sortedFingerprints(ips));
    expect(stored?.eventCount).toEqual({ N: '20' });
    expect(stored?.seen).toBeUndefined();
  });

  it('within one batch, after the match that reaches the threshold: duplicates are duplicates, more severe matches come back and escalate once claimed again', async () => {
    now = T0;
    const key = 'R:login.failed:user:batch-escalate';
    const input = batch(
      key,
      [
        match('a'),
        match('b'),
        match('a'),
        match('c', 'HIGH'),
        match('b', 'LOW'),
        match('d', 'LOW'),
        match('e', 'HIGH'),
      ],
      2,
    );
    const first = published(await store().claimWindow(input));
    expect(first).toMatchObject({
      lease: { alertId: alertIdFor(key, W0) },
      outcomes: new Map<number, ClaimedOutcome>([
        [0, below(1)],
        [1, { kind: 'alerted' }],
        [2, { kind: 'duplicate' }],
        [4, { kind: 'duplicate' }],
      ]),
      rest: [3, 5, 6],
      sent: { alertId: alertIdFor(key, W0), firstAlertId: alertIdFor(key, W0), severity: 'MEDIUM', eventCount: 5 },
    });
    expect(rendered(first)).toMatchObject({ severity: 'MEDIUM', eventCount: 2, eventId: 'b' });
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: '5' });
    expect(await store().markSent(first.lease)).toBe(true);

    const rest = input.matches.filter((_, index) => first.rest.includes(index));
    const escalation = published(await claimRest(input, first));
    expect(escalation).toMatchObject({
      lease: { alertId: alertIdFor(key, W0, 'HIGH') },
      takeover: false,
      outcomes: new Map([[0, { kind: 'alerted' }]]),
      rest: [1, 2],
      sent: {
        alertId: alertIdFor(key, W0, 'HIGH'),
        firstAlertId: alertIdFor(key, W0),
        severity: 'HIGH',
        eventCount: 5,
      },
    });
    expect(rendered(escalation)).toMatchObject({
      severity: 'HIGH',
      escalatedFrom: 'MEDIUM',
      eventId: 'c',
      eventCount: 5,
    });
    expect(await store().markSent(escalation.lease)).toBe(true);
    // The rest after the escalation: no more severe than it, suppressed (`e` is HIGH too).
    const restInput = batch(key, rest, 2);
    expect(await claimRest(restInput, escalation)).toEqual(
      done([0, suppressed(alertIdFor(key, W0, 'HIGH'))], [1, suppressed(alertIdFor(key, W0, 'HIGH'))]),
    );
    expect(await item(windowKey(key, W0))).toMatchObject({
      status: { S: 'sent' },
      alertId: { S: alertIdFor(key, W0, 'HIGH') },
      escalations: { N: '1' },
      eventCount: { N: '5' }, // counted once, by the batch's counting write
    });
  });

  it('publishes once a window whose claim died between reaching the threshold and the move to pending', async () => {
    now = T0;
    const key = 'R:login.failed:user:stale-crossing';
    let crashed = false;
    const crashing = injectFaults(backend.client(), (command, input) => {
      if (crashed || command !== 'UpdateItemCommand' || !isMoveToPending(input)) return undefined;
      crashed = true;
      return awsError('InternalServerError', 500);
    });
    const input = batch(key, [match('a'), match('b', 'HIGH'), match('c')], 3);
    await expect(store(crashing).claimWindow(input)).rejects.toThrow('injected InternalServerError');
    const counted = await item(windowKey(key, W0));
    expect(counted?.status).toEqual({ S: 'counting' });
    expect(fingerprints(counted?.seen)).toEqual(sortedFingerprints(['a', 'b', 'c']));

    // The batch is redelivered, to several invocations at once: exactly one publishes. The others find
    // the alert pending (it is HIGH: no match is more severe), every event of theirs counted by it:
    // duplicates. One whose counting write came before the move recognised its events (a set of
    // fingerprints); one that found the window pending counted its batch there, once.
    const recorded = backend.client();
    const requests = recordRequests(recorded);
    const redelivered = await Promise.all(Array.from({ length: 4 }, () => store(recorded).claimWindow(input)));
    const publishers = redelivered.filter((r) => r.kind === 'publish');
    expect(publishers).toHaveLength(1);
    expect(redelivered.filter((r) => r.kind !== 'publish')).toEqual(
      Array(3).fill(done([0, duplicate], [1, duplicate], [2, duplicate])),
    );
    const countedWhilePending = requests.filter((r) => isPendingCountingWrite(r.input));
    expect(countedWhilePending.length).toBeLessThanOrEqual(3);
    expect(countedWhilePending.every((r) => r.error === undefined)).toBe(true);
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: String(3 + 3 * countedWhilePending.length) });
    // A more severe redelivery waits for the alert, not counted.
    expect(await store().claimWindow(batch(key, [match('a'), match('d', 'CRITICAL')], 3))).toEqual({
      kind: 'busy',
      alertId: alertIdFor(key, W0),
      retryAfterSeconds: LEASE,
    });
    expect((await item(windowKey(key, W0)))?.eventCount).toEqual({ N: String(3 + 3 * countedWhilePending.length) });
    const publisher = published(publishers[0] as WindowClaimResult);
    expect(publisher).toMatchObject({
      takeover: false,
      lease: { alertId: alertIdFor(key, W0) },
      // The redelivered events the window counted before are recognised: nothing is left to claim.
      outcomes: new Map([
        [0, { kind: 'alerted' }],
        [1, { kind: 'duplicate' }],
        [2, { kind: 'duplicate' }],
      ]),
      rest: [],
      sent: { eventCount: 3 },
    });
    expect(rendered(publisher)).toMatchObject({ eventCount: 3, severity: 'HIGH', eventId: 'a' });
    expect(await store().markSent(publisher.lease)).toBe(true);
    // Later redeliveries find the alert out, and every event of the batch remembered: duplicates.
    expect(await store().claimWindow(input)).toEqual(done([0, duplicate], [1, duplicate], [2, duplicate]));
    expect((await item(windowKey(key, W0)))?.status).toEqual({ S: 'sent' });
  });

  it('keeps counting a window written in the previous layout (128-bit fingerprints as strings, severity while counting)', async () => {
    now = T0;
    const key = 'R:login.failed:user:legacy';
    await put({
      pk: { S: windowKey(key, W0) },
      alertId: { S: alertIdFor(key, W0) },
      firstAlertId: { S: alertIdFor(key, W0) },
      ruleId: { S: 'R' },
      windowStart: { N: String(W0) },
      windowEndsAt: { N: String(W0 + HOUR) },
      expiresAt: { N: String(W0 + HOUR + REPLAY_HORIZON_SECONDS) },
      status: { S: 'counting' },
      severity: { S: 'HIGH' },
      escalations: { N: '0' },
      firstEventId: { S: 'old-1' },
      eventCount: { N: '2' },
      eventIds: { SS: [legacyFingerprint('old-1'), legacyFingerprint('old-2')] },
    });
    expect(await claim('old-1', key, { threshold: 4, severity: 'LOW' })).toEqual(done([0, duplicateAt(2)]));
    expect(await store().claimWindow(batch(key, [match('old-2', 'LOW'), match('new-1', 'LOW')], 4))).toEqual(
      done([0, duplicateAt(2)], [1, below(3)]),
    );
    const reached = await claim('new-2', key, { threshold: 4, severity: 'LOW' });
    expect(reached).toMatchObject({ kind: 'publish', lease: { alertId: alertIdFor(key, W0) } });
    expect(rendered(reached)).toMatchObject({ eventCount: 4, severity: 'HIGH' });
    const pending = await item(windowKey(key, W0));
    expect(pending).toMatchObject({ status: { S: 'pending' }, eventCount: { N: '4' }, severity: { S: 'HIGH' } });
    // Pending, it keeps what it counted in both layouts (`eventIds` is read as `seen`), not the rest.
    expect([...(pending?.eventIds?.SS ?? [])].sort()).toEqual(['old-1', 'old-2'].map(legacyFingerprint).sort());
    // (The counting writes of the redelivered old-1 and old-2 added their 8-byte fingerprints too.)
    expect(fingerprints(pending?.seen)).toEqual(sortedFingerprints(['old-1', 'old-2', 'new-1', 'new-2']));
    for (const dropped of ['severities', 'distinctValues', 'values']) expect(pending?.[dropped]).toBeUndefined();
    // Sent, a redelivery of an event it counted is a duplicate; a new event is suppressed. (A sent item
    // with only `eventIds`: see the item past its TTL above.)
    expect(await store().markSent(lease(reached))).toBe(true);
    expect(await claim('old-1', key, { threshold: 4, severity: 'LOW' })).toEqual(done([0, duplicate]));
    expect(await claim('new-1', key, { threshold: 4, severity: 'LOW' })).toEqual(done([0, duplicate]));
    expect(await claim('new-3', key, { threshold: 4, severity: 'LOW' })).toEqual(
      done([0, suppressed(alertIdFor(key, W0))]),
    );

    // Distinct values in the previous layout: `distinctValues`, and the event count.
    const distinct = 'R:login.failed:user:legacy-distinct';
    await put({
      pk: { S: windowKey(distinct, W0) },
      alertId: { S: alertIdFor(distinct, W0) },
      firstAlertId: { S: alertIdFor(distinct, W0) },
      windowStart: { N: String(W0) },
      windowEndsAt: { N: String(W0 + HOUR) },
      expiresAt: { N: String(W0 + HOUR + REPLAY_HORIZON_SECONDS) },
      status: { S: 'counting' },
      severity: { S: 'LOW' },
      eventCount: { N: '3' },
      eventIds: { SS: ['x1', 'x2', 'x3'].map(legacyFingerprint) },
      distinctValues: { SS: ['192.0.2.1', '192.0.2.2'].map(legacyFingerprint) },
    });
    expect(
      await store().claimWindow(batch(distinct, [match('x4', 'LOW', '192.0.2.1'), match('x5', 'LOW', '192.0.2.2')], 3)),
    ).toEqual(done([0, below(4)], [1, below(5)]));
    const values3 = await store().claimWindow(batch(distinct, [match('x6', 'LOW', '192.0.2.3')], 3));
    expect(values3).toMatchObject({ kind: 'publish', lease: { alertId: alertIdFor(distinct, W0) } });
    expect(rendered(values3)).toMatchObject({ eventCount: 6 });
    const distinctPending = await item(windowKey(distinct, W0));
    expect(distinctPending?.eventIds?.SS).toHaveLength(3);
    for (const dropped of ['severities', 'distinctValues', 'values'])
      expect(distinctPending?.[dropped]).toBeUndefined();
  });
});
