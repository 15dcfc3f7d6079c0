// The `tests:` key (ours: Sigma has no test format): Panther-format tests read by the project's
// reader, attached to the rule of their document, their problems reported at their line.
import { describe, expect, it } from 'vitest';
import { RuleCatalog } from '../../../../lib/detection/engine/catalog.ts';
import { openAiAuditLogType } from '../../../../lib/detection/openai/log-type.ts';
import { compileSigmaFile } from '../../../../lib/detection/sigma/index.ts';
import { runRuleTest } from '../../../../lib/detection/testing/run-test.ts';
import { base, compileError, correlation, RULE_ID, sigma } from './helpers.ts';

const DETECTION = 'selection:\n  type: scim.disabled\ncondition: selection';

describe('tests', () => {
  it('are read for the rule of their document, and run', () => {
    const text = sigma(
      DETECTION,
      `tests:
  - Name: disabled
    ExpectedResult: true
    ExpectedSeverity: MEDIUM
    Log: { id: e1, type: scim.disabled }
  - Name: enabled
    ExpectedResult: false
    Log: { id: e2, type: scim.enabled }
`,
    );
    const { rules, tests } = compileSigmaFile(text, 'x.yml');
    expect(tests).toHaveLength(1);
    expect(tests[0]?.ruleId).toBe(RULE_ID);
    expect(tests[0]?.tests.map((t) => t.name)).toEqual(['disabled', 'enabled']);
    const catalog = new RuleCatalog().register(openAiAuditLogType, rules);
    for (const test of tests[0]?.tests ?? []) expect(runRuleTest(catalog, RULE_ID, test).failures).toEqual([]);
  });

  it('an empty list is no tests', () => {
    expect(compileSigmaFile(sigma(DETECTION, 'tests: []\n'), 'x.yml').tests).toEqual([]);
  });

  it("report the reader's problems at their line, under `tests`", () => {
    const text = sigma(
      DETECTION,
      'tests:\n  - Name: bad\n    ExpectedResult: maybe\n    Log: { type: scim.disabled }\n',
    );
    expect(compileError(text)).toBe(
      'rules/x.yml:13: tests[0] ("bad").ExpectedResult: expected true or false, got string',
    );
    expect(
      compileError(sigma(DETECTION, 'tests:\n  - Name: bad\n    ExpectedResult: true\n    Mocks: []\n    Log: {}\n')),
    ).toMatch(/^rules\/x\.yml:14: tests\[0\]\.Mocks: mocks are not supported/);
    expect(compileError(sigma(DETECTION, 'tests: nope\n'))).toMatch(
      /^rules\/x\.yml:11: tests: expected a list of tests/,
    );
  });

  it('of a signal of a temporal correlation run against the signal', () => {
    const text = [
      correlation('  type: temporal\n  rules: [a, b]\n  group-by: [actor.session.user.email]\n  timespan: 10m'),
      base(
        'a',
        'scim.disabled',
        'tests:\n  - Name: matches\n    ExpectedResult: true\n    Events: [{ id: e1, type: scim.disabled }]\n',
      ),
      base('b', 'scim.enabled'),
    ].join('---\n');
    const { rules, tests } = compileSigmaFile(text, 'x.yml');
    expect(tests.map((t) => t.ruleId)).toEqual(['a']);
    const catalog = new RuleCatalog().register(openAiAuditLogType, rules);
    expect(runRuleTest(catalog, 'a', tests[0]?.tests[0] as never).failures).toEqual([]);
  });

  it('are refused in a rule that is not registered on its own', () => {
    const text = [
      correlation(
        '  type: event_count\n  rules: [a]\n  group-by: [actor.session.user.email]\n  timespan: 10m\n  condition:\n    gte: 2',
      ),
      base('a', 'scim.disabled', 'tests:\n  - Name: x\n    ExpectedResult: true\n    Log: {}\n'),
    ].join('---\n');
    expect(compileError(text)).toMatch(/^rules\/x\.yml:21: tests: this rule is not registered on its own/);
  });

  it('must be a key at the start of a line', () => {
    const text = `{ title: t, id: x1, level: low, logsource: { product: openai, service: audit }, detection: { s: { type: a.b }, condition: s }, tests: [] }\n`;
    expect(compileError(text)).toMatch(/tests: write `tests:` at the start of a line/);
  });
});
