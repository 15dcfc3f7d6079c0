import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type PutItemCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  LATE_ARRIVAL_SECONDS,
  byTime,
  emptyCorrelationState,
  newestRecordTime,
  recordsKept,
  type CorrelationShape,
  type CorrelationState,
  type StepRecord,
} from '../../detection/engine/correlation.ts';
import type { CorrelationChange, CorrelationStore } from './correlation-store.ts';
import { isJsonObject, ownValue } from '../../shared/json.ts';
import { CorrelationContentionError } from './errors.ts';

/** Options of {@link DynamoCorrelationStore}. */
export interface DynamoCorrelationStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Current time in Unix seconds; injectable for tests. */
  readonly clock?: () => number;
  /** States remembered, oldest forgotten first; {@link REMEMBERED_CORRELATION_STATES} by default. */
  readonly rememberedStates?: number;
}

/**
 * Versioned writes tried before giving the records back to SQS. Each failed one means another
 * writer's succeeded, so with a handful of concurrent invocations on one key this is never reached.
 */
export const MAX_CORRELATION_WRITE_ATTEMPTS = 32;

/** States a warm function remembers, so a key it wrote before costs no read. */
export const REMEMBERED_CORRELATION_STATES = 10_000;

/**
 * The item key of a correlation's state: the rule and a digest of the key, so an arbitrarily long
 * or odd key (an email, an organization prefix) always makes a short, valid partition key.
 *
 * @example
 * ```ts
 * correlationItemKey('OpenAI.BruteForce.Login.Success.Group', 'alice@example.com'); // 'corr#OpenAI.BruteForce...#3f1c...'
 * ```
 */
