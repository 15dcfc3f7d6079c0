// A realistic simple detection, equivalent to the SCIM-disabled half of this project's
// OpenAI.SCIM.Configuration.Change, compiled and registered in a RuleCatalog; its own Tests run
// through runRuleTest as any rule's tests do, and it agrees with the TypeScript rule on them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { compilePantherDetection } from '../../../../lib/detection/panther/index.ts';
import { scimConfigurationChangeRule } from '../../../../lib/detection/rules/openai/scim-configuration-change.ts';
import { runRuleTest } from '../../../../lib/detection/testing/run-test.ts';

const source = join(import.meta.dirname, '../../../fixtures/own-rules/identity/scim-disabled.yml');
const { rule, tests, ignoredKeys } = compilePantherDetection(readFileSync(source, 'utf8'), source);
const catalog = new RuleCatalog().register(openAiAuditLogType, [rule, scimConfigurationChangeRule]);

describe('a SCIM-disabled simple detection', () => {
  it('compiles with nothing ignored, and runs on scim.disabled events only', () => {
    expect(ignoredKeys).toEqual([]);
    expect(rule.eventTypes).toEqual(['scim.disabled']);
    expect(catalog.getRule(tests.ruleId)?.defaultSeverity).toBe('HIGH');
    expect(tests.tests).toHaveLength(5);
  });

  for (const test of tests.tests) {
    it(`passes its test: ${test.name}`, () => {
      const result = runRuleTest(catalog, tests.ruleId, test);
      expect(result.failures).toEqual([]);
      expect(result.passed).toBe(true);
    });
  }

  it('matches where the TypeScript rule matches a scim.disabled event, at the same severity', () => {
    for (const test of tests.tests) {
      const ours = catalog.evaluateRule(tests.ruleId, test.log).outcome;
      const theirs = catalog.evaluateRule(scimConfigurationChangeRule.id, test.log).outcome;
      const disabled = (test.log as { type?: string }).type === 'scim.disabled';
      expect(ours.kind).toBe(theirs.kind === 'match' && disabled ? 'match' : 'no-match');
      if (ours.kind === 'match' && theirs.kind === 'match') expect(ours.output.severity).toBe(theirs.output.severity);
    }
  });
});
