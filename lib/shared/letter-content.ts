import type { DeadLetter } from './dead-letter-sink.ts';
import { describeError } from './describe-error.ts';
import { printable } from './printable.ts';

/** Why `JSON.stringify` could not write a value, in a few words. */
function unwritable(error: unknown): string {
  // JSON.parse reads nesting iteratively, JSON.stringify writes it recursively: a 20,000-deep
  // array that parsed overflows the stack on the way back.
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'nested too deep';
  return printable(describeError(error), 200);
}

/**
 * The body and reason of a dead letter that keeps `data`, the part of a message that failed, as
 * JSON. Never throws: when `data` cannot be written as JSON (nested deeper than `JSON.stringify`
 * can go, although `JSON.parse` read it), the letter keeps `received`, the message body as it came,
 * a string that can always be kept, and its reason says so first (the DLQ cuts long reasons at the
 * end). Nothing is lost: a redriven letter is processed again, and events already counted do not
 * alert twice.
 *
 * @example
 * ```ts
 * const letter = { kind: 'rule-error', sourceMessageId, ...letterContent(event, record.body, reason) };
 * ```
 */
export function letterContent(data: unknown, received: string, reason: string): Pick<DeadLetter, 'body' | 'reason'> {
  let why = 'it has no JSON form';
  try {
    const body = JSON.stringify(data) as string | undefined;
    if (body !== undefined) return { body, reason };
  } catch (error) {
    why = unwritable(error);
  }
  return {
    body: received,
    reason: `kept as received: the data that failed cannot be written as JSON (${why}); ${reason}`,
  };
}
