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
 * - `counting`: fewer matches than the rule's threshold so far;
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
  /** Severity of the current alert (while counting: the highest counted so far). */
  readonly severity: Severity;
  /** Only meaningful while `pending`. */
  readonly leaseUntil: number;
  /** Token of the claim holding the lease (random per claim). */
  readonly leaseOwner: string;
  readonly eventCount: number;
  /** Fingerprints ({@link eventFingerprint}) of the events counted, up to {@link MAX_TRACKED_EVENT_IDS}. */
  readonly eventIds: readonly string[];
  /**
   * For rules that count distinct values (`unique()`): fingerprints of the values counted while the
   * window counts toward its threshold; at most the threshold (so at most 500) of them.
   */
  readonly distinctValues: readonly string[];
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
 * What a window remembers of an event: 128 bits of its id's SHA-256, so the item's size is bounded
 * whatever the ids look like.
 *
 * @example
 * ```ts
 * eventFingerprint('audit_log-abc'); // 32 hex characters
 * ```
 */
export function eventFingerprint(eventId: string): string {
  return createHash('sha256').update(eventId).digest('hex').slice(0, 32);
}
