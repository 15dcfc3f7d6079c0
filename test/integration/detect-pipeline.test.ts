// The detection function end to end over the emulators: real SDK clients, real queue, table, topic
// and subscriber; faults injected in the clients' middleware where the emulators cannot fail.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { readDetectConfig } from '../../lib/config/detect-config.ts';
import { alertIdFor } from '../../lib/pipeline/dedup/dedup-item.ts';
import { DynamoDedupStore } from '../../lib/pipeline/dedup/dynamodb-dedup-store.ts';
import type { AwsClientFactories } from '../../lib/pipeline/detect/aws-dependencies.ts';
import { createDetectionHandler } from '../../lib/pipeline/detect/create-handler.ts';
import { createPipelineResources, drain, pollOnce, receivedAlerts, sendBodies, type PipelineResources } from '../support/aws-resources.ts';
import { awsError, injectFaults } from '../../lib/tooling/reliability/faults.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';
import { benign, body, keyEvent } from './events.ts';

const T0 = 1_800_000_000;
const RULE = 'OpenAI.API.Key.Anomalous.Activity';

interface Setup {
  now: number;
  readonly resources: PipelineResources;
  readonly recorder: ReturnType<typeof recordingTelemetry>;
  readonly handler: ReturnType<typeof createDetectionHandler>;
  readonly used: Set<string>;
}

async function setUp(
  faults: { dynamodb?: (command: string, input: Record<string, unknown>) => Error | undefined; sns?: (command: string, input: Record<string, unknown>) => Error | undefined } = {},
): Promise<Setup> {
  const resources = await createPipelineResources();
  const recorder = recordingTelemetry();
  const used = new Set<string>();
  const clients: AwsClientFactories = {
    dynamodb: () => {
      used.add('dynamodb');
      return Promise.resolve(injectFaults(new DynamoDBClient({ maxAttempts: 1 }), faults.dynamodb ?? (() => undefined)));
    },
    sns: () => {
      used.add('sns');
      return Promise.resolve(injectFaults(new SNSClient({ maxAttempts: 1 }), faults.sns ?? (() => undefined)));
    },
    sqs: () => {
      used.add('sqs');
      return Promise.resolve(new SQSClient({}));
    },
  };
  const config = readDetectConfig({
    DEDUP_TABLE_NAME: resources.tableName,
    ALERT_TOPIC_ARN: resources.topicArn,
    DEAD_LETTER_QUEUE_URL: resources.dlqUrl,
  });
  const setup: Setup = {
    now: T0,
    resources,
    recorder,
    used,
    handler: createDetectionHandler({ config, telemetry: recorder.telemetry, clock: () => setup.now, clients }),
  };
  return setup;
}

const run = (setup: Setup) => pollOnce(setup.resources.queueUrl, setup.handler);

