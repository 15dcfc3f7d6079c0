import { printable } from '../../shared/printable.ts';
import type { Matcher } from '../panther/matcher.ts';
import { didYouMean } from '../panther/suggest.ts';
import type { Entry, Site, YamlFile } from '../panther/yaml-file.ts';
import { parseCondition, type ConditionNode } from './condition-parser.ts';
import { compileSelection, type CompiledSelection } from './selection.ts';

/**
 * A compiled `detection` section: the rule's test of an event, and the event types it can match
 * when the condition says (for the rule's `eventTypes`, so the engine dispatches only those).
 *
 * @example
 * ```ts
 * const { matcher, eventTypes }: CompiledDetection = compileDetection(file, detectionSite);
 * matcher(event.raw, event.type);
 * ```
 */
export interface CompiledDetection {
  readonly matcher: Matcher;
  /** Sorted; `undefined` when the condition does not restrict the event's type. */
  readonly eventTypes: readonly string[] | undefined;
}

/**
 * The event types any of several rules can match: their union when each rule restricts its types,
 * else `undefined` (one rule that runs on every type makes the whole run on every type).
 *
 * @example
 * ```ts
 * anyOfEventTypes([['login.failed'], ['login.succeeded']]); // ['login.failed', 'login.succeeded']
 * anyOfEventTypes([['login.failed'], undefined]);           // undefined
 * ```
 */
export function anyOfEventTypes(types: ReadonlyArray<readonly string[] | undefined>): string[] | undefined {
  if (types.some((list) => list === undefined)) return undefined;
  return [...new Set(types.flatMap((list) => list ?? []))].sort();
}

