import type { JsonValue } from '../shared/json.ts';
import { printable } from '../shared/printable.ts';

/**
 * Cuts a string to at most `max` characters (code points, so no emoji or accent is split), ending
 * with `…` when cut.
 *
 * @example
 * ```ts
 * cutChars('abcdef', 4); // 'abc…'
 * ```
 */
export function cutChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * An untrusted value made safe for a person to read at a destination: every string (keys too) has
 * API-key-shaped text masked and control, bidi and invisible characters escaped, and is cut to
 * `maxChars`. Numbers, booleans and null pass through; structure is kept.
 *
 * @example
 * ```ts
 * sanitizeValue({ note: 'sk-proj-abcdefghijklmnopqrstu1234\u202e' }, 100); // { note: 'sk-proj-…1234\\u202e' }
 * ```
 */
export function sanitizeValue(value: JsonValue, maxChars: number): JsonValue {
  if (typeof value === 'string') return printable(value, maxChars);
  if (Array.isArray(value)) return value.map((item) => sanitizeValue(item, maxChars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [printable(key, 100), sanitizeValue(item, maxChars)]),
    );
  }
  return value;
}

/**
 * An alert-context value as one line of text: a list of strings joined with commas, a string as it
 * is, anything else as JSON. Not yet escaped for any particular destination.
 *
 * @example
 * ```ts
 * contextText(['all', 'api.model.read']); // 'all, api.model.read'
 * ```
 */
export function contextText(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return /^<UNKNOWN_[A-Z_]+>$/.test(value) ? undefined : value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(', ');
  return JSON.stringify(value);
}
