/**
 * A dedup window kept changing under repeated conditional writes. Transient: the SQS record is
 * retried.
 *
 * @example
 * ```ts
 * if (error instanceof DedupContentionError) { // retry the record later }
 * ```
 */
export class DedupContentionError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'DedupContentionError';
  }
}