export function correlationItemKey(ruleId: string, key: string): string {
  return `corr#${ruleId}#${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

interface StoredState {
  readonly state: CorrelationState;
  /** 0 when there is no item, or when its version cannot be read. */
  readonly version: number;
  /** Whether the item exists: the next write is conditioned on its version, else on there being none. */
  readonly exists: boolean;
  /** The `version` attribute as stored (absent from an item written by hand), which the next write compares. */
  readonly stored?: AttributeValue;
}

/** A record as stored: `[time, eventId]` or `[time, eventId, detail]`, a third of the object form. */
type CompactRecord = [number, string] | [number, string, string];

function compact(state: CorrelationState): string {
  return JSON.stringify(
    state.steps.map((records) =>
      records.map((r): CompactRecord => (r.detail === undefined ? [r.time, r.eventId] : [r.time, r.eventId, r.detail])),
    ),
  );
}

/** A stored record, in either form (`[time, eventId, detail?]`, or an object as written before), or undefined. */
function readRecord(value: unknown): StepRecord | undefined {
  const [time, eventId, detail]: unknown[] = Array.isArray(value)
    ? (value as unknown[])
    : isJsonObject(value)
      ? [ownValue(value, 'time'), ownValue(value, 'eventId'), ownValue(value, 'detail')]
      : [];
  if (typeof time !== 'number' || typeof eventId !== 'string') return undefined;
  return typeof detail === 'string' ? { time, eventId, detail } : { time, eventId };
}

/**
 * The state an item holds: `steps` (compact), or `state` as written before (objects, up to 200 a
 * step), cut to what each step keeps now. Anything else (a rule whose steps changed, a hand edit)
 * reads as empty, and the next write replaces it.
 */
function readState(item: Record<string, AttributeValue> | undefined, rule: CorrelationShape): StoredState | undefined {
  if (item === undefined) return undefined;
  const stored = item.version;
  const version = Number(stored?.N);
  const empty: StoredState = {
    state: emptyCorrelationState(rule.steps.length),
    version: Number.isSafeInteger(version) ? version : 0,
    exists: true,
    ...(stored === undefined ? {} : { stored }),
  };
  let steps: unknown;
  try {
    steps =
      item.steps?.S === undefined
        ? (JSON.parse(item.state?.S ?? '') as { steps?: unknown }).steps
        : JSON.parse(item.steps.S);
  } catch {
    return empty;
  }
  if (!Array.isArray(steps) || steps.length !== rule.steps.length) return empty;
  const read = steps.map((records: unknown, index) => {
    const list = Array.isArray(records) ? records : [];
    // In time order, as recordStep expects (a hand edit may have changed it).
    const parsed = list
      .map(readRecord)
      .filter((r) => r !== undefined)
      .sort(byTime);
    const kept = recordsKept(rule.steps[index] as CorrelationShape['steps'][number]);
    return parsed.length > kept ? parsed.slice(parsed.length - kept) : parsed;
  });
  return { ...empty, state: { steps: read } };
}

/** The write's condition: the item is still as read (an item written by hand may have no version). */
function writeCondition(
  over: StoredState,
): Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  if (!over.exists) return { ConditionExpression: 'attribute_not_exists(pk)' };
  const names = { '#version': 'version' };
  if (over.stored === undefined)
    return {
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#version)',
      ExpressionAttributeNames: names,
    };
  return {
    ConditionExpression: '#version = :v',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':v': over.stored },
  };
}

/**
 * Correlation state in the dedup table: one item per rule and key, holding each step's few newest
 * records (`recordsKept`: 12 for the brute-force rule, under 1 KB) and a version number.
 *
 * An update is one conditional `PutItem` on the version it read: no read when the function
 * remembers the key's state, else one consistent `GetItem`. When another writer got there first,
 * the failed write returns the newer item (`ReturnValuesOnConditionCheckFailure`), the change is
 * replayed on it and written again; a change that changes nothing writes nothing. The item expires
 * (TTL) once its newest record is older than the lookback plus the late-arrival allowance.
 *
 * @example
 * ```ts
 * const store = new DynamoCorrelationStore({ client, tableName });
 * const { findings } = await store.update(rule, storageKey, (state) => recordSteps(rule, state, key, additions));
 * ```
 */
export class DynamoCorrelationStore implements CorrelationStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #clock: () => number;
  readonly #rememberedStates: number;
  /** What this function last read or wrote per item, oldest first. */
  readonly #known = new Map<string, StoredState>();

  public constructor(options: DynamoCorrelationStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
    this.#rememberedStates = options.rememberedStates ?? REMEMBERED_CORRELATION_STATES;
  }

  public async update<C extends CorrelationChange>(
    rule: CorrelationShape,
    key: string,
    change: (state: CorrelationState) => C,
  ): Promise<C> {
    const pk = correlationItemKey(rule.id, key);
    let stored = this.#known.get(pk) ?? (await this.#read(pk, rule));
    for (let attempt = 1; attempt <= MAX_CORRELATION_WRITE_ATTEMPTS; attempt++) {
      this.#remember(pk, stored);
      const outcome = change(stored.state);
      if (!outcome.changed) return outcome;
      const version = stored.version + 1;
      const written = await this.#write(pk, rule, stored, outcome.state);
      if (written.kind === 'written') {
        this.#remember(pk, { state: outcome.state, version, exists: true, stored: { N: String(version) } });
        return outcome;
      }
      if (attempt === MAX_CORRELATION_WRITE_ATTEMPTS) break;
      stored = readState(written.item, rule) ?? (await this.#read(pk, rule));
    }
    this.#known.delete(pk);
    throw new CorrelationContentionError(
      `correlation state of ${rule.id} kept changing under ${MAX_CORRELATION_WRITE_ATTEMPTS} attempts; retrying later`,
    );
  }

  async #read(pk: string, rule: CorrelationShape): Promise<StoredState> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { pk: { S: pk } }, ConsistentRead: true }),
    );
    return readState(Item, rule) ?? { state: emptyCorrelationState(rule.steps.length), version: 0, exists: false };
  }

  /** The versioned write; on a lost race, the item that won (when DynamoDB returns it). */
  async #write(
    pk: string,
    rule: CorrelationShape,
    over: StoredState,
    state: CorrelationState,
  ): Promise<{ kind: 'written' } | { kind: 'lost'; item: Record<string, AttributeValue> | undefined }> {
    const expiresAt =
      Math.max(newestRecordTime(state), this.#clock()) + rule.lookbackMinutes * 60 + LATE_ARRIVAL_SECONDS;
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            pk: { S: pk },
            kind: { S: 'correlation' },
            ruleId: { S: rule.id },
            steps: { S: compact(state) },
            version: { N: String(over.version + 1) },
            expiresAt: { N: String(expiresAt) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...writeCondition(over),
        }),
      );
      return { kind: 'written' };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { kind: 'lost', item: error.Item };
      throw error;
    }
  }

  #remember(pk: string, stored: StoredState): void {
    this.#known.delete(pk);
    this.#known.set(pk, stored);
    if (this.#known.size > this.#rememberedStates) this.#known.delete(this.#known.keys().next().value as string);
  }
}
