import { parseDocument } from 'yaml';
import { typeName } from '../engine/describe-error.ts';
import { SEVERITIES, parseSeverity, type Severity } from '../engine/severity.ts';
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from '../../util/json.ts';
import { printable, quote } from '../../util/printable.ts';
import { RuleTestFileError } from './errors.ts';

/**
 * One test case in panther-analysis format (`Name`, `ExpectedResult`, `Log`), extended with
 * optional expectations on the alert: `ExpectedSeverity`, `ExpectedTitle`, `ExpectedDedup` and
 * `ExpectedAlertContext` (listed keys must be present with equal values; others may exist), and a
 * `Reason` saying why (shown when the test fails).
 */
export interface RuleTestCase {
  readonly name: string;
  readonly expectedResult: boolean;
  readonly log: JsonValue;
  readonly expectedSeverity?: Severity;
  readonly expectedTitle?: string;
  readonly expectedDedup?: string;
  readonly expectedAlertContext?: Readonly<JsonObject>;
  /** Why the outcome is expected, e.g. the public source of the event's shape (shown on failure). */
  readonly reason?: string;
}

/** A rule YAML file's id and tests. */
export interface RuleTestFile {
  readonly ruleId: string;
  readonly tests: readonly RuleTestCase[];
}

const TEST_KEYS = [
  'Name',
  'ExpectedResult',
  'Log',
  'ExpectedSeverity',
  'ExpectedTitle',
  'ExpectedDedup',
  'ExpectedAlertContext',
  'Reason',
] as const;

function parseTestCase(value: unknown, path: string, fail: (path: string, message: string) => never): RuleTestCase {
  if (!isJsonObject(value)) fail(path, `expected a mapping, got ${typeName(value)}`);
  if (Object.hasOwn(value, 'Mocks')) fail(`${path}.Mocks`, 'mocks are not supported: rules here are pure functions of the event');
  const extra = Object.keys(value).find((key) => !(TEST_KEYS as readonly string[]).includes(key));
  if (extra !== undefined) fail(path, `unknown key ${quote(extra)} (allowed: ${TEST_KEYS.join(', ')})`);
  const name = ownValue(value, 'Name');
  if (typeof name !== 'string' || name.trim() === '') fail(`${path}.Name`, 'expected a non-empty string');
  const where = `${path} (${quote(name)})`;
  const expectedResult = ownValue(value, 'ExpectedResult');
  if (typeof expectedResult !== 'boolean') fail(`${where}.ExpectedResult`, `expected true or false, got ${typeName(expectedResult)}`);
  const log = ownValue(value, 'Log');
  if (log === undefined) fail(`${where}.Log`, 'missing');
  const test: { -readonly [K in keyof RuleTestCase]: RuleTestCase[K] } = { name, expectedResult, log };

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
  const hasAlertExpectations = [severity, ownValue(value, 'ExpectedTitle'), ownValue(value, 'ExpectedDedup'), context].some(
    (v) => v !== undefined,
  );
  if (hasAlertExpectations && !expectedResult) {
    fail(where, 'ExpectedSeverity/Title/Dedup/AlertContext describe an alert, so they need ExpectedResult: true');
  }
  return test;
}

/**
 * Reads a panther-analysis rule YAML file (any rule metadata may be present; `RuleID` and `Tests`
 * are used). Throws {@link RuleTestFileError} naming `source`, the path and the reason.
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
  return { ruleId, tests: tests.map((test, index) => parseTestCase(test, `Tests[${index}]`, fail)) };
}
