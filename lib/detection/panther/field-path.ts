import { isJsonObject, type JsonValue } from '../../shared/json.ts';
import { underscoredKey } from '../openai/normalize.ts';

/**
 * One step of a field path: a member of an object, an element of a list, or every element (`[*]`).
 *
 * @example
 * ```ts
 * const each: Segment = { kind: 'each' }; // `[*]`
 * ```
 */
export type Segment =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'each' };

/**
 * A field of the event, as a key specifier (`Key`, `DeepKey`, `KeyPath`) names it.
 *
 * @example
 * ```ts
 * const path: FieldPath = keyPath('type'); // { text: 'type', segments: [{ kind: 'key', name: 'type' }] }
 * ```
 */
export interface FieldPath {
  /** As written (a `DeepKey` joined with dots), for messages and missing-value placeholders. */
  readonly text: string;
  readonly segments: readonly Segment[];
}

/**
 * What a field path finds when the event has no such field (distinct from a `null` value).
 *
 * @example
 * ```ts
 * if (fieldReader(keyPath('actor'))(raw, undefined) === MISSING) console.log('no actor');
 * ```
 */
export const MISSING: unique symbol = Symbol('missing');

/**
 * A field's value, or {@link MISSING}.
 *
 * @example
 * ```ts
 * const value: Resolved = fieldReader(keyPath('type'))(raw, undefined);
 * ```
 */
export type Resolved = JsonValue | typeof MISSING;

/**
 * Reads a field of an event (or, in a list comprehension, of one element).
 *
 * @example
 * ```ts
 * const read: FieldReader = fieldReader(keyPath('type'));
 * read({ type: 'login.failed' }, undefined); // 'login.failed'
 * ```
 */
export type FieldReader = (root: unknown, eventType: string | undefined) => Resolved;

const SEGMENT = /^([^.[\]]+)((?:\[(?:\*|\d{1,9})\])*)$/;
const INDEX = /\[(\*|\d+)\]/g;

/**
 * Parses a `KeyPath` (`actor.session.user.email`, `data.scopes[0]`, `roles[*].name`): names
 * separated by dots, each followed by any number of `[n]` (an element) or `[*]` (every element).
 * Returns the path, or why the text is not one.
 *
 * @example
 * ```ts
 * parseKeyPath('a.b[0]');  // { text: 'a.b[0]', segments: [key a, key b, index 0] }
 * parseKeyPath('a..b');    // 'empty name between dots'
 * ```
 */
export function parseKeyPath(text: string): FieldPath | string {
  if (text === '') return 'empty path';
  const segments: Segment[] = [];
  for (const part of text.split('.')) {
    if (part === '') return 'empty name between dots (or at an end)';
    const match = SEGMENT.exec(part);
    if (match === null) return 'expected names separated by dots, each followed by any [n] or [*]';
    segments.push({ kind: 'key', name: match[1] as string });
    for (const [, index] of (match[2] ?? '').matchAll(INDEX)) {
      segments.push(index === '*' ? { kind: 'each' } : { kind: 'index', index: Number(index) });
    }
  }
  return { text, segments };
}

/**
 * The path of a `Key`: one top-level member, named literally (dots included: `Key: api_key.created`
 * names OpenAI's dotted payload key).
 *
 * @example
 * ```ts
 * keyPath('type'); // { text: 'type', segments: [key type] }
 * ```
 */
export function keyPath(name: string): FieldPath {
  return { text: name, segments: [{ kind: 'key', name }] };
}

/**
 * The path of a `DeepKey`: strings are members (literally, dots included), non-negative integers
 * are list elements.
 *
 * @example
 * ```ts
 * deepKeyPath(['api_key.created', 'data', 'scopes', 0]);
 * ```
 */
export function deepKeyPath(parts: ReadonlyArray<string | number>): FieldPath {
  return {
    text: parts.join('.'),
    segments: parts.map((part) =>
      typeof part === 'number' ? { kind: 'index', index: part } : { kind: 'key', name: part },
    ),
  };
}

