/**
 * Why a message, or part of it, is kept in the dead-letter queue:
 *
 * - `malformed-body`: the body is not JSON or holds no audit event;
 * - `not-audit-events`: items of a body that are not audit events (the letter holds only them);
 * - `rule-error`: an event a rule could not decide on;
 * - `unpackable-event`: an event ingestion could not pack onto the queue;
 * - `permanent-error`: events whose alert delivery failed in a way no retry can fix;
 * - `retries-exhausted`: events whose delivery failed transiently on the message's last receive;
 * - `archive-failed`: events the event archive could not store by the message's last receive
 *   (they were evaluated: redriven, they are archived, and the dedup windows keep them from
 *   alerting again);
 * - `not-an-alert`, `delivery-rejected` (alert delivery, lib/delivery): a delivery-queue message
 *   without a valid alert, and an alert a destination refused for good (a 4xx other than 408 and 429).
 */
export type DeadLetterKind =
  | 'malformed-body'
  | 'not-audit-events'
  | 'rule-error'
  | 'unpackable-event'
  | 'permanent-error'
  | 'retries-exhausted'
  | 'archive-failed'
  | 'not-an-alert'
  | 'delivery-rejected';

/** A message kept in the dead-letter queue, with the reason attached. */
export interface DeadLetter {
  readonly kind: DeadLetterKind;
  /** The SQS message id the data came from. */
  readonly sourceMessageId: string;
  /** What was wrong and where, for a person. */
  readonly reason: string;
  /** Only the data that failed, as received: redriven, it is processed again (or says again why not). */
  readonly body: string;
}

/**
 * Where permanent failures go: kept for inspection and redrive, never retried pointlessly.
 *
 * @example
 * ```ts
 * await sink.send({ kind: 'malformed-body', sourceMessageId, reason: 'not JSON', body });
 * ```
 */
export interface DeadLetterSink {
  send(letter: DeadLetter): Promise<void>;
}
