import { createHash } from 'node:crypto';
import type { Severity } from '../../detection/engine/severity.ts';
import { inPollCursorNamespace } from '../../ingestion/poller/cursor-key.ts';
import { MAX_PLAIN_KEY_BYTES } from './constants.ts';

/** Where a dedup window stands. */
export type WindowStatus = 'counting' | 'pending' | 'sent';

/**
 * One dedup window of one dedup key, as the protocol reads it (all times in Unix seconds). The
 * stored item also has `pk`, `ruleId`, `firstEventId` and `escalations`, for people reading the table.
 *
 * - `counting`: below the rule's threshold so far; the window remembers what it counted;
 * - `pending`: an invocation holds the lease and is publishing the window's current alert (its
 *   first alert, or an escalation);
 * - `sent`: the current alert is out; further matches are counted, or escalate when more severe.
 */
export interface DedupItem {
  /** The window's current alert: the first one, or the latest escalation. */
  readonly alertId: string;
  /** The window's first alert, which escalations refer to. */
  readonly firstAlertId: string;
  readonly windowStart: number;
  readonly windowEndsAt: number;
  readonly expiresAt: number;
  readonly status: WindowStatus;
  /** Severity of the current alert (while counting: the highest counted so far; none before the first match). */
  readonly severity: Severity;
  /** Only meaningful while `pending`. */
  readonly leaseUntil: number;
  /** Token of the claim holding the lease (random per claim). */
  readonly leaseOwner: string;
  /** Matches counted (while counting a rule without distinct values: the events it remembers). */
  readonly eventCount: number;
  /**
   * {@link shortFingerprint}s of the events counted up to the window's alert (at most twice the
   * threshold of them), so a redelivery of one is recognised: while counting, it is not counted
   * twice; after, it is a duplicate. Events after the alert are not remembered.
   */
  readonly seen: readonly string[];
  /**
   * The fingerprints of the item's own `seen` attribute, without those an item written in the
   * previous layout keeps: what a write conditioned on that attribute compares it with.
   */
  readonly storedSeen: readonly string[];
  /**
   * While counting, for rules that count distinct values (`unique()`): {@link shortFingerprint}s of
   * the values counted. Dropped once the window alerts.
   */
  readonly values: readonly string[];
  /** While `pending`: the current alert as it must be published (JSON), by whoever publishes it. */
  readonly alert: string | undefined;
}

/**
 * The table key for a dedup key: itself, or `sha256:<hex>` when longer than DynamoDB comfortably
 * allows for a partition key, or when it lies in the poller's cursor namespace (`ingest-cursor`,
 * `ingest-cursor#…`), which the detect role may not touch. No rule's dedup key starts that way, so
 * no stored key changes.
 *
 * @example
 * ```ts
 * partitionKey('OpenAI.API.Key.Anomalous.Activity:api_key.created:user:user-1'); // unchanged
 * partitionKey('ingest-cursor'); // 'sha256:…'
 * ```
 */
export function partitionKey(dedupKey: string): string {
  if (Buffer.byteLength(dedupKey) <= MAX_PLAIN_KEY_BYTES && !inPollCursorNamespace(dedupKey)) return dedupKey;
  return `sha256:${createHash('sha256').update(dedupKey).digest('hex')}`;
}

/**
 * The table key of one window of a dedup key: `<partition key>#<window start>`.
 *
 * @example
 * ```ts
 * windowKey('R:api_key.created:user:u1', 1732428000); // 'R:api_key.created:user:u1#1732428000'
 * ```
 */
export function windowKey(dedupKey: string, windowStart: number): string {
  return `${partitionKey(dedupKey)}#${windowStart}`;
}

/**
 * The table key of a dedup key's register of pending windows: `<partition key>#pending`.
 *
 * @example
 * ```ts
 * pendingRegisterKey('R:api_key.created:user:u1'); // 'R:api_key.created:user:u1#pending'
 * ```
 */
export function pendingRegisterKey(dedupKey: string): string {
  return `${partitionKey(dedupKey)}#pending`;
}

/**
 * The deterministic alert id of a window's first alert (no severity) or of its escalation to a
 * severity: the same inputs always give the same id, so every (re)delivery of one alert carries it
 * and receivers can collapse duplicates.
 *
 * @example
 * ```ts
 * alertIdFor('key', 1700000000);         // 32 hex characters
 * alertIdFor('key', 1700000000, 'HIGH'); // the escalation to HIGH of that window
 * ```
 */
export function alertIdFor(dedupKey: string, windowStart: number, escalatedTo?: Severity): string {
  const input =
    escalatedTo === undefined ? `${dedupKey}\n${windowStart}` : `${dedupKey}\n${windowStart}\n${escalatedTo}`;
  return createHash('sha256').update(input).digest('hex').slice(0, 32);
}

/**
 * What a window remembers of an event (or of a distinct value) while it counts: 64 bits of its
 * SHA-256, as 16 hex characters (8 bytes stored), so an item stays small whatever the ids look like.
 * Two of a window's few hundred fingerprints collide with a chance below 1 in 10^14.
 *
 * @example
 * ```ts
 * shortFingerprint('audit_log-abc'); // 16 hex characters
 * ```
 */
export function shortFingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
