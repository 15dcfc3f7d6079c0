import { printable } from '../../shared/printable.ts';
import { deepKeyPath, keyPath, parseKeyPath, type FieldPath } from './field-path.ts';
import { didYouMean } from './suggest.ts';
import type { Entry, Site, YamlFile } from './yaml-file.ts';

/**
 * Panther's three ways to name a field of the event.
 *
 * @example
 * ```ts
 * KEY_SPECIFIERS.includes('DeepKey'); // true
 * ```
 */
export const KEY_SPECIFIERS = ['Key', 'DeepKey', 'KeyPath'] as const;

/**
 * A field named in the file, with where it was named.
 *
 * @example
 * ```ts
 * const { path, site }: NamedField = readKeySpecifier(file, groupByItem);
 * ```
 */
export interface NamedField {
  readonly path: FieldPath;
  readonly site: Site;
}

function readDeepKey(file: YamlFile, site: Site): FieldPath {
  const items = file.items(site, 'a list of member names and list positions');
  if (items.length === 0) return file.fail(site, 'expected at least one member name');
  const parts = items.map((item) => {
    const part = file.scalar(item);
    if (typeof part === 'string' && part !== '') return part;
    if (typeof part === 'number' && Number.isSafeInteger(part) && part >= 0) return part;
    return file.fail(
      item,
      `expected a member name (a string) or a list position (an integer from 0), got ${file.describe(item)}`,
    );
  });
  return deepKeyPath(parts);
}

function readSpecifier(file: YamlFile, entry: Entry): FieldPath {
  if (entry.key === 'DeepKey') return readDeepKey(file, entry.value);
  const text = file.scalar(entry.value);
  if (typeof text !== 'string' || text === '') {
    return file.fail(entry.value, `expected a non-empty string, got ${file.describe(entry.value)}`);
  }
  if (entry.key === 'Key') return keyPath(text);
  const path = parseKeyPath(text);
  if (typeof path === 'string') return file.fail(entry.value, `not a valid KeyPath ('${printable(text)}'): ${path}`);
  return path;
}

/**
 * The one key specifier (`Key`, `DeepKey` or `KeyPath`) among a mapping's entries, or `undefined`
 * when there is none. Two of them, or a malformed one, are errors. `keyPathOnly` is for
 * `InlineFilters`, which Panther's schema lets name fields with `KeyPath` only.
 *
 * @example
 * ```ts
 * const field = findKeySpecifier(file, file.entries(site), false);
 * field?.path.text; // 'actor.session.user.email'
 * ```
 */
export function findKeySpecifier(
  file: YamlFile,
  entries: readonly Entry[],
  keyPathOnly: boolean,
): NamedField | undefined {
  const found = entries.filter((entry) => (KEY_SPECIFIERS as readonly string[]).includes(entry.key));
  const [first, second] = found;
  if (first === undefined) return undefined;
  if (second !== undefined) {
    return file.fail(second.keySite, `a match expression names one field: found both ${first.key} and ${second.key}`);
  }
  if (keyPathOnly && first.key !== 'KeyPath') {
    return file.fail(first.keySite, `InlineFilters name fields with KeyPath only (Panther's filter schema)`);
  }
  return { path: readSpecifier(file, first), site: first.value };
}

/**
 * Reads a mapping that is exactly one key specifier (an item of `GroupBy`, an `AlertContext`
 * `KeyValue`, a field of a multi-key match expression). Any other key is an error naming it.
 *
 * @example
 * ```ts
 * readKeySpecifier(file, site).path.text; // 'actor.session.ip_address'
 * ```
 */
export function readKeySpecifier(file: YamlFile, site: Site): NamedField {
  const entries = file.entries(site, 'a key specifier (a mapping with Key, DeepKey or KeyPath)');
  for (const entry of entries) {
    if (!(KEY_SPECIFIERS as readonly string[]).includes(entry.key)) {
      file.fail(
        { ...entry.keySite, path: site.path },
        `unknown key '${printable(entry.key)}' in a key specifier (expected one of Key, DeepKey or KeyPath)${didYouMean(entry.key, KEY_SPECIFIERS)}`,
      );
    }
  }
  const field = findKeySpecifier(file, entries, false);
  if (field === undefined) return file.fail(site, 'expected one of Key, DeepKey or KeyPath');
  return field;
}
