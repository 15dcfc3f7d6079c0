import { printable } from '../../shared/printable.ts';
import { didYouMean } from '../panther/suggest.ts';

/**
 * What a field's value is compared with: equality (with wildcards), a string modifier, a regular
 * expression, a CIDR, existence, or a numeric comparison.
 *
 * @example
 * ```ts
 * const kind: MatchKind = 'contains';
 * ```
 */
export type MatchKind =
  'equals' | 'contains' | 'startswith' | 'endswith' | 're' | 'cidr' | 'exists' | 'gt' | 'gte' | 'lt' | 'lte';

/**
 * A detection key read: the field, and what its modifiers ask for.
 *
 * @example
 * ```ts
 * const spec: FieldSpec = readFieldKey('api_key.created.data.scopes|contains|all') as FieldSpec;
 * // { field: 'api_key.created.data.scopes', kind: 'contains', all: true, cased: false, regexFlags: '' }
 * ```
 */
export interface FieldSpec {
  readonly field: string;
  readonly kind: MatchKind;
  /** `all`: every value must match (Sigma's lists are otherwise an OR). */
  readonly all: boolean;
  /** `cased`: strings compared case-sensitively. */
  readonly cased: boolean;
  /** The `re` sub-modifiers as JavaScript flags (`i`, `m`, `s`). */
  readonly regexFlags: string;
}

/** The modifiers that choose the comparison: at most one per key. */
const KINDS: readonly MatchKind[] = [
  'contains',
  'startswith',
  'endswith',
  're',
  'cidr',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
];
const STRING_KINDS: readonly MatchKind[] = ['equals', 'contains', 'startswith', 'endswith'];
const REGEX_FLAGS = ['i', 'm', 's'];

const ENCODING = 'audit events are JSON whose strings are already decoded text: compare the text itself';

/**
 * Modifiers of the specification (sigma-appendix-modifiers.md) this compiler refuses, each with
 * why. Refused by name, so a rule that needs one fails to compile instead of matching otherwise.
 *
 * @example
 * ```ts
 * REFUSED_MODIFIERS.get('base64'); // 'transforms the value into Base64, ...'
 * ```
 */
export const REFUSED_MODIFIERS: ReadonlyMap<string, string> = new Map([
  ['base64', `transforms the value into Base64 to find it in encoded data; ${ENCODING}`],
  ['base64offset', `searches Base64 at every byte offset; ${ENCODING}`],
  ['utf16le', `encodes the value as UTF-16 to search binary data; ${ENCODING}`],
  ['utf16be', `encodes the value as UTF-16 to search binary data; ${ENCODING}`],
  ['utf16', `encodes the value as UTF-16 to search binary data; ${ENCODING}`],
  ['wide', `(utf16le) encodes the value as UTF-16 to search binary data; ${ENCODING}`],
  ['windash', 'permutes the dashes of Windows command-line flags; OpenAI audit events have no command lines'],
  [
    'expand',
    'placeholders (%name%) take their values from a conversion pipeline, which this compiler does not have: write the values',
  ],
  ['fieldref', 'compares two fields of one event, which this compiler does not do: compare each field with values'],
  [
    'neq',
    'backends differ on whether an event without the field matches: put the value in its own selection and write `not` in the condition',
  ],
  ...['minute', 'hour', 'day', 'week', 'month', 'year'].map(
    (name) =>
      [
        name,
        "reads a part of a date field; an audit event's time is effective_at in Unix seconds, which date modifiers do not read",
      ] as const,
  ),
]);

const KNOWN = [...KINDS, 'all', 'cased', ...REGEX_FLAGS, ...REFUSED_MODIFIERS.keys()];

/**
 * Reads a detection key, `field|modifier|modifier...`, checking its modifiers: known, not repeated,
 * at most one that chooses the comparison, `cased` only with string comparisons, `i`/`m`/`s` only
 * with `re`, `all` not with `exists`. Returns the spec, or why the key is refused. The order of
 * modifiers does not matter here: the transformation modifiers whose order does are all refused.
 *
 * @example
 * ```ts
 * readFieldKey('actor.session.ip_address|cidr'); // { field: 'actor.session.ip_address', kind: 'cidr', ... }
 * readFieldKey('name|base64');                   // "modifier 'base64' is not supported: ..."
 * ```
 */
export function readFieldKey(key: string): FieldSpec | string {
  const [field = '', ...modifiers] = key.split('|');
  if (field === '') {
    return 'a key without a field name searches the whole event (keywords), which this compiler does not do: name the field';
  }
  let kind: MatchKind = 'equals';
  let all = false;
  let cased = false;
  let regexFlags = '';
  const seen = new Set<string>();
  for (const modifier of modifiers) {
    if (seen.has(modifier)) return `modifier '${printable(modifier)}' is given twice`;
    seen.add(modifier);
    const refused = REFUSED_MODIFIERS.get(modifier);
    if (refused !== undefined) return `modifier '${modifier}' is not supported: ${refused}`;
    if ((KINDS as readonly string[]).includes(modifier)) {
      if (kind !== 'equals') return `modifiers '${kind}' and '${modifier}' cannot be combined: choose one`;
      kind = modifier as MatchKind;
    } else if (modifier === 'all') all = true;
    else if (modifier === 'cased') cased = true;
    else if (REGEX_FLAGS.includes(modifier)) regexFlags += modifier;
    else return `unknown modifier '${printable(modifier)}'${didYouMean(modifier, KNOWN)}`;
  }
  if (cased && !STRING_KINDS.includes(kind)) {
    return `'cased' applies to string comparisons (plain, contains, startswith, endswith), not '${kind}'${kind === 're' ? ': regular expressions are case-sensitive already' : ''}`;
  }
  if (regexFlags !== '' && kind !== 're') return `'${regexFlags[0]}' is a sub-modifier of 're' and needs it`;
  if (all && kind === 'exists') return "'all' needs a list of values; 'exists' takes true or false";
  return { field, kind, all, cased, regexFlags };
}
