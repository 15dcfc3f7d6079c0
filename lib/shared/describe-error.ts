/**
 * A one-line message for anything a rule may throw, without ever throwing itself (a thrown object
 * can have a hostile `toString`).
 *
 * @example
 * ```ts
 * describeError(new TypeError('x is undefined')); // 'TypeError: x is undefined'
 * describeError(42);                              // 'non-error value thrown: 42'
 * ```
 */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return `non-error value thrown: ${String(error)}`;
  } catch {
    return 'unprintable value thrown';
  }
}

/**
 * The JSON-ish type of a value, for messages such as "returned an array, expected an object".
 *
 * @example
 * ```ts
 * typeName(null); // 'null'
 * typeName([]);   // 'array'
 * ```
 */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
