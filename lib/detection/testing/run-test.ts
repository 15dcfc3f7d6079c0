import { isDeepStrictEqual } from 'node:util';
import type { RuleCatalog } from '../engine/catalog.ts';
import type { RuleOutcome } from '../engine/result.ts';
import type { JsonValue } from '../../util/json.ts';
import type { RuleTestCase } from './test-file.ts';

/** The result of one rule test: passed, or the list of what differed. */
export interface RuleTestResult {
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
}

const SHOWN_LENGTH = 160;

function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > SHOWN_LENGTH ? `${json.slice(0, SHOWN_LENGTH)}…` : json;
}

function compareAlert(test: RuleTestCase, outcome: Extract<RuleOutcome, { kind: 'match' }>): string[] {
  const failures: string[] = [];
  const { output } = outcome;
  const check = (what: string, expected: unknown, actual: unknown): void => {
    if (expected !== undefined && expected !== actual) failures.push(`${what}: expected ${shown(expected)}, got ${shown(actual)}`);
  };
  check('severity', test.expectedSeverity, output.severity);
  check('title', test.expectedTitle, output.title);
  check('dedup', test.expectedDedup, output.dedup);
  for (const [key, expected] of Object.entries(test.expectedAlertContext ?? {})) {
    if (!Object.hasOwn(output.alertContext, key)) failures.push(`alertContext.${key}: missing`);
    else {
      const actual: JsonValue | undefined = output.alertContext[key];
      if (!isDeepStrictEqual(actual, expected)) failures.push(`alertContext.${key}: expected ${shown(expected)}, got ${shown(actual)}`);
    }
  }
  return failures;
}

/**
 * Runs one test case against the catalog's rule `ruleId`, through the same engine path as live
 * events. A rule error always fails the test, whatever was expected.
 *
 * @example
 * ```ts
 * const result = runRuleTest(catalog, 'OpenAI.API.Key.Anomalous.Activity', test);
 * if (!result.passed) console.log(result.failures.join('; '));
 * ```
 */
export function runRuleTest(catalog: RuleCatalog, ruleId: string, test: RuleTestCase): RuleTestResult {
  const { outcome } = catalog.evaluateRule(ruleId, test.log);
  const failures: string[] = [];
  if (outcome.kind !== 'no-match') {
    for (const error of outcome.errors) failures.push(`rule error in ${error.function}(): ${error.message}`);
  }
  if (outcome.kind !== 'error') {
    const matched = outcome.kind === 'match';
    if (matched !== test.expectedResult) failures.push(`expected result ${test.expectedResult}, got ${matched}`);
    else if (outcome.kind === 'match') failures.push(...compareAlert(test, outcome));
  }
  return { name: test.name, passed: failures.length === 0, failures };
}
