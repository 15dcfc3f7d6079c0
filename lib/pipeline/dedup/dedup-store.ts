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

/** One match of a batch, on its window. */
export interface WindowMatch {
  readonly eventId: string;
  readonly severity: Severity;
  /**
   * The rule's `unique()` value, for thresholds over distinct values (Panther's `unique()`): the
   * window alerts when `threshold` distinct values are counted. Absent: matches are counted.
   */
  readonly distinctValue?: string;
}

/** A batch's matches of one dedup key that fall in one window, claimed together. Unix seconds. */
export interface WindowClaim {
  readonly dedupKey: string;
  readonly ruleId: string;
  /** The window, as `placeInWindow` placed the matches. */
  readonly windowStart: number;
  readonly windowEndsAt: number;
  readonly threshold: number;
  /** True for rules that count distinct values. */
  readonly distinct: boolean;
  /** In order; at least one. */
  readonly matches: readonly WindowMatch[];
  /** When a lease this claim takes ends: the invocation's deadline plus a margin. */
  readonly leaseUntil: number;
  /** The alert document (JSON) made from `matches[index]` for a window this claim is first to publish. */
  render(window: WindowSnapshot, index: number): string;
}

/** What became of each match of a claim (index in the claim's `matches`). */
export type ClaimedOutcome =
  | { readonly kind: 'below-threshold'; readonly eventCount: number }
  /** `eventCount`: the window's count, when it is still below its threshold. */
  | { readonly kind: 'duplicate'; readonly eventCount?: number }
  | { readonly kind: 'suppressed'; readonly alertId: string }
  | { readonly kind: 'alerted' };

/** The outcome of a window claim: at most one alert to publish, and what became of each match. */
export type WindowClaimResult =
  /**
   * This invocation must publish `alert` (as stored: every copy of an alert id carries the same
   * content), then call `markSent` (or `release` if publishing fails), then claim `rest` again
   * with `after` (they may escalate the alert just published).
   */
  | {
      readonly kind: 'publish';
      readonly lease: WindowLease;
      /** The alert document, JSON. */
      readonly alert: string;
      /** True when a previous publisher's expired (or released) lease was taken over. */
      readonly takeover: boolean;
      readonly outcomes: ReadonlyMap<number, ClaimedOutcome>;
      /** Matches still to claim once the alert is out, counted already. */
      readonly rest: readonly number[];
      /** The alert as the window holds it once marked sent: what claiming `rest` starts from. */
      readonly sent: SentAlert;
    }
  /** Every match has its outcome. */
  | { readonly kind: 'done'; readonly outcomes: ReadonlyMap<number, ClaimedOutcome> }
  /** Another invocation is publishing this window's alert; retry after `retryAfterSeconds`. */
  | { readonly kind: 'busy'; readonly alertId: string; readonly retryAfterSeconds: number };

/** What a claim of the rest of a batch knows of its window: its matches are counted, and this alert is out. */
export interface SentAlert {
  readonly alertId: string;
  readonly firstAlertId: string;
  readonly severity: Severity;
  readonly eventCount: number;
  /** The window's fingerprints of the events it counted up to the alert (opaque). */
  readonly seen: readonly string[];
}

/** Another pending window of the same dedup key, taken over to be published. */
export interface TakenOverWindow {
  readonly lease: WindowLease;
  readonly alert: string;
}

/**
 * Deduplication windows with a no-loss, no-duplicate delivery protocol: a batch's matches of one
 * window are counted by one write, the claim that takes the window to its alert publishes it under
 * a lease and then marks the window sent.
 *
 * @example
 * ```ts
 * const claim = await store.claimWindow(input);
 * if (claim.kind === 'publish') { await publish(claim.alert); await store.markSent(claim.lease); }
 * ```
 */
export interface DedupStore {
  /**
   * Counts the claim's matches in their window and returns the next step. With `after`, the
   * matches are counted already (the rest of a claim whose alert `after` is out): they can only be
   * suppressed, or escalate it.
   */
  claimWindow(input: WindowClaim, after?: SentAlert): Promise<WindowClaimResult>;
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
