import { MISSING } from '../panther/field-path.ts';
import type { JsonValue } from '../../shared/json.ts';
import type { NamedField } from './field.ts';

/**
 * The values of `fields` in an event, or `undefined` when one is absent, `null` or empty: such an
 * event belongs to no group and is left out of the count or correlation (as `count() by` leaves out
 * events without the field in most backends).
 *
 * @example
 * ```ts
 * fieldValues(groupBy, event.raw, event.type); // { 'actor.session.user.email': 'alice@example.com' }
 * ```
 */
export function fieldValues(
  fields: readonly NamedField[],
  root: unknown,
  eventType: string | undefined,
): Record<string, JsonValue> | undefined {
  const values: Record<string, JsonValue> = {};
  for (const { name, read } of fields) {
    const value = read(root, eventType);
    // `undefined` never comes from JSON, but an event built in code may hold it: it is absent too.
    if (value === MISSING || value === null || value === undefined || value === '') return undefined;
    Object.defineProperty(values, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return values;
}

/**
 * One group's key as text: the value itself for one field (a string as it is, anything else as
 * JSON), a JSON list of them for several, so that two groups never share a key.
 *
 * @example
 * ```ts
 * groupKey({ 'actor.session.user.email': 'alice@example.com' });       // 'alice@example.com'
 * groupKey({ 'actor.session.user.email': 'a@x', 'project.id': 'p1' }); // '["a@x","p1"]'
 * ```
 */
export function groupKey(values: Readonly<Record<string, JsonValue>>): string {
  const texts = Object.values(values).map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  return texts.length === 1 ? (texts[0] as string) : JSON.stringify(texts);
}
