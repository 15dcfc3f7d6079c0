import { MAX_TRACKED_EVENT_IDS } from './constants.ts';
import type { DedupItem } from './dedup-item.ts';

/** What a match asks of the dedup store. Times in Unix seconds. */
export interface ClaimRequest {
  readonly dedupKey: string;
  readonly ruleId: string;
  readonly eventId: string;
  readonly now: number;
  readonly windowSeconds: number;
  /** Matches needed in one window before an alert (1 = alert on the first). */
  readonly threshold: number;
  readonly leaseSeconds: number;
  /** Unique per claim: marks the lease this claim takes, so it can recognise its own write. */
  readonly owner: string;
}

/**
 * The single conditional write that moves a window forward for one match, decided from the item
 * as last read. The store performs it; if its condition fails, the item changed underneath, so
 * the store reads it again and decides again.
 */
export type ClaimDecision =
  /** No usable window: create one (overwriting an expired item that TTL has not deleted yet). */
  | { readonly kind: 'open' }
  /** The event was already counted in this window (a redelivery): write nothing. */
  | { readonly kind: 'duplicate'; readonly item: DedupItem }
  /** Alert already sent in this window: count the event. */
  | { readonly kind: 'suppress'; readonly item: DedupItem; readonly track: boolean }
  /**
   * The window is pending under this very claim's lease: an earlier write of this claim was applied
   * although its response was lost (a timeout), so the claim carries on as the publisher.
   */
  | { readonly kind: 'resume'; readonly item: DedupItem }
  /** Another invocation holds a live lease and is publishing: retry after it. */
  | { readonly kind: 'busy'; readonly item: DedupItem; readonly retryAfterSeconds: number }
  /** A publisher died (or released) without sending: take the lease, keeping the alert id. */
  | { readonly kind: 'take-over'; readonly item: DedupItem; readonly count: boolean; readonly track: boolean }
  /** Below threshold: count the event, and start publishing if it reaches the threshold. */
  | { readonly kind: 'count'; readonly item: DedupItem; readonly reachesThreshold: boolean; readonly track: boolean };

/**
 * Decides the next step of the dedup protocol for one match (see docs/pipeline.md).
 *
 * @example
 * ```ts
 * decideClaim(undefined, request); // { kind: 'open' }
 * ```
 */
export function decideClaim(item: DedupItem | undefined, request: ClaimRequest): ClaimDecision {
  if (item === undefined || item.windowEndsAt <= request.now) return { kind: 'open' };
  const seen = item.eventIds.includes(request.eventId);
  const track = !seen && item.eventIds.length < MAX_TRACKED_EVENT_IDS;
  switch (item.status) {
    case 'sent':
      return seen ? { kind: 'duplicate', item } : { kind: 'suppress', item, track };
    case 'pending':
      if (item.leaseOwner === request.owner) return { kind: 'resume', item };
      if (item.leaseUntil > request.now) {
        return { kind: 'busy', item, retryAfterSeconds: item.leaseUntil - request.now };
      }
      return { kind: 'take-over', item, count: !seen, track };
    case 'counting':
      if (seen) return { kind: 'duplicate', item };
      return { kind: 'count', item, reachesThreshold: item.eventCount + 1 >= request.threshold, track };
  }
}
