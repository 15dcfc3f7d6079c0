import { MISSING, type Resolved } from '../panther/field-path.ts';
import { cidrTest } from '../panther/ip.ts';
import type { ScalarValue, Site, YamlFile } from '../panther/yaml-file.ts';
import type { FieldSpec, MatchKind } from './modifiers.ts';
import { compileRegex } from './regex.ts';
import { compilePattern, parseSigmaString, type PatternPart, type TextTest } from './wildcard.ts';

/**
 * A compiled test of one field's value as the event holds it ({@link MISSING} when absent). Never
 * throws.
 *
 * @example
 * ```ts
 * const test: ValueTest = compileValues(file, spec, site);
 * test('admin@example.com'); // true or false
 * ```
 */
export type ValueTest = (value: Resolved) => boolean;

/** A test of one scalar of the event (a list's element, or the value itself). */
type ScalarTest = (value: Resolved) => boolean;

/**
 * Whether `value`, or when it is a list any of its elements (lists within lists included), passes
 * `test`: a field that holds a list matches when one of its elements does, as Sigma backends treat
 * multi-valued fields (`api_key.created.data.scopes: api.model.read` matches `["api.model.read", ...]`).
 */
function anyElement(value: Resolved, test: ScalarTest): boolean {
  if (!Array.isArray(value)) return test(value);
  for (const element of value) if (anyElement(element, test)) return true;
  return false;
}

/** An event scalar as text for string comparisons: strings as they are, numbers and booleans as JSON spells them. */
function asText(value: Resolved): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** An event scalar as a number for comparisons: a number, or a string that is one written in decimal. */
function asNumber(value: Resolved): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || !/^\s*-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

function onText(test: TextTest): ScalarTest {
  return (value) => {
    const text = asText(value);
    return text !== undefined && test(text);
  };
}

const STAR: PatternPart = { wildcard: '*' };

/** The wildcards a string modifier puts around a value (sigma-appendix-modifiers.md: contains "puts * wildcards around"). */
function withModifier(kind: MatchKind, parts: PatternPart[]): PatternPart[] {
  if (kind === 'contains') return [STAR, ...parts, STAR];
  if (kind === 'startswith') return [...parts, STAR];
  if (kind === 'endswith') return [STAR, ...parts];
  return parts;
}

const COMPARE: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
};

/** Compiles one value of the list (or the single value) for the key's comparison. */
function compileScalar(file: YamlFile, spec: FieldSpec, site: Site, value: string | number | boolean): ScalarTest {
  const { kind } = spec;
  if (kind === 'cidr') {
    if (typeof value !== 'string') return file.fail(site, `'cidr' takes a CIDR string, got ${file.describe(site)}`);
    const inRange = cidrTest(value);
    if (typeof inRange === 'string') return file.fail(site, `not a CIDR: ${inRange}`);
    return inRange;
  }
  if (kind === 're') {
    if (typeof value !== 'string')
      return file.fail(site, `'re' takes a regular expression string, got ${file.describe(site)}`);
    const test = compileRegex(value, spec.regexFlags);
    if (typeof test === 'string') return file.fail(site, test);
    return onText(test);
  }
  const compare = COMPARE[kind];
  if (compare !== undefined) {
    if (typeof value !== 'number') return file.fail(site, `'${kind}' takes a number, got ${file.describe(site)}`);
    return (event) => {
      const number = asNumber(event);
      return number !== undefined && compare(number, value);
    };
  }
  if (typeof value === 'boolean') {
    if (kind !== 'equals') return file.fail(site, `'${kind}' takes a string, got ${file.describe(site)}`);
    // "All values are treated as case-insensitive strings": true also matches the text "true".
    return (event) => event === value || (typeof event === 'string' && event.toLowerCase() === String(value));
  }
  if (typeof value === 'number' && kind === 'equals') {
    const text = String(value);
    return (event) => event === value || event === text;
  }
  // A string, or a number under a string modifier (compared as its text).
  const parts = typeof value === 'string' ? parseSigmaString(value) : [String(value)];
  return onText(compilePattern(withModifier(kind, parts), spec.cased));
}

/** `field: null`: the field is absent or null (pySigma's matcher: `data.get(field) is None`). */
const isNull: ValueTest = (value) => value === MISSING || value === null;

function compileExists(file: YamlFile, site: Site): ValueTest {
  const value = file.scalar(site);
  if (typeof value !== 'boolean') return file.fail(site, `'exists' takes true or false, got ${file.describe(site)}`);
  // The specification: exists "only verifies the presence of a field, not its value, be it empty or null".
  return value ? (event) => event !== MISSING : (event) => event === MISSING;
}

/**
 * Compiles a detection key's value (one scalar, or a list whose values are linked with OR, or with
 * AND under `all`) into a test of the field's value. Values follow the specification: strings with
 * `*`/`?` wildcards and `\` escapes, compared case-insensitively unless `cased`; numbers (equal to
 * an event number, or to a string of the same text); booleans; `null` (field absent or null, never
 * in a list, never with a modifier); `exists: true|false`; numbers for `gt`/`gte`/`lt`/`lte`
 * (compared with event numbers and numeric strings); CIDR strings for `cidr` (IPv4 or IPv6 event
 * addresses); `re` expressions. An event value that is a list matches when one of its elements does.
 *
 * @example
 * ```ts
 * const test = compileValues(file, readFieldKey('actor.session.ip_address|cidr') as FieldSpec, site);
 * test('10.1.2.3'); // true when the value is 10.0.0.0/8
 * ```
 */
export function compileValues(file: YamlFile, spec: FieldSpec, site: Site): ValueTest {
  if (spec.kind === 'exists') return compileExists(file, site);
  const kind = file.kind(site);
  if (kind === 'mapping') return file.fail(site, 'expected a value or a list of values, got a mapping');
  const items: Site[] = kind === 'list' ? file.items(site) : [site];
  if (items.length === 0) return file.fail(site, 'an empty list matches nothing: give at least one value');
  const values = items.map((item) => {
    const value = file.scalar(item);
    if (value === undefined) return file.fail(item, `expected a value, got ${file.describe(item)}`);
    return { item, value };
  });
  if (kind === 'list' && spec.all && values.length === 1) {
    return file.fail(site, "'all' with a single value: the specification forbids it (write the value without 'all')");
  }
  if (kind !== 'list' && spec.all) {
    return file.fail(site, "'all' needs a list of values (the specification forbids it with a single value)");
  }
  const nullAt = values.find(({ value }) => value === null);
  if (nullAt !== undefined) {
    if (kind === 'list') {
      return file.fail(
        nullAt.item,
        'null cannot be in a list of values (the specification): give it its own selection',
      );
    }
    if (spec.kind !== 'equals' || spec.cased) {
      return file.fail(site, `null takes no modifier: write the field alone, 'field: null'`);
    }
    return isNull;
  }
  const tests = values.map(({ item, value }) => compileScalar(file, spec, item, value as Exclude<ScalarValue, null>));
  if (tests.length === 1) {
    const test = tests[0] as ScalarTest;
    return (value) => anyElement(value, test);
  }
  if (spec.all) return (value) => tests.every((test) => anyElement(value, test));
  return (value) => anyElement(value, (element) => tests.some((test) => test(element)));
}
