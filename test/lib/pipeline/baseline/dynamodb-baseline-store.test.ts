// First-seen baselines over the wire, against dynalite and, where Java exists, the official
// DynamoDB Local: one conditional write answers and records what was new, a known value costs no
// request on a warm function, concurrent consumers agree on what was new, a redelivery finds again
// what it introduced, the item expires forgetAfterDays after the last sighting.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  observeSightings,
  type BaselineShape,
  type BaselineSighting,
  type BaselineState,
} from '../../../../lib/detection/engine/baseline.ts';
import {
  BaselineContentionError,
  DynamoBaselineStore,
  MAX_BASELINE_WRITE_ATTEMPTS,
  REMEMBERED_BASELINES,
  baselineItemKey,
} from '../../../../lib/pipeline/baseline/dynamodb-baseline-store.ts';
import { createDedupTable } from '../../../support/aws-resources.ts';
import { countingCommands } from '../../../support/counting-commands.ts';
import { dynamoDbBackends } from '../../../support/dynamodb-backends.ts';

const backends = dynamoDbBackends('the baseline store tests');

const DAY = 24 * 3600;
const T0 = 1_700_000_000;
const rule: BaselineShape = { id: 'New.Source', forgetAfterDays: 30, learningDays: 7, newForMinutes: 0 };
const sighting = (eventId: string, day: number, country: string): BaselineSighting => ({
  eventId,
  time: T0 + day * DAY,
  values: [{ dimension: 'country', value: country }],
});
/** The change the pipeline makes: a batch's sightings of one actor, observed in order. */
const observing =
  (...sightings: BaselineSighting[]) =>
  (state: BaselineState | undefined) =>
    observeSightings(rule, state, sightings);
const newValues = (outcome: ReturnType<ReturnType<typeof observing>>) =>
  outcome.observed.map((o) => o.newValues.map((v) => v.value));

