import type { BaselineRule, CorrelationRule, Rule } from '../../lib/detection/engine/rule.ts';

/** A minimal rule for engine tests: matches every event, severity LOW; override any part. */
export function testRule<E>(id: string, overrides: Partial<Rule<E>> = {}): Rule<E> {
  return { id, defaultSeverity: 'LOW', ...overrides };
}

/**
 * A minimal correlation rule for engine tests: at least two matches of the rule `Failed`
 * ("failures"), then one of `Succeeded` ("success"), for the same `correlationKey`, within 10
 * minutes; override any part.
 */
export function testCorrelationRule<E>(
  id: string,
  correlationKey: (event: E) => string | undefined,
  overrides: Partial<CorrelationRule<E>> = {},
): CorrelationRule<E> {
  return {
    id,
    defaultSeverity: 'LOW',
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

/**
 * A minimal baseline rule for engine tests: alerts on events of type `create` whose `country` is
 * new for their `who`, learning 7 days, forgetting after 30; override any part.
 */
export function testBaselineRule<E extends { readonly who?: string; readonly country?: string }>(
  id: string,
  overrides: Partial<BaselineRule<E>> = {},
): BaselineRule<E> {
  return {
    id,
    defaultSeverity: 'MEDIUM',
    kind: 'baseline',
    eventTypes: ['create'],
    actor: (event) => event.who,
    dimensions: { country: (event) => event.country },
    ...overrides,
  };
}
