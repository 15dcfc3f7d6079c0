import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  LATE_ARRIVAL_SECONDS,
  byTime,
  coveredBy,
  emptyCorrelationState,
  newestRecordTime,
  recordsKept,
  type CorrelationShape,
  type CorrelationState,
  type Span,
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

/**
 * A record as stored: `[age, eventId]` or `[age, eventId, detail]`, its age in seconds before the
 * item's `at` (its newest record's time): a third of the object form, and a few bytes less a
 * record than the time itself.
 */
type CompactRecord = [number, string] | [number, string, string];

function compact(state: CorrelationState, at: number): string {
  return JSON.stringify(
    state.steps.map((records) =>
      records.map((r): CompactRecord =>
        r.detail === undefined ? [at - r.time, r.eventId] : [at - r.time, r.eventId, r.detail],
      ),
    ),
  );
}

/**
 * A stored record, in any form it was written in (`[age, eventId, detail?]` before `at`; without
 * `at`, `[time, eventId, detail?]` or an object), or undefined.
 */
function readRecord(value: unknown, at: number | undefined): StepRecord | undefined {
  const [stored, eventId, detail]: unknown[] = Array.isArray(value)
    ? (value as unknown[])
    : isJsonObject(value)
      ? [ownValue(value, 'time'), ownValue(value, 'eventId'), ownValue(value, 'detail')]
      : [];
  if (typeof stored !== 'number' || typeof eventId !== 'string') return undefined;
  const time = Array.isArray(value) && at !== undefined ? at - stored : stored;
  return typeof detail === 'string' ? { time, eventId, detail } : { time, eventId };
}

/** Stored spans: `[[from, to], …]` of finite numbers, in order and disjoint; undefined otherwise. */
function readSpans(value: unknown): Span[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const spans: Span[] = [];
  for (const span of value as unknown[]) {
    if (!Array.isArray(span) || span.length !== 2) return undefined;
    const [from, to] = span as unknown[];
    if (typeof from !== 'number' || typeof to !== 'number' || !(from <= to)) return undefined;
    if (spans.length > 0 && from <= (spans[spans.length - 1] as Span)[1]) return undefined;
    spans.push([from, to]);
  }
  return spans;
}

/**
 * The state an item holds: its steps' records, in time order, at most `recordsKept` each, and the
 * earlier steps' spans (from the records, when the item has none readable: one written before
 * them); empty when unreadable.
 */
function readState(item: Record<string, AttributeValue>, rule: CorrelationShape): CorrelationState {
  const empty = emptyCorrelationState(rule.steps.length);
  let stored: unknown;
  let covered: unknown;
  try {
    stored =
      item.steps?.S === undefined
        ? (JSON.parse(item.state?.S ?? '') as { steps?: unknown }).steps
        : JSON.parse(item.steps.S);
  } catch {
    return empty;
  }
  try {
    covered = item.covered?.S === undefined ? undefined : JSON.parse(item.covered.S);
  } catch {
    // Recomputed from the records below.
  }
  if (!Array.isArray(stored) || stored.length !== rule.steps.length) return empty;
  // Items written before `at` hold times, not ages.
  const at = item.at?.N === undefined ? undefined : Number(item.at.N);
  // In time order, as recordStep expects (a hand edit may have changed it).
  const steps = stored.map((records: unknown) =>
    (Array.isArray(records) ? records : [])
      .map((record: unknown) => readRecord(record, at))
      .filter((r) => r !== undefined)
      .sort(byTime),
  );
  const spans = Array.isArray(covered) && covered.length === rule.steps.length - 1 ? covered : [];
  const lookback = rule.lookbackMinutes * 60;
  return {
    // As recordStep keeps them: an earlier step its oldest and newest, the last its newest.
    steps: steps.map((records, index) => {
      const kept = recordsKept(rule, index);
      if (records.length <= kept) return records;
      if (index === rule.steps.length - 1) return records.slice(records.length - kept);
      const side = Math.floor(kept / 2);
      return [...records.slice(0, side), ...records.slice(records.length - side)];
    }),
    covered: rule.steps
      .slice(0, -1)
      .map((step, index) => readSpans(spans[index]) ?? coveredBy(steps[index] ?? [], step.minMatchCount, lookback)),
  };
}

/** How a correlation rule's state is kept in an item. */
function correlationCodec(rule: CorrelationShape): ItemCodec<CorrelationState> {
  return {
    kind: 'correlation',
    what: `correlation state of ${rule.id}`,
    empty: () => emptyCorrelationState(rule.steps.length),
    read: (item) => readState(item, rule),
    write: (state) => {
      const at = Math.max(0, newestRecordTime(state));
      return {
        ruleId: { S: rule.id },
        at: { N: String(at) },
        steps: { S: compact(state, at) },
        covered: { S: JSON.stringify(state.covered) },
      };
    },
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
    beforeCommit?: (outcome: C) => Promise<void>,
  ): Promise<C> {
    return this.#items.update(correlationItemKey(rule.id, key), correlationCodec(rule), change, beforeCommit);
  }
}
