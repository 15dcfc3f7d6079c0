import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BaselineShape, BaselineState, KnownValue } from '../../detection/engine/baseline.ts';
import { forgetAfterSeconds, lastSighting, valueKey } from '../../detection/engine/baseline.ts';
import { VersionedItemStore, type ItemCodec } from '../state/versioned-item-store.ts';
import type { BaselineChange, BaselineStore } from './baseline-store.ts';

/** Options of {@link DynamoBaselineStore}. */
export interface DynamoBaselineStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Current time in Unix seconds; injectable for tests. */
  readonly clock?: () => number;
  /** Actors remembered, least recently used forgotten first; {@link REMEMBERED_BASELINES} by default. */
  readonly remembered?: number;
}

/** Versioned writes tried before giving the records back to SQS (each lost one means another writer's succeeded). */
export const MAX_BASELINE_WRITE_ATTEMPTS = 32;

/** Actors a warm function remembers, so an actor it read or wrote before costs no read. */
export const REMEMBERED_BASELINES = 10_000;

/** Raised when an actor's baseline kept changing under every attempt. */
export class BaselineContentionError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'BaselineContentionError';
  }
}

/**
 * The item key of an actor's baseline: the rule and a digest of the actor, so any actor (an email,
 * an organization prefix) makes a short, valid partition key.
 *
 * @example
 * ```ts
 * baselineItemKey('OpenAI.Credential.New.Source', 'user:user-1'); // 'base#OpenAI.Credential.New.Source#9a1f...'
 * ```
 */
export function baselineItemKey(ruleId: string, actor: string): string {
  return `base#${ruleId}#${createHash('sha256').update(actor).digest('hex').slice(0, 32)}`;
}

/** A known value as stored: `[dimension, value, first, last, by]`. */
type CompactValue = [string, string, number, number, string];

function readValue(value: unknown): KnownValue | undefined {
  if (!Array.isArray(value)) return undefined;
  const [dimension, text, first, last, by] = value as unknown[];
  if (typeof dimension !== 'string' || typeof text !== 'string' || typeof by !== 'string') return undefined;
  if (typeof first !== 'number' || typeof last !== 'number') return undefined;
  return { dimension, value: text, first, last, by };
}

/** The baseline an item holds; `undefined` (an actor seen afresh) when it holds none this reads. */
function readBaseline(item: Record<string, AttributeValue>): BaselineState | undefined {
  const firstSeen = Number(item.firstSeen?.N);
  if (!Number.isFinite(firstSeen)) return undefined;
  let stored: unknown;
  try {
    stored = JSON.parse(item.values?.S ?? '[]');
  } catch {
    stored = [];
  }
  const values = new Map<string, KnownValue>();
  for (const entry of Array.isArray(stored) ? stored : []) {
    const known = readValue(entry);
    if (known !== undefined) values.set(valueKey(known), known);
  }
  return { firstSeen, values };
}

function baselineCodec(rule: BaselineShape): ItemCodec<BaselineState | undefined> {
  return {
    kind: 'baseline',
    what: `baseline of ${rule.id}`,
    empty: () => undefined,
    read: readBaseline,
    write: (state) => ({
      ruleId: { S: rule.id },
      firstSeen: { N: String(state?.firstSeen ?? 0) },
      values: {
        S: JSON.stringify(
          [...(state?.values.values() ?? [])].map((v): CompactValue => [v.dimension, v.value, v.first, v.last, v.by]),
        ),
      },
    }),
    // Forgotten as the rule forgets its values: forgetAfterDays after the actor's last sighting.
    expiresAt: (state, now) =>
      Math.max(state === undefined ? now : lastSighting(state), now) + forgetAfterSeconds(rule),
  };
}

/**
 * First-seen baselines in the dedup table: one item per baseline rule and actor, holding when the
 * actor was first seen and its known values (at most `MAX_VALUES_PER_DIMENSION` per dimension, a
 * few kilobytes at most), with a version number.
 *
 * "Was it new" is answered and recorded by one conditional `PutItem` on the version read, so two
 * consumers agree: the one that loses its write replays its sightings on the winner's state. A
 * value already known writes nothing, and a warm function that read or wrote the actor before does
 * not read it again (see `VersionedItemStore`); a known value's last sighting is written at most
 * once a day. The item expires (TTL) `forgetAfterDays` after the actor's last sighting.
 *
 * @example
 * ```ts
 * const store = new DynamoBaselineStore({ client, tableName });
 * const { observed } = await store.update(rule, storageKey, (state) => observeSightings(rule, state, sightings));
 * ```
 */
export class DynamoBaselineStore implements BaselineStore {
  readonly #items: VersionedItemStore;

  public constructor(options: DynamoBaselineStoreOptions) {
    this.#items = new VersionedItemStore({
      client: options.client,
      tableName: options.tableName,
      clock: options.clock,
      remembered: options.remembered ?? REMEMBERED_BASELINES,
      maxAttempts: MAX_BASELINE_WRITE_ATTEMPTS,
      contention: (message) => new BaselineContentionError(message),
    });
  }

  public update<C extends BaselineChange>(
    rule: BaselineShape,
    actor: string,
    change: (state: BaselineState | undefined) => C,
    beforeCommit?: (outcome: C) => Promise<void>,
  ): Promise<C> {
    return this.#items.update(baselineItemKey(rule.id, actor), baselineCodec(rule), change, beforeCommit);
  }
}
