import { describe, expect, it } from 'vitest';
import { createRuleCatalog } from '../../../../lib/detection/rules/create-rule-catalog.ts';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { checkPantherMetadata, runRuleTest } from '../../../../lib/detection/testing/run-test.ts';
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
    expect(runRuleTest(catalog, RULE, { ...base, expectedResult: false }).failures).toEqual([
      'expected result false, got true',
    ]);
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

  it('shows at most 160 characters of a value, masking a key before the cut', () => {
    const expectedTitle = `${'x'.repeat(146)}sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789`;
    expect(runRuleTest(catalog, RULE, { ...base, expectedTitle }).failures).toEqual([
      `title: expected "${'x'.repeat(146)}sk-proj-…6789…, got "OpenAI API Key with Elevated Scopes: api_key.created by [a@x.com]"`,
    ]);
  });

  it('fails on a rule error even when no match was expected', () => {
    const broken = new RuleCatalog().register(openAiAuditLogType, [
      testRule('Broken', {
        match: () => {
          throw new Error('bug');
        },
      }),
    ]);
    const result = runRuleTest(broken, 'Broken', { ...base, expectedResult: false });
    expect(result.failures).toEqual(['rule error in match(): Error: bug']);
  });

  describe('Panther metadata', () => {
    const file = (panther: Record<string, unknown>) => ({ ruleId: RULE, tests: [base], panther });

    it('passes equal metadata and fails a difference the rule does not document', () => {
      const checks = checkPantherMetadata(catalog, file({ severity: 'Medium', threshold: 1, dedupPeriodMinutes: 60 }));
      expect(checks.map((c) => [c.key, c.ok])).toEqual([
        ['Severity', true],
        ['Threshold', true],
        ['DedupPeriodMinutes', true],
      ]);
      const wrong = checkPantherMetadata(catalog, file({ severity: 'High', createAlert: false }));
      expect(wrong).toEqual([
        { key: 'Severity', panther: 'HIGH', ours: 'MEDIUM', ok: false },
        { key: 'CreateAlert', panther: 'false', ours: 'true', ok: false },
      ]);
    });

    it('accepts a difference the rule documents, with its reason', () => {
      const [check] = checkPantherMetadata(catalog, {
        ruleId: 'OpenAI.BruteForce.Login.Success.Group',
        tests: [base],
        panther: { enabled: false },
      });
      expect(check).toMatchObject({ key: 'Enabled', panther: 'false', ours: 'true', ok: true });
      expect(check?.note).toMatch(/ships enabled/);
    });
  });

  describe('sequences and correlations', () => {
    const failed = (id: string, t: number) => ({
      id,
      type: 'login.failed',
      effective_at: t,
      actor: { session: { user: { email: 'v@x.com' } } },
    });
    const succeeded = (id: string, t: number) => ({
      id,
      type: 'login.succeeded',
      effective_at: t,
      actor: { session: { user: { email: 'v@x.com' } } },
    });
    const brute = 'OpenAI.BruteForce.Login.Success.Group';

    it('runs Events through the stream semantics and compares the first alert', () => {
      const events = [1, 2, 3, 4, 5].map((i) => failed(`f${i}`, 100 + i)).concat([succeeded('s', 200)]);
      const pass = runRuleTest(catalog, brute, {
        name: 'e',
        expectedResult: true,
        events,
        expectedAlertContext: { failed_login_count: 5 },
      });
      expect(pass.failures).toEqual([]);
      expect(
        runRuleTest(catalog, brute, { name: 'e', expectedResult: true, events: events.slice(1) }).failures,
      ).toEqual(['expected result true, got false']);
    });

    it('runs RuleOutputs through the correlation state, and refuses them for other rules', () => {
      const outputs = [
        {
          stepId: 'Multiple Failed Logins',
          field: 'p_any_emails',
          matches: [{ key: 'v@x.com', minutes: [0, 1, 2, 3, 4] }],
        },
        { stepId: 'Successful Login', field: 'p_any_emails', matches: [{ key: 'v@x.com', minutes: [6] }] },
      ];
      expect(runRuleTest(catalog, brute, { name: 'r', expectedResult: true, ruleOutputs: outputs }).passed).toBe(true);
      expect(
        runRuleTest(catalog, brute, {
          name: 'r',
          expectedResult: true,
          ruleOutputs: [{ ...outputs[0], stepId: 'Nope' } as (typeof outputs)[0]],
        }).failures[0],
      ).toMatch(/names step "Nope", which OpenAI\.BruteForce\.Login\.Success\.Group does not have/);
      expect(runRuleTest(catalog, RULE, { name: 'r', expectedResult: true, ruleOutputs: outputs }).failures).toEqual([
        `RuleOutputs tests are for correlation rules; ${RULE} is not one`,
      ]);
      expect(runRuleTest(catalog, brute, base).failures[0]).toMatch(
        /is a correlation rule: its tests need Events or RuleOutputs/,
      );
    });
  });
});
