import { MAX_FUTURE_SKEW_SECONDS, REPLAY_HORIZON_SECONDS } from './constants.ts';

/** The window a match belongs to, and which clock placed it there. Unix seconds. */
export interface WindowPlacement {
  readonly windowStart: number;
  readonly windowEndsAt: number;
  /** `event`: the event's own time; `processing`: the event had no usable time. */
  readonly clock: 'event' | 'processing';
}

/**
 * Places a match in its tumbling window by the event's time (OpenAI's `effective_at`), so that a
 * backfill, a catch-up after an outage or a redrive lands every event in the window it belongs to,
 * whenever it is processed. Windows are aligned to multiples of their length (deterministic in any
 * arrival order). Processing time is used only when the event has no time, or one further in the
 * future than {@link MAX_FUTURE_SKEW_SECONDS}.
 *
 * @example
 * ```ts
 * placeInWindow(1_700_000_123, 1_800_000_000, 3600); // { windowStart: 1_699_999_200, windowEndsAt: 1_700_002_800, clock: 'event' }
 * ```
 */
export function placeInWindow(eventTime: number | undefined, now: number, windowSeconds: number): WindowPlacement {
  const own = trustedEventTime(eventTime, now);
  const time = own ?? now;
  const windowStart = Math.floor(time / windowSeconds) * windowSeconds;
  return { windowStart, windowEndsAt: windowStart + windowSeconds, clock: own === undefined ? 'processing' : 'event' };
}

/**
 * An event's own time if it can be used: a finite number no more than
 * {@link MAX_FUTURE_SKEW_SECONDS} ahead of `now`; otherwise `undefined` (the caller uses processing
 * time). Windows and correlation steps are timed alike.
 *
 * @example
 * ```ts
 * trustedEventTime(1_700_000_000, 1_800_000_000); // 1_700_000_000
 * trustedEventTime(1_900_000_000, 1_800_000_000); // undefined: three years ahead
 * ```
 */
export function trustedEventTime(eventTime: number | undefined, now: number): number | undefined {
  const own = eventTime ?? Number.NaN;
  return Number.isFinite(own) && own <= now + MAX_FUTURE_SKEW_SECONDS ? own : undefined;
}

/**
 * The TTL (`expiresAt`) a window item needs after a write at `now`: the replay horizon past the later
 * of its window's end and now, and never earlier than it already was.
 *
 * @example
 * ```ts
 * expiryAfterWrite(1_700_003_600, 1_700_000_000); // 1_700_003_600 + REPLAY_HORIZON_SECONDS
 * ```
 */
export function expiryAfterWrite(windowEndsAt: number, now: number, current = 0): number {
  return Math.max(current, Math.max(windowEndsAt, now) + REPLAY_HORIZON_SECONDS);
}

/**
 * The system clock in Unix seconds: the protocol's one unit of time.
 *
 * @example
 * ```ts
 * systemClock(); // 1764086400
 * ```
 */
export function systemClock(): number {
  return Math.floor(Date.now() / 1000);
}
