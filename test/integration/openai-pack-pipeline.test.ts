// The OpenAI pack's stateful rules through the real detection handler over the emulators: distinct
// counts in the dedup windows, signals, the brute-force correlation with its state in DynamoDB
// (across batches, out of order, redelivered), and suppressions from the rules configuration.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { readDetectConfig } from '../../lib/config/detect-config.ts';
import { CREDENTIAL_STUFFING_RULE_ID } from '../../lib/detection/rules/openai/credential-stuffing.ts';
import { BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID } from '../../lib/detection/rules/openai/brute-force-login-success.ts';
import { correlationItemKey } from '../../lib/pipeline/correlate/dynamodb-correlation-store.ts';
import { createDetectionHandler } from '../../lib/pipeline/detect/create-handler.ts';
import { createPipelineResources, pollOnce, receivedAlerts, sendBodies } from '../support/aws-resources.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';

const T0 = 1_800_000_000;
const AT = 1_720_000_000;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

const login = (id: string, type: 'login.failed' | 'login.succeeded', email: string, ip: string, at: number) => ({
  id,
  type,
  effective_at: at,
  actor: { type: 'session', session: { user: { id: `user-${email.split('@')[0] ?? ''}`, email }, ip_address: ip } },
  ...(type === 'login.failed' ? { 'login.failed': { error_code: 'invalid_credentials' } } : {}),
});

async function setUp(env: Record<string, string> = {}) {
  const resources = await createPipelineResources();
  const recorder = recordingTelemetry();
  const config = readDetectConfig({
    DEDUP_TABLE_NAME: resources.tableName,
    ALERT_TOPIC_ARN: resources.topicArn,
    DEAD_LETTER_QUEUE_URL: resources.dlqUrl,
    ...env,
  });
  const handler = createDetectionHandler({
    config,
    telemetry: recorder.telemetry,
    clock: () => T0,
    clients: {
      dynamodb: () => Promise.resolve(new DynamoDBClient({})),
      sns: () => Promise.resolve(new SNSClient({})),
      sqs: () => Promise.resolve(new SQSClient({})),
    },
  });
  const deliver = async (events: unknown[]) => {
    await sendBodies(
      resources.queueUrl,
      events.map((event) => JSON.stringify(event)),
    );
    for (let i = 0; i < events.length; i++) {
      const { received, result } = await pollOnce(resources.queueUrl, handler);
      expect(result.batchItemFailures).toEqual([]);
      if (received === 0) break;
    }
  };
  return { resources, recorder, deliver };
}