async function item(setup: Setup, key: string) {
  const result = await new DynamoDBClient({}).send(
    new GetItemCommand({ TableName: setup.resources.tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
  );
  return result.Item;
}

describe('detection pipeline', () => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await setUp();
  });

  it('takes an event from the queue to a dedup item and an alert at the subscriber, with attributes and email text', async () => {
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('evt-1', 'user-mallory', { scopes: ['api.organization.projects.api_keys.write', 'admin'] }))]);
    const { received, result } = await run(setup);
    expect(received).toBe(1);
    expect(result.batchItemFailures).toEqual([]);

    const dedupKey = `${RULE}:api_key.created:user:user-mallory`;
    const stored = await item(setup, dedupKey);
    expect(stored).toMatchObject({ status: { S: 'sent' }, eventCount: { N: '1' }, firstEventId: { S: 'evt-1' }, windowEndsAt: { N: String(T0 + 3600) } });

    const [alert, ...others] = await receivedAlerts(setup.resources.subscriberUrl);
    expect(others).toEqual([]);
    expect(alert?.attributes).toEqual({ severity: 'HIGH', rule_id: RULE, log_type: 'OpenAI.Audit', alert_id: alertIdFor(dedupKey, T0) });
    expect(alert?.subject).toBe('HIGH: OpenAI API Key with Elevated Scopes: api_key.created by [user-mallory@example.com]');
    expect(alert?.alert).toMatchObject({
      version: 1,
      alertId: alertIdFor(dedupKey, T0),
      ruleId: RULE,
      ruleName: 'OpenAI Anomalous API Key Activity',
      severity: 'HIGH',
      title: 'OpenAI API Key with Elevated Scopes: api_key.created by [user-mallory@example.com]',
      dedupKey,
      createdAt: new Date(T0 * 1000).toISOString(),
      windowEndsAt: new Date((T0 + 3600) * 1000).toISOString(),
      reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
      mitre: ['TA0001:T1078', 'TA0003:T1098', 'TA0005:T1550', 'TA0011:T1071'],
      logType: 'OpenAI.Audit',
      eventCount: 1,
      eventId: 'evt-1',
      eventType: 'api_key.created',
      eventTime: new Date(1_720_000_000_000).toISOString(),
    });
    expect(alert?.alert.alertContext).toMatchObject({ api_key_id: 'key_evt-1', source_ip: '198.51.100.7', elevated_scopes: ['api.organization.projects.api_keys.write', 'admin'] });
    expect(alert?.email).toContain('Severity:     HIGH');
    expect(alert?.email).toContain('Actor email:     user-mallory@example.com');
    expect(alert?.email).toContain('Scopes:          api.organization.projects.api_keys.write, admin');
    expect(alert?.email).toContain('Source IP:       198.51.100.7');
    expect(alert?.email).toContain(`Alert id:     ${alertIdFor(dedupKey, T0)}`);
    expect(alert?.email).toContain('Runbook:\n1. Validate the identity');
    expect(setup.recorder.count('AlertsPublished')).toBe(1);
    expect(setup.recorder.logs.find((l) => l.message === 'alert published')?.fields).toMatchObject({ ruleId: RULE, eventId: 'evt-1', alertId: alertIdFor(dedupKey, T0) });
  });

  it('sends one alert for the same actor and type twice in a window, counting both', async () => {
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('a', 'user-1')), body(keyEvent('b', 'user-1'))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toHaveLength(1);
    expect((await item(setup, `${RULE}:api_key.created:user:user-1`))?.eventCount).toEqual({ N: '2' });
    expect(setup.recorder.count('AlertsSuppressed')).toBe(1);
  });

  it('sends a new alert with a new alert id after the window', async () => {
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('w1', 'user-2'))]);
    await run(setup);
    setup.now = T0 + 3600;
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('w2', 'user-2'))]);
    await run(setup);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.alert.eventId)).toEqual(['w1', 'w2']);
    expect(new Set(alerts.map((a) => a.alert.alertId)).size).toBe(2);
  });

  it('sends separate alerts for different actors and for different event types', async () => {
    await sendBodies(setup.resources.queueUrl, [
      body([keyEvent('d1', 'user-a'), keyEvent('d2', 'user-b'), keyEvent('d3', 'user-a', { type: 'api_key.updated' })]),
    ]);
    await run(setup);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.alert.eventId).sort()).toEqual(['d1', 'd2', 'd3']);
  });

  it('sends one alert when the same message is delivered twice', async () => {
    const message = body(keyEvent('dup', 'user-3'));
    await sendBodies(setup.resources.queueUrl, [message, message]);
    await run(setup);
    await sendBodies(setup.resources.queueUrl, [message]);
    await run(setup);
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toHaveLength(1);
    expect((await item(setup, `${RULE}:api_key.created:user:user-3`))?.eventCount).toEqual({ N: '1' });
  });

  it('costs no DynamoDB or SNS client when nothing matches', async () => {
    await sendBodies(setup.resources.queueUrl, [body([benign('n1'), keyEvent('n2', 'u', { scopes: ['api.model.read'] })])]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect([...setup.used]).toEqual([]);
    expect(setup.recorder.count('EventsReceived')).toBe(2);
  });

  it('accepts OpenAI list pages, Panther-shaped events, SNS and EventBridge envelopes', async () => {
    const sns = { Type: 'Notification', MessageId: 'm', Message: body(keyEvent('e-sns', 'user-sns')) };
    const eventBridge = { version: '0', 'detail-type': 'OpenAI Audit Event', source: 'custom.openai', detail: keyEvent('e-eb', 'user-eb') };
    const page = { object: 'list', data: [keyEvent('e-page', 'user-page'), benign('x')], has_more: false };
    await sendBodies(setup.resources.queueUrl, [body(sns), body(eventBridge), body(page), body(keyEvent('e-panther', 'user-p', { shape: 'panther' }))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.alert.eventId).sort()).toEqual(['e-eb', 'e-page', 'e-panther', 'e-sns']);
  });
});

