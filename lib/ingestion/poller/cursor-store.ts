import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Where polling stands: every event with `effective_at <= highWater` has been listed and enqueued,
 * and the ids enqueued within the overlap window are remembered (with their time) so that
 * re-listing the overlap never enqueues one twice.
 */
export interface PollCursor {
  readonly highWater: number;
  readonly sent: Readonly<Record<string, number>>;
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
    const { Item } = await this.#client.send(new GetItemCommand({ TableName: this.#tableName, Key: { pk: { S: this.#key } }, ConsistentRead: true }));
    if (!Item?.highWater?.N) return undefined;
    return { highWater: Number(Item.highWater.N), sent: JSON.parse(Item.sent?.S ?? '{}') as Record<string, number> };
  }

  public async save(cursor: PollCursor): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#tableName,
        Item: { pk: { S: this.#key }, highWater: { N: String(cursor.highWater) }, sent: { S: JSON.stringify(cursor.sent) }, updatedAt: { N: String(Math.floor(Date.now() / 1000)) } },
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
