import { printable } from '../../shared/printable.ts';
import {
  ABSOLUTE_CONDITIONS,
  ALL_CONDITION_NAMES,
  CONDITIONS,
  describeOperand,
  ELEMENT_CONDITIONS,
  fitsOperand,
  REFUSED_CONDITIONS,
  type ConditionDef,
  type ElementCondition,
  type Scalar,
} from './conditions.ts';
import { fieldReader, type FieldReader } from './field-path.ts';
import { cidrTest } from './ip.ts';
import { findKeySpecifier, KEY_SPECIFIERS, readKeySpecifier } from './key-specifier.ts';
import { didYouMean } from './suggest.ts';
import type { Entry, Site, YamlFile } from './yaml-file.ts';

/**
 * A compiled match expression: a test of the event as received (or, inside a list comprehension,
 * of one element of a list). `eventType` is the event's `type`, for the payload-key aliases of
 * {@link fieldReader}. Never throws.
 *
 * @example
 * ```ts
 * const matcher: Matcher = compileMatchList(file, site, { inlineFilters: false }).matcher;
 * matcher(event.raw, event.type); // true or false
 * ```
 */
export type Matcher = (root: unknown, eventType: string | undefined) => boolean;

/**
 * A compiled list of match expressions, and the event types it can match when it says so.
 *
 * @example
 * ```ts
 * const { matcher, eventTypes }: CompiledMatch = compileMatchList(file, site, { inlineFilters: false });
 * ```
 */
export interface CompiledMatch {
  readonly matcher: Matcher;
  /**
   * When the list requires `type` to be one of a few strings (a top-level `type` `Equals` or
   * `IsIn`), those types: the rule's `eventTypes`, so the engine never runs it on other events.
   */
  readonly eventTypes?: ReadonlySet<string>;
}

/**
 * Where a list of match expressions sits, which decides what it may contain.
 *
 * @example
 * ```ts
 * compileMatchList(file, filtersSite, { inlineFilters: true } satisfies MatchScope);
 * ```
 */
export interface MatchScope {
  /**
   * `InlineFilters`: Panther's reduced grammar (fields named by `KeyPath`, the `All` and `Any`
   * combinators, no list comprehension, two-field or absolute expression, fewer conditions).
   */
  readonly inlineFilters: boolean;
}

const COMBINATORS = ['All', 'Any', 'OnlyOne', 'None'] as const;
type Combinator = (typeof COMBINATORS)[number];
const EXPRESSION_KEYS = [
  ...COMBINATORS,
  ...KEY_SPECIFIERS,
  'Condition',
  'Value',
  'Values',
  'Expressions',
  'Enrichment',
];
/** Deeper nesting is refused: no real detection needs it, and it keeps compiling bounded. */
const MAX_DEPTH = 32;
const INLINE_FILTER_CONDITIONS = [...CONDITIONS.values()].filter((c) => c.inInlineFilters).map((c) => c.name);

interface Compiled {
  readonly test: Matcher;
  readonly eventTypes?: ReadonlySet<string> | undefined;
}

interface Context {
  readonly file: YamlFile;
  readonly scope: MatchScope;
  readonly depth: number;
  /** At the top of the event (not inside a list comprehension), where `type` is the event's type. */
  readonly atEventRoot: boolean;
}

function intersect(sets: ReadonlyArray<ReadonlySet<string> | undefined>): ReadonlySet<string> | undefined {
  let result: Set<string> | undefined;
  for (const set of sets) {
    if (set === undefined) continue;
    result = result === undefined ? new Set(set) : new Set([...result].filter((type) => set.has(type)));
  }
  return result;
}

function all(tests: readonly Matcher[]): Matcher {
  if (tests.length === 1) return tests[0] as Matcher;
  return (root, type) => tests.every((test) => test(root, type));
}

function combine(combinator: Combinator, tests: readonly Matcher[]): Matcher {
  switch (combinator) {
    case 'All':
      return all(tests);
    case 'Any':
      return (root, type) => tests.some((test) => test(root, type));
    case 'None':
      return (root, type) => !tests.some((test) => test(root, type));
    case 'OnlyOne':
      return (root, type) => {
        let matched = 0;
        for (const test of tests) if (test(root, type) && ++matched > 1) return false;
        return matched === 1;
      };
  }
}

