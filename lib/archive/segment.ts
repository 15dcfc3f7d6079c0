import { quote } from '../shared/printable.ts';

/** What one segment of an archive key may hold: OpenAI's ids (`org-abc123`) and our hex ids. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Why a value cannot stand in an archive key as one path segment (an organization id, an object
 * id, an alert id), or `undefined` when it can: 1 to 128 letters, digits, `-` or `_`, so that no
 * value can add a folder (`/`), climb out of one (`..`) or need escaping in a URL or a file name.
 *
 * @example
 * ```ts
 * segmentProblem('org-abc123'); // undefined
 * segmentProblem('../x');       // 'must be 1-128 letters, digits, "-" or "_"'
 * ```
 */
export function segmentProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  return SAFE_SEGMENT.test(value) ? undefined : 'must be 1-128 letters, digits, "-" or "_"';
}

/**
 * `value` when it is a safe key segment ({@link segmentProblem}); otherwise throws an `Error`
 * naming what it is and why, the value quoted and printable.
 *
 * @example
 * ```ts
 * safeSegment('org-abc123', 'organization id'); // 'org-abc123'
 * safeSegment('a/b', 'organization id');        // throws: unsafe organization id "a/b" for an archive key: must be ...
 * ```
 */
export function safeSegment(value: string, what: string): string {
  const problem = segmentProblem(value);
  if (problem !== undefined)
    throw new Error(`unsafe ${what} ${quote(String(value), 80)} for an archive key: ${problem}`);
  return value;
}
