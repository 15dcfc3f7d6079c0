import type { JsonValue } from '../../shared/json.ts';
import { printable } from '../../shared/printable.ts';
import { fieldReader, MISSING, type FieldReader } from './field-path.ts';
import { readKeySpecifier } from './key-specifier.ts';
import { didYouMean } from './suggest.ts';
import type { Site, YamlFile } from './yaml-file.ts';

/**
 * Builds an alert context from the event as received; `eventType` as for `fieldReader`.
 *
 * @example
 * ```ts
 * const context: ContextBuilder = compileAlertContext(file, site);
 * context(event.raw, event.type); // { scim_resource_id: 'org-1' }
 * ```
 */
export type ContextBuilder = (root: unknown, eventType: string | undefined) => Record<string, JsonValue>;

const ITEM_KEYS = ['KeyName', 'KeyValue'];

/**
 * Compiles `AlertContext` (a list of `{KeyName, KeyValue}`, `KeyValue` a key specifier) into the
 * rule's alert context: each name with the field's value as it is in the event (strings, numbers,
 * lists, objects), `null` when the field is missing, so the context always has the same keys.
 * Names must be unique.
 *
 * @example
 * ```ts
 * const context = compileAlertContext(file, site); // [{ KeyName: ip, KeyValue: { KeyPath: actor.session.ip_address } }]
 * context(event.raw, event.type);                   // { ip: '203.0.113.7' }
 * ```
 */
export function compileAlertContext(file: YamlFile, site: Site): ContextBuilder {
  const items = file.items(site, 'a list of KeyName/KeyValue pairs');
  if (items.length === 0) return file.fail(site, 'expected at least one KeyName/KeyValue pair');
  const names = new Set<string>();
  const fields: Array<{ readonly name: string; readonly read: FieldReader }> = items.map((item) => {
    const entries = file.entries(item, 'a mapping with KeyName and KeyValue');
    for (const entry of entries) {
      if (!ITEM_KEYS.includes(entry.key)) {
        file.fail(
          { ...entry.keySite, path: item.path },
          `unknown key '${printable(entry.key)}' (expected KeyName and KeyValue)${didYouMean(entry.key, ITEM_KEYS)}`,
        );
      }
    }
    const nameEntry = entries.find((entry) => entry.key === 'KeyName');
    const valueEntry = entries.find((entry) => entry.key === 'KeyValue');
    if (nameEntry === undefined) return file.fail(item, 'missing KeyName');
    if (valueEntry === undefined) return file.fail(item, 'missing KeyValue (a key specifier)');
    const name = file.scalar(nameEntry.value);
    if (typeof name !== 'string' || name === '') {
      return file.fail(nameEntry.value, `expected a non-empty string, got ${file.describe(nameEntry.value)}`);
    }
    if (names.has(name))
      return file.fail(nameEntry.value, `'${printable(name)}' is already a key of the alert context`);
    names.add(name);
    return { name, read: fieldReader(readKeySpecifier(file, valueEntry.value).path) };
  });
  return (root, eventType) => fieldsContext(fields, root, eventType);
}

/**
 * An alert context of named fields of the event: each field's value, `null` when it is missing.
 * Names are set as own properties, so a name such as `__proto__` is an ordinary key, never the
 * prototype.
 *
 * @example
 * ```ts
 * fieldsContext([{ name: 'source_ip', read: fieldReader(keyPath('actor.session.ip_address')) }], event.raw, event.type);
 * ```
 */
export function fieldsContext(
  fields: ReadonlyArray<{ readonly name: string; readonly read: FieldReader }>,
  root: unknown,
  eventType: string | undefined,
): Record<string, JsonValue> {
  const context: Record<string, JsonValue> = {};
  for (const { name, read } of fields) {
    const value = read(root, eventType);
    Object.defineProperty(context, name, {
      value: value === MISSING ? null : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return context;
}
