import { randomUUID } from 'node:crypto';
import {
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DEFAULT_LEASE_SECONDS, EXPIRY_GRACE_SECONDS, MAX_CLAIM_ATTEMPTS } from './constants.ts';
import { alertIdFor, partitionKey, type DedupItem, type WindowStatus } from './dedup-item.ts';
import type { ClaimInput, ClaimResult, DedupStore } from './dedup-store.ts';
import { decideClaim, type ClaimDecision, type ClaimRequest } from './decide.ts';
import { DedupContentionError } from './errors.ts';

/** Options of {@link DynamoDedupStore}. */
export interface DynamoDedupStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Current time in Unix seconds; injectable for tests. */
  readonly clock?: () => number;
  readonly leaseSeconds?: number;
}

const CONFLICT = Symbol('conflict');

// Every attribute through a placeholder: `status` is a DynamoDB reserved word, and uniformity
// keeps the expressions readable.
const NAMES = {
  '#pk': 'pk',
  '#alertId': 'alertId',
  '#status': 'status',
  '#windowEndsAt': 'windowEndsAt',
  '#leaseUntil': 'leaseUntil',
  '#leaseOwner': 'leaseOwner',
  '#eventCount': 'eventCount',
  '#eventIds': 'eventIds',
};

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function readItem(raw: Record<string, AttributeValue> | undefined): DedupItem | undefined {
  if (!raw) return undefined;
  const s = (key: string) => raw[key]?.S ?? '';
  const n = (key: string) => Number(raw[key]?.N ?? '0');
  const status = s('status');
  if (status !== 'counting' && status !== 'pending' && status !== 'sent') return undefined;
  return {
    pk: s('pk'),
    alertId: s('alertId'),
    ruleId: s('ruleId'),
    windowStart: n('windowStart'),
    windowEndsAt: n('windowEndsAt'),
    expiresAt: n('expiresAt'),
    status,
    leaseUntil: n('leaseUntil'),
    leaseOwner: s('leaseOwner'),
    firstEventId: s('firstEventId'),
    eventCount: n('eventCount'),
    eventIds: raw.eventIds?.SS ?? [],
  };
}

/**
 * {@link DedupStore} on a DynamoDB table with partition key `pk` (string) and TTL on `expiresAt`.
 * Every state change is one conditional write; a failed condition means the item changed, so it is
 * read again (consistently) and the protocol step decided again. Expired items are overwritten by
 * condition, never trusted: TTL deletion can lag by days.
 *
 * @example
 * ```ts
 * const store = new DynamoDedupStore({ client: new DynamoDBClient({}), tableName: 'dedup' });
 * ```
 */
