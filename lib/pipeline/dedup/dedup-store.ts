import type { Severity } from '../../detection/engine/severity.ts';

/** A window's alert as it is about to be created: what the alert document needs from the window. */
export interface WindowSnapshot {
  readonly alertId: string;
  /** The window's first alert (equal to `alertId` unless this is an escalation). */
  readonly firstAlertId: string;
  /** Unix seconds. */
  readonly windowStart: number;
  readonly windowEndsAt: number;
  /** Matches counted in the window when the alert was created. */
  readonly eventCount: number;
  readonly severity: Severity;
  /** Set on an escalation: the severity of the window's alert it supersedes. */
  readonly escalatedFrom: Severity | undefined;
}

/** The right to publish a window's current alert, held until `leaseUntil` by the claim `owner`. */
export interface WindowLease {
  readonly dedupKey: string;
  readonly windowStart: number;
  readonly alertId: string;
  readonly owner: string;
  /** Unix seconds. */
  readonly leaseUntil: number;
}

/** The outcome of claiming a match against its dedup window. */
export type ClaimResult =
  /**
   * This invocation must publish `alert` (as stored: every copy of an alert id carries the same
   * content), then call `markSent` (or `release` if publishing fails). With `again`, the match
   * itself is not accounted for yet: claim it again once this alert is out.
   */
  | {
      readonly kind: 'publish';
      readonly lease: WindowLease;
      /** The alert document, JSON. */
      readonly alert: string;
      /** True when a previous publisher's expired (or released) lease was taken over. */
      readonly takeover: boolean;
      readonly again: boolean;
    }
  /** The alert of this window is already out and this match is no more severe; it was counted (or was a redelivery). */
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
  /** The event's own time (`effective_at`); processing time when undefined. */
  readonly eventTime: number | undefined;
  readonly windowSeconds: number;
  readonly threshold: number;
  /**
   * The rule's `unique()` value, for thresholds over distinct values (Panther's `unique()`): the
   * window alerts when `threshold` distinct values are counted. Absent: matches are counted.
   */
  readonly distinctValue?: string;
  readonly severity: Severity;
  /** When a lease this claim takes ends: the invocation's deadline plus a margin. */
  readonly leaseUntil: number;
  /** The alert document (JSON) for a window this claim is first to publish; stored with the window. */
  render(window: WindowSnapshot): string;
}

/** Another pending window of the same dedup key, taken over to be published. */
export interface TakenOverWindow {
  readonly lease: WindowLease;
  readonly alert: string;
}

/**
 * Deduplication windows with a no-loss, no-duplicate delivery protocol: a window is opened by a
 * conditional write, the winner publishes under a lease and then marks the window sent.
 *
 * @example
 * ```ts
 * const claim = await store.claim(input);
 * if (claim.kind === 'publish') { await publish(claim.alert); await store.markSent(claim.lease); }
 * ```
 */
export interface DedupStore {
  claim(input: ClaimInput): Promise<ClaimResult>;
  /**
   * Records the lease's window in its dedup key's register of pending windows, before publishing,
   * and returns the other windows of the key registered as pending (oldest first).
   */
  trackPending(lease: WindowLease): Promise<number[]>;
  /**
   * Takes over another pending window of `dedupKey` whose publisher is gone (lease ended), so its
   * alert can be published first; `undefined` if it is sent, gone, or its lease is live.
   */
  takeOver(dedupKey: string, windowStart: number, leaseUntil: number): Promise<TakenOverWindow | undefined>;
  /** Marks a published window sent. False when the window is no longer this lease's (taken over, or sent). */
  markSent(lease: WindowLease): Promise<boolean>;
  /** Gives a pending window back (publishing failed), so a retry can take over at once. */
  release(lease: WindowLease): Promise<void>;
}
