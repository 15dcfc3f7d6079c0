/**
 * One piece of a Sigma string value: literal text, `*` (any run of characters, none included) or
 * `?` (exactly one character).
 *
 * @example
 * ```ts
 * const parts: PatternPart[] = parseSigmaString('key-*'); // ['key-', { wildcard: '*' }]
 * ```
 */
export type PatternPart = string | { readonly wildcard: '*' | '?' };

/**
 * Reads a Sigma string value into literal text and wildcards, with the specification's escapes
 * (sigma-rules-specification.md, "Escape Character"): `\*` and `\?` are a literal star and question
 * mark, `\\` is one backslash (so `\\*` is a backslash then a wildcard, and `\\\*` a backslash then
 * a star), and a backslash followed by anything else is itself (`C:\Windows`).
 *
 * @example
 * ```ts
 * parseSigmaString('a\\*b*'); // ['a*b', { wildcard: '*' }]
 * parseSigmaString('C:\\W');  // ['C:\\W']
 * ```
 */
export function parseSigmaString(text: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === '\\' && (next === '*' || next === '?' || next === '\\')) {
      literal += next;
      i++;
    } else if (ch === '*' || ch === '?') {
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push({ wildcard: ch });
    } else {
      literal += ch;
    }
  }
  if (literal !== '') parts.push(literal);
  return parts;
}

/**
 * A compiled string pattern: a test of a text. Never throws.
 *
 * @example
 * ```ts
 * const test: TextTest = compilePattern(parseSigmaString('*.write'), false);
 * test('api.organization.write'); // true
 * ```
 */
export type TextTest = (text: string) => boolean;

type Token = { readonly kind: 'text'; readonly text: string } | { readonly kind: '*' } | { readonly kind: '?' };

/** One code unit per `?`: the text is matched as JavaScript strings are indexed. */
function tokens(parts: readonly PatternPart[], fold: (text: string) => string): Token[] {
  const result: Token[] = [];
  for (const part of parts) {
    if (typeof part === 'string') result.push({ kind: 'text', text: fold(part) });
    // Two stars in a row mean what one means; collapsing them keeps the matcher's work down.
    else if (part.wildcard === '?' || result.at(-1)?.kind !== '*') result.push({ kind: part.wildcard });
  }
  return result;
}

/**
 * Whether `text` matches `pattern` from `at` on. Iterative, remembering only the last star: a
 * star's match is only ever extended, so the work is bounded by the lengths' product, never
 * exponential, whatever the pattern (no regular expression is built, so none can backtrack).
 */
function matchFrom(pattern: readonly Token[], text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length || p < pattern.length) {
    const token = pattern[p];
    if (token !== undefined) {
      if (token.kind === '*') {
        star = p++;
        resume = t;
        continue;
      }
      if (token.kind === '?' && t < text.length) {
        p++;
        // One character: a code point, two code units for one outside the BMP (an emoji).
        t += (text.codePointAt(t) ?? 0) > 0xffff ? 2 : 1;
        continue;
      }
      if (token.kind === 'text' && text.startsWith(token.text, t)) {
        p++;
        t += token.text.length;
        continue;
      }
    }
    if (star < 0 || resume >= text.length) return false;
    // Let the last star swallow one more character and try again from just after it.
    p = star + 1;
    t = ++resume;
  }
  return true;
}

/**
 * Compiles a parsed Sigma string into a test of a text, case-insensitive unless `cased` (Sigma's
 * default: "All values are treated as case-insensitive strings"). A pattern anchors at both ends:
 * `admin*` is "starts with admin"; the `contains`, `startswith` and `endswith` modifiers add the
 * stars. Patterns without wildcards, or with stars only at their ends, compile to plain string
 * comparisons.
 *
 * @example
 * ```ts
 * compilePattern(parseSigmaString('*Admin*'), false)('org-admins'); // true
 * compilePattern(parseSigmaString('Admin'), true)('admin');         // false
 * ```
 */
export function compilePattern(parts: readonly PatternPart[], cased: boolean): TextTest {
  // toLowerCase on both sides: what pySigma's case-insensitive matching does for the texts audit events hold.
  const fold = cased ? (text: string) => text : (text: string) => text.toLowerCase();
  const pattern = tokens(parts, fold);
  const [first, ...others] = pattern;
  if (first === undefined) return (text) => text === '';
  const middle = pattern.filter((token) => token.kind !== '*');
  const literal = middle.length === 1 && middle[0]?.kind === 'text' ? middle[0].text : undefined;
  if (literal !== undefined && pattern.length <= 3) {
    const leading = first.kind === '*';
    const trailing = pattern.at(-1)?.kind === '*' && pattern.length > 1;
    if (leading && trailing) return (text) => fold(text).includes(literal);
    if (leading) return (text) => fold(text).endsWith(literal);
    if (trailing) return (text) => fold(text).startsWith(literal);
    if (others.length === 0) return (text) => fold(text) === literal;
  }
  return (text) => matchFrom(pattern, fold(text));
}
