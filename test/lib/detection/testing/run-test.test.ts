import { describe, expect, it } from 'vitest';
import { createRuleCatalog } from '../../../../lib/detection/rules/index.ts';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { runRuleTest } from '../../../../lib/detection/testing/run-test.ts';
import type { RuleTestCase } from '../../../../lib/detection/testing/test-file.ts';
import { testRule } from '../../../support/test-rule.ts';

const RULE = 'OpenAI.API.Key.Anomalous.Activity';
const catalog = createRuleCatalog();
const log = {
  id: 'e1',
  type: 'api_key.created',
  actor: { type: 'session', session: { user: { id: 'user-1', email: 'a@x.com' } } },
  'api_key.created': { id: 'key_1', data: { scopes: ['all'] } },
};
const base: RuleTestCase = { name: 't', expectedResult: true, log };

describe('runRuleTest', () => {
  it('passes when every expectation holds', () => {
    const result = runRuleTest(catalog, RULE, {
      ...base,
      expectedSeverity: 'HIGH',
      expectedTitle: 'OpenAI API Key with Elevated Scopes: api_key.created by [a@x.com]',
      expectedDedup: `${RULE}:api_key.created:user:user-1`,
      expectedAlertContext: { api_key_scopes: ['all'], actor_id: 'user-1' },
    });
    expect(result).toEqual({ name: 't', passed: true, failures: [] });
  });

  it('fails on a wrong expected result, either way', () => {
    expect(runRuleTest(catalog, RULE, { ...base, expectedResult: false }).failures).toEqual(['expected result false, got true']);
    const benign = { ...log, 'api_key.created': { id: 'k', data: { scopes: ['api.model.read'] } } };
    expect(runRuleTest(catalog, RULE, { ...base, log: benign }).failures).toEqual(['expected result true, got false']);
  });

  it('names every differing alert field', () => {
    const result = runRuleTest(catalog, RULE, {
      ...base,
      expectedSeverity: 'MEDIUM',
      expectedTitle: 'other',
      expectedDedup: 'other',
      expectedAlertContext: { api_key_scopes: ['admin'], nope: 1, actor_id: 'user-1' },
    });
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      'severity: expected "MEDIUM", got "HIGH"',
      'title: expected "other", got "OpenAI API Key with Elevated Scopes: api_key.created by [a@x.com]"',
      `dedup: expected "other", got "${RULE}:api_key.created:user:user-1"`,
      'alertContext.api_key_scopes: expected ["admin"], got ["all"]',
      'alertContext.nope: missing',
    ]);
  });

  it('fails on a rule error even when no match was expected', () => {
    const broken = new RuleCatalog().register(openAiAuditLogType, [
      testRule('Broken', 'OpenAI.Audit', { match: () => { throw new Error('bug'); } }),
    ]);
    const result = runRuleTest(broken, 'Broken', { ...base, expectedResult: false });
    expect(result.failures).toEqual(['rule error in match(): Error: bug']);
  });
});
