// An in-memory DedupStore for the batch logic's unit tests: the protocol's outcomes (count toward
// the threshold, one alert per window, duplicates, suppression, escalation, a window another
// invocation holds, take-over of a window whose publisher is gone) with none of its storage. The
// protocol itself is tested over the wire (dynamodb-dedup-store.test.ts); this fake only has to
// answer as the store does, so the batch logic can be tested without an emulator.
import { severityRank, type Severity } from '../../../lib/detection/engine/severity.ts';
import { alertIdFor } from '../../../lib/pipeline/dedup/dedup-item.ts';
import type {
  ClaimedOutcome,
  DedupStore,
  SentAlert,
  TakenOverWindow,
  WindowClaim,
  WindowClaimResult,
  WindowLease,
} from '../../../lib/pipeline/dedup/dedup-store.ts';
import { answerLater } from './answer-later.ts';

/** One window as the fake keeps it. */
export interface FakeWindow {
  status: 'counting' | 'pending' | 'sent';
  readonly seen: Set<string>;
  readonly values: Set<string>;
  eventCount: number;
  severity: Severity;
  alertId: string;
  firstAlertId: string;
  escalatedFrom: Severity | undefined;
  lease: WindowLease | undefined;
  alert: string | undefined;
}

type Method = 'claimWindow' | 'trackPending' | 'takeOver' | 'markSent' | 'release';

/**
 * A {@link DedupStore} in a `Map`, with the calls it got and faults a test arranges.
 *
 * @example
 * ```ts
 * const store = new InMemoryDedupStore(() => 1_700_000_000);
 * store.failNext('markSent', new Error('throttled'));
 * ```
 */
export class InMemoryDedupStore implements DedupStore {
  readonly windows = new Map<string, FakeWindow>();
  /** Every call, in order, by method (a claim with the number of matches it claimed). */
  readonly calls: Array<{ method: Method; dedupKey: string; windowStart: number; matches?: number }> = [];
  readonly #faults = new Map<Method, unknown[]>();
  readonly #clock: () => number;
  #owners = 0;

  public constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** The next call of `method` throws `error` (several calls queue several faults). */
  public failNext(method: Method, error: unknown, times = 1): void {
    this.#faults.set(method, [...(this.#faults.get(method) ?? []), ...Array.from({ length: times }, () => error)]);
  }

  /** Another invocation's alert of this window, being published under a lease until `leaseUntil`. */
  public hold(dedupKey: string, windowStart: number, severity: Severity, leaseUntil: number): FakeWindow {
    const alertId = alertIdFor(dedupKey, windowStart);
    const window = this.#window(dedupKey, windowStart);
    Object.assign(window, {
      status: 'pending',
      severity,
      alertId,
      firstAlertId: alertId,
      eventCount: 1,
      lease: { dedupKey, windowStart, alertId, owner: 'another invocation', leaseUntil },
      alert: JSON.stringify({ alertId, held: true }),
    });
    return window;
  }

  public window(dedupKey: string, windowStart: number): FakeWindow | undefined {
    return this.windows.get(`${dedupKey}\n${windowStart}`);
  }

  public async claimWindow(input: WindowClaim, after?: SentAlert): Promise<WindowClaimResult> {
    await answerLater();
    this.#call('claimWindow', input.dedupKey, input.windowStart, input.matches.length);
    const window = this.#window(input.dedupKey, input.windowStart);
    const outcomes = new Map<number, ClaimedOutcome>();
    if (window.status === 'pending' && window.lease !== undefined) {
      if (window.lease.leaseUntil > this.#clock()) {
        const rank = severityRank(window.severity);
        const retryAfterSeconds = window.lease.leaseUntil - this.#clock();
        if (input.matches.some((match) => severityRank(match.severity) > rank))
          return { kind: 'busy', alertId: window.alertId, retryAfterSeconds };
        input.matches.forEach((match, index) => {
          if (window.seen.has(match.eventId)) outcomes.set(index, { kind: 'duplicate' });
          else {
            window.seen.add(match.eventId);
            window.eventCount++;
            outcomes.set(index, { kind: 'suppressed', alertId: window.alertId });
          }
        });
        return { kind: 'done', outcomes };
      }
      // Its publisher is gone: publish the stored alert, then claim the batch again after it.
      const lease = this.#lease(window, input.leaseUntil);
      return {
        kind: 'publish',
        lease,
        alert: window.alert ?? '',
        takeover: true,
        outcomes,
        rest: input.matches.map((_, index) => index),
        sent: this.#sent(window),
      };
    }
    for (const [index, match] of input.matches.entries()) {
      const counted = after !== undefined || window.seen.has(match.eventId);
      if (window.status === 'counting') {
        if (counted) {
          outcomes.set(index, { kind: 'duplicate', eventCount: window.eventCount });
          continue;
        }
        window.seen.add(match.eventId);
        window.eventCount++;
        if (match.distinctValue !== undefined) window.values.add(match.distinctValue);
        window.severity =
          severityRank(match.severity) > severityRank(window.severity) ? match.severity : window.severity;
        const reached = input.distinct ? window.values.size : window.eventCount;
        if (reached < input.threshold) {
          outcomes.set(index, { kind: 'below-threshold', eventCount: reached });
          continue;
        }
        window.severity = match.severity;
        window.alertId = alertIdFor(input.dedupKey, input.windowStart);
        window.firstAlertId = window.alertId;
        return this.#publish(window, input, index, outcomes);
      }
      if (severityRank(match.severity) > severityRank(window.severity)) {
        if (!counted) {
          window.seen.add(match.eventId);
          window.eventCount++;
        }
        window.escalatedFrom = window.severity;
        window.severity = match.severity;
        window.alertId = alertIdFor(input.dedupKey, input.windowStart, match.severity);
        return this.#publish(window, input, index, outcomes);
      }
      if (counted && after === undefined) outcomes.set(index, { kind: 'duplicate' });
      else {
        if (!counted) {
          window.seen.add(match.eventId);
          window.eventCount++;
        }
        outcomes.set(index, { kind: 'suppressed', alertId: window.alertId });
      }
    }
    return { kind: 'done', outcomes };
  }

