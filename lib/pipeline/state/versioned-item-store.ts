import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';

/** A state `S` as a table item holds it: how to read it, write it, and when it expires. */
export interface ItemCodec<S> {
  /** The item's `kind` attribute (`correlation`, `baseline`). */
  readonly kind: string;
  /** What the item holds, for messages (`correlation state of OpenAI.BruteForce.Login.Success.Group`). */
  readonly what: string;
  /** The state of a key no item holds yet. */
  empty(): S;
  /** The state an item holds; the empty state when it holds none this codec can read. */
  read(item: Record<string, AttributeValue>): S;
  /** The attributes holding a state, beside `pk`, `kind`, `version` and `expiresAt`. */
  write(state: S): Record<string, AttributeValue>;
  /** Unix seconds when an item holding `state` may expire (the table's TTL attribute), `now` the clock. */
  expiresAt(state: S, now: number): number;
}

/** What a change to a state made of it; `changed: false` writes nothing. */
export interface StateChange<S> {
  readonly state: S;
  readonly changed: boolean;
}

/** A state as read, with what the next write is conditioned on. */
interface Stored<S> {
  readonly state: S;
  /** The version read (0 when the item has none). */
  readonly version: number;
  /** Whether an item exists: the next write must not create one. */
  readonly exists: boolean;
  /** The version attribute as stored, absent when the item has none (written before versions). */
  readonly stored?: AttributeValue;
}

/** Options of a {@link VersionedItemStore}. */
export interface VersionedItemStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Unix seconds. Default: the system clock. */
  readonly clock?: (() => number) | undefined;
  /** How many states a warm function remembers (the least recently used are forgotten first). */
  readonly remembered: number;
  /** Writes tried before {@link VersionedItemStore.update} gives up. */
  readonly maxAttempts: number;
  /** The error thrown when every attempt lost its race, given what contended and the attempts made. */
  readonly contention: (message: string) => Error;
}

function writeCondition<S>(
  over: Stored<S>,
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
 * States kept one per item in a DynamoDB table and changed by pure functions, shared by every
 * consumer: what the correlation and baseline stores are made of.
 *
 * An update is one conditional `PutItem` on the version it read: no read when the function
 * remembers the key's state, else one consistent `GetItem`. When another writer got there first,
 * the failed write returns the newer item (`ReturnValuesOnConditionCheckFailure`), the change is
 * replayed on it and written again, so no writer's change is lost; a change that changes nothing
 * writes nothing.
 *
 * @example
 * ```ts
 * const store = new VersionedItemStore({ client, tableName, remembered: 10_000, maxAttempts: 32, contention });
 * const outcome = await store.update(pk, codec, (state) => ({ state: next(state), changed: true }));
 * ```
 */
export class VersionedItemStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #clock: () => number;
  readonly #options: VersionedItemStoreOptions;
  /** States this function read or wrote last, by item key, least recently used first. */
  readonly #known = new Map<string, Stored<unknown>>();

  public constructor(options: VersionedItemStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
    this.#options = options;
  }

  /**
   * Applies `change` to the state of item `pk` and returns what it returned on the state it was
   * written over (or on the state read, when it changed nothing). `beforeCommit`, when given, is
   * awaited with each outcome before it is written (again after a lost write, with the outcome
   * replayed), or before it is returned when it changes nothing: what must be durable before the
   * state is. When it throws, nothing is written.
   */
  public async update<S, C extends StateChange<S>>(
    pk: string,
    codec: ItemCodec<S>,
    change: (state: S) => C,
    beforeCommit?: (outcome: C) => Promise<void>,
  ): Promise<C> {
    let stored = (this.#known.get(pk) as Stored<S> | undefined) ?? (await this.#read(pk, codec));
    const { maxAttempts } = this.#options;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      this.#remember(pk, stored);
      const outcome = change(stored.state);
      await beforeCommit?.(outcome);
      if (!outcome.changed) return outcome;
      const version = stored.version + 1;
      const lost = await this.#write(pk, codec, stored, outcome.state);
      if (lost === undefined) {
        this.#remember(pk, { state: outcome.state, version, exists: true, stored: { N: String(version) } });
        return outcome;
      }
      if (attempt === maxAttempts) break;
      stored = lost.item === undefined ? await this.#read(pk, codec) : this.#stored(lost.item, codec);
    }
    this.#known.delete(pk);
    throw this.#options.contention(`${codec.what} kept changing under ${maxAttempts} attempts; retrying later`);
  }

  #stored<S>(item: Record<string, AttributeValue>, codec: ItemCodec<S>): Stored<S> {
    const stored = item.version;
    const version = Number(stored?.N);
    return {
      state: codec.read(item),
      version: Number.isSafeInteger(version) ? version : 0,
      exists: true,
      ...(stored === undefined ? {} : { stored }),
    };
  }

  async #read<S>(pk: string, codec: ItemCodec<S>): Promise<Stored<S>> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { pk: { S: pk } }, ConsistentRead: true }),
    );
    return Item === undefined ? { state: codec.empty(), version: 0, exists: false } : this.#stored(Item, codec);
  }

  /** Writes `state` over `over`; the newer item (when DynamoDB returned it) if another writer got there first. */
  async #write<S>(
    pk: string,
    codec: ItemCodec<S>,
    over: Stored<S>,
    state: S,
  ): Promise<{ item: Record<string, AttributeValue> | undefined } | undefined> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            pk: { S: pk },
            kind: { S: codec.kind },
            ...codec.write(state),
            version: { N: String(over.version + 1) },
            expiresAt: { N: String(codec.expiresAt(state, this.#clock())) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ...writeCondition(over),
        }),
      );
      return undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { item: error.Item };
      throw error;
    }
  }

  #remember<S>(pk: string, stored: Stored<S>): void {
    this.#known.delete(pk);
    this.#known.set(pk, stored);
    if (this.#known.size > this.#options.remembered) this.#known.delete(this.#known.keys().next().value as string);
  }
}
