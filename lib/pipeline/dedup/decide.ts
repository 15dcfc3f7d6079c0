import { maxSeverity, severityRank, type Severity } from '../../detection/engine/severity.ts';
import type { DedupItem } from './dedup-item.ts';

/** One match of a window's batch, as the pure plan needs it. */
export interface PlannedMatch {
  /** {@link shortFingerprint} of the event's id (hex). */
  readonly fingerprint: string;
  readonly severity: Severity;
  /** {@link shortFingerprint} of the rule's `unique()` value (hex), for thresholds over distinct values. */
  readonly distinct?: string;
}

/** What a batch asks of its window. Times in Unix seconds. */
export interface PlanRequest {
  readonly matches: readonly PlannedMatch[];
  /** Matches (or distinct values) needed in one window before an alert (1 = alert on the first). */
  readonly threshold: number;
  /** True when the window holds distinct values (`unique()`) rather than events toward its threshold. */
  readonly distinct: boolean;
  readonly now: number;
  /** Unique per claim: marks the lease this claim takes, so it can recognise its own write. */
  readonly owner: string;
  /**
   * True when the item's count already includes this batch (the item was read after the batch's
   * counting write, or is the batch's own alert); false when it is the item from before that write.
   */
  readonly includesBatch: boolean;
}

/** What became of one match of the batch. */
export type MatchOutcome =
  /** Counted in a window still below its threshold (`eventCount`: the window's count with it). */
  | { readonly kind: 'below-threshold'; readonly eventCount: number }
  /**
   * Already counted in this window (a redelivery, replay or redrive): nothing changed below the
   * threshold (`eventCount`: the window's count), or, after the alert, only the count.
   */
  | { readonly kind: 'duplicate'; readonly eventCount?: number }
  /** Counted in a window whose alert is out, and no more severe than it. */
  | { readonly kind: 'suppressed' }
  /** The match the window's alert (or escalation) is made from. */
  | { readonly kind: 'alerted' };

/**
 * The next step of the dedup protocol for a batch's matches on one window, decided from the item
 * as it was before this batch's counting write (or as read). At most one alert per step: matches
 * in `rest` are claimed again (as counted) once it is out, because they may escalate it.
 */
export type WindowPlan =
  /**
   * Nothing to publish: every match has its outcome (`alertId`: the window's alert, if it has one).
   * `whilePending`: another invocation is publishing the window, and the batch, no more severe than
   * its alert, is counted there (what of it is not counted yet), conditioned on that alert.
   */
  | {
      readonly kind: 'done';
      readonly alertId: string;
      readonly outcomes: ReadonlyMap<number, MatchOutcome>;
      readonly whilePending?: true;
    }
  /** Another invocation holds a live lease on the window: retry after it. */
  | { readonly kind: 'busy'; readonly item: DedupItem; readonly retryAfterSeconds: number }
  /**
   * The window reaches its threshold with match `at` (or had reached it under a claim that died
   * before publishing): move it from counting to pending and publish its first alert.
   */
  | {
      readonly kind: 'start';
      readonly at: number;
      readonly severity: Severity;
      /** The window's count at match `at` (the alert's), and with the whole batch (the item's). */
      readonly eventCount: number;
      readonly totalCount: number;
      readonly outcomes: ReadonlyMap<number, MatchOutcome>;
      readonly rest: readonly number[];
    }
  /** Match `at` is more severe than the window's alert: publish an escalation to its severity. */
  | {
      readonly kind: 'escalate';
      readonly item: DedupItem;
      readonly at: number;
      readonly eventCount: number;
      readonly outcomes: ReadonlyMap<number, MatchOutcome>;
      readonly rest: readonly number[];
    }
  /** The window's publisher is gone (lease ended): take the lease and publish the stored alert. */
  | { readonly kind: 'take-over'; readonly item: DedupItem; readonly rest: readonly number[] }
  /** The window is pending under this very claim's lease (a write whose response was lost). */
  | { readonly kind: 'resume'; readonly item: DedupItem; readonly rest: readonly number[] };

/** What {@link decideTakeOver} finds in another pending window of the same dedup key. */
export type TakeOverDecision =
  { readonly kind: 'gone' } | { readonly kind: 'busy' } | { readonly kind: 'take-over'; readonly item: DedupItem };

/** True when an item past its TTL may be replaced by a new window: never while it is pending. */
export function isReusable(item: DedupItem, now: number): boolean {
  return item.status !== 'pending' && item.expiresAt <= now;
}

