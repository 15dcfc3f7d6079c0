import { isDeepStrictEqual } from 'node:util';
import type { RuleCatalog } from '../engine/catalog.ts';
import {
  correlationFindings,
  emptyCorrelationState,
  recordStep,
  type CorrelationShape,
  type CorrelationState,
  type StepRecord,
} from '../engine/correlation.ts';
import type { RuleOutput } from '../engine/result.ts';
import { StreamEvaluator } from '../engine/stream-evaluator.ts';
import type { JsonValue } from '../../shared/json.ts';
import { maskSecrets } from '../../shared/mask-secrets.ts';
import type { PantherMetadata, RuleTestCase, RuleTestFile, StepOutputs } from './test-file.ts';

/** The result of one rule test: passed, or the list of what differed. */
export interface RuleTestResult {
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
}

/** One metadata key of a Panther file compared with our rule. */
export interface MetadataCheck {
  /** Panther's key, e.g. `Severity`. */
  readonly key: string;
  readonly panther: string;
  readonly ours: string;
  /** Equal, or different for the documented reason in `note`. */
  readonly ok: boolean;
  readonly note?: string;
}

const SHOWN_LENGTH = 160;

function shown(value: unknown): string {
  // Masked before it is cut, so a key on the cut is masked whole.
  const json = maskSecrets(JSON.stringify(value) ?? String(value));
  return json.length > SHOWN_LENGTH ? `${json.slice(0, SHOWN_LENGTH)}…` : json;
}

function compareAlert(test: RuleTestCase, output: RuleOutput): string[] {
  const failures: string[] = [];
  const check = (what: string, expected: unknown, actual: unknown): void => {
    if (expected !== undefined && expected !== actual)
      failures.push(`${what}: expected ${shown(expected)}, got ${shown(actual)}`);
  };
  check('severity', test.expectedSeverity, output.severity);
  check('title', test.expectedTitle, output.title);
  check('dedup', test.expectedDedup, output.dedup);
  for (const [key, expected] of Object.entries(test.expectedAlertContext ?? {})) {
    if (!Object.hasOwn(output.alertContext, key)) failures.push(`alertContext.${key}: missing`);
    else {
      const actual: JsonValue | undefined = output.alertContext[key];
      if (!isDeepStrictEqual(actual, expected))
        failures.push(`alertContext.${key}: expected ${shown(expected)}, got ${shown(actual)}`);
    }
  }
  return failures;
}

function verdict(test: RuleTestCase, failures: string[], first: RuleOutput | undefined): RuleTestResult {
  const matched = first !== undefined;
  if (matched !== test.expectedResult) failures.push(`expected result ${test.expectedResult}, got ${matched}`);
  else if (first !== undefined) failures.push(...compareAlert(test, first));
  return { name: test.name, passed: failures.length === 0, failures };
}

function runLogTest(catalog: RuleCatalog, ruleId: string, test: RuleTestCase): RuleTestResult {
  const { outcome } = catalog.evaluateRule(ruleId, test.log);
  const failures: string[] = [];
  if (outcome.kind !== 'no-match') {
    for (const error of outcome.errors) failures.push(`rule error in ${error.function}(): ${error.message}`);
  }
  if (outcome.kind === 'error') return { name: test.name, passed: false, failures };
  return verdict(test, failures, outcome.kind === 'match' ? outcome.output : undefined);
}

/** Events through the pipeline's semantics; the first alert of the rule (or its first signal). */
function runEventsTest(catalog: RuleCatalog, logType: string, ruleId: string, test: RuleTestCase): RuleTestResult {
  const stream = new StreamEvaluator(catalog, logType, { now: () => 0 });
  const failures: string[] = [];
  let first: RuleOutput | undefined;
  for (const event of test.events ?? []) {
    const step = stream.push(event);
    for (const error of step.errors)
      if (error.ruleId === ruleId) failures.push(`rule error in ${error.function}(): ${error.message}`);
    first ??= step.alerts.find((alert) => alert.match.rule.id === ruleId)?.match;
    first ??= step.signals.find((signal) => signal.rule.id === ruleId);
  }
  return verdict(test, failures, first);
}

