import { deepGet } from '../../util/deep-get.ts';

/**
 * An identifying text field: a non-blank string (trimmed) or a finite number (as text, since ids
 * and ports arrive either way); anything else is treated as absent.
 *
 * @example
 * ```ts
 * textField({ user: { id: ' u1 ' } }, ['user', 'id']); // 'u1'
 * textField({ user: { id: '' } }, ['user', 'id']);     // undefined
 * ```
 */
export function textField(value: unknown, path: readonly string[]): string | undefined {
  const found = deepGet(value, path);
  if (typeof found === 'string') {
    const trimmed = found.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  return undefined;
}
