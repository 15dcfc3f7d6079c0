import { parseDocument } from 'yaml';
import { typeName } from '../../shared/describe-error.ts';
import { SEVERITIES, parseSeverity, type Severity } from '../engine/severity.ts';
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from '../../shared/json.ts';
import { printable, quote } from '../../shared/printable.ts';
import { RuleTestFileError } from './errors.ts';

/** Matches of one correlation step in a Panther `RuleOutputs` test: per key, minute offsets. */
export interface StepOutputs {
  /** The step's id (Panther's `Group[].ID`). */
  readonly stepId: string;
  /** Panther's match field (e.g. `p_any_emails`). */
  readonly field: string;
  readonly matches: ReadonlyArray<{ readonly key: string; readonly minutes: readonly number[] }>;
}

/**
 * One test case in panther-analysis format (`Name`, `ExpectedResult`, and one input), extended with
 * optional expectations on the alert: `ExpectedSeverity`, `ExpectedTitle`, `ExpectedDedup` and
 * `ExpectedAlertContext` (listed keys must be present with equal values; others may exist), and a
 * `Reason` saying why (shown when the test fails). The input is one of:
 *
 * - `Log`: one event (Panther's rule tests);
 * - `RuleOutputs`: the matches of a correlation rule's steps (Panther's correlation tests);
 * - `Events`: a sequence of events run in order with the pipeline's windows, thresholds and
 *   correlations (ours: thresholds, distinct counts and correlations on real events).
 */
export interface RuleTestCase {
  readonly name: string;
  readonly expectedResult: boolean;
  readonly log?: JsonValue;
  readonly events?: readonly JsonValue[];
  readonly ruleOutputs?: readonly StepOutputs[];
  readonly expectedSeverity?: Severity;
  readonly expectedTitle?: string;
  readonly expectedDedup?: string;
  readonly expectedAlertContext?: Readonly<JsonObject>;
  /** Why the outcome is expected, e.g. the public source of the event's shape (shown on failure). */
  readonly reason?: string;
}

/** The rule metadata a Panther file declares, checked against the rule of the same id. */
export interface PantherMetadata {
  readonly displayName?: string;
  /** As written (`Medium`); compared upper-cased. */
  readonly severity?: string;
  readonly threshold?: number;
  readonly dedupPeriodMinutes?: number;
  readonly createAlert?: boolean;
  readonly enabled?: boolean;
  readonly logTypes?: readonly string[];
  /** Correlation rules: `Detection[].LookbackWindowMinutes`. */
  readonly lookbackWindowMinutes?: number;
  /** Correlation rules: `Detection[].Group` (or `Sequence`) steps. */
  readonly steps?: ReadonlyArray<{ readonly id: string; readonly ruleId: string; readonly minMatchCount: number }>;
}

/** A rule YAML file's id, tests, and the Panther metadata it declares. */
export interface RuleTestFile {
  readonly ruleId: string;
  readonly tests: readonly RuleTestCase[];
  /** Present when the file declares any rule metadata (Panther's own files do). */
  readonly panther?: PantherMetadata;
}

const TEST_KEYS = [
  'Name',
  'ExpectedResult',
  'Log',
  'Events',
  'RuleOutputs',
  'ExpectedSeverity',
  'ExpectedTitle',
  'ExpectedDedup',
  'ExpectedAlertContext',
  'Reason',
] as const;

