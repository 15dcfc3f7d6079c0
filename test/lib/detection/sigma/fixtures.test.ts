// One realistic Sigma rule per kind (test/fixtures/sigma/), compiled and registered in a
// RuleCatalog; each file's own `tests` run through runRuleTest with the pipeline's semantics
// (windows, thresholds, distinct counts, correlations), as any rule's tests do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { compileSigmaFile } from '../../../../lib/detection/sigma/index.ts';
import { runRuleTest } from '../../../../lib/detection/testing/run-test.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/sigma');

/** Each fixture, with what it must compile to: rule ids (in registration order) and their kinds. */
const CASES = [
  {
    file: 'api-key-elevated-scopes.yml',
    kind: 'a single-event rule',
    rules: [['Custom.OpenAI.API.Key.Elevated.Scopes', 'rule']],
  },
  {
    file: 'api-key-creation-burst.yml',
    kind: 'an event_count correlation',
    rules: [['Custom.OpenAI.API.Key.Creation.Burst', 'rule']],
  },
  {
    file: 'login-failures-many-sources.yml',
    kind: 'a value_count correlation',
    rules: [['Custom.OpenAI.Login.Failures.Many.Sources', 'rule']],
  },
  {
    file: 'scim-and-allowlist-disabled.yml',
    kind: 'a temporal correlation',
    rules: [
      ['openai_scim_disabled', 'signal'],
      ['openai_ip_allowlist_deactivated', 'signal'],
      ['Custom.OpenAI.Defenses.Disabled.any', 'signal'],
      ['Custom.OpenAI.Defenses.Disabled', 'correlation'],
    ],
  },
  {
    file: 'brute-force-then-login.yml',
    kind: 'a temporal_ordered correlation chained with an event_count',
    rules: [
      ['multiple_failed_logins', 'signal'],
      ['successful_login', 'signal'],
      ['Custom.OpenAI.BruteForce.Then.Login', 'correlation'],
    ],
  },
] as const;

for (const { file, kind, rules: expected } of CASES) {
  describe(`${kind} (${file})`, () => {
    const source = join(FIXTURES, file);
    const { rules, tests } = compileSigmaFile(readFileSync(source, 'utf8'), source);
    const catalog = new RuleCatalog().register(openAiAuditLogType, rules);

    it('compiles to the expected rules, in dependency order', () => {
      expect(rules.map((rule) => [rule.id, catalog.getRule(rule.id)?.kind])).toEqual(expected);
      expect(tests.map((t) => t.ruleId)).toEqual([expected.at(-1)?.[0]]);
    });

    for (const test of tests[0]?.tests ?? []) {
      it(`passes its test: ${test.name}`, () => {
        const result = runRuleTest(catalog, tests[0]?.ruleId ?? '', test);
        expect(result.failures).toEqual([]);
        expect(result.passed).toBe(true);
      });
    }
  });
}

describe('the single-event fixture', () => {
  const source = join(FIXTURES, 'api-key-elevated-scopes.yml');
  const { rules, ignoredKeys } = compileSigmaFile(readFileSync(source, 'utf8'), source);

  it('runs on api_key.created only, at HIGH, with its ATT&CK mapping', () => {
    expect(rules[0]).toMatchObject({
      eventTypes: ['api_key.created'],
      defaultSeverity: 'HIGH',
      reports: { 'MITRE ATT&CK': ['TA0003:T1098.001'] },
      runbook: 'Known false positives:\n- Administrators provisioning automation keys',
    });
  });

  it('accepts its descriptive metadata (author, dates, status) without a warning', () => {
    expect(ignoredKeys).toEqual([]);
  });
});
