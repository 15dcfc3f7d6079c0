/** A value that JSON can represent. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** A JSON object: string keys, JSON values. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * True for a plain JSON object (not `null`, not an array).
 *
 * @example
 * ```ts
 * isJsonObject({ a: 1 }); // true
 * isJsonObject([1]);      // false
 * ```
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads an own property only: `obj['__proto__']` or `obj['constructor']` never reach the prototype.
 *
 * @example
 * ```ts
 * ownValue({ a: 1 }, 'a');           // 1
 * ownValue({}, 'constructor');       // undefined
 * ```
 */
export function ownValue(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