function compileItems(ctx: Context, site: Site): Compiled[] {
  const items = ctx.file.items(site, 'a list of match expressions');
  if (items.length === 0) return ctx.file.fail(site, 'expected at least one match expression');
  return items.map((item) => compileExpression(ctx, item));
}

/** A list of match expressions, all of which must match. */
function compileList(ctx: Context, site: Site): Compiled {
  const compiled = compileItems(ctx, site);
  return {
    test: all(compiled.map((c) => c.test)),
    eventTypes: intersect(compiled.map((c) => c.eventTypes)),
  };
}

function compileCombinator(ctx: Context, entries: readonly Entry[], entry: Entry): Compiled {
  const combinator = entry.key as Combinator;
  const other = entries.find((e) => e !== entry);
  if (other !== undefined) {
    return ctx.file.fail(
      other.keySite,
      `a combinator (${combinator}) stands alone: move '${printable(other.key)}' into its list`,
    );
  }
  if (ctx.scope.inlineFilters && combinator !== 'All' && combinator !== 'Any') {
    return ctx.file.fail(entry.keySite, `InlineFilters combine with All and Any only, not ${combinator}`);
  }
  const inner = compileItems(
    { ...ctx, depth: ctx.depth + 1, atEventRoot: ctx.atEventRoot && combinator === 'All' },
    entry.value,
  );
  return {
    test: combine(
      combinator,
      inner.map((c) => c.test),
    ),
    // Only All requires each of its members; the others say nothing about the event's type.
    eventTypes: combinator === 'All' ? intersect(inner.map((c) => c.eventTypes)) : undefined,
  };
}

/** Reads `Values` of scalars: non-empty, one type (Panther's schema: strings, numbers or booleans). */
function readValues(file: YamlFile, site: Site, condition: string): Scalar[] {
  const items = file.items(site, `a list of values for '${condition}'`);
  if (items.length === 0) return file.fail(site, `'${condition}' needs at least one value`);
  const values = items.map((item) => {
    const value = file.scalar(item);
    if (!fitsOperand('scalar', value)) {
      return file.fail(item, `expected a string, number or boolean, got ${file.describe(item)}`);
    }
    return value as Scalar;
  });
  if (new Set(values.map((value) => typeof value)).size > 1) {
    return file.fail(site, 'values must all be of one type (all strings, all numbers or all booleans)');
  }
  return values;
}

/** Reads and checks the operand a field condition takes, from `Value` or `Values`. */
function readOperand(ctx: Context, site: Site, def: ConditionDef, byKey: ReadonlyMap<string, Entry>): unknown {
  const { file } = ctx;
  const value = byKey.get('Value');
  const values = byKey.get('Values');
  const name = def.name;
  if (def.operand === 'none') {
    const extra = value ?? values;
    if (extra !== undefined) return file.fail(extra.keySite, `'${name}' takes no ${extra.key}`);
    return undefined;
  }
  if (def.operand === 'list') {
    if (value !== undefined) return file.fail(value.keySite, `'${name}' takes Values (a list), not Value`);
    if (values === undefined) return file.fail(site, `'${name}' needs Values: ${describeOperand('list')}`);
    return readValues(file, values.value, name);
  }
  if (values !== undefined) {
    const hint = def.twoFields ? ' (to compare with several values, use IsIn or an Any of several expressions)' : '';
    return file.fail(values.keySite, `'${name}' takes one Value, not Values${hint}`);
  }
  if (value === undefined) return file.fail(site, `'${name}' needs a Value: ${describeOperand(def.operand)}`);
  const operand = file.scalar(value.value);
  if (!fitsOperand(def.operand, operand)) {
    return file.fail(
      value.value,
      `'${name}' compares with ${describeOperand(def.operand)}: got ${file.describe(value.value)}`,
    );
  }
  if (def.operand === 'cidr') {
    const test = cidrTest(operand as string);
    if (typeof test === 'string') return file.fail(value.value, `'${name}' needs a CIDR such as 10.0.0.0/8: ${test}`);
  }
  return operand;
}