export class DynamoDedupStore implements DedupStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #clock: () => number;
  readonly #leaseSeconds: number;

  public constructor(options: DynamoDedupStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
    this.#leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  }

  public async claim(input: ClaimInput): Promise<ClaimResult> {
    const request: ClaimRequest = { ...input, now: this.#clock(), leaseSeconds: this.#leaseSeconds, owner: randomUUID() };
    const pk = partitionKey(input.dedupKey);
    // Optimistic first step: most claims either open a window or find one, and a failed
    // conditional put costs no more than the read it saves.
    let item: DedupItem | undefined;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const result = await this.#apply(pk, decideClaim(item, request), request);
      if (result !== CONFLICT) return result;
      item = await this.#read(pk);
    }
    throw new DedupContentionError(`dedup window ${pk} changed under ${MAX_CLAIM_ATTEMPTS} consecutive writes`);
  }

  public async markSent(dedupKey: string, alertId: string): Promise<boolean> {
    return this.#update(partitionKey(dedupKey), {
      UpdateExpression: 'SET #status = :sent REMOVE #leaseUntil, #leaseOwner',
      ConditionExpression: '#alertId = :aid AND #status = :pending',
      ExpressionAttributeValues: { ':sent': S('sent'), ':pending': S('pending'), ':aid': S(alertId) },
    });
  }

  public async release(dedupKey: string, alertId: string): Promise<void> {
    await this.#update(partitionKey(dedupKey), {
      UpdateExpression: 'SET #leaseUntil = :zero',
      ConditionExpression: '#alertId = :aid AND #status = :pending',
      ExpressionAttributeValues: { ':zero': N(0), ':pending': S('pending'), ':aid': S(alertId) },
    });
  }

  async #apply(pk: string, decision: ClaimDecision, request: ClaimRequest): Promise<ClaimResult | typeof CONFLICT> {
    const lease = request.now + request.leaseSeconds;
    const eventIdSet = { SS: [request.eventId] };
    switch (decision.kind) {
      case 'open': {
        const windowEndsAt = request.now + request.windowSeconds;
        const alertId = alertIdFor(request.dedupKey, request.now);
        const status: WindowStatus = request.threshold <= 1 ? 'pending' : 'counting';
        const opened = await this.#put({
          pk: S(pk),
          alertId: S(alertId),
          ruleId: S(request.ruleId),
          windowStart: N(request.now),
          windowEndsAt: N(windowEndsAt),
          expiresAt: N(windowEndsAt + EXPIRY_GRACE_SECONDS),
          status: S(status),
          leaseUntil: N(status === 'pending' ? lease : 0),
          leaseOwner: S(request.owner),
          firstEventId: S(request.eventId),
          eventCount: N(1),
          eventIds: eventIdSet,
        }, request.now);
        if (!opened) return CONFLICT;
        return status === 'pending'
          ? { kind: 'publish', alertId, windowEndsAt, eventCount: 1, takeover: false }
          : { kind: 'below-threshold', eventCount: 1, duplicate: false };
      }
      case 'duplicate':
        return decision.item.status === 'counting'
          ? { kind: 'below-threshold', eventCount: decision.item.eventCount, duplicate: true }
          : { kind: 'suppressed', alertId: decision.item.alertId, duplicate: true };
      case 'busy':
        return { kind: 'busy', alertId: decision.item.alertId, retryAfterSeconds: decision.retryAfterSeconds };
      case 'resume':
        return { kind: 'publish', alertId: decision.item.alertId, windowEndsAt: decision.item.windowEndsAt, eventCount: decision.item.eventCount, takeover: false };
      case 'suppress': {
        const ok = await this.#update(pk, {
          UpdateExpression: decision.track ? 'ADD #eventCount :one, #eventIds :ids' : 'ADD #eventCount :one',
          ConditionExpression: `#alertId = :aid AND #status = :sent${decision.track ? ' AND NOT contains(#eventIds, :eid)' : ''}`,
          ExpressionAttributeValues: {
            ':one': N(1),
            ':aid': S(decision.item.alertId),
            ':sent': S('sent'),
            ...(decision.track ? { ':ids': eventIdSet, ':eid': S(request.eventId) } : {}),
          },
        });
        return ok ? { kind: 'suppressed', alertId: decision.item.alertId, duplicate: false } : CONFLICT;
      }
      case 'take-over': {
        const { item, count, track } = decision;
        const add = [count ? '#eventCount :one' : '', track ? '#eventIds :ids' : ''].filter(Boolean);
        const ok = await this.#update(pk, {
          UpdateExpression: `SET #leaseUntil = :lease, #leaseOwner = :owner${add.length > 0 ? ` ADD ${add.join(', ')}` : ''}`,
          ConditionExpression: '#alertId = :aid AND #status = :pending AND #leaseUntil <= :now',
          ExpressionAttributeValues: {
            ':lease': N(lease),
            ':owner': S(request.owner),
            ':aid': S(item.alertId),
            ':pending': S('pending'),
            ':now': N(request.now),
            ...(count ? { ':one': N(1) } : {}),
            ...(track ? { ':ids': eventIdSet } : {}),
          },
        });
        if (!ok) return CONFLICT;
        return {
          kind: 'publish',
          alertId: item.alertId,
          windowEndsAt: item.windowEndsAt,
          eventCount: item.eventCount + (count ? 1 : 0),
          takeover: true,
        };
      }
      case 'count': {
        const { item, reachesThreshold, track } = decision;
        const next = item.eventCount + 1;
        const ok = await this.#update(pk, {
          UpdateExpression: `SET #eventCount = :next${reachesThreshold ? ', #status = :pending, #leaseUntil = :lease, #leaseOwner = :owner' : ''}${track ? ' ADD #eventIds :ids' : ''}`,
          ConditionExpression: '#alertId = :aid AND #status = :counting AND #eventCount = :observed',
          ExpressionAttributeValues: {
            ':next': N(next),
            ':aid': S(item.alertId),
            ':counting': S('counting'),
            ':observed': N(item.eventCount),
            ...(reachesThreshold ? { ':pending': S('pending'), ':lease': N(lease), ':owner': S(request.owner) } : {}),
            ...(track ? { ':ids': eventIdSet } : {}),
          },
        });
        if (!ok) return CONFLICT;
        return reachesThreshold
          ? { kind: 'publish', alertId: item.alertId, windowEndsAt: item.windowEndsAt, eventCount: next, takeover: false }
          : { kind: 'below-threshold', eventCount: next, duplicate: false };
      }
    }
  }

  async #put(item: Record<string, AttributeValue>, now: number): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk) OR #windowEndsAt <= :now',
          ExpressionAttributeNames: { '#pk': NAMES['#pk'], '#windowEndsAt': NAMES['#windowEndsAt'] },
          ExpressionAttributeValues: { ':now': N(now) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #update(
    pk: string,
    update: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Record<string, AttributeValue> },
  ): Promise<boolean> {
    const text = `${update.UpdateExpression} ${update.ConditionExpression}`;
    const names = Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => text.includes(placeholder)));
    try {
      await this.#client.send(
        new UpdateItemCommand({ TableName: this.#table, Key: { pk: S(pk) }, ExpressionAttributeNames: names, ...update }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #read(pk: string): Promise<DedupItem | undefined> {
    const result = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { pk: S(pk) }, ConsistentRead: true }),
    );
    return readItem(result.Item);
  }
}
