/**
 * Another invocation holds the lease on this match's dedup window and is publishing its alert.
 * Transient: the record is retried after the visibility timeout, by when the lease has ended.
 *
 * @example
 * ```ts
 * if (error instanceof WindowBusyError) { // not a fault: retry later }
 * ```
 */
export class WindowBusyError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'WindowBusyError';
  }
}