/**
 * The other spelling of an event's payload key. OpenAI puts an event's payload under its dotted type
 * (`"api_key.created": {...}`), Panther's normalised events under the type with underscores
 * (`api_key_created`). A detection names one of them; this gives the other, so that one detection
 * works on both shapes. Only the event's own type is considered: `scim_enabled` is never read as
 * `scim.enabled` on a `scim.disabled` event.
 */
function payloadAlias(name: string, eventType: string | undefined): string | undefined {
  if (eventType === undefined || !eventType.includes('.')) return undefined;
  if (name === eventType) return underscoredKey(eventType);
  if (name.length === eventType.length && name === underscoredKey(eventType)) return eventType;
  return undefined;
}

/** Every segment after `from` that is a `[*]`: then the values found below are lists to flatten. */
function hasEachAfter(segments: readonly Segment[], from: number): boolean {
  for (let i = from; i < segments.length; i++) if (segments[i]?.kind === 'each') return true;
  return false;
}

function walk(current: JsonValue, segments: readonly Segment[], from: number): Resolved {
  let value: JsonValue = current;
  for (let i = from; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    if (segment.kind === 'key') {
      // Own members only: `__proto__` or `constructor` in an event are data, never the prototype.
      if (!isJsonObject(value) || !Object.hasOwn(value, segment.name)) return MISSING;
      value = value[segment.name] as JsonValue;
    } else if (segment.kind === 'index') {
      if (!Array.isArray(value) || segment.index >= value.length) return MISSING;
      value = value[segment.index] as JsonValue;
    } else {
      if (!Array.isArray(value)) return MISSING;
      // As JSONPath: the values found under every element, in order; elements without the field
      // are skipped, and a further [*] below flattens into the same list.
      const flatten = hasEachAfter(segments, i + 1);
      const found: JsonValue[] = [];
      for (const element of value) {
        const below = walk(element, segments, i + 1);
        if (below === MISSING) continue;
        if (flatten && Array.isArray(below)) found.push(...below);
        else found.push(below);
      }
      return found;
    }
  }
  return value;
}

/**
 * Compiles a path into a reader of the event as received (`event.raw`), or of one list element.
 * A member missing on the way, a non-object where a member is wanted or a non-list where an element
 * is wanted gives {@link MISSING}; a `null` value is returned as `null`. With `[*]` the reader gives
 * the list of values found (flattened across several `[*]`), {@link MISSING} only when the list
 * itself is missing.
 *
 * At the top of the event, a first member named as an event's payload key is also found under the
 * other spelling of that key: `api_key_created` (Panther's normalised events) finds OpenAI's
 * `"api_key.created"` and the reverse, for the event's own type only, so one detection runs on both
 * shapes. A `KeyPath` cannot name a dotted key (its dots separate names): write the underscore form,
 * which then works on both shapes, or `Key`/`DeepKey` with the dotted name.
 *
 * @example
 * ```ts
 * const read = fieldReader(parseKeyPath('api_key_created.data.scopes') as FieldPath);
 * read({ type: 'api_key.created', 'api_key.created': { data: { scopes: ['all'] } } }, 'api_key.created'); // ['all']
 * ```
 */
export function fieldReader(path: FieldPath): FieldReader {
  const [first] = path.segments;
  const segments = path.segments;
  if (first?.kind !== 'key') return (root) => walk(root as JsonValue, segments, 0);
  const name = first.name;
  return (root, eventType) => {
    if (!isJsonObject(root)) return MISSING;
    let top: string = name;
    if (!Object.hasOwn(root, name)) {
      const alias = payloadAlias(name, eventType);
      if (alias === undefined || !Object.hasOwn(root, alias)) return MISSING;
      top = alias;
    }
    return walk(root[top] as JsonValue, segments, 1);
  };
}
