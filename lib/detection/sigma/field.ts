import { printable } from '../../shared/printable.ts';
import { fieldReader, parseKeyPath, type FieldPath, type FieldReader, type Segment } from '../panther/field-path.ts';
import type { Site, YamlFile } from '../panther/yaml-file.ts';

/**
 * Compiles a Sigma field name into a reader of the event as received (`event.raw`), or returns why
 * the name is not a field path.
 *
 * Field names are OpenAI's own paths, names joined by dots (`actor.session.ip_address`), each name
 * optionally followed by `[n]` (an element) or `[*]` (every element), as the Panther compiler's
 * `KeyPath` reads them. OpenAI puts an event's payload under its dotted type (`"api_key.created":
 * {...}`), whose dots a path cannot tell from its separators; so a name that begins with **the
 * event's own type** followed by a dot reads the payload: on an `api_key.created` event,
 * `api_key.created.data.scopes` is `data.scopes` of the payload. Panther's underscore spelling
 * (`api_key_created.data.scopes`) works too, and either spelling finds the payload under either key,
 * as `fieldReader` does. On an event of another type the name is read as a plain path (and finds
 * nothing in an audit event).
 *
 * @example
 * ```ts
 * const read = compileField('api_key.created.data.scopes');
 * if (typeof read !== 'string')
 *   read({ type: 'api_key.created', 'api_key.created': { data: { scopes: ['all'] } } }, 'api_key.created'); // ['all']
 * ```
 */
export function compileField(name: string): FieldReader | string {
  const path = parseKeyPath(name);
  if (typeof path === 'string') return path;
  const plain = fieldReader(path);
  // For each run of leading names that could be a dotted event type, a reader taking it as one key.
  const byType = new Map<string, FieldReader>();
  const names: string[] = [];
  for (let i = 0; i < path.segments.length; i++) {
    const segment = path.segments[i] as Segment;
    if (segment.kind !== 'key') break;
    names.push(segment.name);
    if (names.length < 2) continue;
    const payloadKey = names.join('.');
    const payloadPath: FieldPath = {
      text: name,
      segments: [{ kind: 'key', name: payloadKey }, ...path.segments.slice(i + 1)],
    };
    byType.set(payloadKey, fieldReader(payloadPath));
  }
  if (byType.size === 0) return plain;
  return (root, eventType) => ((eventType === undefined ? undefined : byType.get(eventType)) ?? plain)(root, eventType);
}

/**
 * A field a rule names on its own (`fields`, a correlation's `group-by` or counted `field`), compiled.
 *
 * @example
 * ```ts
 * const field: NamedField = readNamedField(file, site); // { name: 'actor.session.user.email', read }
 * ```
 */
export interface NamedField {
  readonly name: string;
  readonly read: FieldReader;
}

/**
 * Reads a field name written as a YAML value (see {@link compileField}); a non-string or a name
 * that is not a path is an error at its line.
 *
 * @example
 * ```ts
 * const fields = file.items(site).map((item) => readNamedField(file, item));
 * ```
 */
export function readNamedField(file: YamlFile, site: Site): NamedField {
  const name = file.scalar(site);
  if (typeof name !== 'string' || name === '')
    return file.fail(site, `expected a field name, got ${file.describe(site)}`);
  const read = compileField(name);
  if (typeof read === 'string') return file.fail(site, `'${printable(name)}' is not a field path: ${read}`);
  return { name, read };
}
