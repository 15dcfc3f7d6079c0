import { MAX_DEDUP_PERIOD_MINUTES } from '../engine/constants.ts';
import { printable } from '../../shared/printable.ts';
import { didYouMean } from '../panther/suggest.ts';
import type { Entry, Site, YamlFile } from '../panther/yaml-file.ts';
import { readNamedField, type NamedField } from './field.ts';
import { readTimespan } from './timespan.ts';

/**
 * The correlation types this compiler supports (sigma-correlation-rules-specification.md,
 * "Correlation type").
 *
 * @example
 * ```ts
 * const type: CorrelationType = 'temporal_ordered';
 * ```
 */
export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

/**
 * A `correlation:` section, read and checked.
 *
 * @example
 * ```ts
 * const section: CorrelationSection = readCorrelationSection(file, site, 60);
 * section.threshold; // 10 for `condition: { gte: 10 }`
 * ```
 */
export interface CorrelationSection {
  readonly type: CorrelationType;
  readonly site: Site;
  /** The `rules` references, as written, with their sites. */
  readonly rules: ReadonlyArray<{ readonly text: string; readonly site: Site }>;
  readonly groupBy: readonly NamedField[];
  readonly minutes: number;
  readonly timespanSite: Site;
  /** Count (or distinct values, or referenced rules) at which it alerts: "N or more". */
  readonly threshold: number;
  readonly conditionSite: Site | undefined;
  /** `value_count`: the fields whose distinct values are counted (several: their combination). */
  readonly valueFields: readonly NamedField[];
  /** `generate` given inside the section (pySigma reads it there). */
  readonly generate: { readonly value: boolean; readonly site: Site } | undefined;
}

const TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered'];
const REFUSED_TYPES: ReadonlyMap<string, string> = new Map(
  ['value_sum', 'value_avg', 'value_percentile', 'value_median'].map((type) => [
    type,
    `'${type}' aggregates the values of a field over a window, known only when it closes; the engine counts matches and distinct values as they arrive (event_count, value_count)`,
  ]),
);
const KEYS = ['type', 'rules', 'group-by', 'timespan', 'condition', 'generate', 'aliases'];
const OPERATORS = ['gte', 'gt', 'lte', 'lt', 'eq', 'neq'];
const UPPER_BOUND =
  'the engine alerts as soon as the count reaches a number ("N or more"); a count that must stay at or below a number is known only when the window closes';
/**
 * Longest lookback of a temporal correlation: a week. Our bound, to keep a key's state small (the
 * engine keeps records for the lookback plus 14 days); Panther's own correlation here looks back
 * 30 hours.
 */
const MAX_CORRELATION_MINUTES = 7 * 24 * 60;

/**
 * Longest window of a count, and longest dedup period: the engine's bound on a dedup period.
 *
 * @example
 * ```ts
 * const dedupPeriodMinutes = Math.min(section.minutes, MAX_WINDOW_MINUTES);
 * ```
 */
export const MAX_WINDOW_MINUTES = MAX_DEDUP_PERIOD_MINUTES;

function fields(file: YamlFile, site: Site, what: string): NamedField[] {
  const items = file.kind(site) === 'list' ? file.items(site, what) : [site];
  if (items.length === 0) return file.fail(site, `expected ${what}, got an empty list`);
  const read = items.map((item) => readNamedField(file, item));
  const names = read.map((f) => f.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) return file.fail(site, `'${printable(twice)}' is listed twice`);
  return read;
}

function readType(file: YamlFile, entry: Entry | undefined, section: Site): { type: CorrelationType; site: Site } {
  if (entry === undefined)
    return file.fail({ ...section, path: `${section.path}.type` }, `missing: one of ${TYPES.join(', ')}`);
  const value = file.scalar(entry.value);
  if (typeof value === 'string' && (TYPES as readonly string[]).includes(value)) {
    return { type: value as CorrelationType, site: entry.value };
  }
  const refused = typeof value === 'string' ? REFUSED_TYPES.get(value) : undefined;
  if (refused !== undefined) return file.fail(entry.value, `not supported: ${refused}`);
  const hint = typeof value === 'string' ? didYouMean(value, [...TYPES, ...REFUSED_TYPES.keys()]) : '';
  return file.fail(entry.value, `expected one of ${TYPES.join(', ')}, got ${file.describe(entry.value)}${hint}`);
}

function count(file: YamlFile, site: Site): number {
  const value = file.scalar(site);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return file.fail(site, `expected a whole number, got ${file.describe(site)}`);
  }
  return value;
}

/** The "N or more" of a condition: `gte: N`, or `gt: N - 1`; anything bounding the count from above is refused by name. */
function atLeast(file: YamlFile, site: Site, entries: readonly Entry[]): number {
  const operators = entries.filter((entry) => OPERATORS.includes(entry.key));
  if (operators.length === 0) return file.fail(site, `expected one of ${OPERATORS.join(', ')}`);
  if (operators.length > 1) {
    return file.fail(
      (operators[1] as Entry).keySite,
      `a range (${operators.map((e) => e.key).join(' and ')}) is not supported: ${UPPER_BOUND}; write 'gte' alone`,
    );
  }
  const [operator] = operators as [Entry];
  if (operator.key === 'gte') return Math.max(1, count(file, operator.value));
  if (operator.key === 'gt') return count(file, operator.value) + 1;
  const why = operator.key === 'neq' ? 'a count different from a number' : UPPER_BOUND;
  return file.fail(operator.keySite, `'${operator.key}' is not supported: ${why}; write 'gte' (or 'gt')`);
}

