import { describe, expect, it } from 'vitest';
import { readDetectConfig } from '../../../lib/config/detect-config.ts';
import { ConfigError } from '../../../lib/shared/config-error.ts';
import { DEFAULT_SCOPE_POLICY } from '../../../lib/detection/rules/openai/default-scope-policy.ts';

const base = {
  DEDUP_TABLE_NAME: 'dedup',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
};

describe('readDetectConfig', () => {
  it('reads the required values and applies defaults', () => {
    expect(readDetectConfig(base)).toEqual({
      tableName: 'dedup',
      topicArn: base.ALERT_TOPIC_ARN,
      deadLetterQueueUrl: base.DEAD_LETTER_QUEUE_URL,
      scopePolicy: DEFAULT_SCOPE_POLICY,
      logLevel: 'INFO',
      rules: {},
      orgDomains: [],
      ownRules: [],
      concurrency: 8,
      leaseSeconds: 60,
      maxReceiveCount: undefined,
      functionTimeoutSeconds: undefined,
      visibilityTimeoutSeconds: undefined,
    });
  });

  it('reads the deployed timeouts and redrive count, and accepts them in the order the protocol needs', () => {
    expect(
      readDetectConfig({
        ...base,
        FUNCTION_TIMEOUT_SECONDS: '30',
        QUEUE_VISIBILITY_TIMEOUT_SECONDS: '185',
        MAX_RECEIVE_COUNT: '5',
        DEDUP_LEASE_SECONDS: '35',
      }),
    ).toMatchObject({
      functionTimeoutSeconds: 30,
      visibilityTimeoutSeconds: 185,
      maxReceiveCount: 5,
      leaseSeconds: 35,
    });
    expect(
      readDetectConfig({
        ...base,
        FUNCTION_TIMEOUT_SECONDS: '54',
        QUEUE_VISIBILITY_TIMEOUT_SECONDS: '60',
        DEDUP_LEASE_SECONDS: '59',
      }).functionTimeoutSeconds,
    ).toBe(54);
  });

  it.each([
    [
      { FUNCTION_TIMEOUT_SECONDS: '55', QUEUE_VISIBILITY_TIMEOUT_SECONDS: '60' },
      'FUNCTION_TIMEOUT_SECONDS (55) plus the lease margin (5) must be below QUEUE_VISIBILITY_TIMEOUT_SECONDS (60)',
    ],
    [
      { FUNCTION_TIMEOUT_SECONDS: '300', QUEUE_VISIBILITY_TIMEOUT_SECONDS: '185' },
      'FUNCTION_TIMEOUT_SECONDS (300) plus the lease margin (5) must be below QUEUE_VISIBILITY_TIMEOUT_SECONDS (185)',
    ],
    [
      { DEDUP_LEASE_SECONDS: '60', QUEUE_VISIBILITY_TIMEOUT_SECONDS: '60' },
      'DEDUP_LEASE_SECONDS (60) must be below QUEUE_VISIBILITY_TIMEOUT_SECONDS (60)',
    ],
  ])('fails the cold start when the timeouts are out of order: %j', (overrides, message) => {
    expect(() => readDetectConfig({ ...base, ...overrides })).toThrow(new ConfigError(message));
  });

  it('reads the optional values', () => {
    const config = readDetectConfig({
      ...base,
      LOG_LEVEL: 'debug',
      EVENT_CONCURRENCY: '4',
      DEDUP_LEASE_SECONDS: '120',
      ELEVATED_SCOPE_POLICY: '{"elevatedScopes":[{"exact":"x","severity":"LOW"}]}',
      RULES_CONFIG: '{"rules":{"OpenAI.SCIM.Configuration.Change":{"enabled":false}},"orgDomains":["Example.com"]}',
      ARCHIVE_BUCKET: 'audit-archive-1a2b',
    });
    expect(config).toMatchObject({
      archiveBucket: 'audit-archive-1a2b',
      orgDomains: ['example.com'],
      logLevel: 'DEBUG',
      concurrency: 4,
      leaseSeconds: 120,
      scopePolicy: { elevatedScopes: [{ exact: 'x', severity: 'LOW' }] },
      rules: { 'OpenAI.SCIM.Configuration.Change': { enabled: false } },
    });
  });

  it.each([
    [{ DEDUP_TABLE_NAME: undefined }, 'DEDUP_TABLE_NAME is not set'],
    [{ ALERT_TOPIC_ARN: ' ' }, 'ALERT_TOPIC_ARN is not set'],
    [{ ALERT_TOPIC_ARN: 'alerts' }, 'ALERT_TOPIC_ARN is not an SNS topic ARN: "alerts"'],
    [{ DEAD_LETTER_QUEUE_URL: undefined }, 'DEAD_LETTER_QUEUE_URL is not set'],
    [{ DEAD_LETTER_QUEUE_URL: 'dlq' }, 'DEAD_LETTER_QUEUE_URL is not a queue URL: "dlq"'],
    [{ ARCHIVE_BUCKET: 's3://archive' }, 'ARCHIVE_BUCKET is not an S3 bucket name: "s3://archive"'],
    [{ ARCHIVE_BUCKET: 'audit..archive' }, 'ARCHIVE_BUCKET is not an S3 bucket name: "audit..archive"'],
    [{ LOG_LEVEL: 'LOUD' }, 'LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got "LOUD"'],
    [{ EVENT_CONCURRENCY: '0' }, 'EVENT_CONCURRENCY must be an integer from 1 to 64, got "0"'],
    [{ DEDUP_LEASE_SECONDS: '1.5' }, 'DEDUP_LEASE_SECONDS must be an integer from 5 to 900, got "1.5"'],
    [{ MAX_RECEIVE_COUNT: '0' }, 'MAX_RECEIVE_COUNT must be an integer from 1 to 1000, got "0"'],
    [{ FUNCTION_TIMEOUT_SECONDS: 'x' }, 'FUNCTION_TIMEOUT_SECONDS must be an integer from 1 to 900, got "x"'],
    [
      { ELEVATED_SCOPE_POLICY: '[]' },
      'invalid elevated-scope policy: ELEVATED_SCOPE_POLICY: expected a JSON object, got array',
    ],
    [
      { ELEVATED_SCOPE_POLICY: '{}', ELEVATED_SCOPE_POLICY_FILE: '/p.json' },
      'invalid elevated-scope policy: ELEVATED_SCOPE_POLICY and ELEVATED_SCOPE_POLICY_FILE are both set; set one',
    ],
    [{ RULES_CONFIG: '{"rules":{"X":{}}}' }, 'invalid rules configuration: RULES_CONFIG: rules["X"]: unknown rule id'],
    [
      { RULES_CONFIG: '{"rules":{"OpenAI.Login.Failed":{"enabled":false}}}' },
      'invalid rules configuration: RULES_CONFIG: rules["OpenAI.Login.Failed"].enabled: OpenAI.Login.Failed is a step of OpenAI.BruteForce.Login.Success.Group, which stays enabled',
    ],
  ])('rejects %j naming the variable', (overrides, message) => {
    const env = { ...base, ...overrides };
    expect(() => readDetectConfig(env)).toThrow(ConfigError);
    expect(() => readDetectConfig(env)).toThrow(message);
  });
});
