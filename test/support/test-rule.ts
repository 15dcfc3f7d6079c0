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
