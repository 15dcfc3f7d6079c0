// Every problem is one PantherDetectionError: `<source>:<line>: <path inside the file>: <problem>`,
// with values from the file made printable.
import { describe, expect, it } from 'vitest';
import { compilePantherDetection, PantherDetectionError } from '../../../../lib/detection/panther/index.ts';
import { compileError, detection, file, HEADER } from './helpers.ts';

// HEADER is lines 1-5, so `Detection:` is line 6 and its first expression line 7.
const d = (expressions: string, more = '') => compileError(detection(expressions, more));

describe('the file', () => {
  it('is YAML', () => {
    expect(compileError('AnalysisType: rule\nRuleID: [x\n')).toBe(
      'rules/x.yml:3: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });

  it('has no duplicate keys', () => {
    expect(compileError('AnalysisType: rule\nAnalysisType: rule\n')).toBe(
      'rules/x.yml:2: not valid YAML: Map keys must be unique',
    );
  });

  it('is a mapping', () => {
    expect(compileError('- a\n')).toBe('rules/x.yml:1: expected a mapping of Panther rule keys, got a list');
    expect(compileError('')).toBe('rules/x.yml:1: expected a mapping of Panther rule keys, got nothing (null)');
  });

  it('is a rule', () => {
    expect(compileError('AnalysisType: policy\n')).toBe(
      'rules/x.yml:1: AnalysisType: only rules compile here (AnalysisType: rule), got the string "policy"',
    );
    expect(compileError('RuleID: X\n')).toBe(
      "rules/x.yml:1: AnalysisType: missing: 'rule' (only simple-detection rules compile here)",
    );
  });

  it('has a RuleID', () => {
    expect(compileError('AnalysisType: rule\nEnabled: true\n')).toBe(
      "rules/x.yml:1: RuleID: missing: the rule's id (a non-empty string)",
    );
    expect(compileError('AnalysisType: rule\nRuleID: "a<b"\n')).toBe(
      `rules/x.yml:2: RuleID: 'a<b' has a character Panther refuses (< > & " %)`,
    );
  });

  it('refuses Python detections by name', () => {
    expect(compileError(file('Filename: rule.py'))).toBe(
      'rules/x.yml:6: Filename: Python detections are not supported: only simple detections compile here; write the logic as a Detection list of match expressions',
    );
  });

  it('names an unknown top-level key, with the key it resembles', () => {
    expect(compileError(file('Detections: []'))).toBe(
      "rules/x.yml:6: unknown top-level key 'Detections' (did you mean 'Detection'?)",
    );
    expect(compileError(file('Inline Filters: []'))).toBe(
      "rules/x.yml:6: unknown top-level key 'Inline Filters' (did you mean 'InlineFilters'?)",
    );
  });

  it('refuses keys of other kinds of detection', () => {
    expect(compileError(file('Suppressions: [x]'))).toBe(
      "rules/x.yml:6: Suppressions: a Panther policy key, not a rule key; suppress matches in the rules configuration's `suppress` instead",
    );
  });

  it('has a Detection', () => {
    expect(compileError(`${HEADER}\n`)).toBe(
      'rules/x.yml:1: Detection: missing: the list of match expressions that decides a match',
    );
  });
});

describe('metadata', () => {
  const meta = (lines: string) => compileError(`AnalysisType: rule\nRuleID: X\n${lines}\n`);

  it('LogTypes must name OpenAI.Audit', () => {
    expect(meta('Enabled: true\nLogTypes: [AWS.CloudTrail]')).toBe(
      'rules/x.yml:4: LogTypes: names no log type this detection can run on: expected OpenAI.Audit among them',
    );
  });

  it('Severity is one of the five', () => {
    expect(meta('Enabled: true\nLogTypes: [OpenAI.Audit]\nSeverity: Severe')).toBe(
      'rules/x.yml:5: Severity: expected one of Info, Low, Medium, High, Critical (any case), got the string "Severe"',
    );
  });

  it('Enabled is a boolean', () => {
    expect(meta('Enabled: "yes"')).toBe('rules/x.yml:3: Enabled: expected true or false, got the string "yes"');
  });

  it('Threshold and DedupPeriodMinutes are integers in range', () => {
    expect(compileError(file('Threshold: 0'))).toBe(
      'rules/x.yml:6: Threshold: expected an integer from 1 to 200, got the number 0',
    );
    expect(compileError(file('DedupPeriodMinutes: 2'))).toBe(
      'rules/x.yml:6: DedupPeriodMinutes: expected an integer from 5 to 1440, got the number 2',
    );
  });
});

describe('match expressions', () => {
  it('name an unknown condition, with the one it resembles, at its path', () => {
    expect(
      d(
        `- { Key: type, Condition: Equals, Value: x }\n- Any:\n    - KeyPath: a\n      Condition: StartWith\n      Value: x`,
      ),
    ).toBe("rules/x.yml:10: Detection[1].Any[0].Condition: unknown condition 'StartWith' (did you mean 'StartsWith'?)");
    expect(d('- { Key: a, Condition: IsGreaterThanOrEqual, Value: 1 }')).toBe(
      "rules/x.yml:7: Detection[0].Condition: unknown condition 'IsGreaterThanOrEqual' (did you mean 'IsGreaterThanOrEquals'?)",
    );
  });

  it('name an unknown key', () => {
    expect(d('- KeyPath: a\n  Condition: Equals\n  Valeu: x')).toBe(
      "rules/x.yml:9: Detection[0]: unknown key 'Valeu' in a match expression (did you mean 'Value'?)",
    );
  });

  it('check the type of Value against the condition', () => {
    expect(d('- KeyPath: a\n  Condition: StartsWith\n  Value: 5')).toBe(
      "rules/x.yml:9: Detection[0].Value: 'StartsWith' compares with a string: got the number 5",
    );
    expect(d('- KeyPath: a\n  Condition: IsGreaterThan\n  Value: "5"')).toBe(
      `rules/x.yml:9: Detection[0].Value: 'IsGreaterThan' compares with a number: got the string "5"`,
    );
    expect(d('- KeyPath: a\n  Condition: IEquals\n  Value: true')).toBe(
      "rules/x.yml:9: Detection[0].Value: 'IEquals' compares with a string: got the boolean true",
    );
    expect(d('- KeyPath: a\n  Condition: Equals\n  Value:')).toBe(
      "rules/x.yml:9: Detection[0].Value: 'Equals' compares with a string, number or boolean: got nothing (null)",
    );
    expect(d('- KeyPath: a\n  Condition: IsIPAddressInCIDR\n  Value: 10.0.0.0/33')).toBe(
      'rules/x.yml:9: Detection[0].Value: \'IsIPAddressInCIDR\' needs a CIDR such as 10.0.0.0/8: prefix must be 0-32 for IPv4, got "33"',
    );
  });

  it('check Value against Values', () => {
    expect(d('- KeyPath: a\n  Condition: IsIn\n  Value: x')).toBe(
      "rules/x.yml:9: Detection[0].Value: 'IsIn' takes Values (a list), not Value",
    );
    expect(d('- KeyPath: a\n  Condition: Equals\n  Values: [x, y]')).toBe(
      "rules/x.yml:9: Detection[0].Values: 'Equals' takes one Value, not Values (to compare with several values, use IsIn or an Any of several expressions)",
    );
    expect(d('- KeyPath: a\n  Condition: IsIn\n  Values: [x, 1]')).toBe(
      'rules/x.yml:9: Detection[0].Values: values must all be of one type (all strings, all numbers or all booleans)',
    );
    expect(d('- KeyPath: a\n  Condition: IsIn\n  Values: []')).toBe(
      "rules/x.yml:9: Detection[0].Values: 'IsIn' needs at least one value",
    );
    expect(d('- KeyPath: a\n  Condition: Exists\n  Value: x')).toBe(
      "rules/x.yml:9: Detection[0].Value: 'Exists' takes no Value",
    );
    expect(d('- KeyPath: a\n  Condition: Equals')).toBe(
      "rules/x.yml:7: Detection[0]: 'Equals' needs a Value: a string, number or boolean",
    );
  });

  it('check key specifiers', () => {
    expect(d('- KeyPath: a..b\n  Condition: Exists')).toBe(
      "rules/x.yml:7: Detection[0].KeyPath: not a valid KeyPath ('a..b'): empty name between dots (or at an end)",
    );
    expect(d('- Key: a\n  KeyPath: b\n  Condition: Exists')).toBe(
      'rules/x.yml:8: Detection[0].KeyPath: a match expression names one field: found both Key and KeyPath',
    );
    expect(d('- DeepKey: a.b\n  Condition: Exists')).toBe(
      'rules/x.yml:7: Detection[0].DeepKey: expected a list of member names and list positions, got the string "a.b"',
    );
    expect(d('- DeepKey: [a, -1]\n  Condition: Exists')).toBe(
      'rules/x.yml:7: Detection[0].DeepKey[1]: expected a member name (a string) or a list position (an integer from 0), got the number -1',
    );
    expect(d('- Condition: Exists')).toBe(
      "rules/x.yml:7: Detection[0]: 'Exists' needs the field it tests: Key, DeepKey or KeyPath",
    );
  });

  it('check list comprehensions, two-field and absolute expressions, combinators', () => {
    expect(d('- Key: a\n  Condition: AnyElement')).toBe(
      "rules/x.yml:7: Detection[0]: 'AnyElement' needs Expressions, tested on each element",
    );
    expect(d('- Condition: Equals\n  Values: [{ Key: a }, { Key: b }, { Key: c }]')).toBe(
      'rules/x.yml:8: Detection[0].Values: a two-field comparison takes exactly two fields, got 3',
    );
    expect(d('- Condition: IsIn\n  Values: [{ Key: a }, { Key: b }]')).toBe(
      "rules/x.yml:8: Detection[0].Values: 'IsIn' cannot compare two fields; it needs a key specifier (Key, DeepKey or KeyPath)",
    );
    expect(d('- Condition: AlwaysTrue\n  Key: a')).toBe(
      "rules/x.yml:8: Detection[0].Key: 'AlwaysTrue' takes nothing but its Condition",
    );
    expect(d('- Any: []')).toBe('rules/x.yml:7: Detection[0].Any: expected at least one match expression');
    expect(d('- Any:\n    - Condition: AlwaysTrue\n  Key: a')).toBe(
      "rules/x.yml:9: Detection[0].Key: a combinator (Any) stands alone: move 'Key' into its list",
    );
    expect(d('- Value: x')).toBe(
      'rules/x.yml:7: Detection[0]: missing Condition (or a combinator: All, Any, OnlyOne, None)',
    );
  });

  it('refuse what is not available here', () => {
    expect(d('- Enrichment: { Table: t, Selector: s, FieldPath: f }\n  Condition: Equals\n  Value: x')).toBe(
      'rules/x.yml:7: Detection[0].Enrichment: enrichment match expressions read Panther lookup tables, which are not available here',
    );
    expect(d('- Key: a\n  Condition: CIDRContainsIPAddresses\n  Value: 10.0.0.1')).toBe(
      "rules/x.yml:8: Detection[0].Condition: 'CIDRContainsIPAddresses' is not supported (its operands are not documented in any source found); test the address field with 'IsIPAddressInCIDR'",
    );
  });

  it('keep to the reduced grammar in InlineFilters', () => {
    const filter = (lines: string) => d('- Condition: AlwaysTrue', `InlineFilters:\n${lines}`);
    expect(filter('  - { Key: a, Condition: Equals, Value: x }')).toBe(
      "rules/x.yml:9: InlineFilters[0].Key: InlineFilters name fields with KeyPath only (Panther's filter schema)",
    );
    expect(filter('  - { KeyPath: a, Condition: IEquals, Value: x }')).toBe(
      "rules/x.yml:9: InlineFilters[0].Condition: 'IEquals' is not allowed in InlineFilters (allowed: Equals, DoesNotEqual, StartsWith, EndsWith, Contains, DoesNotContain, IsGreaterThan, IsGreaterThanOrEquals, IsLessThan, IsLessThanOrEquals, IsIn, IsNotIn, IsNullOrEmpty, IsNotNullOrEmpty, IsIPAddressPrivate, IsIPAddressPublic, IsIPAddressInCIDR, IsIPAddressNotInCIDR)",
    );
    expect(filter('  - None:\n      - { KeyPath: a, Condition: Equals, Value: x }')).toBe(
      'rules/x.yml:9: InlineFilters[0].None: InlineFilters combine with All and Any only, not None',
    );
  });

  it('are nested at most 32 levels', () => {
    let expression = '- Condition: AlwaysTrue';
    for (let i = 0; i < 40; i++) expression = `- All:\n${expression.replace(/^/gm, '    ')}`;
    expect(d(expression)).toMatch(
      /^rules\/x\.yml:\d+: Detection\[0\](\.All\[0\])+: match expressions nested deeper than 32 levels$/,
    );
  });
});

describe('alert keys', () => {
  it('AlertTitle placeholders are KeyPaths, braces balanced', () => {
    expect(compileError(detection('- Condition: AlwaysTrue', 'AlertTitle: "by {actor"'))).toBe(
      "rules/x.yml:8: AlertTitle: '{' at character 4 is never closed (write '{{' for a literal brace)",
    );
    expect(compileError(detection('- Condition: AlwaysTrue', 'AlertTitle: "by {}"'))).toBe(
      'rules/x.yml:8: AlertTitle: placeholder {} at character 4 is not a KeyPath: empty path',
    );
  });

  it('AlertContext names are unique', () => {
    const context = 'AlertContext:\n  - { KeyName: a, KeyValue: { Key: x } }\n  - { KeyName: a, KeyValue: { Key: y } }';
    expect(compileError(detection('- Condition: AlwaysTrue', context))).toBe(
      "rules/x.yml:10: AlertContext[1].KeyName: 'a' is already a key of the alert context",
    );
  });

  it('DynamicSeverities change to a severity', () => {
    const severities = 'DynamicSeverities:\n  - ChangeTo: Urgent\n    Conditions: [{ Condition: AlwaysTrue }]';
    expect(compileError(detection('- Condition: AlwaysTrue', severities))).toBe(
      'rules/x.yml:9: DynamicSeverities[0].ChangeTo: expected one of INFO, LOW, MEDIUM, HIGH, CRITICAL (any case), got the string "Urgent"',
    );
  });

  it('GroupBy items are key specifiers', () => {
    expect(compileError(detection('- Condition: AlwaysTrue', 'GroupBy:\n  - Field: x'))).toBe(
      "rules/x.yml:9: GroupBy[0]: unknown key 'Field' in a key specifier (expected one of Key, DeepKey or KeyPath)",
    );
  });
});

describe('Tests', () => {
  it("are checked by the project's test-file reader, reported at their line", () => {
    const tests = 'Tests:\n  - Name: t\n    ExpectedResult: maybe\n    Log: {}';
    expect(compileError(detection('- Condition: AlwaysTrue', tests))).toBe(
      'rules/x.yml:10: Tests[0] ("t").ExpectedResult: expected true or false, got string',
    );
    const mocks = 'Tests:\n  - Name: t\n    ExpectedResult: true\n    Log: {}\n    Mocks: []';
    expect(compileError(detection('- Condition: AlwaysTrue', mocks))).toBe(
      'rules/x.yml:12: Tests[0].Mocks: mocks are not supported: rules here are pure functions of the event',
    );
  });
});

describe('YAML aliases', () => {
  it('name no anchor: an error at the alias', () => {
    expect(d('- *nowhere')).toBe('rules/x.yml:7: Detection[0]: alias *nowhere names no anchor');
  });

  it('as a key: refused, so that no key can appear twice behind an alias', () => {
    expect(
      compileError(file('Description: &text some text\n*text : other\nDetection:\n  - Condition: AlwaysTrue')),
    ).toBe('rules/x.yml:7: mapping keys must be strings');
  });

  it('report a problem in the value they name at the line of the alias, where it is used', () => {
    expect(compileError(file('Tags: &tags [a, b]\nDetection:\n  - Condition: AlwaysTrue\nReports: *tags'))).toMatch(
      /^rules\/x\.yml:9: Reports: expected a mapping/,
    );
  });

  it('in Tests, to an anchor in the Detection: the anchored value, as YAML reads it', () => {
    const text = file(
      'Detection: &d\n  - Condition: AlwaysTrue\nTests:\n  - Name: t\n    ExpectedResult: true\n    Log: { x: *d }',
    );
    expect(compilePantherDetection(text, 'rules/x.yml').tests.tests[0]?.log).toEqual({
      x: [{ Condition: 'AlwaysTrue' }],
    });
  });
});

describe('messages', () => {
  it('make values from the file printable', () => {
    const message = d('- { KeyPath: a, Condition: "Equals\\u001b[2J\\u202e", Value: x }');
    expect(message).toBe("rules/x.yml:7: Detection[0].Condition: unknown condition 'Equals\\u001b[2J\\u202e'");
    expect(compileError('AnalysisType: rule\n"odd\\nkey": 1\n')).toBe(
      "rules/x.yml:2: unknown top-level key 'odd\\nkey'",
    );
  });

  it('name the source printably too', () => {
    expect(compileError('- a', 'evil\u202e.yml')).toBe(
      'evil\\u202e.yml:1: expected a mapping of Panther rule keys, got a list',
    );
  });

  it('are PantherDetectionErrors', () => {
    expect(() => compilePantherDetection('- a', 'x.yml')).toThrow(PantherDetectionError);
  });
});