/** `type Equals X` or `type IsIn [...]` at the top of the event: the event types it allows. */
function typeHint(ctx: Context, text: string, def: ConditionDef, operand: unknown): ReadonlySet<string> | undefined {
  if (!ctx.atEventRoot || text !== 'type') return undefined;
  if (def.name === 'Equals' && typeof operand === 'string') return new Set([operand]);
  if (def.name === 'IsIn' && Array.isArray(operand) && operand.every((v) => typeof v === 'string')) {
    return new Set(operand);
  }
  return undefined;
}

function compileTwoFields(ctx: Context, site: Site, def: ConditionDef, values: Entry): Compiled {
  const { file } = ctx;
  if (ctx.scope.inlineFilters) return file.fail(site, 'InlineFilters cannot compare two fields');
  if (!def.twoFields) {
    return file.fail(
      values.keySite,
      `'${def.name}' cannot compare two fields; it needs a key specifier (Key, DeepKey or KeyPath)`,
    );
  }
  const items = file.items(values.value, 'a list of two key specifiers');
  if (items.length !== 2)
    return file.fail(values.value, `a two-field comparison takes exactly two fields, got ${items.length}`);
  const [left, right] = items.map((item) => fieldReader(readKeySpecifier(file, item).path)) as [
    FieldReader,
    FieldReader,
  ];
  return {
    test: (root, type) => {
      const operand = right(root, type);
      // A second field of another type than the condition compares is no match of its positive form.
      if (!fitsOperand(def.operand, operand)) return def.negated;
      return def.bind(operand)(left(root, type));
    },
  };
}

function compileElements(
  ctx: Context,
  site: Site,
  condition: ElementCondition,
  byKey: ReadonlyMap<string, Entry>,
): Compiled {
  const { file } = ctx;
  if (ctx.scope.inlineFilters) return file.fail(site, `InlineFilters have no list comprehension ('${condition}')`);
  for (const key of ['Value', 'Values'] as const) {
    const entry = byKey.get(key);
    if (entry !== undefined) return file.fail(entry.keySite, `'${condition}' takes Expressions, not ${key}`);
  }
  const field = findKeySpecifier(file, [...byKey.values()], false);
  if (field === undefined) return file.fail(site, `'${condition}' needs the list field: Key, DeepKey or KeyPath`);
  const expressions = byKey.get('Expressions');
  if (expressions === undefined) return file.fail(site, `'${condition}' needs Expressions, tested on each element`);
  const read = fieldReader(field.path);
  // Inside, paths are relative to the element: no event type, no payload-key aliases.
  const each = compileList({ ...ctx, depth: ctx.depth + 1, atEventRoot: false }, expressions.value).test;
  const matches = (list: readonly unknown[]): number => list.filter((element) => each(element, undefined)).length;
  const test: Matcher = (() => {
    switch (condition) {
      case 'AnyElement':
        return (root, type) => {
          const list = read(root, type);
          return Array.isArray(list) && list.some((element) => each(element, undefined));
        };
      case 'AllElements':
        // As Python's all(): an empty list satisfies it.
        return (root, type) => {
          const list = read(root, type);
          return Array.isArray(list) && list.every((element) => each(element, undefined));
        };
      case 'NoElement':
        return (root, type) => {
          const list = read(root, type);
          return !(Array.isArray(list) && list.some((element) => each(element, undefined)));
        };
      case 'OnlyOneElement':
        return (root, type) => {
          const list = read(root, type);
          return Array.isArray(list) && matches(list) === 1;
        };
    }
  })();
  return { test };
}

function compileField(ctx: Context, site: Site, def: ConditionDef, byKey: ReadonlyMap<string, Entry>): Compiled {
  const { file } = ctx;
  if (ctx.scope.inlineFilters && !def.inInlineFilters) {
    return file.fail(
      byKey.get('Condition')?.value ?? site,
      `'${def.name}' is not allowed in InlineFilters (allowed: ${INLINE_FILTER_CONDITIONS.join(', ')})`,
    );
  }
  const expressions = byKey.get('Expressions');
  if (expressions !== undefined) {
    return file.fail(
      expressions.keySite,
      `Expressions belong to list comprehensions (${ELEMENT_CONDITIONS.join(', ')}), not '${def.name}'`,
    );
  }
  const field = findKeySpecifier(file, [...byKey.values()], ctx.scope.inlineFilters);
  if (field === undefined) {
    const values = byKey.get('Values');
    if (
      values !== undefined &&
      file.kind(values.value) === 'list' &&
      file.items(values.value).some((i) => file.kind(i) === 'mapping')
    ) {
      const value = byKey.get('Value');
      if (value !== undefined) return file.fail(value.keySite, 'a two-field comparison takes Values only, not Value');
      return compileTwoFields(ctx, site, def, values);
    }
    return file.fail(site, `'${def.name}' needs the field it tests: Key, DeepKey or KeyPath`);
  }
  const operand = readOperand(ctx, site, def, byKey);
  const read = fieldReader(field.path);
  const predicate = def.bind(operand);
  return {
    test: (root, type) => predicate(read(root, type)),
    eventTypes: typeHint(ctx, field.path.text, def, operand),
  };
}

