import { MAX_OUTPUT_STRING_LENGTH, TRUNCATED_KEEP_LENGTH, TRUNCATION_SUFFIX } from './constants.ts';

/**
 * Panther's truncation of titles and dedup strings: over 1000 characters, keep the first 985 and
 * append `... (truncated)`.
 *
 * @example
 * ```ts
 * truncateOutput('x'.repeat(1001)).length; // 1000
 * ```
 */
export function truncateOutput(text: string): string {
  if (text.length <= MAX_OUTPUT_STRING_LENGTH) return text;
  return text.slice(0, TRUNCATED_KEEP_LENGTH) + TRUNCATION_SUFFIX;
}