/** Panther's correlation test: step matches as minute offsets per key, fed in time order. */
function runRuleOutputsTest(
  catalog: RuleCatalog,
  rule: CorrelationShape,
  outputs: readonly StepOutputs[],
  test: RuleTestCase,
): RuleTestResult {
  const failures: string[] = [];
  const records: Array<{ key: string; stepIndex: number; record: StepRecord }> = [];
  for (const output of outputs) {
    const stepIndex = rule.steps.findIndex((step) => step.id === output.stepId);
    if (stepIndex < 0) {
      failures.push(
        `RuleOutputs names step ${shown(output.stepId)}, which ${rule.id} does not have (steps: ${rule.steps.map((s) => s.id).join(', ')})`,
      );
      continue;
    }
    for (const { key, minutes } of output.matches) {
      minutes.forEach((minute, i) =>
        records.push({ key, stepIndex, record: { eventId: `${output.stepId}#${key}#${i}`, time: minute * 60 } }),
      );
    }
  }
  if (failures.length > 0) return { name: test.name, passed: false, failures };
  records.sort((a, b) => a.record.time - b.record.time);
  const states = new Map<string, CorrelationState>();
  let first: RuleOutput | undefined;
  for (const { key, stepIndex, record } of records) {
    const state = recordStep(
      rule,
      states.get(key) ?? emptyCorrelationState(rule.steps.length),
      stepIndex,
      record,
    ).state;
    states.set(key, state);
    for (const finding of correlationFindings(rule, state, key, stepIndex, record)) {
      const { match, errors } = catalog.evaluateFinding(finding);
      for (const error of errors) failures.push(`rule error in ${error.function}(): ${error.message}`);
      first ??= match;
    }
  }
  return verdict(test, failures, first);
}

/**
 * Runs one test case against the catalog's rule `ruleId`, through the same engine path as live
 * events: a `Log` through the rule alone, `Events` through the stream semantics (windows,
 * thresholds, distinct counts, correlations), `RuleOutputs` through a correlation rule's state. A
 * rule error always fails the test, whatever was expected.
 *
 * @example
 * ```ts
 * const result = runRuleTest(catalog, 'OpenAI.API.Key.Anomalous.Activity', test);
 * if (!result.passed) console.log(result.failures.join('; '));
 * ```
 */
export function runRuleTest(
  catalog: RuleCatalog,
  ruleId: string,
  test: RuleTestCase,
  logType = 'OpenAI.Audit',
): RuleTestResult {
  const kind = catalog.getRule(ruleId)?.kind;
  if (test.ruleOutputs !== undefined) {
    if (kind !== 'correlation')
      return {
        name: test.name,
        passed: false,
        failures: [`RuleOutputs tests are for correlation rules; ${ruleId} is not one`],
      };
    return runRuleOutputsTest(catalog, catalog.correlation(ruleId), test.ruleOutputs, test);
  }
  if (test.events !== undefined) return runEventsTest(catalog, logType, ruleId, test);
  if (kind === 'correlation')
    return {
      name: test.name,
      passed: false,
      failures: [`${ruleId} is a correlation rule: its tests need Events or RuleOutputs, not one Log`],
    };
  if (kind === 'baseline')
    return {
      name: test.name,
      passed: false,
      failures: [`${ruleId} is a baseline rule: its tests need Events (what the actor did before), not one Log`],
    };
  return runLogTest(catalog, ruleId, test);
}

function describeSteps(steps: PantherMetadata['steps']): string {
  return (steps ?? []).map((s) => `${s.id}=${s.ruleId}x${s.minMatchCount}`).join(', ');
}

/**
 * Compares the metadata a Panther file declares with our rule of the same id: equal, or different
 * for a reason the rule documents in `pantherDifferences`. Nothing a Panther file says about the
 * rule's behaviour is silently ignored.
 *
 * @example
 * ```ts
 * for (const check of checkPantherMetadata(catalog, file)) if (!check.ok) console.log(check.key);
 * ```
 */
export function checkPantherMetadata(catalog: RuleCatalog, file: RuleTestFile): MetadataCheck[] {
  const panther = file.panther;
  const rule = catalog.getRule(file.ruleId);
  if (panther === undefined || rule === undefined) return [];
  const correlation = rule?.kind === 'correlation' ? catalog.correlation(file.ruleId) : undefined;
  const pairs: Array<[string, string | undefined, string]> = [
    ['DisplayName', panther.displayName, rule.displayName],
    ['Severity', panther.severity?.toUpperCase(), rule.defaultSeverity],
    ['Threshold', panther.threshold?.toString(), String(rule.threshold)],
    ['DedupPeriodMinutes', panther.dedupPeriodMinutes?.toString(), String(rule.dedupPeriodMinutes)],
    ['CreateAlert', panther.createAlert?.toString(), String(rule.createAlert)],
    ['Enabled', panther.enabled?.toString(), String(rule.enabled)],
    ['LogTypes', panther.logTypes?.join(', '), rule.logTypes.join(', ')],
  ];
  if (correlation !== undefined) {
    pairs.push([
      'LookbackWindowMinutes',
      panther.lookbackWindowMinutes?.toString(),
      String(correlation.lookbackMinutes),
    ]);
    pairs.push([
      'Detection',
      panther.steps === undefined ? undefined : describeSteps(panther.steps),
      describeSteps(correlation.steps),
    ]);
  }
  const checks: MetadataCheck[] = [];
  for (const [key, theirs, ours] of pairs) {
    if (theirs === undefined) continue;
    const note = rule.pantherDifferences[key];
    const ok = theirs === ours || note !== undefined;
    checks.push({ key, panther: theirs, ours, ok, ...(theirs !== ours && note !== undefined ? { note } : {}) });
  }
  return checks;
}
