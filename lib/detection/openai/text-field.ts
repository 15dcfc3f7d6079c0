import { deepGet } from '../../shared/deep-get.ts';
import { ownValue, type JsonObject } from '../../shared/json.ts';

/**
 * An identifying text value: a non-blank string (trimmed) or a finite number (as text, since ids
 * and ports arrive either way); anything else is treated as absent.
 *
 * @example
 * ```ts
 * textValue(' u1 '); // 'u1'
 * textValue(42);     // '42'
 * textValue('');     // undefined
 * ```
 */
export function textValue(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * An identifying text field at `path` (see {@link textValue}).
 *
 * @example
 * ```ts
 * textField({ user: { id: ' u1 ' } }, ['user', 'id']); // 'u1'
 * textField({ user: { id: '' } }, ['user', 'id']);     // undefined
 * ```
 */
export function textField(value: unknown, path: readonly string[]): string | undefined {
  return textValue(deepGet(value, path));
}

/**
 * An identifying text value in an object's own property `key` (see {@link textValue}); the
 * one-level {@link textField} without a path array, for the per-event path.
 *
 * @example
 * ```ts
 * textMember({ id: ' u1 ' }, 'id'); // 'u1'
 * textMember(undefined, 'id');      // undefined
 * ```
 */
export function textMember(object: JsonObject | undefined, key: string): string | undefined {
  return object === undefined ? undefined : textValue(ownValue(object, key));
}
