import { severityRank, type Severity } from '../../detection/engine/severity.ts';
import { MAX_TRACKED_EVENT_IDS } from './constants.ts';
import type { DedupItem } from './dedup-item.ts';

/** What a match asks of its window, as the pure decision needs it. Times in Unix seconds. */
export interface ClaimRequest {
  /** {@link eventFingerprint} of the event's id. */
  readonly fingerprint: string;
  readonly now: number;
  /** Matches needed in one window before an alert (1 = alert on the first). */
  readonly threshold: number;
  readonly severity: Severity;
  /** Unique per claim: marks the lease this claim takes, so it can recognise its own write. */
  readonly owner: string;
  /**
   * {@link eventFingerprint} of the rule's `unique()` value, for thresholds over distinct values:
   * the window then reaches its threshold when that many distinct values are counted.
   */
  readonly distinct?: string;
}

/**
 * The single conditional write that moves a window forward for one match, decided from the item
 * as last read. The store performs it; if its condition fails, the item changed underneath, so
 * the store reads it again and decides again.
 */
export type ClaimDecision =
  /** No usable window: create one (overwriting a finished item past its TTL that DynamoDB has not deleted yet). */
  | { readonly kind: 'open' }
  /** The event was already counted in this window (a redelivery, replay or redrive): write nothing. */
  | { readonly kind: 'duplicate'; readonly item: DedupItem }
  /** The window's alert is out and this match is no more severe: count it. */
  | { readonly kind: 'suppress'; readonly item: DedupItem; readonly track: boolean }
  /** The window's alert is out and this match is more severe: publish an escalation. */
  | { readonly kind: 'escalate'; readonly item: DedupItem; readonly track: boolean }
  /**
   * The window is pending under this very claim's lease: an earlier write of this claim was applied
   * although its response was lost (a timeout), so the claim carries on as the publisher.
   */
  | { readonly kind: 'resume'; readonly item: DedupItem }
  /** Another invocation holds a live lease and is publishing: retry after it. */
  | { readonly kind: 'busy'; readonly item: DedupItem; readonly retryAfterSeconds: number }
  /**
   * A publisher died (or released) without sending: take the lease and publish the stored alert,
   * same id, same content. `again`: this match is more severe than that alert and is not counted
   * yet; once the alert is out the match is claimed again (and escalates).
   */
  | {
      readonly kind: 'take-over';
      readonly item: DedupItem;
      readonly count: boolean;
      readonly track: boolean;
      readonly again: boolean;
    }
  /**
   * Below threshold: count the event, and start publishing if it reaches the threshold. `newValue`:
   * the match brings a distinct value the window has not counted yet (thresholds over distinct values).
   */
  | {
      readonly kind: 'count';
      readonly item: DedupItem;
      readonly reachesThreshold: boolean;
      readonly track: boolean;
      readonly newValue: boolean;
    };

/** What {@link decideTakeOver} finds in another pending window of the same dedup key. */
export type TakeOverDecision =
  { readonly kind: 'gone' } | { readonly kind: 'busy' } | { readonly kind: 'take-over'; readonly item: DedupItem };

function isPast(item: DedupItem, now: number): boolean {
  return item.expiresAt <= now;
}

/**
 * Decides the next step of the dedup protocol for one match on its window (see docs/pipeline.md).
 *
 * @example
 * ```ts
 * decideClaim(undefined, request); // { kind: 'open' }
 * ```
 */
export function decideClaim(item: DedupItem | undefined, request: ClaimRequest): ClaimDecision {
  // A pending window is never overwritten, however old: its alert has not been published yet.
  if (item === undefined || (item.status !== 'pending' && isPast(item, request.now))) return { kind: 'open' };
  const seen = item.eventIds.includes(request.fingerprint);
  // Below the threshold every event is tracked (the threshold bounds them); past it, up to the cap.
  const track = !seen && (item.status === 'counting' || item.eventIds.length < MAX_TRACKED_EVENT_IDS);
  const moreSevere = severityRank(request.severity) > severityRank(item.severity);
  switch (item.status) {
    case 'sent':
      if (seen) return { kind: 'duplicate', item };
      return moreSevere ? { kind: 'escalate', item, track } : { kind: 'suppress', item, track };
    case 'pending': {
      if (item.leaseOwner === request.owner) return { kind: 'resume', item };
      if (item.leaseUntil > request.now)
        return { kind: 'busy', item, retryAfterSeconds: item.leaseUntil - request.now };
      const again = !seen && moreSevere;
      return { kind: 'take-over', item, count: !seen && !again, track: track && !again, again };
    }
    case 'counting': {
      if (seen) return { kind: 'duplicate', item };
      if (request.distinct === undefined)
        return {
          kind: 'count',
          item,
          reachesThreshold: item.eventCount + 1 >= request.threshold,
          track,
          newValue: false,
        };
      const newValue = !item.distinctValues.includes(request.distinct);
      return {
        kind: 'count',
        item,
        reachesThreshold: item.distinctValues.length + (newValue ? 1 : 0) >= request.threshold,
        track,
        newValue,
      };
    }
  }
}

/**
 * Decides what to do with another pending window of a dedup key, found in its register of pending
 * windows by a claim that is about to publish: publish it first if its publisher is gone.
 *
 * @example
 * ```ts
 * decideTakeOver(item, now); // { kind: 'take-over', item } when the lease has ended
 * ```
 */
export function decideTakeOver(item: DedupItem | undefined, now: number): TakeOverDecision {
  if (item === undefined || item.status !== 'pending') return { kind: 'gone' };
  return item.leaseUntil > now ? { kind: 'busy' } : { kind: 'take-over', item };
}
