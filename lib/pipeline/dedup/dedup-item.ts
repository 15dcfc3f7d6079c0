import { createHash } from 'node:crypto';
import { MAX_PLAIN_KEY_BYTES } from './constants.ts';

/** Where a dedup window stands. */
export type WindowStatus = 'counting' | 'pending' | 'sent';

/**
 * One dedup window, as stored (all times in Unix seconds).
 *
 * - `counting`: fewer matches than the rule's threshold so far;
 * - `pending`: an invocation holds the lease and is publishing the alert;
 * - `sent`: the alert is out; further matches in the window are counted only.
 */
export interface DedupItem {
  readonly pk: string;
  readonly alertId: string;
  readonly ruleId: string;
  readonly windowStart: number;
  readonly windowEndsAt: number;
  readonly expiresAt: number;
  readonly status: WindowStatus;
  /** Only meaningful while `pending`. */
  readonly leaseUntil: number;
  /** Token of the claim holding the lease (random per claim). */
  readonly leaseOwner: string;
  readonly firstEventId: string;
  readonly eventCount: number;
  /** Ids of the events counted, up to {@link MAX_TRACKED_EVENT_IDS}. */
  readonly eventIds: readonly string[];
}

/**
 * The table key for a dedup key: itself, or `sha256:<hex>` when longer than DynamoDB comfortably
 * allows for a partition key.
 *
 * @example
 * ```ts
 * partitionKey('OpenAI.API.Key.Anomalous.Activity:api_key.created:user:user-1'); // unchanged
 * ```
 */
export function partitionKey(dedupKey: string): string {
  if (Buffer.byteLength(dedupKey) <= MAX_PLAIN_KEY_BYTES) return dedupKey;
  return `sha256:${createHash('sha256').update(dedupKey).digest('hex')}`;
}

/**
 * The deterministic alert id of a window: the same key and window start always give the same id,
 * so every (re)delivery of one alert carries it and receivers can collapse duplicates.
 *
 * @example
 * ```ts
 * alertIdFor('key', 1700000000); // 32 hex characters
 * ```
 */
export function alertIdFor(dedupKey: string, windowStart: number): string {
  return createHash('sha256').update(`${dedupKey}\n${windowStart}`).digest('hex').slice(0, 32);
}
