import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromSentMap, type SeenEvents } from './seen-events.ts';

/**
 * Where polling stands: every event with `effective_at <= highWater` has been listed and enqueued,
 * and what was enqueued within the overlap window is remembered per second (see
 * {@link SeenEvents}) so that re-listing the overlap does not enqueue it again.
 */
export interface PollCursor {
  readonly highWater: number;
  readonly seen: SeenEvents;
}

/** Loads and saves the poll cursor. */
export interface CursorStore {
  load(): Promise<PollCursor | undefined>;
  save(cursor: PollCursor): Promise<void>;
}

/**
 * {@link CursorStore} in one DynamoDB item (`pk` = the cursor key) of the dedup table: the poll
 * role may touch only that key.
 *
 * @example
 * ```ts
 * const store = new DynamoCursorStore(new DynamoDBClient({}), 'openai-audit-alerts-prod-dedup', 'ingest-cursor');
 * ```
 */
export class DynamoCursorStore implements CursorStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #key: string;

  public constructor(client: DynamoDBClient, tableName: string, key: string) {
    this.#client = client;
    this.#tableName = tableName;
    this.#key = key;
  }

  public async load(): Promise<PollCursor | undefined> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#tableName, Key: { pk: { S: this.#key } }, ConsistentRead: true }),
    );
    if (!Item?.highWater?.N) return undefined;
    const highWater = Number(Item.highWater.N);
    if (Item.seen?.S !== undefined) return { highWater, seen: JSON.parse(Item.seen.S) as SeenEvents };
    // A cursor written before seconds were kept: `sent` maps each id to its effective_at.
    return { highWater, seen: fromSentMap(JSON.parse(Item.sent?.S ?? '{}') as Record<string, number>) };
  }

  public async save(cursor: PollCursor): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#tableName,
        Item: {
          pk: { S: this.#key },
          highWater: { N: String(cursor.highWater) },
          seen: { S: JSON.stringify(cursor.seen) },
          updatedAt: { N: String(Math.floor(Date.now() / 1000)) },
        },
      }),
    );
  }
}

/** A cursor kept in memory only (one CLI run). */
export class MemoryCursorStore implements CursorStore {
  #cursor: PollCursor | undefined;

  public constructor(initial?: PollCursor) {
    this.#cursor = initial;
  }

  public load(): Promise<PollCursor | undefined> {
    return Promise.resolve(this.#cursor);
  }

  public save(cursor: PollCursor): Promise<void> {
    this.#cursor = cursor;
    return Promise.resolve();
  }
}
