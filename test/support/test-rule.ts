import type { CorrelationFinding, CorrelationRule } from '../../lib/detection/engine/correlation-rule.ts';
import type { Rule } from '../../lib/detection/engine/rule.ts';

/**
 * A minimal valid rule for engine tests: matches everything, severity LOW, display name = id;
 * override any part.
 */
export function testRule<E>(id: string, logType: string, overrides: Partial<Rule<E>> = {}): Rule<E> {
  return {
    id,
    displayName: id,
    description: '',
    runbook: '',
    reference: '',
    defaultSeverity: 'LOW',
    dedupPeriodMinutes: 60,
    threshold: 1,
    logTypes: [logType],
    reports: {},
    match: () => true,
    ...overrides,
  };
}

/**
 * A minimal correlation rule for engine tests: at least `minFailures` matches of the rule `Failed`
 * ("failures"), then one of `Succeeded` ("success"), for the same `correlationKey`, within 10
 * minutes; override any part.
 */
export function testCorrelationRule<E>(
  id: string,
  logType: string,
  correlationKey: (event: E) => string | undefined,
  overrides: Partial<CorrelationRule<E>> = {},
): CorrelationRule<E> {
  return {
    ...testRule<CorrelationFinding>(id, logType),
    kind: 'correlation',
    steps: [
      { id: 'failures', ruleId: 'Failed', minMatchCount: 2 },
      { id: 'success', ruleId: 'Succeeded', minMatchCount: 1 },
    ],
    lookbackMinutes: 10,
    correlationKey,
    ...overrides,
  };
}
