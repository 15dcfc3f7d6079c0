// Correlation state over the wire, against dynalite and, where Java exists, the official DynamoDB
// Local: idempotent updates, one conditional write per update (no read on a warm function), real
// ConditionalCheckFailedException with or without the newer item, no lost step under concurrent
// writers, a bounded state whatever the history, contention and refusals reported as what they are.
import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LATE_ARRIVAL_SECONDS,
  RECORDS_KEPT_PER_MATCH_NEEDED,
  TRIGGERS_KEPT,
  recordSteps,
  recordsKept,
  type CorrelationShape,
  type CorrelationState,
  type StepAddition,
  type StepRecord,
} from '../../../../lib/detection/engine/correlation.ts';
import type { CorrelationChange } from '../../../../lib/pipeline/correlate/correlation-store.ts';
import {
  DynamoCorrelationStore,
  MAX_CORRELATION_WRITE_ATTEMPTS,
  correlationItemKey,
} from '../../../../lib/pipeline/correlate/dynamodb-correlation-store.ts';
import { CorrelationContentionError } from '../../../../lib/pipeline/correlate/errors.ts';
import { createDedupTable } from '../../../support/aws-resources.ts';
import { countingCommands } from '../../../support/counting-commands.ts';
import { dynamoDbBackends } from '../../../support/dynamodb-backends.ts';

const backends = dynamoDbBackends('the correlation store tests');

type Item = Record<string, AttributeValue>;

const rule: CorrelationShape = {
  id: 'Brute',
  steps: [
    { id: 'failures', ruleId: 'Failed', minMatchCount: 5 },
    { id: 'success', ruleId: 'Succeeded', minMatchCount: 1 },
  ],
  lookbackMinutes: 30,
};
/** A rule whose first step keeps 40 records, for the tests that must find every record they wrote. */
const patient: CorrelationShape = {
  id: 'Patient',
  steps: [
    { id: 'failures', ruleId: 'Failed', minMatchCount: 20 },
    { id: 'success', ruleId: 'Succeeded', minMatchCount: 1 },
  ],
  lookbackMinutes: 30,
};
const T0 = 1_700_000_000;
/** How long after its newest record (or the clock, if later) an item of `rule` expires. */
const RETAINED = 30 * 60 + 14 * 24 * 3600;

const failure = (eventId: string, time: number, detail?: string): StepAddition => ({
  stepIndex: 0,
  record: { eventId, time, ...(detail === undefined ? {} : { detail }) },
});
const success = (eventId: string, time: number, detail?: string): StepAddition => ({
  stepIndex: 1,
  record: { eventId, time, ...(detail === undefined ? {} : { detail }) },
});
/** The change the pipeline makes: a batch's step matches of one key, recorded in order. */
const adding =
  (shape: CorrelationShape, key: string, ...additions: StepAddition[]) =>
  (state: CorrelationState) =>
    recordSteps(shape, state, key, additions);
const ids = (records: readonly StepRecord[] | undefined): string[] | undefined => records?.map((r) => r.eventId);
/** The `steps` attribute as the store writes it: per step, `[age, eventId]` or `[age, eventId, detail]`, the age before `at`. */
const compact = (steps: ReadonlyArray<readonly StepRecord[]>, at: number): string =>
  JSON.stringify(steps.map((records) => records.map((r) => [at - r.time, r.eventId, ...(r.detail ? [r.detail] : [])])));