interface Compiled {
  readonly matcher: Matcher;
  readonly eventTypes: ReadonlySet<string> | undefined;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const RESERVED = new Set(['and', 'or', 'not', 'of', 'them', 'near', 'condition']);

function union(sets: ReadonlyArray<ReadonlySet<string> | undefined>): ReadonlySet<string> | undefined {
  if (sets.some((set) => set === undefined)) return undefined;
  return new Set(sets.flatMap((set) => [...(set ?? [])]));
}

function intersection(sets: ReadonlyArray<ReadonlySet<string> | undefined>): ReadonlySet<string> | undefined {
  let result: Set<string> | undefined;
  for (const set of sets) {
    if (set === undefined) continue;
    result = result === undefined ? new Set(set) : new Set([...result].filter((type) => set.has(type)));
  }
  return result;
}

function combine(kind: 'and' | 'or', parts: readonly Compiled[]): Compiled {
  const matchers = parts.map((part) => part.matcher);
  if (parts.length === 1) return parts[0] as Compiled;
  if (kind === 'and') {
    return {
      matcher: (root, type) => matchers.every((m) => m(root, type)),
      eventTypes: intersection(parts.map((part) => part.eventTypes)),
    };
  }
  return {
    matcher: (root, type) => matchers.some((m) => m(root, type)),
    eventTypes: union(parts.map((p) => p.eventTypes)),
  };
}

/** The selections an `of` pattern names: `*` matches any run of characters; `them` is every selection. */
function expand(pattern: string, names: readonly string[]): string[] {
  // The specification leaves out selections whose name starts with `_` ("by convention"); a pattern
  // that itself starts with `_` asks for them.
  const candidates = pattern.startsWith('_') ? [...names] : names.filter((name) => !name.startsWith('_'));
  if (pattern === 'them') return candidates;
  // Names and patterns hold only letters, digits, `_`, `-` and `*` (the tokenizer's), none special in a regular expression.
  const regex = new RegExp(`^${pattern.split('*').join('.*')}$`);
  return candidates.filter((name) => regex.test(name));
}

function compileNode(
  node: ConditionNode,
  selections: ReadonlyMap<string, CompiledSelection>,
  used: Set<string>,
  fail: (problem: string) => never,
): Compiled {
  switch (node.kind) {
    case 'selection': {
      const selection = selections.get(node.name);
      if (selection === undefined) {
        const hint = RESERVED.has(node.name.toLowerCase()) ? ' (operators are lower case)' : '';
        return fail(
          `unknown selection '${printable(node.name)}'${hint}${didYouMean(node.name, [...selections.keys()])}`,
        );
      }
      used.add(node.name);
      return selection;
    }
    case 'not': {
      const inner = compileNode(node.operand, selections, used, fail).matcher;
      // A negation says nothing about which types can match.
      return { matcher: (root, type) => !inner(root, type), eventTypes: undefined };
    }
    case 'and':
    case 'or':
      return combine(
        node.kind,
        node.operands.map((operand) => compileNode(operand, selections, used, fail)),
      );
    case 'of': {
      const names = expand(node.pattern, [...selections.keys()]);
      if (names.length === 0) return fail(`'${printable(node.pattern)}' names no selection`);
      for (const name of names) used.add(name);
      return combine(
        node.quantifier === 'all' ? 'and' : 'or',
        names.map((name) => selections.get(name) as CompiledSelection),
      );
    }
  }
}

function readCondition(file: YamlFile, entry: Entry | undefined, detection: Site): { text: string; site: Site } {
  if (entry === undefined) return file.fail({ ...detection, path: `${detection.path}.condition` }, 'missing');
  if (file.kind(entry.value) === 'list') {
    return file.fail(
      entry.value,
      'a list of conditions is deprecated (pySigma refuses it): join them into one condition with `or`',
    );
  }
  const text = file.scalar(entry.value);
  if (typeof text !== 'string')
    return file.fail(entry.value, `expected a condition, got ${file.describe(entry.value)}`);
  return { text, site: entry.value };
}

/**
 * Compiles a Sigma `detection` section: its search identifiers (see `compileSelection`) and its
 * `condition`, into one test of the event. A condition naming an unknown selection, a pattern
 * naming none, and a selection the condition never uses are errors (an unused selection is part of
 * the rule silently dropped); so are a list of conditions (deprecated) and `timeframe` (the
 * deprecated aggregations' window). The event types the rule can match are derived where the
 * condition requires a `type` selection with plain values.
 *
 * @example
 * ```ts
 * const detection = compileDetection(file, byKey.get('detection')!.value);
 * const rule = { ...metadata, eventTypes: detection.eventTypes, match: (e) => detection.matcher(e.raw, e.type) };
 * ```
 */
export function compileDetection(file: YamlFile, site: Site): CompiledDetection {
  const entries = file.entries(site, 'a mapping of selections and a condition');
  const selections = new Map<string, CompiledSelection>();
  const sites = new Map<string, Entry>();
  let conditionEntry: Entry | undefined;
  for (const entry of entries) {
    if (entry.key === 'condition') {
      conditionEntry = entry;
      continue;
    }
    if (entry.key === 'timeframe') {
      file.fail(
        entry.keySite,
        "'timeframe' belongs to the deprecated aggregations: write a correlation rule with a timespan",
      );
    }
    if (!NAME.test(entry.key) || RESERVED.has(entry.key)) {
      file.fail(entry.keySite, 'a selection name is letters, digits, _ and - (and not an operator of the condition)');
    }
    selections.set(entry.key, compileSelection(file, entry.value));
    sites.set(entry.key, entry);
  }
  const { text, site: conditionSite } = readCondition(file, conditionEntry, site);
  const tree = parseCondition(text);
  if (typeof tree === 'string') return file.fail(conditionSite, tree);
  const used = new Set<string>();
  const compiled = compileNode(tree, selections, used, (problem) => file.fail(conditionSite, problem));
  for (const [name, entry] of sites) {
    if (!used.has(name)) file.fail(entry.keySite, `selection '${printable(name)}' is not used by the condition`);
  }
  return {
    matcher: compiled.matcher,
    // An empty set (two different types required at once) matches nothing anyway: leave it to the matcher.
    eventTypes: compiled.eventTypes?.size ? [...compiled.eventTypes].sort() : undefined,
  };
}