describe('detection pipeline under faults', () => {
  it('fails only the record whose publish failed, and sends exactly one alert on the retry', async () => {
    let failures = 1;
    const setup = await setUp({ sns: (command) => (command === 'PublishCommand' && failures-- > 0 ? awsError('InternalErrorException', 500) : undefined) });
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('p1', 'user-pub'))]);
    const first = await run(setup);
    expect(first.result.batchItemFailures).toHaveLength(1);
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toEqual([]);
    const key = `${RULE}:api_key.created:user:user-pub`;
    expect(await item(setup, key)).toMatchObject({ status: { S: 'pending' }, leaseUntil: { N: '0' } });

    const second = await run(setup);
    expect(second.received).toBe(1);
    expect(second.result.batchItemFailures).toEqual([]);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.alert.alertId).toBe(alertIdFor(key, T0));
    expect((await item(setup, key))?.status).toEqual({ S: 'sent' });
  });

  it('sends the alert once the lease expires after a crash between the window write and the publish', async () => {
    const setup = await setUp();
    const key = `${RULE}:api_key.created:user:user-crash`;
    // The crashed invocation: it opened the window and died before publishing.
    const crashed = await new DynamoDedupStore({ client: new DynamoDBClient({}), tableName: setup.resources.tableName, clock: () => T0 }).claim({
      dedupKey: key, ruleId: RULE, eventId: 'c1', windowSeconds: 3600, threshold: 1,
    });
    expect(crashed.kind).toBe('publish');
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('c1', 'user-crash'))]);
    setup.now = T0 + 30;
    expect((await run(setup)).result.batchItemFailures).toHaveLength(1); // lease still live: retry later
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toEqual([]);
    setup.now = T0 + 60;
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.alert.alertId)).toEqual([alertIdFor(key, T0)]);
  });

  it('overwrites an expired item that TTL has not deleted yet', async () => {
    const setup = await setUp();
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('x1', 'user-exp'))]);
    setup.now = T0 - 7200; // an alert two hours ago: its window ended an hour ago
    await run(setup);
    setup.now = T0;
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('x2', 'user-exp'))]);
    await run(setup);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.alert.eventId)).toEqual(['x1', 'x2']);
  });

  it('keeps a malformed record in the DLQ with its reason, and alerts on the others', async () => {
    const setup = await setUp();
    await sendBodies(setup.resources.queueUrl, [
      body(keyEvent('ok-1', 'user-m1')),
      '{"id": "broken", ',
      body([keyEvent('ok-2', 'user-m2'), { id: 'no-type' }]),
    ]);
    const { received, result } = await run(setup);
    expect(received).toBe(3);
    expect(result.batchItemFailures).toEqual([]);
    expect((await receivedAlerts(setup.resources.subscriberUrl)).map((a) => a.alert.eventId).sort()).toEqual(['ok-1', 'ok-2']);
    const letters = await drain(setup.resources.dlqUrl);
    const byKind = new Map(letters.map((m) => [m.MessageAttributes?.failure_kind?.StringValue, m]));
    expect(byKind.get('malformed-body')?.Body).toBe('{"id": "broken", ');
    expect(byKind.get('malformed-body')?.MessageAttributes?.failure_reason?.StringValue).toMatch(/^body is not JSON: /);
    expect(byKind.get('not-audit-events')?.MessageAttributes?.failure_reason?.StringValue).toBe('1 item(s) are not audit events: [1]: missing required field "type"');
    expect(letters).toHaveLength(2);
    expect(setup.recorder.count('MalformedEvents')).toBe(2);
    expect(setup.recorder.count('DeadLettered')).toBe(2);
  });

  it('retries only the record that hit a DynamoDB throttle', async () => {
    const setup = await setUp({
      dynamodb: (_command, input) =>
        JSON.stringify(input).includes('user:user-throttled') ? awsError('ProvisionedThroughputExceededException') : undefined,
    });
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('t1', 'user-fine')), body(keyEvent('t2', 'user-throttled')), body(keyEvent('t3', 'user-also-fine'))]);
    const { result } = await run(setup);
    expect(result.batchItemFailures).toHaveLength(1);
    const remaining = await drain(setup.resources.queueUrl);
    expect(remaining.map((m) => (JSON.parse(m.Body ?? '{}') as { id: string }).id)).toEqual(['t2']);
    expect(remaining[0]?.MessageId).toBe(result.batchItemFailures[0]?.itemIdentifier);
    expect((await receivedAlerts(setup.resources.subscriberUrl)).map((a) => a.alert.eventId).sort()).toEqual(['t1', 't3']);
    expect(setup.recorder.count('RecordsFailed')).toBe(1);
  });

  it('falls back to a fixed subject when SNS rejects the subject', async () => {
    const setup = await setUp({
      sns: (command, input) =>
        command === 'PublishCommand' && input.Subject !== 'OpenAI audit alert' ? awsError('InvalidParameterException') : undefined,
    });
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('s1', 'user-subject'))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.subject)).toEqual(['OpenAI audit alert']);
  });
});
