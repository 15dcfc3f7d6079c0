import { secretSafeEnd } from '../../shared/mask-secrets.ts';
import { MAX_OUTPUT_STRING_LENGTH, TRUNCATED_KEEP_LENGTH, TRUNCATION_SUFFIX } from './constants.ts';

/**
 * Panther's truncation of titles and dedup strings: over 1000 characters, keep the first 985 and
 * append `... (truncated)`. The cut never goes through an API key: a key crossing it is dropped
 * whole, as the head of a key is too short to be recognised and masked where the text is shown.
 *
 * @example
 * ```ts
 * truncateOutput('x'.repeat(1001)).length; // 1000
 * ```
 */
export function truncateOutput(text: string): string {
  if (text.length <= MAX_OUTPUT_STRING_LENGTH) return text;
  return text.slice(0, secretSafeEnd(text, TRUNCATED_KEEP_LENGTH)) + TRUNCATION_SUFFIX;
}