function indices(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/**
 * Matches after an alert of severity `current`: an event the window counted up to its alert is a
 * duplicate; the others are suppressed until the first more severe one, which escalates; the
 * matches after it are left for the next step.
 */
function afterAlert(
  request: PlanRequest,
  item: DedupItem,
  current: Severity,
  from: number,
  outcomes: Map<number, MatchOutcome>,
): WindowPlan {
  const { matches } = request;
  const seen = new Set(item.seen);
  for (let index = from; index < matches.length; index++) {
    const match = matches[index] as PlannedMatch;
    if (seen.has(match.fingerprint)) {
      outcomes.set(index, { kind: 'duplicate' });
      continue;
    }
    if (severityRank(match.severity) > severityRank(current))
      return {
        kind: 'escalate',
        item,
        at: index,
        eventCount: item.eventCount + (request.includesBatch ? 0 : index + 1),
        outcomes: outcomes.set(index, { kind: 'alerted' }),
        rest: indices(index + 1, matches.length),
      };
    outcomes.set(index, { kind: 'suppressed' });
  }
  return { kind: 'done', alertId: item.alertId, outcomes };
}

/** Counts the batch into a window below its threshold, in order, until a match reaches it. */
function count(request: PlanRequest, item: DedupItem | undefined): WindowPlan {
  const { matches, threshold } = request;
  const seen = new Set(item?.seen ?? []);
  const values = new Set(item?.values ?? []);
  let eventCount = item?.eventCount ?? 0;
  let severity = item?.severity;
  const outcomes = new Map<number, MatchOutcome>();
  const reached = () => (request.distinct ? values.size : seen.size) >= threshold;
  // A window found at its threshold while still counting: its claim died between counting and
  // publishing, so this batch publishes (its first match makes the alert).
  const stale = reached() && item !== undefined;
  for (let index = 0; index < matches.length; index++) {
    const match = matches[index] as PlannedMatch;
    const duplicate = !request.distinct && seen.has(match.fingerprint);
    if (duplicate && !stale) {
      outcomes.set(index, { kind: 'duplicate', eventCount });
      continue;
    }
    if (!duplicate) {
      seen.add(match.fingerprint);
      if (match.distinct !== undefined) values.add(match.distinct);
      eventCount++;
    }
    severity = severity === undefined ? match.severity : maxSeverity(severity, match.severity);
    if (stale || reached()) {
      outcomes.set(index, { kind: 'alerted' });
      // The item keeps the count of the whole batch: what follows the alert is counted too (and
      // then claimed again: it may escalate the alert).
      const rest: number[] = [];
      let totalCount = eventCount;
      for (const later of indices(index + 1, matches.length)) {
        const { fingerprint } = matches[later] as PlannedMatch;
        if (!request.distinct && seen.has(fingerprint)) {
          outcomes.set(later, { kind: 'duplicate' });
          continue;
        }
        rest.push(later);
        seen.add(fingerprint);
        totalCount++;
      }
      return { kind: 'start', at: index, severity, eventCount, totalCount, outcomes, rest };
    }
    outcomes.set(index, { kind: 'below-threshold', eventCount });
  }
  return { kind: 'done', alertId: item?.alertId ?? '', outcomes };
}

/**
 * How many distinct events of the batch a window does not remember: after a counting write (which
 * stores at most the threshold's number of them), those it did not store, and so never counted, if
 * another claim's move to pending won.
 *
 * @example
 * ```ts
 * notRemembered([match('a'), match('b'), match('b')], ['a']); // 1
 * ```
 */
export function notRemembered(matches: readonly PlannedMatch[], seen: readonly string[]): number {
  const remembered = new Set(seen);
  return new Set(matches.map((match) => match.fingerprint).filter((fingerprint) => !remembered.has(fingerprint))).size;
}

/**
 * A window another invocation is publishing (its lease is live): a batch no more severe than that
 * alert is counted and suppressed (its holder, or a redelivery of the holder's records, publishes
 * the alert); a more severe one must wait for it, to escalate it.
 */
function whilePending(request: PlanRequest, item: DedupItem): WindowPlan {
  const rank = severityRank(item.severity);
  if (request.matches.some((match) => severityRank(match.severity) > rank))
    return { kind: 'busy', item, retryAfterSeconds: item.leaseUntil - request.now };
  const seen = new Set(item.seen);
  const outcomes = new Map<number, MatchOutcome>();
  request.matches.forEach((match, index) =>
    outcomes.set(index, seen.has(match.fingerprint) ? { kind: 'duplicate' } : { kind: 'suppressed' }),
  );
  return { kind: 'done', alertId: item.alertId, outcomes, whilePending: true };
}

/**
 * Decides the next step of the dedup protocol for a batch of matches on one window (see
 * docs/pipeline.md), from the window's item before the batch's counting write (`undefined`: no
 * window, or one past its TTL that is replaced).
 *
 * @example
 * ```ts
 * planWindow(undefined, { matches: [m], threshold: 1, distinct: false, now, owner, includesBatch: false });
 * // { kind: 'start', at: 0, ... }
 * ```
 */
export function planWindow(item: DedupItem | undefined, request: PlanRequest): WindowPlan {
  if (item === undefined || isReusable(item, request.now)) return count(request, undefined);
  const all = indices(0, request.matches.length);
  switch (item.status) {
    case 'counting':
      return count(request, item);
    case 'sent':
      return afterAlert(request, item, item.severity, 0, new Map());
    case 'pending':
      if (item.leaseOwner === request.owner) return { kind: 'resume', item, rest: all };
      if (item.leaseUntil <= request.now) return { kind: 'take-over', item, rest: all };
      return whilePending(request, item);
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
