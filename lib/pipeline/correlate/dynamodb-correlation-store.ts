import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
import { VersionedItemStore, type ItemCodec } from '../state/versioned-item-store.ts';

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

/** The state an item holds: its steps' records, in time order, each step's newest `recordsKept`; empty when unreadable. */
function readState(item: Record<string, AttributeValue>, rule: CorrelationShape): CorrelationState {
  const empty = emptyCorrelationState(rule.steps.length);
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
  return {
    steps: steps.map((records: unknown, index) => {
      const list = Array.isArray(records) ? records : [];
      // In time order, as recordStep expects (a hand edit may have changed it).
      const parsed = list
        .map(readRecord)
        .filter((r) => r !== undefined)
        .sort(byTime);
      const kept = recordsKept(rule.steps[index] as CorrelationShape['steps'][number]);
      return parsed.length > kept ? parsed.slice(parsed.length - kept) : parsed;
    }),
  };
}

/** How a correlation rule's state is kept in an item. */
function correlationCodec(rule: CorrelationShape): ItemCodec<CorrelationState> {
  return {
    kind: 'correlation',
    what: `correlation state of ${rule.id}`,
    empty: () => emptyCorrelationState(rule.steps.length),
    read: (item) => readState(item, rule),
    write: (state) => ({ ruleId: { S: rule.id }, steps: { S: compact(state) } }),
    expiresAt: (state, now) =>
      Math.max(newestRecordTime(state), now) + rule.lookbackMinutes * 60 + LATE_ARRIVAL_SECONDS,
  };
}

/**
 * Correlation state in the dedup table: one item per rule and key, holding each step's few newest
 * records (`recordsKept`: 12 for the brute-force rule, under 1 KB) and a version number.
 *
 * An update is one conditional `PutItem` on the version it read: no read when the function
 * remembers the key's state, else one consistent `GetItem`. When another writer got there first,
 * the failed write returns the newer item (`ReturnValuesOnConditionCheckFailure`), the change is
 * replayed on it and written again; a change that changes nothing writes nothing (see
 * `VersionedItemStore`). The item expires (TTL) once its newest record is older than the lookback
 * plus the late-arrival allowance.
 *
 * @example
 * ```ts
 * const store = new DynamoCorrelationStore({ client, tableName });
 * const { findings } = await store.update(rule, storageKey, (state) => recordSteps(rule, state, key, additions));
 * ```
 */
export class DynamoCorrelationStore implements CorrelationStore {
  readonly #items: VersionedItemStore;

  public constructor(options: DynamoCorrelationStoreOptions) {
    this.#items = new VersionedItemStore({
      client: options.client,
      tableName: options.tableName,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      remembered: options.rememberedStates ?? REMEMBERED_CORRELATION_STATES,
      maxAttempts: MAX_CORRELATION_WRITE_ATTEMPTS,
      contention: (message) => new CorrelationContentionError(message),
    });
  }

  public update<C extends CorrelationChange>(
    rule: CorrelationShape,
    key: string,
    change: (state: CorrelationState) => C,
  ): Promise<C> {
    return this.#items.update(correlationItemKey(rule.id, key), correlationCodec(rule), change);
  }
}
