// OpenAI API keys: sk-..., sk-proj-..., sk-admin-..., sk-svcacct-..., sk-None-... followed by a random
// body. Found wherever they stand, even glued to a word ("tokensk-..."): missing a key would leak it.
// A body counts as a key when it has at least 20 characters and a digit, or at least 40 characters:
// random keys (48 to 160 characters) meet that, hyphenated words ("risk-management-team") do not.
const OPENAI_KEY = /(sk-(?:(?:proj|admin|svcacct|None)-)?)([A-Za-z0-9_-]{20,})/g;

/** Every OpenAI API key contains this; a text without it has nothing to mask. */
export const SECRET_MARK = 'sk-';

function looksRandom(body: string): boolean {
  return body.length >= 40 || /\d/.test(body);
}

/**
 * Masks anything shaped like an OpenAI API key, keeping its prefix and last four characters (as
 * OpenAI's dashboard shows keys): enough to tell keys apart, not enough to use one.
 *
 * @example
 * ```ts
 * maskSecrets('key sk-proj-abcdefghijklmnopqrstuvwx1234'); // 'key sk-proj-…1234'
 * ```
 */
export function maskSecrets(text: string): string {
  if (!text.includes(SECRET_MARK)) return text;
  return text.replace(OPENAI_KEY, (match, prefix: string, body: string) =>
    looksRandom(body) ? `${prefix}…${body.slice(-4)}` : match,
  );
}

/**
 * Where to cut a text that is kept unmasked (a dedup string, which must keep two keys apart) so
 * that it keeps at most `end` characters and no part of an API key: `end`, or the start of the key
 * that crosses it. A key cut through would keep a head too short to be recognised, and masked, later.
 *
 * @example
 * ```ts
 * const text = 'id sk-proj-abcdefghijklmnopqrstuvwx1234';
 * text.slice(0, secretSafeEnd(text, 20)); // 'id '
 * ```
 */
export function secretSafeEnd(text: string, end: number): number {
  if (end >= text.length || !text.includes(SECRET_MARK)) return end;
  for (const match of text.matchAll(OPENAI_KEY)) {
    if (match.index >= end) break;
    if (match.index + match[0].length > end && looksRandom(match[2] ?? '')) return match.index;
  }
  return end;
}
