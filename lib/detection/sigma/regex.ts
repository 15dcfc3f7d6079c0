import { printable } from '../../shared/printable.ts';
import type { TextTest } from './wildcard.ts';

/** Constructs outside the specification's regular-expression flavour whose JavaScript meaning may differ from PCRE's. */
const REFUSED: ReadonlyArray<readonly [RegExp, string]> = [
  [/\(\?<?[=!]/, 'lookaround assertions'],
  [/\(\?<[A-Za-z]/, 'named groups'],
  [/\(\?[a-zA-Z-]+[:)]/, 'inline flags (use the i, m and s sub-modifiers)'],
  [/\\[1-9]|\\k</, 'backreferences'],
];

/**
 * Quantifiers that repeat: nested, they are what makes a regular expression take exponential time.
 * A count of two or more (`{12}`, `{2,5}`) counts too: `(.*,){12}` backtracks as badly as `(.*,)+`.
 */
function isRepeat(pattern: string, at: number): boolean {
  const ch = pattern[at];
  if (ch === '*' || ch === '+') return true;
  const count = ch === '{' ? /^\{(\d*)(,\d*)?\}/.exec(pattern.slice(at)) : null;
  return count !== null && (count[2] !== undefined || Number(count[1]) >= 2);
}

/**
 * Finds a group that repeats and holds a repetition itself (`(a+)+`, `(\w*x)*`): the classic
 * catastrophic-backtracking shape, refused because event fields are attacker-controlled text.
 * Escapes and character classes are skipped. A heuristic, not a proof of safety: it does not see
 * overlapping alternatives (`(a|aa)*`).
 */
function nestedRepeat(pattern: string): boolean {
  const open: boolean[] = [];
  let repeats = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
    } else if (ch === '[') {
      // Skip the class: a ']' first in it (or after '^') is literal.
      i += pattern[i + 1] === '^' ? 2 : 1;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (ch === '(') {
      open.push(repeats);
      repeats = false;
    } else if (ch === ')') {
      const inner: boolean = repeats;
      repeats = (open.pop() ?? false) || inner;
      if (inner && isRepeat(pattern, i + 1)) return true;
    } else if (isRepeat(pattern, i)) {
      repeats = true;
    }
  }
  return false;
}

/**
 * Compiles the value of an `re` modifier into a search (unanchored, as backends apply Sigma's
 * regular expressions: `^` and `$` anchor it), with the specification's sub-modifiers as flags:
 * `i` case-insensitive, `m` multi-line, `s` dot matches newlines. Case-sensitive by default, as the
 * specification says. Returns the test, or why the expression is refused: it does not compile as a
 * JavaScript regular expression, it uses a construct outside the specification's flavour
 * (lookarounds, named groups, inline flags, backreferences), or a repeated group holds a repetition.
 *
 * @example
 * ```ts
 * const test = compileRegex('^sk-(proj|svcacct)-', '');
 * if (typeof test !== 'string') test('sk-proj-abc'); // true
 * compileRegex('(a+)+$', ''); // 'a repeated group holds a repetition ...'
 * ```
 */
export function compileRegex(pattern: string, flags: string): TextTest | string {
  for (const [construct, name] of REFUSED) {
    if (construct.test(pattern)) return `${name} are outside Sigma's regular-expression flavour`;
  }
  if (nestedRepeat(pattern)) {
    return 'a repeated group holds a repetition (e.g. (a+)+), which can take exponential time on crafted input: rewrite it without nesting';
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    return `not a valid regular expression: ${printable(error instanceof Error ? error.message : 'unreadable')}`;
  }
  return (text) => regex.test(text);
}