function readCondition(
  file: YamlFile,
  type: CorrelationType,
  entry: Entry | undefined,
  ruleCount: number,
  section: Site,
): { threshold: number; valueFields: NamedField[] } {
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  if (entry === undefined) {
    // pySigma's default for temporal correlations: every referenced rule (gte: number of rules).
    if (temporal) return { threshold: ruleCount, valueFields: [] };
    return file.fail({ ...section, path: `${section.path}.condition` }, "missing: e.g. 'condition: { gte: 10 }'");
  }
  if (file.kind(entry.value) === 'scalar' && typeof file.scalar(entry.value) === 'string') {
    return file.fail(
      entry.value,
      'extended (boolean) correlation conditions are a pySigma extension, not supported here',
    );
  }
  const entries = file.entries(entry.value, 'a mapping with one of gte, gt');
  for (const e of entries) {
    if (OPERATORS.includes(e.key) || e.key === 'field') continue;
    const extra =
      e.key === 'percentile'
        ? ': it belongs to value_percentile, which is not supported'
        : didYouMean(e.key, [...OPERATORS, 'field']);
    file.fail(e.keySite, `unknown condition key '${printable(e.key)}'${extra}`);
  }
  const fieldEntry = entries.find((e) => e.key === 'field');
  if (type === 'value_count' && fieldEntry === undefined) {
    return file.fail(
      { ...entry.value, path: `${entry.value.path}.field` },
      'missing: the field whose distinct values are counted',
    );
  }
  if (type !== 'value_count' && fieldEntry !== undefined)
    return file.fail(fieldEntry.keySite, `'field' is for value_count, not ${type}`);
  const threshold = atLeast(file, entry.value, entries);
  if (temporal && threshold !== ruleCount) {
    return file.fail(
      entry.value,
      `a ${type} correlation alerts here when all ${ruleCount} referenced rules matched; a condition met by fewer (${threshold}) is not supported`,
    );
  }
  const valueFields = fieldEntry === undefined ? [] : fields(file, fieldEntry.value, 'a field name or a list of them');
  return { threshold, valueFields };
}

/**
 * Reads a `correlation:` section (sigma-correlation-rules-specification.md): `type` (event_count,
 * value_count, temporal, temporal_ordered; the metric types value_sum, value_avg, value_percentile
 * and pySigma's value_median are refused by name), `rules` (a list of references), `group-by`
 * (required, as the specification's JSON schema requires it), `timespan`, `condition` (only what
 * means "alert at N or more": `gte`, or `gt`; `lt`, `lte`, `eq`, `neq` and ranges are refused by
 * name; for temporal types, when given, it must ask for every rule), `generate`, and `aliases`
 * (refused: a per-rule field mapping the engine's single correlation key cannot express).
 *
 * @example
 * ```ts
 * const section = readCorrelationSection(file, byKey.get('correlation')!.value);
 * ```
 */
export function readCorrelationSection(file: YamlFile, site: Site): CorrelationSection {
  const entries = file.entries(site, 'a mapping of type, rules, group-by, timespan and condition');
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));
  for (const entry of entries) {
    if (!KEYS.includes(entry.key)) {
      file.fail(entry.keySite, `unknown correlation key '${printable(entry.key)}'${didYouMean(entry.key, KEYS)}`);
    }
  }
  const aliases = byKey.get('aliases');
  if (aliases !== undefined) {
    file.fail(
      aliases.keySite,
      "'aliases' (a group-by field named differently per rule) is not supported: the engine reads one correlation key the same way from every rule's events",
    );
  }
  const { type, site: typeSite } = readType(file, byKey.get('type'), site);
  const rulesEntry = byKey.get('rules');
  if (rulesEntry === undefined)
    return file.fail({ ...site, path: `${site.path}.rules` }, 'missing: the rules correlated');
  const rules = file.items(rulesEntry.value, 'a list of rule ids or names').map((item) => {
    const value = file.scalar(item);
    if (typeof value !== 'string' || value === '')
      return file.fail(item, `expected a rule id or name, got ${file.describe(item)}`);
    return { text: value, site: item };
  });
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  if (rules.length === 0 || (temporal && rules.length < 2)) {
    return file.fail(
      rulesEntry.value,
      temporal ? `a ${type} correlation needs at least two rules` : 'expected at least one rule',
    );
  }
  const texts = rules.map((rule) => rule.text);
  const twice = rules.find((rule, index) => texts.indexOf(rule.text) !== index);
  if (twice !== undefined) return file.fail(twice.site, `'${printable(twice.text)}' is listed twice`);
  const groupByEntry = byKey.get('group-by');
  if (groupByEntry === undefined) {
    return file.fail(
      { ...site, path: `${site.path}["group-by"]` },
      'missing: the fields whose values make one group (e.g. actor.session.user.email)',
    );
  }
  const timespanEntry = byKey.get('timespan');
  if (timespanEntry === undefined) return file.fail({ ...site, path: `${site.path}.timespan` }, 'missing: e.g. 10m');
  const maxMinutes = temporal ? MAX_CORRELATION_MINUTES : MAX_WINDOW_MINUTES;
  const conditionEntry = byKey.get('condition');
  const generateEntry = byKey.get('generate');
  let generate: CorrelationSection['generate'];
  if (generateEntry !== undefined) {
    const value = file.scalar(generateEntry.value);
    if (typeof value !== 'boolean')
      file.fail(generateEntry.value, `expected true or false, got ${file.describe(generateEntry.value)}`);
    generate = { value, site: generateEntry.value };
  }
  return {
    type,
    site: typeSite,
    rules,
    groupBy: fields(file, groupByEntry.value, 'a list of field names'),
    minutes: readTimespan(file, timespanEntry.value, maxMinutes),
    timespanSite: timespanEntry.value,
    ...readCondition(file, type, conditionEntry, rules.length, site),
    conditionSite: conditionEntry?.value,
    generate,
  };
}