describe('the OpenAI pack in the pipeline', () => {
  it('alerts credential stuffing on the fifth distinct source IP, once, however often events repeat', async () => {
    const { resources, recorder, deliver } = await setUp();
    const failures = ['1', '1', '2', '3', '3', '4'].map((ip, i) =>
      login(`cs-${i}`, 'login.failed', 'v@example.com', `192.0.2.${ip}`, AT + i),
    );
    await deliver([...failures, failures[0], failures[2]]);
    expect((await receivedAlerts(resources.subscriberUrl)).map((a) => a.alert.ruleId)).toEqual([]);
    await deliver([
      login('cs-6', 'login.failed', 'v@example.com', '192.0.2.5', AT + 6),
      login('cs-7', 'login.failed', 'v@example.com', '192.0.2.6', AT + 7),
    ]);
    const alerts = await receivedAlerts(resources.subscriberUrl);
    // The threshold counts distinct source IPs exactly; the event count counts every match, the two
    // repeated ones included.
    expect(alerts.map((a) => [a.alert.ruleId, a.alert.eventId, a.alert.eventCount])).toEqual([
      [CREDENTIAL_STUFFING_RULE_ID, 'cs-6', 9],
    ]);
    expect(recorder.count('SignalsRecorded')).toBe(10);
  });

  it('fires the brute-force correlation once, with failures and success split across batches and out of order', async () => {
    const { resources, recorder, deliver } = await setUp();
    const failures = [1, 2, 3, 4, 5].map((i) =>
      login(`bf-f${i}`, 'login.failed', 'w@example.com', '198.51.100.9', AT + i * 10),
    );
    const success = login('bf-ok', 'login.succeeded', 'w@example.com', '203.0.113.7', AT + 100);
    await deliver([success, ...failures.slice(0, 2)]);
    expect(await receivedAlerts(resources.subscriberUrl)).toEqual([]);
    await deliver([...failures.slice(2), success, failures[0]]);
    const alerts = await receivedAlerts(resources.subscriberUrl);
    expect(alerts.map((a) => [a.alert.ruleId, a.alert.eventId, a.alert.severity])).toEqual([
      [BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID, 'bf-ok', 'HIGH'],
    ]);
    expect(alerts[0]?.alert.alertContext).toMatchObject({
      account: 'w@example.com',
      failed_login_count: 5,
      success_source_ip: '203.0.113.7',
      // Each step at its event's own time (the handler's clock is two years later).
      first_failure_at: iso(AT + 10),
      last_failure_at: iso(AT + 50),
      success_at: iso(AT + 100),
    });
    expect(recorder.count('CorrelationsCompleted')).toBeGreaterThanOrEqual(1);
    const { Item } = await new DynamoDBClient({}).send(
      new GetItemCommand({
        TableName: resources.tableName,
        Key: { pk: { S: correlationItemKey(BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID, 'w@example.com') } },
        ConsistentRead: true,
      }),
    );
    // Stored compactly: per step, [time, event id, source IP] records.
    const steps = JSON.parse(Item?.steps?.S ?? '[]') as Array<Array<[number, string, string?]>>;
    expect(steps.map((records) => records.length)).toEqual([5, 1]);
  });

  it('suppresses matches from a configured source range, counts them, and keeps them out of correlations', async () => {
    const rules = { rules: { 'OpenAI.Login.Failed': { suppress: { sourceCidrs: ['10.0.0.0/8'] } } } };
    const { resources, recorder, deliver } = await setUp({ RULES_CONFIG: JSON.stringify(rules) });
    const failures = [1, 2, 3, 4, 5].map((i) =>
      login(`sp-f${i}`, 'login.failed', 'x@example.com', `10.0.0.${i}`, AT + i),
    );
    await deliver([...failures, login('sp-ok', 'login.succeeded', 'x@example.com', '10.0.0.9', AT + 50)]);
    const alerts = await receivedAlerts(resources.subscriberUrl);
    // Credential stuffing still sees the failures (it is not suppressed); the correlation does not.
    expect(alerts.map((a) => a.alert.ruleId)).toEqual([CREDENTIAL_STUFFING_RULE_ID]);
    expect(recorder.count('MatchesSuppressed')).toBe(5);
    expect(
      recorder.logs.find(
        (l) => l.message === 'match suppressed by the rules configuration' && l.fields.eventId === 'sp-f1',
      ),
    ).toEqual({
      level: 'INFO',
      message: 'match suppressed by the rules configuration',
      fields: {
        messageId: expect.any(String) as string,
        ruleId: 'OpenAI.Login.Failed',
        eventId: 'sp-f1',
        reason: 'source 10.0.0.1 is in suppressed range 10.0.0.0/8',
      },
    });
  });

  it('records a correlation step at processing time when its event has no time or one it cannot trust (over 5 minutes ahead)', async () => {
    const { resources, deliver } = await setUp();
    const timeless: Record<string, unknown> = login('ft-f0', 'login.failed', 'y@example.com', '192.0.2.50', 0);
    delete timeless.effective_at;
    // A year ahead: trusted, it would move the state's horizon past every real failure and prune them.
    const future = login('ft-f1', 'login.failed', 'y@example.com', '192.0.2.51', T0 + 365 * 86_400);
    const failures = [2, 3, 4].map((i) =>
      login(`ft-f${i}`, 'login.failed', 'y@example.com', `192.0.2.5${i}`, T0 - 60 + i),
    );
    await deliver([
      timeless,
      future,
      ...failures,
      login('ft-ok', 'login.succeeded', 'y@example.com', '203.0.113.8', T0),
    ]);
    const alerts = await receivedAlerts(resources.subscriberUrl);
    expect(alerts.map((a) => [a.alert.ruleId, a.alert.eventId])).toEqual([
      [BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID, 'ft-ok'],
    ]);
    expect(alerts[0]?.alert.alertContext).toMatchObject({
      failed_login_count: 5,
      first_failure_at: iso(T0 - 58),
      last_failure_at: iso(T0),
    });
    const { Item } = await new DynamoDBClient({}).send(
      new GetItemCommand({
        TableName: resources.tableName,
        Key: { pk: { S: correlationItemKey(BRUTE_FORCE_LOGIN_SUCCESS_RULE_ID, 'y@example.com') } },
        ConsistentRead: true,
      }),
    );
    // Stored as ages before `at`, the newest record's time.
    const at = Number(Item?.at?.N);
    const steps = JSON.parse(Item?.steps?.S ?? '[]') as Array<Array<[number, string, string?]>>;
    expect(steps[0]?.map(([age, eventId]) => [eventId, at - age])).toEqual([
      ['ft-f2', T0 - 58],
      ['ft-f3', T0 - 57],
      ['ft-f4', T0 - 56],
      ['ft-f0', T0],
      ['ft-f1', T0],
    ]);
  });
});