/** An item's size roughly as DynamoDB bills it: attribute names plus values. */
function itemBytes(item: Item): number {
  const valueBytes = (value: AttributeValue): number => {
    if (value.S !== undefined) return Buffer.byteLength(value.S);
    if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
    throw new Error(`no size for ${JSON.stringify(value)}`);
  };
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

describe.each(backends)('DynamoCorrelationStore on $name', (backend) => {
  let client: DynamoDBClient;
  let table: string;
  const store = (target: DynamoDBClient = client) =>
    new DynamoCorrelationStore({ client: target, tableName: table, clock: () => T0 });
  const item = async (key: string, ruleId = 'Brute') =>
    (
      await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: correlationItemKey(ruleId, key) } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const put = (stored: Item) => client.send(new PutItemCommand({ TableName: table, Item: stored }));
  const counting = countingCommands;
  /** A read that changes nothing: what the store gives `change`. */
  const reading = (state: CorrelationState): CorrelationChange => ({ state, changed: false });

  beforeAll(async () => {
    client = backend.client();
    table = await createDedupTable(client);
  });

  it(`answers a lost conditional write ${backend.itemOnFailedCondition ? 'with' : 'without'} the item it lost to`, async () => {
    // What the request counts below depend on: without the item, the store reads it.
    const stored: Item = { pk: { S: correlationItemKey('Brute', 'probe') }, version: { N: '3' } };
    await put(stored);
    for (const condition of [
      { ConditionExpression: 'attribute_not_exists(pk)' },
      {
        ConditionExpression: '#version = :v',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':v': { N: '2' } },
      },
    ]) {
      const error = await client
        .send(
          new PutItemCommand({
            TableName: table,
            Item: { ...stored, version: { N: '4' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...condition,
          }),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConditionalCheckFailedException);
      expect((error as ConditionalCheckFailedException).Item).toEqual(
        backend.itemOnFailedCondition ? stored : undefined,
      );
    }
  });

  it('records step matches once each, in one item with a TTL, a version and the compact steps', async () => {
    const counted = backend.client();
    const sent = counting(counted);
    const s = store(counted);
    const first = await s.update(rule, 'alice', adding(rule, 'alice', failure('f1', T0, '192.0.2.1')));
    expect(first).toEqual({
      state: { steps: [[{ eventId: 'f1', time: T0, detail: '192.0.2.1' }], []], covered: [[]] },
      changed: true,
      findings: [],
    });
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    // A redelivery changes nothing: nothing is read (the store knows the key) nor written.
    const redelivered = await s.update(rule, 'alice', adding(rule, 'alice', failure('f1', T0, '192.0.2.1')));
    expect(redelivered).toEqual({ ...first, changed: false });
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    const { state } = await s.update(rule, 'alice', adding(rule, 'alice', failure('f2', T0 + 1)));
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 2 });
    expect(state).toEqual({
      steps: [
        [
          { eventId: 'f1', time: T0, detail: '192.0.2.1' },
          { eventId: 'f2', time: T0 + 1 },
        ],
        [],
      ],
      covered: [[]],
    });
    // Each record's time as its age before `at`, the newest one's.
    expect(await item('alice')).toEqual({
      pk: { S: correlationItemKey('Brute', 'alice') },
      kind: { S: 'correlation' },
      ruleId: { S: 'Brute' },
      at: { N: String(T0 + 1) },
      steps: { S: `[[[1,"f1","192.0.2.1"],[0,"f2"]],[]]` },
      covered: { S: '[[]]' },
      version: { N: '2' },
      expiresAt: { N: String(T0 + 1 + RETAINED) },
    });
    expect(RETAINED).toBe(rule.lookbackMinutes * 60 + LATE_ARRIVAL_SECONDS);
    // A store that does not know the key reads it, finds the record there, and writes nothing.
    const cold = await store(counted).update(rule, 'alice', adding(rule, 'alice', failure('f2', T0 + 1)));
    expect(cold).toEqual({ state, changed: false, findings: [] });
    expect(sent).toEqual({ GetItemCommand: 2, PutItemCommand: 2 });
    expect((await item('alice'))?.version).toEqual({ N: '2' });
    // The TTL follows the clock when it is later than every record.
    await new DynamoCorrelationStore({ client, tableName: table, clock: () => T0 + 500 }).update(
      rule,
      'alice',
      adding(rule, 'alice', failure('f0', T0 - 100)),
    );
    expect(await item('alice')).toMatchObject({ version: { N: '3' }, expiresAt: { N: String(T0 + 500 + RETAINED) } });
  });

  it('keeps keys apart', async () => {
    const s = store();
    const bob = await s.update(rule, 'bob', adding(rule, 'bob', failure('b1', T0)));
    const carol = await s.update(rule, 'carol', adding(rule, 'carol', failure('c1', T0)));
    expect(ids(bob.state.steps[0])).toEqual(['b1']);
    expect(ids(carol.state.steps[0])).toEqual(['c1']);
    expect(ids((await s.update(rule, 'bob', reading)).state.steps[0])).toEqual(['b1']);
    expect((await item('bob'))?.steps).toEqual({ S: `[[[0,"b1"]],[]]` });
    expect((await item('carol'))?.steps).toEqual({ S: `[[[0,"c1"]],[]]` });
    // The same key of another rule is another item.
    await s.update(patient, 'bob', adding(patient, 'bob', failure('p1', T0)));
    expect((await item('bob', 'Patient'))?.steps).toEqual({ S: `[[[0,"p1"]],[]]` });
    expect((await item('bob'))?.steps).toEqual({ S: `[[[0,"b1"]],[]]` });
  });

  it('costs a warm store one PutItem and no GetItem per update of a key it wrote; a cold one a GetItem and a PutItem', async () => {
    const counted = backend.client();
    const sent = counting(counted);
    const warm = store(counted);
    await warm.update(rule, 'lena', adding(rule, 'lena', failure('l1', T0)));
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    for (let i = 2; i <= 4; i++) await warm.update(rule, 'lena', adding(rule, 'lena', failure(`l${i}`, T0 + i)));
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 4 });
    const cold = await store(counted).update(rule, 'lena', adding(rule, 'lena', failure('l5', T0 + 5)));
    expect(sent).toEqual({ GetItemCommand: 2, PutItemCommand: 5 });
    expect(ids(cold.state.steps[0])).toEqual(['l1', 'l2', 'l3', 'l4', 'l5']);
    expect((await item('lena'))?.version).toEqual({ N: '5' });
  });

  it('keeps each step to its oldest and newest records and the times they complete, whatever the history: under 1 KB for the brute-force rule', async () => {
    expect(recordsKept(rule, 0)).toBe(RECORDS_KEPT_PER_MATCH_NEEDED * 5);
    expect(recordsKept(rule, 1)).toBe(TRIGGERS_KEPT);
    const counted = backend.client();
    const sent = counting(counted);
    const s = store(counted);
    // Event ids as long as OpenAI's own (`audit_log-xxx_yyyymmdd`, and longer), each with a source IP.
    const eventId = (i: number) => `audit_log-${String(i).padStart(8, '0')}_20231114`;
    const failures = Array.from({ length: 100 }, (_, i) => failure(eventId(i), T0 + i * 10, `198.51.100.${i}`));
    for (let batch = 0; batch < 10; batch++)
      await s.update(rule, 'mona', adding(rule, 'mona', ...failures.slice(batch * 10, batch * 10 + 10)));
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 10 });
    const kept = [...failures.slice(0, 5), ...failures.slice(95)].map((a) => a.record);
    // Every five failures within the 30 minutes complete from the fifth to the first plus 30 minutes.
    const covered = [[[T0 + 40, T0 + 950 + 1800]]];
    expect((await s.update(rule, 'mona', reading)).state).toEqual({ steps: [kept, []], covered });
    // A failure between the oldest and newest kept completes nothing new: no write.
    expect((await s.update(rule, 'mona', adding(rule, 'mona', failure('late', T0 + 500)))).changed).toBe(false);
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 10 });
    // Three successes within the span complete findings, with the failures held in their lookback;
    // six after it complete nothing and are kept for failures that may come late, first dropped.
    const successes = [
      ...[1000, 1001, 1002].map((s, i) => success(eventId(200 + i), T0 + s, '203.0.113.7')),
      ...Array.from({ length: 6 }, (_, i) => success(eventId(300 + i), T0 + 3000 + i, '203.0.113.8')),
    ];
    const completed = await s.update(rule, 'mona', adding(rule, 'mona', ...successes));
    expect(completed.findings.map(({ addition, finding }) => [addition, ids(finding.steps[0]?.records)])).toEqual(
      [0, 1, 2].map((addition) => [addition, kept.map((r) => r.eventId)]),
    );
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 11 });
    const stored = (await item('mona')) as Item;
    const at = T0 + 3005;
    expect(stored.at).toEqual({ N: String(at) });
    expect(stored.steps).toEqual({ S: compact([kept, successes.slice(3).map((a) => a.record)], at) });
    expect(stored.covered).toEqual({ S: JSON.stringify(covered) });
    expect(stored.version).toEqual({ N: '11' });
    expect(itemBytes(stored)).toBeLessThan(1024);
  });

  it('loses no step match when many consumers update the same key at once, and the finding completes', async () => {
    const writers = Array.from({ length: 6 }, () => store());
    const results = await Promise.all(
      writers.map((s, i) => s.update(rule, 'dave', adding(rule, 'dave', failure(`d${i}`, T0 + i)))),
    );
    // Each one's record is in the state it wrote, whatever it raced with.
    results.forEach((result, i) => {
      expect(result.changed).toBe(true);
      expect(ids(result.state.steps[0])).toContain(`d${i}`);
    });
    expect((await item('dave'))?.version).toEqual({ N: '6' }); // one write each
    const { findings } = await store().update(rule, 'dave', adding(rule, 'dave', success('ok', T0 + 100)));
    expect(findings.map(({ addition, finding }) => [addition, ids(finding.steps[0]?.records)])).toEqual([
      [0, ['d0', 'd1', 'd2', 'd3', 'd4', 'd5']],
    ]);
    expect((await item('dave'))?.version).toEqual({ N: '7' });
  });

  it(`replays the change on the newer item when its warm state is stale (the newer item ${backend.itemOnFailedCondition ? 'from the failed write' : 'read'})`, async () => {
    const counted = backend.client();
    const sent = counting(counted);
    const stale = store(counted);
    await stale.update(
      rule,
      'kim',
      adding(rule, 'kim', failure('k1', T0), failure('k2', T0 + 1), failure('k3', T0 + 2)),
    );
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    // Another consumer writes meanwhile.
    await store().update(rule, 'kim', adding(rule, 'kim', failure('k4', T0 + 3), failure('k5', T0 + 4)));
    const seen: Array<string[] | undefined> = [];
    const result = await stale.update(rule, 'kim', (state) => {
      seen.push(ids(state.steps[0]));
      return recordSteps(rule, state, 'kim', [success('ok', T0 + 10)]);
    });
    // Tried on what it knew, lost, replayed on the newer state.
    expect(seen).toEqual([
      ['k1', 'k2', 'k3'],
      ['k1', 'k2', 'k3', 'k4', 'k5'],
    ]);
    expect(sent).toEqual({
      GetItemCommand: backend.itemOnFailedCondition ? 1 : 2,
      PutItemCommand: 3,
    });
    // What it returns is the change on the state written over: both writers' failures, a finding.
    expect(ids(result.state.steps[0])).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(ids(result.state.steps[1])).toEqual(['ok']);
    expect(result.findings.map(({ finding }) => ids(finding.steps[0]?.records))).toEqual([
      ['k1', 'k2', 'k3', 'k4', 'k5'],
    ]);
    expect(await item('kim')).toMatchObject({
      version: { N: '3' },
      at: { N: String(T0 + 10) },
      steps: { S: '[[[10,"k1"],[9,"k2"],[8,"k3"],[7,"k4"],[6,"k5"]],[[0,"ok"]]]' },
      covered: { S: JSON.stringify([[[T0 + 4, T0 + 1800]]]) },
    });
    // It knows the newer state now: the next update is one write again.
    await stale.update(rule, 'kim', adding(rule, 'kim', failure('k6', T0 + 5)));
    expect(sent).toEqual({
      GetItemCommand: backend.itemOnFailedCondition ? 1 : 2,
      PutItemCommand: 4,
    });
    expect((await item('kim'))?.version).toEqual({ N: '4' });
  });

  it('awaits beforeCommit with each outcome before writing it, the replayed one after a lost write; when it throws, writes nothing', async () => {
    const stale = store();
    await stale.update(rule, 'nora', adding(rule, 'nora', failure('n1', T0)));
    await store().update(rule, 'nora', adding(rule, 'nora', failure('n2', T0 + 1)));
    const committed: Array<{ ids: string[] | undefined; version: AttributeValue | undefined }> = [];
    await stale.update(rule, 'nora', adding(rule, 'nora', failure('n3', T0 + 2)), async (outcome) => {
      committed.push({ ids: ids(outcome.state.steps[0]), version: (await item('nora'))?.version });
    });
    // Each time before its write: the first on the stale state, lost; the replay on the newer one.
    expect(committed).toEqual([
      { ids: ['n1', 'n3'], version: { N: '2' } },
      { ids: ['n1', 'n2', 'n3'], version: { N: '2' } },
    ]);
    expect((await item('nora'))?.version).toEqual({ N: '3' });
    const refused = await stale
      .update(rule, 'nora', adding(rule, 'nora', failure('n4', T0 + 3)), () =>
        Promise.reject(new Error('publish failed')),
      )
      .catch((e: unknown) => e);
    expect(refused).toEqual(new Error('publish failed'));
    expect((await item('nora'))?.version).toEqual({ N: '3' });
    // A change that changes nothing is committed too: its outcome is returned, not written.
    const seen: boolean[] = [];
    await stale.update(rule, 'nora', adding(rule, 'nora', failure('n3', T0 + 2)), ({ changed }) => {
      seen.push(changed);
      return Promise.resolve();
    });
    expect(seen).toEqual([false]);
  });

  it('starts afresh, with one read on both backends, when the item it knew is gone (TTL deleted it)', async () => {
    const counted = backend.client();
    const sent = counting(counted);
    const warm = store(counted);
    await warm.update(rule, 'lars', adding(rule, 'lars', failure('old', T0)));
    await client.send(
      new DeleteItemCommand({ TableName: table, Key: { pk: { S: correlationItemKey('Brute', 'lars') } } }),
    );
    const result = await warm.update(rule, 'lars', adding(rule, 'lars', failure('new', T0 + 1)));
    // No item to return with the failed write: it reads that there is none, and creates it.
    expect(sent).toEqual({ GetItemCommand: 2, PutItemCommand: 3 });
    expect(result.state).toEqual({ steps: [[{ eventId: 'new', time: T0 + 1 }], []], covered: [[]] });
    expect(await item('lars')).toMatchObject({ version: { N: '1' }, steps: { S: '[[[0,"new"]],[]]' } });
  });

  it('keeps the state under the documented item key, with its kind and rule for people reading the table', async () => {
    // The key is persisted: another format would orphan every state in a deployed table.
    expect(correlationItemKey('Brute', 'erin')).toBe(
      `corr#Brute#${createHash('sha256').update('erin').digest('hex').slice(0, 32)}`,
    );
    await store().update(rule, 'erin', adding(rule, 'erin', failure('e1', T0)));
    expect(await item('erin')).toMatchObject({
      kind: { S: 'correlation' },
      ruleId: { S: 'Brute' },
      version: { N: '1' },
    });
  });

  it('reads an item of the previous layout (`state`, objects) as its oldest and newest records and what they complete, and rewrites it compact', async () => {
    const legacy = Array.from({ length: 30 }, (_, i) => ({
      eventId: `old-${i}`,
      time: T0 - 300 + i,
      ...(i % 2 === 0 ? { detail: `192.0.2.${i}` } : {}),
    }));
    await put({
      pk: { S: correlationItemKey('Brute', 'olga') },
      kind: { S: 'correlation' },
      ruleId: { S: 'Brute' },
      state: { S: JSON.stringify({ steps: [legacy, []] }) },
      version: { N: '4' },
      expiresAt: { N: String(T0 - 271 + RETAINED) },
    });
    const counted = backend.client();
    const sent = counting(counted);
    const s = store(counted);
    const read = await s.update(rule, 'olga', reading);
    const kept = [...legacy.slice(0, 5), ...legacy.slice(25)];
    // Every five of the thirty complete a span: from the fifth to the 26th plus the lookback.
    const covered = [[[T0 - 300 + 4, T0 - 300 + 25 + 1800]]];
    expect(read.state).toEqual({ steps: [kept, []], covered });
    expect(sent).toEqual({ GetItemCommand: 1 });
    expect((await item('olga'))?.state).toBeDefined(); // nothing written
    const { findings } = await s.update(rule, 'olga', adding(rule, 'olga', success('ok', T0)));
    // What it read is remembered even when nothing changed: the update does not read again.
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    expect(findings.map(({ finding }) => ids(finding.steps[0]?.records))).toEqual([kept.map((r) => r.eventId)]);
    expect(await item('olga')).toEqual({
      pk: { S: correlationItemKey('Brute', 'olga') },
      kind: { S: 'correlation' },
      ruleId: { S: 'Brute' },
      at: { N: String(T0) },
      steps: { S: compact([kept, [{ eventId: 'ok', time: T0 }]], T0) },
      covered: { S: JSON.stringify(covered) },
      version: { N: '5' },
      expiresAt: { N: String(T0 + RETAINED) },
    });
  });

  it("starts afresh from a state it cannot read (the rule's steps changed, a hand edit), continuing its version", async () => {
    const unreadable: Record<string, Item> = {
      'frank-steps': { state: { S: '{"steps":[[{"eventId":"old","time":1700000000}]]}' } },
      'frank-json': { state: { S: 'not json' } },
      'frank-shape': { state: { S: '{"steps":5}' } },
      'frank-compact-steps': { steps: { S: `[[[${T0},"old"]]]` } },
      'frank-compact-json': { steps: { S: 'not json' } },
    };
    for (const [key, attributes] of Object.entries(unreadable)) {
      await put({ pk: { S: correlationItemKey('Brute', key) }, ...attributes, version: { N: '7' } });
      const recorded = await store().update(rule, key, adding(rule, key, success('ok', T0)));
      expect(recorded).toEqual({
        state: { steps: [[], [{ eventId: 'ok', time: T0 }]], covered: [[]] },
        changed: true,
        findings: [],
      });
      expect(await item(key)).toEqual({
        pk: { S: correlationItemKey('Brute', key) },
        kind: { S: 'correlation' },
        ruleId: { S: 'Brute' },
        at: { N: String(T0) },
        steps: { S: '[[],[[0,"ok"]]]' },
        covered: { S: '[[]]' },
        version: { N: '8' },
        expiresAt: { N: String(T0 + RETAINED) },
      });
    }
  });

  it('replaces an item without a version (a hand edit) as it does an unreadable state, instead of contending with it', async () => {
    // A write conditioned on there being no item would lose to the item itself on every attempt,
    // and every retry: the key's steps would be dead-lettered until the item expires.
    await put({ pk: { S: correlationItemKey('Brute', 'vera') }, steps: { S: '[[],[]]' } });
    const result = await store()
      .update(rule, 'vera', adding(rule, 'vera', success('ok', T0)))
      .catch((e: unknown) => e);
    expect(result).toEqual({
      state: { steps: [[], [{ eventId: 'ok', time: T0 }]], covered: [[]] },
      changed: true,
      findings: [],
    });
    expect(await item('vera')).toMatchObject({ steps: { S: '[[],[[0,"ok"]]]' }, version: { N: '1' } });
  });

  it('replaces an item whose version is not a number (a hand edit), continuing from 0', async () => {
    await put({ pk: { S: correlationItemKey('Brute', 'vic') }, steps: { S: '[[],[]]' }, version: { S: '7' } });
    await store().update(rule, 'vic', adding(rule, 'vic', success('ok', T0)));
    expect(await item('vic')).toMatchObject({ steps: { S: '[[],[[0,"ok"]]]' }, version: { N: '1' } });
  });

  it('reads the records of either form and drops those it cannot read, whichever store wrote them', async () => {
    await put({
      pk: { S: correlationItemKey('Brute', 'will') },
      steps: {
        S: JSON.stringify([
          [
            [T0 + 1, 'f1', '192.0.2.1'],
            [T0 + 2, 'f2'],
            [T0 + 3, 'f3', 7],
            { time: T0 + 4, eventId: 'f4', detail: '192.0.2.4' },
            ['f5', T0 + 5],
            [T0 + 6],
            { time: String(T0 + 7), eventId: 'f7' },
            { time: T0 + 8 },
            null,
            'f9',
          ],
          [],
        ]),
      },
      version: { N: '3' },
    });
    const seen: CorrelationState[] = [];
    await store().update(rule, 'will', (state) => {
      seen.push(state);
      return { state, changed: false };
    });
    expect(seen).toEqual([
      {
        steps: [
          [
            { time: T0 + 1, eventId: 'f1', detail: '192.0.2.1' },
            { time: T0 + 2, eventId: 'f2' },
            { time: T0 + 3, eventId: 'f3' },
            { time: T0 + 4, eventId: 'f4', detail: '192.0.2.4' },
          ],
          [],
        ],
        covered: [[]],
      },
    ]);
  });

  it('reads the spans it wrote, and recomputes them from the records when they are missing or unreadable', async () => {
    const steps = JSON.stringify([
      Array.from({ length: 5 }, (_, i) => [4 - i, `f${i + 1}`]),
      Array.from({ length: 8 }, (_, i) => [i, `s${i}`]),
    ]);
    // Spans no record held implies: what dropped records completed.
    const kept = [
      [
        [T0 - 5000, T0 - 4000],
        [T0 - 3000, T0 + 100],
      ],
    ];
    const fromRecords = [[[T0, T0 - 4 + 1800]]];
    const read = async (key: string, covered: string | undefined) => {
      await put({
        pk: { S: correlationItemKey('Brute', key) },
        at: { N: String(T0) },
        steps: { S: steps },
        ...(covered === undefined ? {} : { covered: { S: covered } }),
        version: { N: '1' },
      });
      return (await store().update(rule, key, reading)).state;
    };
    const state = await read('yann', JSON.stringify(kept));
    expect(state.covered).toEqual(kept);
    expect(ids(state.steps[0])).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
    // The last step keeps its newest, as recordStep does.
    expect(ids(state.steps[1])).toEqual(['s5', 's4', 's3', 's2', 's1', 's0']);
    for (const [index, covered] of [
      undefined,
      'not json',
      '{}',
      '[]',
      '[[], []]',
      '[5]',
      '[[5]]',
      '[[[1, 2, 3]]]',
      '[[["1", 2]]]',
      '[[[1, "2"]]]',
      '[[[3, 2]]]',
      '[[[1, 5], [5, 9]]]',
      '[[[6, 9], [1, 5]]]',
    ].entries())
      expect((await read(`yann-${index}`, covered)).covered, String(covered)).toEqual(fromRecords);
  });

  it('reads records out of time order back in order', async () => {
    await put({
      pk: { S: correlationItemKey('Brute', 'xena') },
      steps: {
        S: JSON.stringify([
          [
            [T0 + 2, 'b'],
            [T0 + 1, 'z'],
            [T0 + 2, 'a'],
          ],
          [],
        ]),
      },
      version: { N: '1' },
    });
    const { state } = await store().update(rule, 'xena', reading);
    expect(ids(state.steps[0])).toEqual(['z', 'a', 'b']);
  });

  it('forgets the oldest state past the number it remembers: that key costs a read again', async () => {
    const counted = backend.client();
    const sent = counting(counted);
    const small = new DynamoCorrelationStore({
      client: counted,
      tableName: table,
      clock: () => T0,
      rememberedStates: 1,
    });
    await small.update(rule, 'yara', adding(rule, 'yara', failure('y1', T0)));
    await small.update(rule, 'yara', adding(rule, 'yara', failure('y2', T0 + 1)));
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 2 });
    await small.update(rule, 'zack', adding(rule, 'zack', failure('z1', T0)));
    await small.update(rule, 'yara', adding(rule, 'yara', failure('y3', T0 + 2)));
    expect(sent).toEqual({ GetItemCommand: 3, PutItemCommand: 4 });
  });

  it(`gives up after ${MAX_CORRELATION_WRITE_ATTEMPTS} writes that another consumer beat every time, as contention, losing none of its records`, async () => {
    const contended = backend.client();
    const sent = counting(contended);
    let rivals = 0;
    contended.middlewareStack.add(
      (next, context) => async (args) => {
        // Another consumer records a step for the same key between our read and our write.
        if (context.commandName === 'PutItemCommand') {
          const rival = failure(`rival-${++rivals}`, T0 + rivals);
          await store().update(patient, 'gina', adding(patient, 'gina', rival));
        }
        return next(args);
      },
      { step: 'initialize', name: 'rivalWriter' },
    );
    const seen: number[] = [];
    const error = await store(contended)
      .update(patient, 'gina', (state) => {
        seen.push(state.steps[0]?.length ?? -1);
        return recordSteps(patient, state, 'gina', [failure('mine', T0)]);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorrelationContentionError);
    // The name and message reach the logs and, on a last receive, the dead letter's reason.
    expect(error).toMatchObject({
      name: 'CorrelationContentionError',
      message: `correlation state of Patient kept changing under ${MAX_CORRELATION_WRITE_ATTEMPTS} attempts; retrying later`,
    });
    expect(rivals).toBe(MAX_CORRELATION_WRITE_ATTEMPTS);
    // Each attempt replayed the change on the newest state: the one the rival before it wrote.
    expect(seen).toEqual(Array.from({ length: MAX_CORRELATION_WRITE_ATTEMPTS }, (_, i) => i));
    // One read to start; on dynalite, which returns no item with a failed write, one after each
    // lost write but the last (after which the store gives up).
    expect(sent).toEqual({
      GetItemCommand: backend.itemOnFailedCondition ? 1 : MAX_CORRELATION_WRITE_ATTEMPTS,
      PutItemCommand: MAX_CORRELATION_WRITE_ATTEMPTS,
    });
    const rivalIds = Array.from({ length: MAX_CORRELATION_WRITE_ATTEMPTS }, (_, i) => `rival-${i + 1}`);
    expect((await item('gina', 'Patient'))?.version).toEqual({ N: String(MAX_CORRELATION_WRITE_ATTEMPTS) });
    // The record's retry, by SQS.
    const retried = await store().update(patient, 'gina', adding(patient, 'gina', failure('mine', T0)));
    expect(retried.changed).toBe(true);
    expect(ids(retried.state.steps[0])).toEqual(['mine', ...rivalIds]);
    expect((await item('gina', 'Patient'))?.version).toEqual({ N: String(MAX_CORRELATION_WRITE_ATTEMPTS + 1) });
    expect(recordsKept(patient, 0)).toBeGreaterThanOrEqual(MAX_CORRELATION_WRITE_ATTEMPTS + 1);
  });

  it('lets an error other than a failed condition through at once (an item DynamoDB refuses: over 400 KB)', async () => {
    const refused = backend.client();
    const sent = counting(refused);
    const huge = failure('huge', T0, 'x'.repeat(500_000));
    await expect(store(refused).update(rule, 'hank', adding(rule, 'hank', huge))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    expect(await item('hank')).toBeUndefined();
  });

  it('keeps the state of old events from their arrival, on the system clock by default', async () => {
    // A backfill of month-old failures: their state must live until the lookback after arrival,
    // not expire before a success arriving with them can complete the finding.
    const before = Math.floor(Date.now() / 1000);
    await new DynamoCorrelationStore({ client, tableName: table }).update(
      rule,
      'ivan',
      adding(rule, 'ivan', failure('old', before - 30 * 86_400)),
    );
    const after = Math.floor(Date.now() / 1000);
    const expiresAt = (await item('ivan'))?.expiresAt?.N ?? '';
    expect(expiresAt).toMatch(/^\d+$/);
    expect(Number(expiresAt)).toBeGreaterThanOrEqual(before + 30 * 60 + 14 * 86_400);
    expect(Number(expiresAt)).toBeLessThanOrEqual(after + 30 * 60 + 14 * 86_400);
  });
});