describe.each(backends)('DynamoBaselineStore on $name', (backend) => {
  let client: DynamoDBClient;
  let table: string;
  const store = (target: DynamoDBClient = client) =>
    new DynamoBaselineStore({ client: target, tableName: table, clock: () => T0 });
  const item = async (actor: string) =>
    (
      await client.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: baselineItemKey(rule.id, actor) } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const counting = countingCommands;

  beforeAll(async () => {
    client = backend.client();
    table = await createDedupTable(client);
  });

  it('records an actor with one conditional write, then answers from memory: a known value costs no request', async () => {
    const target = backend.client();
    const sent = counting(target);
    const baselines = store(target);
    const first = await baselines.update(rule, 'alice', observing(sighting('e1', 0, 'US')));
    expect(first.observed).toEqual([{ newValues: [{ dimension: 'country', value: 'US' }], learning: true }]);
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    const known = await baselines.update(rule, 'alice', observing(sighting('e2', 0.5, 'US')));
    expect(newValues(known)).toEqual([[]]);
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    const stored = await item('alice');
    expect(stored).toMatchObject({
      kind: { S: 'baseline' },
      ruleId: { S: 'New.Source' },
      firstSeen: { N: String(T0) },
      values: { S: JSON.stringify([['country', 'US', T0, T0, 'e1']]) },
      version: { N: '1' },
      expiresAt: { N: String(T0 + 30 * DAY) },
    });
  });

  it('reads an actor once per cold start, and refreshes a last sighting at most once a day', async () => {
    await store().update(rule, 'bob', observing(sighting('b1', 0, 'US')));
    const target = backend.client();
    const sent = counting(target);
    const cold = store(target);
    await cold.update(rule, 'bob', observing(sighting('b2', 0.5, 'US')));
    await cold.update(rule, 'bob', observing(sighting('b3', 0.9, 'US')));
    expect(sent).toEqual({ GetItemCommand: 1 });
    await cold.update(rule, 'bob', observing(sighting('b4', 2, 'US')));
    expect(sent).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
    expect((await item('bob'))?.expiresAt).toEqual({ N: String(T0 + 32 * DAY) });
  });

  it('lets concurrent consumers agree: the one that loses its write replays on the winner, which knows the value', async () => {
    await store().update(rule, 'carol', observing(sighting('c0', 0, 'US')));
    const [a, b] = [store(), store()];
    // Both remember the same state; a writes first; b's write then loses, and b replays on a's state.
    await Promise.all([a.update(rule, 'carol', observing()), b.update(rule, 'carol', observing())]);
    const first = await a.update(rule, 'carol', observing(sighting('c1', 10, 'FR')));
    const second = await b.update(rule, 'carol', observing(sighting('c2', 10.5, 'FR')));
    expect([newValues(first), newValues(second)]).toEqual([[['FR']], [[]]]);
    const stored = JSON.parse((await item('carol'))?.values?.S ?? '[]') as unknown[][];
    expect(stored.map((v) => [v[1], v[4]])).toEqual([
      ['US', 'c0'],
      ['FR', 'c1'],
    ]);
  });

  it('finds new, for a late event, a value another event showed later in event time', async () => {
    await store().update(rule, 'gina', observing(sighting('g0', 0, 'US')));
    await store().update(rule, 'gina', observing(sighting('g2', 10.5, 'FR')));
    const late = await store().update(rule, 'gina', observing(sighting('g1', 10, 'FR')));
    expect(newValues(late)).toEqual([['FR']]);
  });

  it('finds again, on a redelivery, the value the first delivery introduced, from a cold function too', async () => {
    await store().update(rule, 'dan', observing(sighting('d0', 0, 'US')));
    const first = await store().update(rule, 'dan', observing(sighting('d1', 10, 'FR')));
    const again = await store().update(rule, 'dan', observing(sighting('d1', 10, 'FR')));
    expect([newValues(first), newValues(again)]).toEqual([[['FR']], [['FR']]]);
    expect(again.changed).toBe(false);
  });

  it('reads an item it cannot parse as an actor seen afresh, and replaces it', async () => {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: baselineItemKey(rule.id, 'eve') }, kind: { S: 'baseline' }, firstSeen: { S: 'x' } },
      }),
    );
    const outcome = await store().update(rule, 'eve', observing(sighting('e1', 10, 'FR')));
    expect(outcome.observed).toEqual([{ newValues: [{ dimension: 'country', value: 'FR' }], learning: true }]);
    expect((await item('eve'))?.firstSeen).toEqual({ N: String(T0 + 10 * DAY) });
  });

  it('gives up with a contention error after its attempts when every write loses', async () => {
    await store().update(rule, 'frank', observing(sighting('f0', 0, 'US')));
    let version = 100;
    // Another writer gets its write in before each of this store's: every conditional write loses.
    const target = backend.client();
    target.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand')
          await client.send(
            new PutItemCommand({
              TableName: table,
              Item: {
                pk: { S: baselineItemKey(rule.id, 'frank') },
                kind: { S: 'baseline' },
                firstSeen: { N: String(T0) },
                values: { S: '[]' },
                version: { N: String(++version) },
              },
            }),
          );
        return next(args);
      },
      { step: 'initialize', name: 'writeFirst' },
    );
    let calls = 0;
    const attempt = store(target).update(rule, 'frank', (state) => {
      calls++;
      return observeSightings(rule, state, [sighting('f1', 10, 'FR')]);
    });
    await expect(attempt).rejects.toThrow(
      new BaselineContentionError(
        `baseline of New.Source kept changing under ${MAX_BASELINE_WRITE_ATTEMPTS} attempts; retrying later`,
      ),
    );
    expect(calls).toBe(MAX_BASELINE_WRITE_ATTEMPTS);
  });

  it('keeps only the values it can read from an item, and reads an item without values or first sighting', async () => {
    const put = (actor: string, attributes: Record<string, { S: string } | { N: string }>) =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: baselineItemKey(rule.id, actor) },
            kind: { S: 'baseline' },
            version: { N: '3' },
            ...attributes,
          },
        }),
      );
    const T = String(T0);
    await put('hank', {
      firstSeen: { N: T },
      values: {
        S: JSON.stringify([
          ['country', 'US', T0, T0, 'h0'],
          'junk',
          { dimension: 'country', value: 'CA' },
          [1, 'DE', T0, T0, 'h1'],
          ['country', 2, T0, T0, 'h2'],
          ['country', 'IT', 'x', T0, 'h3'],
          ['country', 'ES', T0, 'y', 'h4'],
          ['country', 'PT', T0, T0, 5],
        ]),
      },
    });
    const hank = await store().update(rule, 'hank', observing(sighting('h5', 10, 'US')));
    expect(hank.observed).toEqual([{ newValues: [], learning: false }]);
    const cold = await store().update(rule, 'hank', observing(sighting('h6', 10.5, 'IT')));
    expect(newValues(cold)).toEqual([['IT']]);
    // What it wrote back: only the entries it could read, and the new one.
    const written = JSON.parse((await item('hank'))?.values?.S ?? '[]') as unknown[][];
    expect(written.map((v) => v[1]).sort()).toEqual(['IT', 'US']);
    await put('ivy', { firstSeen: { N: T } });
    expect((await store().update(rule, 'ivy', observing(sighting('i1', 10, 'US')))).observed).toEqual([
      { newValues: [{ dimension: 'country', value: 'US' }], learning: false },
    ]);
    await put('jo', { firstSeen: { N: T }, values: { S: 'not json' } });
    expect(newValues(await store().update(rule, 'jo', observing(sighting('j1', 10, 'US'))))).toEqual([['US']]);
    await put('kim', { values: { S: '[]' } });
    expect((await store().update(rule, 'kim', observing(sighting('k1', 10, 'US')))).observed).toEqual([
      { newValues: [{ dimension: 'country', value: 'US' }], learning: true },
    ]);
  });

  it('forgets the actors used least recently past its limit: one read each again', async () => {
    const target = backend.client();
    const sent = countingCommands(target);
    const small = new DynamoBaselineStore({ client: target, tableName: table, clock: () => T0, remembered: 1 });
    await small.update(rule, 'lea', observing(sighting('l1', 0, 'US')));
    await small.update(rule, 'max', observing(sighting('m1', 0, 'US')));
    await small.update(rule, 'lea', observing(sighting('l2', 0.5, 'US')));
    expect(sent.GetItemCommand).toBe(3);
    expect(REMEMBERED_BASELINES).toBe(10_000);
  });

  it("keys an actor's item by the rule and a digest of the actor, and names its contention error", () => {
    const digest = createHash('sha256').update('alice@example.com').digest('hex').slice(0, 32);
    expect(baselineItemKey('New.Source', 'alice@example.com')).toBe(`base#New.Source#${digest}`);
    expect(new BaselineContentionError('x').name).toBe('BaselineContentionError');
  });

  it('replays on the newer item when an item written before versions changed under it', async () => {
    const item0 = (values: unknown[][], version?: number) => ({
      pk: { S: baselineItemKey(rule.id, 'nora') },
      kind: { S: 'baseline' },
      firstSeen: { N: String(T0) },
      values: { S: JSON.stringify(values) },
      ...(version === undefined ? {} : { version: { N: String(version) } }),
    });
    await client.send(new PutItemCommand({ TableName: table, Item: item0([['country', 'US', T0, T0, 'n0']]) }));
    const a = store();
    await a.update(rule, 'nora', observing());
    // Another writer replaces it with a versioned item that knows DE.
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: item0(
          [
            ['country', 'US', T0, T0, 'n0'],
            ['country', 'DE', T0 + DAY, T0 + DAY, 'n1'],
          ],
          1,
        ),
      }),
    );
    await a.update(rule, 'nora', observing(sighting('n2', 10, 'FR')));
    const stored = JSON.parse((await item('nora'))?.values?.S ?? '[]') as unknown[][];
    expect(stored.map((v) => v[1]).sort()).toEqual(['DE', 'FR', 'US']);
    expect((await item('nora'))?.version).toEqual({ N: '2' });
  });
});
