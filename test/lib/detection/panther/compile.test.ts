// The rule a file compiles to: Panther's metadata keys mapped to the rule's fields, ignored keys
// reported, and the file's Tests read by the project's test-file reader.
import { describe, expect, it } from 'vitest';
import { compilePantherDetection } from '../../../../lib/detection/panther/index.ts';
import { detection, file } from './helpers.ts';

const FULL = `AnalysisType: rule
RuleID: Custom.Key.Created
DisplayName: Key created
Enabled: false
LogTypes: [OpenAI.Audit, AWS.CloudTrail]
Severity: critical
Description: A key was created.
Runbook: Check it.
Reference: https://example.com
DedupPeriodMinutes: 30
Threshold: 3
CreateAlert: false
Tags: [OpenAI, Keys]
Reports:
  MITRE ATT&CK: [TA0003:T1098]
  GCP_CIS_1.3: [1.8]
OutputIds: [slack]
SummaryAttributes: [actor]
Detection:
  - { Key: type, Condition: Equals, Value: api_key.created }
Tests:
  - Name: created
    ExpectedResult: true
    Log: { type: api_key.created }
`;

describe('compilePantherDetection', () => {
  it('maps the metadata keys to the rule', () => {
    const { rule } = compilePantherDetection(FULL, 'full.yml');
    expect({ ...rule, match: undefined }).toEqual({
      id: 'Custom.Key.Created',
      displayName: 'Key created',
      defaultSeverity: 'CRITICAL',
      description: 'A key was created.',
      runbook: 'Check it.',
      reference: 'https://example.com',
      dedupPeriodMinutes: 30,
      threshold: 3,
      createAlert: false,
      enabled: false,
      tags: ['OpenAI', 'Keys'],
      reports: { 'MITRE ATT&CK': ['TA0003:T1098'], 'GCP_CIS_1.3': ['1.8'] },
      eventTypes: ['api_key.created'],
      match: undefined,
    });
  });

  it('states only what differs from the defaults', () => {
    const { rule } = compilePantherDetection(
      detection('- Condition: AlwaysTrue', 'DedupPeriodMinutes: 60\nThreshold: 1\nCreateAlert: true'),
      'x.yml',
    );
    expect(Object.keys(rule).sort()).toEqual(['defaultSeverity', 'id', 'match']);
  });

  it('reports the keys it ignores, with why', () => {
    const { ignoredKeys } = compilePantherDetection(FULL, 'full.yml');
    expect(ignoredKeys.map(({ key, line }) => [key, line])).toEqual([
      ['OutputIds', 17],
      ['SummaryAttributes', 18],
    ]);
    expect(ignoredKeys[0]?.reason).toContain('SNS topic');
  });

  it("reads the Tests with the project's test-file reader", () => {
    const { tests } = compilePantherDetection(FULL, 'full.yml');
    expect(tests.ruleId).toBe('Custom.Key.Created');
    expect(tests.tests).toEqual([{ name: 'created', expectedResult: true, log: { type: 'api_key.created' } }]);
  });

  it('has no tests when the file has none', () => {
    const { tests } = compilePantherDetection(detection('- Condition: AlwaysTrue'), 'x.yml');
    expect(tests).toEqual({ ruleId: 'Test.Detection', tests: [] });
    expect(
      compilePantherDetection(file('Detection: [{ Condition: AlwaysTrue }]\nTests: []'), 'x.yml').tests.tests,
    ).toEqual([]);
  });
});
