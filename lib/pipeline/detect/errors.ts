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

/**
 * Errors that no retry can fix: the request itself is invalid (an item DynamoDB refuses, a message
 * SNS refuses even with the fallback subject). Everything else (throttling, 5xx, timeouts, network,
 * KMS or permission trouble an operator can fix, a busy window) is transient.
 */
const PERMANENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ValidationException',
  'SerializationException',
  'InvalidParameterException',
  'InvalidParameterValueException',
]);

/**
 * Whether a failure of delivering a match is permanent (no retry can fix it: its events go to the
 * DLQ at once, with the reason) rather than transient (retried by SQS).
 *
 * @example
 * ```ts
 * isPermanentFailure(Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' })); // true
 * ```
 */
export function isPermanentFailure(error: unknown): boolean {
  return error instanceof Error && PERMANENT_ERROR_NAMES.has(error.name);
}