function parseTestCase(value: unknown, path: string, fail: (path: string, message: string) => never): RuleTestCase {
  if (!isJsonObject(value)) fail(path, `expected a mapping, got ${typeName(value)}`);
  if (Object.hasOwn(value, 'Mocks'))
    fail(`${path}.Mocks`, 'mocks are not supported: rules here are pure functions of the event');
  const extra = Object.keys(value).find((key) => !(TEST_KEYS as readonly string[]).includes(key));
  if (extra !== undefined) fail(path, `unknown key ${quote(extra)} (allowed: ${TEST_KEYS.join(', ')})`);
  const name = ownValue(value, 'Name');
  if (typeof name !== 'string' || name.trim() === '') fail(`${path}.Name`, 'expected a non-empty string');
  const where = `${path} (${quote(name)})`;
  const expectedResult = ownValue(value, 'ExpectedResult');
  if (typeof expectedResult !== 'boolean')
    fail(`${where}.ExpectedResult`, `expected true or false, got ${typeName(expectedResult)}`);
  const inputs = ['Log', 'Events', 'RuleOutputs'].filter((key) => ownValue(value, key) !== undefined);
  if (inputs.length === 0) fail(`${where}.Log`, 'missing (a test needs one of Log, Events or RuleOutputs)');
  if (inputs.length > 1)
    fail(where, `has ${inputs.join(' and ')}; a test takes exactly one of Log, Events or RuleOutputs`);
  const test: { -readonly [K in keyof RuleTestCase]: RuleTestCase[K] } = { name, expectedResult };
  const log = ownValue(value, 'Log');
  if (log !== undefined) test.log = log;
  const events = ownValue(value, 'Events');
  if (events !== undefined) {
    if (!Array.isArray(events) || events.length === 0) fail(`${where}.Events`, 'expected a non-empty list of events');
    test.events = events;
  }
  const outputs = ownValue(value, 'RuleOutputs');
  if (outputs !== undefined) test.ruleOutputs = parseRuleOutputs(outputs, `${where}.RuleOutputs`, fail);

  const reason = ownValue(value, 'Reason');
  if (reason !== undefined) {
    if (typeof reason !== 'string' || reason.trim() === '') fail(`${where}.Reason`, 'expected a non-empty string');
    test.reason = reason;
  }
  const severity = ownValue(value, 'ExpectedSeverity');
  if (severity !== undefined) {
    const parsed = parseSeverity(severity);
    if (!parsed) fail(`${where}.ExpectedSeverity`, `expected one of ${SEVERITIES.join(', ')}`);
    test.expectedSeverity = parsed;
  }
  for (const [key, field] of [
    ['ExpectedTitle', 'expectedTitle'],
    ['ExpectedDedup', 'expectedDedup'],
  ] as const) {
    const text = ownValue(value, key);
    if (text === undefined) continue;
    if (typeof text !== 'string') fail(`${where}.${key}`, `expected a string, got ${typeName(text)}`);
    test[field] = text;
  }
  const context = ownValue(value, 'ExpectedAlertContext');
  if (context !== undefined) {
    if (!isJsonObject(context)) fail(`${where}.ExpectedAlertContext`, `expected a mapping, got ${typeName(context)}`);
    test.expectedAlertContext = context;
  }
  const hasAlertExpectations = [
    severity,
    ownValue(value, 'ExpectedTitle'),
    ownValue(value, 'ExpectedDedup'),
    context,
  ].some((v) => v !== undefined);
  if (hasAlertExpectations && !expectedResult) {
    fail(where, 'ExpectedSeverity/Title/Dedup/AlertContext describe an alert, so they need ExpectedResult: true');
  }
  return test;
}

function parseRuleOutputs(value: unknown, path: string, fail: (path: string, message: string) => never): StepOutputs[] {
  if (!Array.isArray(value) || value.length === 0) fail(path, 'expected a non-empty list');
  return value.map((output, index) => {
    const at = `${path}[${index}]`;
    if (!isJsonObject(output)) fail(at, `expected a mapping, got ${typeName(output)}`);
    const stepId = ownValue(output, 'ID');
    if (typeof stepId !== 'string' || stepId === '') fail(`${at}.ID`, 'expected the step id (a string)');
    const matches = ownValue(output, 'Matches');
    if (!isJsonObject(matches)) fail(`${at}.Matches`, `expected a mapping of field to keys, got ${typeName(matches)}`);
    const fields = Object.keys(matches);
    if (fields.length !== 1) fail(`${at}.Matches`, `expected exactly one match field, got ${fields.length}`);
    const field = fields[0] as string;
    const byKey = ownValue(matches, field);
    if (!isJsonObject(byKey))
      fail(`${at}.Matches.${field}`, `expected a mapping of key to minute offsets, got ${typeName(byKey)}`);
    const keyed = Object.keys(byKey).map((key) => {
      const minutes = ownValue(byKey, key);
      if (!Array.isArray(minutes) || !minutes.every((m) => typeof m === 'number' && Number.isFinite(m))) {
        fail(`${at}.Matches.${field}.${quote(key)}`, 'expected a list of minute offsets (numbers)');
      }
      return { key, minutes: minutes as number[] };
    });
    return { stepId, field, matches: keyed };
  });
}

function optional<T>(
  root: JsonObject,
  key: string,
  check: (value: JsonValue) => value is T & JsonValue,
  expected: string,
  fail: (path: string, message: string) => never,
): T | undefined {
  const value = ownValue(root, key);
  if (value === undefined) return undefined;
  if (!check(value)) fail(key, `expected ${expected}, got ${typeName(value)}`);
  return value;
}

const isString = (v: JsonValue): v is string => typeof v === 'string';
const isNumber = (v: JsonValue): v is number => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: JsonValue): v is boolean => typeof v === 'boolean';
const isStringList = (v: JsonValue): v is string[] => Array.isArray(v) && v.every((item) => typeof item === 'string');

