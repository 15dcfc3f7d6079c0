import { createHash } from 'node:crypto';
import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  LATE_ARRIVAL_SECONDS,
  emptyCorrelationState,
  recordStep,
  type CorrelationShape,
  type CorrelationState,
} from '../../detection/engine/correlation.ts';
import type { StepRecord } from '../../detection/engine/correlation.ts';
import type { CorrelationStore } from './correlation-store.ts';
import { CorrelationContentionError } from './errors.ts';

/** Options of {@link DynamoCorrelationStore}. */
export interface DynamoCorrelationStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Current time in Unix seconds; injectable for tests. */
  readonly clock?: () => number;
}

/** Optimistic writes tried before giving the record back to SQS. */
export const MAX_CORRELATION_WRITE_ATTEMPTS = 8;

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
  readonly version: number;
}

function readState(item: Record<string, AttributeValue> | undefined, stepCount: number): StoredState | undefined {
  if (item === undefined) return undefined;
  const version = Number(item.version?.N ?? '0');
  try {
    const parsed = JSON.parse(item.state?.S ?? '') as { steps?: unknown };
    if (Array.isArray(parsed.steps) && parsed.steps.length === stepCount)
      return { state: parsed as CorrelationState, version };
  } catch {
    // An unreadable state (a rule whose steps changed, a hand edit) starts afresh below.
  }
  return { state: emptyCorrelationState(stepCount), version };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Correlation state in the dedup table: one item per rule and key holding the state as JSON and a
 * version number. A write is a read, a pure {@link recordStep}, and a put conditional on the
 * version read (optimistic concurrency), retried on conflict; a match already recorded writes
 * nothing. The item expires (TTL) once its newest record is older than the lookback plus the
 * late-arrival allowance.
 *
 * @example
 * ```ts
 * const store = new DynamoCorrelationStore({ client, tableName });
 * ```
 */
export class DynamoCorrelationStore implements CorrelationStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #clock: () => number;

  public constructor(options: DynamoCorrelationStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  }

  public async record(
    rule: CorrelationShape,
    key: string,
    stepIndex: number,
    record: StepRecord,
  ): Promise<CorrelationState> {
    const pk = correlationItemKey(rule.id, key);
    for (let attempt = 1; attempt <= MAX_CORRELATION_WRITE_ATTEMPTS; attempt++) {
      const { Item } = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: { pk: { S: pk } }, ConsistentRead: true }),
      );
      const stored = readState(Item, rule.steps.length);
      const { state, added } = recordStep(
        rule,
        stored?.state ?? emptyCorrelationState(rule.steps.length),
        stepIndex,
        record,
      );
      if (!added) return state;
      const newest = Math.max(...state.steps.flatMap((records) => records.map((r) => r.time)), this.#clock());
      const expiresAt = newest + rule.lookbackMinutes * 60 + LATE_ARRIVAL_SECONDS;
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              pk: { S: pk },
              kind: { S: 'correlation' },
              ruleId: { S: rule.id },
              state: { S: JSON.stringify(state) },
              version: { N: String((stored?.version ?? 0) + 1) },
              expiresAt: { N: String(expiresAt) },
            },
            ConditionExpression: stored === undefined ? 'attribute_not_exists(pk)' : '#version = :v',
            ...(stored === undefined
              ? {}
              : {
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':v': { N: String(stored.version) } },
                }),
          }),
        );
        return state;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new CorrelationContentionError(
      `correlation state of ${rule.id} kept changing under ${MAX_CORRELATION_WRITE_ATTEMPTS} attempts; retrying later`,
    );
  }
}
