/** The outcome of claiming a match against its dedup window. */
export type ClaimResult =
  /** This invocation must publish the alert, then call `markSent` (or `release` if publishing fails). */
  | {
      readonly kind: 'publish';
      readonly alertId: string;
      readonly windowEndsAt: number;
      readonly eventCount: number;
      /** True when a previous publisher's expired lease was taken over. */
      readonly takeover: boolean;
    }
  /** The alert of this window is already out; the match was counted (or was a redelivery). */
  | { readonly kind: 'suppressed'; readonly alertId: string; readonly duplicate: boolean }
  /** Fewer matches than the threshold so far in this window. */
  | { readonly kind: 'below-threshold'; readonly eventCount: number; readonly duplicate: boolean }
  /** Another invocation is publishing this window's alert; retry after `retryAfterSeconds`. */
  | { readonly kind: 'busy'; readonly alertId: string; readonly retryAfterSeconds: number };

/** A claim of one match on its window. All times in Unix seconds. */
export interface ClaimInput {
  readonly dedupKey: string;
  readonly ruleId: string;
  readonly eventId: string;
  readonly windowSeconds: number;
  readonly threshold: number;
}

/**
 * Deduplication windows with a no-loss, no-duplicate delivery protocol: a window is opened by a
 * conditional write, the winner publishes under a lease and then marks the window sent.
 *
 * @example
 * ```ts
 * const claim = await store.claim({ dedupKey, ruleId, eventId, windowSeconds: 3600, threshold: 1 });
 * if (claim.kind === 'publish') { await publish(); await store.markSent(dedupKey, claim.alertId); }
 * ```
 */
export interface DedupStore {
  claim(input: ClaimInput): Promise<ClaimResult>;
  /** Marks a published window sent. False when the window is no longer this alert's pending window. */
  markSent(dedupKey: string, alertId: string): Promise<boolean>;
  /** Gives a pending window back (publishing failed), so a retry can take over at once. */
  release(dedupKey: string, alertId: string): Promise<void>;
}
