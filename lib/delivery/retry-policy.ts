/** SQS's longest visibility timeout: a message cannot be put off further than 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * How delivery retries: a few quick attempts within one invocation, then the message goes back to
 * its queue for longer and longer (or for as long as the destination's `Retry-After` asks).
 */
export interface RetryPolicy {
  /** Attempts per alert within one invocation, the first included. */
  readonly inlineAttempts: number;
  /** Longest wait between attempts within one invocation; a longer one puts the message back instead. */
  readonly maxInlineWaitMs: number;
  /** First wait before a put-back message is tried again; doubles with each receive. */
  readonly baseDelaySeconds: number;
  /** Longest wait between two receives of a put-back message. */
  readonly maxDelaySeconds: number;
}

/**
 * The default policy: 3 attempts in an invocation (waits of about 1 and 2 seconds, or what
 * `Retry-After` asks up to 10 seconds), then put back for about 30 s, 1, 2, 4, 8 minutes, then 15
 * minutes (half of it to all of it). With the delivery queues' 50 receives, a destination can be
 * down for at least five and a half hours before its alerts reach the delivery DLQ.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  inlineAttempts: 3,
  maxInlineWaitMs: 10_000,
  baseDelaySeconds: 30,
  maxDelaySeconds: 900,
};

/**
 * Wait before the next attempt within an invocation, in milliseconds: `Retry-After` when given,
 * else about 1 s, 2 s, 4 s... ("equal jitter": half fixed, half random).
 *
 * @example
 * ```ts
 * inlineWaitMs(1, undefined, Math.random); // 500 to 1000
 * ```
 */
export function inlineWaitMs(attempt: number, retryAfter: number | undefined, random: () => number): number {
  if (retryAfter !== undefined) return retryAfter;
  const bound = 1000 * 2 ** (attempt - 1);
  return Math.round(bound / 2 + (random() * bound) / 2);
}

/**
 * How long a put-back message stays invisible, in seconds: the policy's backoff for this receive of
 * the message (equal jitter), and never less than what the destination's `Retry-After` asks (rounded
 * up); always between 1 second and SQS's 12 hours. Each message keeps its own backoff, so one that
 * has waited long is not hurried by a fresh one failing beside it.
 *
 * @example
 * ```ts
 * deferSeconds(DEFAULT_RETRY_POLICY, 1, undefined, () => 1); // 30
 * deferSeconds(DEFAULT_RETRY_POLICY, 1, 120_000, Math.random); // 120
 * ```
 */
export function deferSeconds(
  policy: RetryPolicy,
  receiveCount: number,
  retryAfter: number | undefined,
  random: () => number,
): number {
  const bound = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.max(0, receiveCount - 1));
  const backoff = Math.round(bound / 2 + (random() * bound) / 2);
  const asked = retryAfter === undefined ? 0 : Math.ceil(retryAfter / 1000);
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, backoff, asked));
}
