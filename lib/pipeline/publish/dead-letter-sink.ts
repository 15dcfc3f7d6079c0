/** Why a message, or part of it, could not be processed and will not be retried. */
export type DeadLetterKind =
  | 'malformed-body'
  | 'not-audit-events'
  | 'rule-error'
  | 'unpackable-event'
  // Alert delivery (lib/delivery): a delivery-queue message without a valid alert, and an alert a
  // destination refused for good (a 4xx other than 408 and 429).
  | 'not-an-alert'
  | 'delivery-rejected';

/** A message kept in the dead-letter queue, with the reason attached. */
export interface DeadLetter {
  readonly kind: DeadLetterKind;
  /** The SQS message id the data came from. */
  readonly sourceMessageId: string;
  /** What was wrong and where, for a person. */
  readonly reason: string;
  /** The data as received. */
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
