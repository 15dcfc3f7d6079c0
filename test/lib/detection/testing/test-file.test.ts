import { describe, expect, it } from 'vitest';
import { RuleTestFileError } from '../../../../lib/detection/testing/errors.ts';
import { parseRuleTestFile } from '../../../../lib/detection/testing/test-file.ts';

const parse = (text: string) => parseRuleTestFile(text, 'r.yml');

describe('parseRuleTestFile', () => {
  it('reads RuleID, tests and the Panther metadata it checks, ignoring other keys', () => {
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
      panther: { severity: 'Medium' },
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
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: "yes", Log: {}}]',
      /^r\.yml: Tests\[0\] \("n"\)\.ExpectedResult: expected true or false, got string$/,
    ],
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: true}]',
      /^r\.yml: Tests\[0\] \("n"\)\.Log: missing \(a test needs one of Log, Events or RuleOutputs\)$/,
    ],
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, Mocks: []}]',
      /Tests\[0\]\.Mocks: mocks are not supported/,
    ],
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, ExpectedSeverty: HIGH}]',
      /unknown key "ExpectedSeverty"/,
    ],
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, ExpectedSeverity: SEVERE}]',
      /ExpectedSeverity: expected one of INFO/,
    ],
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, ExpectedTitle: 3}]',
      /ExpectedTitle: expected a string, got number$/,
    ],
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, ExpectedAlertContext: [1]}]',
      /ExpectedAlertContext: expected a mapping, got array$/,
    ],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: false, Log: {}, ExpectedTitle: T}]', /need ExpectedResult: true$/],
  ])('rejects %j with a precise message', (text, message) => {
    expect(() => parse(text)).toThrow(RuleTestFileError);
    expect(() => parse(text)).toThrow(message);
  });

  it('reads correlation metadata and RuleOutputs tests, and Events tests', () => {
    const file = parse(`
AnalysisType: correlation_rule
RuleID: C
Enabled: false
Severity: High
Detection:
  - Group:
      - { ID: Fails, RuleID: F, MinMatchCount: 5 }
      - { ID: Ok, RuleID: S }
    LookbackWindowMinutes: 30
Tests:
  - Name: n
    ExpectedResult: true
    RuleOutputs:
      - ID: Fails
        Matches: { p_any_emails: { "a@x": [0, 1] } }
  - Name: m
    ExpectedResult: false
    Events: [{ id: "1", type: t }]
`);
    expect(file.panther).toEqual({
      severity: 'High',
      enabled: false,
      lookbackWindowMinutes: 30,
      steps: [
        { id: 'Fails', ruleId: 'F', minMatchCount: 5 },
        { id: 'Ok', ruleId: 'S', minMatchCount: 1 },
      ],
    });
    expect(file.tests[0]?.ruleOutputs).toEqual([
      { stepId: 'Fails', field: 'p_any_emails', matches: [{ key: 'a@x', minutes: [0, 1] }] },
    ]);
    expect(file.tests[1]?.events).toEqual([{ id: '1', type: 't' }]);
  });

  it.each([
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: true, Log: {}, Events: [{}]}]',
      /has Log and Events; a test takes exactly one/,
    ],
    ['RuleID: X\nTests: [{Name: n, ExpectedResult: true, Events: []}]', /Events: expected a non-empty list of events$/],
    [
      'RuleID: X\nTests: [{Name: n, ExpectedResult: true, RuleOutputs: [{ID: a, Matches: {f: {k: ["x"]}}}]}]',
      /RuleOutputs\[0\]\.Matches\.f\."k": expected a list of minute offsets/,
    ],
    [
      'RuleID: X\nSeverity: 3\nTests: [{Name: n, ExpectedResult: true, Log: {}}]',
      /^r\.yml: Severity: expected a string, got number$/,
    ],
    [
      'RuleID: X\nThreshold: many\nTests: [{Name: n, ExpectedResult: true, Log: {}}]',
      /^r\.yml: Threshold: expected a number, got string$/,
    ],
  ])('rejects %j with a precise message', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});
