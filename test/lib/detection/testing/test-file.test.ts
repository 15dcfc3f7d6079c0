import { describe, expect, it } from 'vitest';
import { RuleTestFileError } from '../../../../lib/detection/testing/errors.ts';
import { parseRuleTestFile } from '../../../../lib/detection/testing/test-file.ts';

const parse = (text: string) => parseRuleTestFile(text, 'r.yml');

describe('parseRuleTestFile', () => {
  it('reads RuleID and tests, ignoring other rule metadata', () => {
    const file = parse(`
AnalysisType: rule
Severity: Medium
RuleID: "X.Y"
Tests:
  - Name: one
    ExpectedResult: true
    ExpectedSeverity: high
    ExpectedTitle: T
    ExpectedDedup: D
    ExpectedAlertContext: { a: 1 }
    Log: { id: "1", type: t, effective_at: 2024-01-01 }
  - Name: two
    ExpectedResult: false
    Log: { id: "2" }
`);
    expect(file).toEqual({
      ruleId: 'X.Y',
      tests: [
        {
          name: 'one',
          expectedResult: true,
          expectedSeverity: 'HIGH',
          expectedTitle: 'T',
          expectedDedup: 'D',
          expectedAlertContext: { a: 1 },
          // YAML 1.2 core schema: no implicit timestamps, the value stays a string as in JSON.
          log: { id: '1', type: 't', effective_at: '2024-01-01' },
        },
        { name: 'two', expectedResult: false, log: { id: '2' } },
      ],
    });
  });

  it.each([
    ['a: [', /^r\.yml: not valid YAML: /],
    ['a: 1\na: 2\n', /^r\.yml: not valid YAML: Map keys must be unique/],
    ['*x', /^r\.yml: not valid YAML: Unresolved alias/],
    ['- 1', /^r\.yml: expected a YAML mapping, got array$/],
    ['Tests: []', /^r\.yml: RuleID: missing or not a string$/],
    ['RuleID: X\nTests: []', /^r\.yml: Tests: missing or empty: nothing to run$/],
    ['RuleID: X', /^r\.yml: Tests: missing or empty/],
    ['RuleID: X\nTests: [1]', /^r\.yml: Tests\[0\]: expected a mapping, got number$/],
    ['RuleID: X\nTests: [{ExpectedResult: true, Log: {}}]', /^r\.yml: Tests\[0\]\.Name: expected a non-empty string$/],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: "yes", Log: {}}]', /^r\.yml: Tests\[0\] \("n"\)\.ExpectedResult: expected true or false, got string$/],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: true}]', /^r\.yml: Tests\[0\] \("n"\)\.Log: missing$/],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, Mocks: []}]', /Tests\[0\]\.Mocks: mocks are not supported/],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, ExpectedSeverty: HIGH}]', /unknown key "ExpectedSeverty"/],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, ExpectedSeverity: SEVERE}]', /ExpectedSeverity: expected one of INFO/],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, ExpectedTitle: 3}]', /ExpectedTitle: expected a string, got number$/],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, ExpectedAlertContext: [1]}]', /ExpectedAlertContext: expected a mapping, got array$/],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: false, Log: {}, ExpectedTitle: T}]', /need ExpectedResult: true$/],
  ])('rejects %j with a precise message', (text, message) => {
    expect(() => parse(text)).toThrow(RuleTestFileError);
    expect(() => parse(text)).toThrow(message);
  });
});
