/**
 * A compiled scope glob: `*` matches any run of characters (including none and including dots),
 * `\*` a literal star, `\\` a literal backslash. Matching is a prefix test, a suffix test and an
 * ordered search for the middle parts, so no pattern can cause catastrophic backtracking.
 */
export interface CompiledGlob {
  readonly parts: readonly string[];
}

/**
 * Splits a glob into the literal parts between its unescaped stars.
 *
 * @example
 * ```ts
 * compileGlob('*.api_keys.write').parts; // ['', '.api_keys.write']
 * ```
 */
export function compileGlob(pattern: string): CompiledGlob {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) {
      current += pattern[i + 1];
      i++;
    } else if (ch === '*') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return { parts };
}

/**
 * Whether `text` matches the compiled glob.
 *
 * @example
 * ```ts
 * globMatches(compileGlob('api.organization.*.write'), 'api.organization.projects.write'); // true
 * globMatches(compileGlob('api.organization.*.write'), 'api.organization.write');          // false
 * ```
 */
export function globMatches(glob: CompiledGlob, text: string): boolean {
  const { parts } = glob;
  const first = parts[0] ?? '';
  if (parts.length === 1) return text === first;
  const last = parts[parts.length - 1] ?? '';
  if (text.length < first.length + last.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  let position = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    const found = text.indexOf(part, position);
    if (found === -1 || found + part.length > end) return false;
    position = found + part.length;
  }
  return true;
}
