import { printable } from '../../shared/printable.ts';
import type { Matcher } from '../panther/matcher.ts';
import type { Entry, Site, YamlFile } from '../panther/yaml-file.ts';
import { compileField } from './field.ts';
import { readFieldKey } from './modifiers.ts';
import { compileValues } from './values.ts';
import { parseSigmaString } from './wildcard.ts';

/**
 * A compiled search identifier (a selection): its test of the event, and the event types it can
 * match when it says (a `type` field with plain values), for the rule's `eventTypes`.
 *
 * @example
 * ```ts
 * const { matcher, eventTypes }: CompiledSelection = compileSelection(file, site);
 * ```
 */
export interface CompiledSelection {
  readonly matcher: Matcher;
  /** The event types the selection can match; `undefined` when it does not restrict them. */
  readonly eventTypes: ReadonlySet<string> | undefined;
}

const KEYWORDS =
  'keyword selections (lists of strings) search the whole log message, and an audit event is structured JSON: name the field, e.g. `actor.session.user_agent|contains: ...`';

/**
 * The event types a `type: ...` entry allows, when its values are plain lower-case text (OpenAI's
 * types are): dispatching the rule only to those types then never changes what it matches.
 */
function typesOf(file: YamlFile, entry: Entry): ReadonlySet<string> | undefined {
  if (entry.key !== 'type' && entry.key !== 'type|cased') return undefined;
  const sites = file.kind(entry.value) === 'list' ? file.items(entry.value) : [entry.value];
  const types = new Set<string>();
  for (const site of sites) {
    const value = file.scalar(site);
    if (typeof value !== 'string') return undefined;
    const parts = parseSigmaString(value);
    const [text] = parts;
    if (parts.length !== 1 || typeof text !== 'string' || text !== text.toLowerCase()) return undefined;
    types.add(text);
  }
  return types;
}

function compileMap(file: YamlFile, site: Site): CompiledSelection {
  const entries = file.entries(site);
  if (entries.length === 0) return file.fail(site, 'an empty selection: give at least one field');
  let eventTypes: ReadonlySet<string> | undefined;
  const tests = entries.map((entry): Matcher => {
    const spec = readFieldKey(entry.key);
    if (typeof spec === 'string') return file.fail(entry.keySite, spec);
    const read = compileField(spec.field);
    if (typeof read === 'string')
      return file.fail(entry.keySite, `field '${printable(spec.field, 60)}' is not a field path: ${read}`);
    const test = compileValues(file, spec, entry.value);
    eventTypes ??= typesOf(file, entry);
    return (root, type) => test(read(root, type));
  });
  const matcher: Matcher =
    tests.length === 1 ? (tests[0] as Matcher) : (root, type) => tests.every((t) => t(root, type));
  return { matcher, eventTypes };
}

/**
 * Compiles a search identifier: a mapping of fields to values (every field must match: AND), or a
 * list of such mappings (any of them: OR). Keyword selections (a list of strings, or a single
 * value, searched across the whole event) are refused, as are empty selections.
 *
 * @example
 * ```ts
 * const selection = compileSelection(file, entries.find((e) => e.key === 'selection')!.value);
 * selection.matcher(event.raw, event.type);
 * ```
 */
export function compileSelection(file: YamlFile, site: Site): CompiledSelection {
  const kind = file.kind(site);
  if (kind === 'mapping') return compileMap(file, site);
  if (kind === 'scalar') return file.fail(site, `a single value is a keyword selection: ${KEYWORDS}`);
  const items = file.items(site);
  if (items.length === 0) return file.fail(site, 'an empty selection: give at least one mapping of fields');
  const compiled = items.map((item) => {
    if (file.kind(item) !== 'mapping') return file.fail(item, `${file.describe(item)} in a selection: ${KEYWORDS}`);
    return compileMap(file, item);
  });
  const matchers = compiled.map((c) => c.matcher);
  const known = compiled.every((c) => c.eventTypes !== undefined);
  return {
    matcher: matchers.length === 1 ? (matchers[0] as Matcher) : (root, type) => matchers.some((m) => m(root, type)),
    eventTypes: known ? new Set(compiled.flatMap((c) => [...(c.eventTypes ?? [])])) : undefined,
  };
}