  public async trackPending(lease: WindowLease): Promise<number[]> {
    await answerLater();
    this.#call('trackPending', lease.dedupKey, lease.windowStart);
    return [...this.windows.entries()]
      .filter(
        ([id, w]) =>
          id.startsWith(`${lease.dedupKey}\n`) &&
          w.status === 'pending' &&
          w !== this.window(lease.dedupKey, lease.windowStart),
      )
      .map(([id]) => Number(id.slice(lease.dedupKey.length + 1)));
  }

  public async takeOver(
    dedupKey: string,
    windowStart: number,
    leaseUntil: number,
  ): Promise<TakenOverWindow | undefined> {
    await answerLater();
    this.#call('takeOver', dedupKey, windowStart);
    const window = this.window(dedupKey, windowStart);
    if (window?.status !== 'pending' || window.lease === undefined || window.lease.leaseUntil > this.#clock())
      return undefined;
    return { lease: this.#lease(window, leaseUntil), alert: window.alert ?? '' };
  }

  public async markSent(lease: WindowLease): Promise<boolean> {
    await answerLater();
    this.#call('markSent', lease.dedupKey, lease.windowStart);
    const window = this.window(lease.dedupKey, lease.windowStart);
    if (window?.status !== 'pending' || window.lease?.owner !== lease.owner) return false;
    window.status = 'sent';
    window.lease = undefined;
    window.alert = undefined;
    return true;
  }

  public async release(lease: WindowLease): Promise<void> {
    await answerLater();
    this.#call('release', lease.dedupKey, lease.windowStart);
    const window = this.window(lease.dedupKey, lease.windowStart);
    // As the store does: the lease ends now, so the retry takes the window over at once.
    if (window?.lease?.owner === lease.owner) window.lease = { ...window.lease, leaseUntil: this.#clock() };
  }

  #publish(
    window: FakeWindow,
    input: WindowClaim,
    index: number,
    outcomes: Map<number, ClaimedOutcome>,
  ): WindowClaimResult {
    outcomes.set(index, { kind: 'alerted' });
    const lease = this.#lease(window, input.leaseUntil);
    window.status = 'pending';
    window.alert = input.render(
      {
        alertId: window.alertId,
        firstAlertId: window.firstAlertId,
        windowStart: input.windowStart,
        windowEndsAt: input.windowEndsAt,
        eventCount: window.eventCount,
        severity: window.severity,
        escalatedFrom: window.escalatedFrom,
      },
      index,
    );
    const rest = input.matches.map((_, i) => i).filter((i) => i > index);
    return { kind: 'publish', lease, alert: window.alert, takeover: false, outcomes, rest, sent: this.#sent(window) };
  }

  #lease(window: FakeWindow, leaseUntil: number): WindowLease {
    const [dedupKey = '', start = '0'] =
      [...this.windows.entries()].find(([, w]) => w === window)?.[0].split('\n') ?? [];
    window.lease = {
      dedupKey,
      windowStart: Number(start),
      alertId: window.alertId,
      owner: `claim-${++this.#owners}`,
      leaseUntil,
    };
    return window.lease;
  }

  #sent(window: FakeWindow): SentAlert {
    return {
      alertId: window.alertId,
      firstAlertId: window.firstAlertId,
      severity: window.severity,
      eventCount: window.eventCount,
      seen: [...window.seen],
    };
  }

  #window(dedupKey: string, windowStart: number): FakeWindow {
    const id = `${dedupKey}\n${windowStart}`;
    let window = this.windows.get(id);
    if (window === undefined) {
      window = {
        status: 'counting',
        seen: new Set(),
        values: new Set(),
        eventCount: 0,
        severity: 'INFO',
        alertId: '',
        firstAlertId: '',
        escalatedFrom: undefined,
        lease: undefined,
        alert: undefined,
      };
      this.windows.set(id, window);
    }
    return window;
  }

  #call(method: Method, dedupKey: string, windowStart: number, matches?: number): void {
    this.calls.push({ method, dedupKey, windowStart, ...(matches === undefined ? {} : { matches }) });
    const faults = this.#faults.get(method);
    if (faults !== undefined && faults.length > 0) throw faults.shift();
  }
}