function parseDetection(
  root: JsonObject,
  fail: (path: string, message: string) => never,
): Pick<PantherMetadata, 'lookbackWindowMinutes' | 'steps'> {
  const detection = ownValue(root, 'Detection');
  // A simple detection's Detection is its match expression (compiled by lib/detection/panther), not
  // a correlation's steps.
  if (detection === undefined || ownValue(root, 'AnalysisType') === 'rule') return {};
  if (!Array.isArray(detection) || detection.length !== 1 || !isJsonObject(detection[0])) {
    fail('Detection', 'expected a list with one mapping (a Group or Sequence of rules)');
  }
  const spec = detection[0];
  const group = ownValue(spec, 'Group') ?? ownValue(spec, 'Sequence');
  if (!Array.isArray(group)) return fail('Detection[0]', 'expected a Group or Sequence list');
  const steps = group.map((step, index) => {
    const at = `Detection[0].Group[${index}]`;
    if (!isJsonObject(step)) fail(at, `expected a mapping, got ${typeName(step)}`);
    const id = ownValue(step, 'ID');
    const ruleId = ownValue(step, 'RuleID');
    const minMatchCount = ownValue(step, 'MinMatchCount') ?? 1;
    if (typeof id !== 'string' || typeof ruleId !== 'string') fail(at, 'expected ID and RuleID strings');
    if (typeof minMatchCount !== 'number')
      fail(`${at}.MinMatchCount`, `expected a number, got ${typeName(minMatchCount)}`);
    return { id, ruleId, minMatchCount };
  });
  const lookback = ownValue(spec, 'LookbackWindowMinutes');
  if (lookback !== undefined && typeof lookback !== 'number')
    fail('Detection[0].LookbackWindowMinutes', `expected a number, got ${typeName(lookback)}`);
  return { steps, ...(lookback === undefined ? {} : { lookbackWindowMinutes: lookback }) };
}

function parsePantherMetadata(
  root: JsonObject,
  fail: (path: string, message: string) => never,
): PantherMetadata | undefined {
  const entries: Array<[keyof PantherMetadata, unknown]> = [
    ['displayName', optional(root, 'DisplayName', isString, 'a string', fail)],
    ['severity', optional(root, 'Severity', isString, 'a string', fail)],
    ['threshold', optional(root, 'Threshold', isNumber, 'a number', fail)],
    ['dedupPeriodMinutes', optional(root, 'DedupPeriodMinutes', isNumber, 'a number', fail)],
    ['createAlert', optional(root, 'CreateAlert', isBoolean, 'true or false', fail)],
    ['enabled', optional(root, 'Enabled', isBoolean, 'true or false', fail)],
    ['logTypes', optional(root, 'LogTypes', isStringList, 'a list of strings', fail)],
    ...Object.entries(parseDetection(root, fail)).map(
      ([key, value]) => [key as keyof PantherMetadata, value] as [keyof PantherMetadata, unknown],
    ),
  ];
  const present = entries.filter(([, value]) => value !== undefined);
  return present.length === 0 ? undefined : Object.fromEntries(present);
}

/**
 * Reads a panther-analysis rule YAML file: `RuleID`, `Tests`, and the Panther metadata that the
 * `test` command checks against our rule (`DisplayName`, `Severity`, `Threshold`,
 * `DedupPeriodMinutes`, `CreateAlert`, `Enabled`, `LogTypes`, and a correlation's `Detection`); other
 * keys (`Description`, `Runbook`, `Reports`...) are ignored. Throws {@link RuleTestFileError} naming `source`, the path and the reason.
 *
 * @example
 * ```ts
 * const { ruleId, tests } = parseRuleTestFile(readFileSync(file, 'utf8'), file);
 * ```
 */
export function parseRuleTestFile(text: string, source: string): RuleTestFile {
  const fail: (path: string, message: string) => never = (path, message) => {
    throw new RuleTestFileError(`${source}: ${path ? `${path}: ` : ''}${message}`);
  };
  // YAML 1.2 core schema: no implicit dates or other non-JSON values, duplicate keys rejected.
  const document = parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: true });
  const [firstError] = document.errors;
  if (firstError) fail('', `not valid YAML: ${printable(firstError.message.split('\n')[0] ?? '')}`);
  let root: unknown;
  try {
    root = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml library reports some problems (an alias to an undefined anchor) only here.
    return fail('', `not valid YAML: ${printable(error instanceof Error ? error.message : 'unreadable')}`);
  }
  if (!isJsonObject(root)) return fail('', `expected a YAML mapping, got ${typeName(root)}`);
  const ruleId = ownValue(root, 'RuleID');
  if (typeof ruleId !== 'string' || ruleId.trim() === '') fail('RuleID', 'missing or not a string');
  const tests = ownValue(root, 'Tests');
  if (!Array.isArray(tests) || tests.length === 0) fail('Tests', 'missing or empty: nothing to run');
  const panther = parsePantherMetadata(root, fail);
  const parsed = tests.map((test, index) => parseTestCase(test, `Tests[${index}]`, fail));
  return panther === undefined ? { ruleId, tests: parsed } : { ruleId, tests: parsed, panther };
}