function compileExpression(ctx: Context, site: Site): Compiled {
  const { file } = ctx;
  if (ctx.depth > MAX_DEPTH) return file.fail(site, `match expressions nested deeper than ${MAX_DEPTH} levels`);
  const entries = file.entries(site, 'a match expression (a mapping)');
  for (const entry of entries) {
    if (!EXPRESSION_KEYS.includes(entry.key)) {
      file.fail(
        { ...entry.keySite, path: site.path },
        `unknown key '${printable(entry.key)}' in a match expression${didYouMean(entry.key, EXPRESSION_KEYS)}`,
      );
    }
  }
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));
  const combinator = entries.find((entry) => (COMBINATORS as readonly string[]).includes(entry.key));
  if (combinator !== undefined) return compileCombinator(ctx, entries, combinator);
  const enrichment = byKey.get('Enrichment');
  if (enrichment !== undefined) {
    return file.fail(
      enrichment.keySite,
      'enrichment match expressions read Panther lookup tables, which are not available here',
    );
  }
  const conditionEntry = byKey.get('Condition');
  if (conditionEntry === undefined) {
    return file.fail(site, `missing Condition (or a combinator: ${COMBINATORS.join(', ')})`);
  }
  const name = file.scalar(conditionEntry.value);
  if (typeof name !== 'string') {
    return file.fail(conditionEntry.value, `expected a condition name, got ${file.describe(conditionEntry.value)}`);
  }
  const refused = REFUSED_CONDITIONS.get(name);
  if (refused !== undefined) return file.fail(conditionEntry.value, `'${name}' ${refused}`);
  if ((ABSOLUTE_CONDITIONS as readonly string[]).includes(name)) {
    if (ctx.scope.inlineFilters) return file.fail(conditionEntry.value, `'${name}' is not allowed in InlineFilters`);
    const other = entries.find((entry) => entry !== conditionEntry);
    if (other !== undefined) return file.fail(other.keySite, `'${name}' takes nothing but its Condition`);
    const always = name === 'AlwaysTrue';
    return { test: () => always };
  }
  if ((ELEMENT_CONDITIONS as readonly string[]).includes(name)) {
    return compileElements(ctx, site, name as ElementCondition, byKey);
  }
  const def = CONDITIONS.get(name);
  if (def === undefined) {
    return file.fail(
      conditionEntry.value,
      `unknown condition '${printable(name)}'${didYouMean(name, ALL_CONDITION_NAMES)}`,
    );
  }
  return compileField(ctx, site, def, byKey);
}

/**
 * Compiles a list of Panther match expressions (a `Detection`, `InlineFilters`, the `Conditions`
 * of a dynamic severity): all of them must match, as Panther's top-level list. Each is a field
 * condition (`Key`/`DeepKey`/`KeyPath` with a `Condition` and its `Value` or `Values`), a
 * two-field comparison, a list comprehension (`AnyElement`...), an absolute condition, or a
 * combinator (`All`, `Any`, `OnlyOne`, `None`) holding a list of them, nested to any depth (up to
 * 32 levels). Every problem is a `PantherDetectionError` at its line and path.
 *
 * @example
 * ```ts
 * const { matcher } = compileMatchList(file, detectionSite, { inlineFilters: false });
 * matcher(event.raw, event.type); // true or false, never throws
 * ```
 */
export function compileMatchList(file: YamlFile, site: Site, scope: MatchScope): CompiledMatch {
  const compiled = compileList({ file, scope, depth: 0, atEventRoot: true }, site);
  return compiled.eventTypes === undefined
    ? { matcher: compiled.test }
    : { matcher: compiled.test, eventTypes: compiled.eventTypes };
}
