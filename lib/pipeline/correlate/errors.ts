/**
 * A correlation state could not be written because other consumers kept changing it; the record is
 * retried by SQS (transient by nature).
 *
 * @example
 * ```ts
 * if (error instanceof CorrelationContentionError) retryLater();
 * ```
 */
export class CorrelationContentionError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'CorrelationContentionError';
  }
}
