import { isJsonObject, ownValue, type JsonValue } from './json.ts';

/**
 * Nested lookup with Panther's `deep_get` semantics: a missing key, or anything other than an object
 * on the way (array, string, `null`...), gives `fallback`; a final `null` gives `fallback`; any other
 * final value, including `""`, `0`, `false` and `[]`, is returned as it is. Only own properties are
 * read, so keys such as `__proto__` are ordinary data.
 *
 * @example
 * ```ts
 * deepGet({ a: { b: 0 } }, ['a', 'b'], 'x');    // 0
 * deepGet({ a: { b: null } }, ['a', 'b'], 'x'); // 'x'
 * deepGet({ a: [1] }, ['a', '0'], 'x');         // 'x' (arrays are not objects here)
 * ```
 */
export function deepGet<F = undefined>(value: unknown, path: readonly string[], fallback?: F): JsonValue | F {
  let current: unknown = value;
  for (const key of path) {
    if (!isJsonObject(current)) return fallback as F;
    current = ownValue(current, key);
    if (current === undefined) return fallback as F;
  }
  return current === null || current === undefined ? (fallback as F) : (current as JsonValue);
}
