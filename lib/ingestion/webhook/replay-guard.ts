import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { WEBHOOK_ID_LEASE_SECONDS, WEBHOOK_ID_RETENTION_SECONDS } from './constants.ts';

/** What claiming a webhook-id found. */
export type WebhookIdClaim =
  /** First delivery (or a crashed one's lease expired): this request enqueues, then completes. */
  | { readonly kind: 'claimed'; readonly token: string }
  /** Accepted before: answer what was answered then, enqueue nothing. */
  | { readonly kind: 'replay'; readonly response: string }
  /** Another request is enqueuing this id right now. */
  | { readonly kind: 'in-progress'; readonly retryAfterSeconds: number }
  /** The same id was used for a different body. */
  | { readonly kind: 'conflict' };

/**
 * Remembers webhook-ids so that a redelivered request enqueues nothing twice (the Standard
 * Webhooks idempotency key).
 */
export interface ReplayGuard {
  claim(key: string, bodyHash: string, nowSeconds: number): Promise<WebhookIdClaim>;
  /** Records the answer (bounded: a few rejected items and a count, well within an item's 400 KB); later deliveries of the id get it back. */
  complete(key: string, token: string, response: string, nowSeconds: number): Promise<void>;
  /** Gives the id back after a failure, so the sender's retry can enqueue. */
  release(key: string, token: string): Promise<void>;
}

/**
 * {@link ReplayGuard} on a DynamoDB table (`pk` string key, TTL on `expiresAt`): a conditional put
 * claims an id (new, or expired, or pending with an expired lease), a conditional update stores
 * the answer, a conditional delete releases it. Items expire after seven days; an expired item
 * still present (TTL deletion lags) is overwritten, never trusted.
 *
 * @example
 * ```ts
 * const guard = new DynamoReplayGuard(new DynamoDBClient({}), process.env.WEBHOOK_DELIVERIES_TABLE);
 * ```
 */
export class DynamoReplayGuard implements ReplayGuard {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  public constructor(client: DynamoDBClient, table: string) {
    this.#client = client;
    this.#table = table;
  }

  public async claim(key: string, bodyHash: string, nowSeconds: number): Promise<WebhookIdClaim> {
    const token = randomUUID();
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            pk: { S: key },
            bodyHash: { S: bodyHash },
            state: { S: 'pending' },
            owner: { S: token },
            leaseUntil: { N: String(nowSeconds + WEBHOOK_ID_LEASE_SECONDS) },
            expiresAt: { N: String(nowSeconds + WEBHOOK_ID_RETENTION_SECONDS) },
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :now OR (#state = :pending AND leaseUntil < :now AND bodyHash = :hash)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':now': { N: String(nowSeconds) },
            ':pending': { S: 'pending' },
            ':hash': { S: bodyHash },
          },
        }),
      );
      return { kind: 'claimed', token };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { pk: { S: key } }, ConsistentRead: true }),
    );
    if (Item?.bodyHash?.S !== bodyHash) return { kind: 'conflict' };
    if (Item.state?.S === 'done' && Item.response?.S !== undefined)
      return { kind: 'replay', response: Item.response.S };
    return {
      kind: 'in-progress',
      retryAfterSeconds: Math.max(1, Number(Item.leaseUntil?.N ?? nowSeconds) - nowSeconds),
    };
  }

  public async complete(key: string, token: string, response: string, nowSeconds: number): Promise<void> {
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { pk: { S: key } },
        UpdateExpression: 'SET #state = :done, #response = :response, expiresAt = :expires REMOVE leaseUntil',
        ConditionExpression: '#owner = :token',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':done': { S: 'done' },
          ':response': { S: response },
          ':expires': { N: String(nowSeconds + WEBHOOK_ID_RETENTION_SECONDS) },
          ':token': { S: token },
        },
      }),
    );
  }

  public async release(key: string, token: string): Promise<void> {
    await this.#client.send(
      new DeleteItemCommand({
        TableName: this.#table,
        Key: { pk: { S: key } },
        ConditionExpression: '#owner = :token',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':token': { S: token } },
      }),
    );
  }
}
