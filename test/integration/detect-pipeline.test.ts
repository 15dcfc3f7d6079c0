// The detection function end to end over the emulators: real SDK clients, real queue, table, topic
// and subscriber; faults injected in the clients' middleware where the emulators cannot fail.
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { readDetectConfig } from '../../lib/config/detect-config.ts';
import { LEASE_MARGIN_SECONDS, REPLAY_HORIZON_SECONDS } from '../../lib/pipeline/dedup/constants.ts';
import { alertIdFor, windowKey } from '../../lib/pipeline/dedup/dedup-item.ts';
import { claimOne } from '../support/claim-one.ts';
import type { DedupStore, WindowClaimResult } from '../../lib/pipeline/dedup/dedup-store.ts';
import type { Severity } from '../../lib/detection/engine/severity.ts';
import { DynamoDedupStore } from '../../lib/pipeline/dedup/dynamodb-dedup-store.ts';
import type { AwsClientFactories } from '../../lib/pipeline/detect/aws-dependencies.ts';
import { createDetectionHandler } from '../../lib/pipeline/detect/create-handler.ts';
import { buildAlert, type AlertDocument } from '../../lib/pipeline/alerts/alert-document.ts';
import { createRuleCatalog } from '../../lib/detection/rules/create-rule-catalog.ts';
import {
  createPipelineResources,
  drain,
  pollOnce,
  receivedAlerts,
  sendBodies,
  type PipelineResources,
} from '../support/aws-resources.ts';
import { awsError, injectFaults } from '../reliability/harness/faults.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';
import { EVENT_TIME, benign, body, keyEvent } from './events.ts';

const T0 = 1_800_000_000;
const RULE = 'OpenAI.API.Key.Anomalous.Activity';
const HOUR = 3600;
/** The event-time window of the test events. */
const W = Math.floor(EVENT_TIME / HOUR) * HOUR;

interface Setup {
  now: number;
  readonly resources: PipelineResources;
  readonly recorder: ReturnType<typeof recordingTelemetry>;
  readonly handler: ReturnType<typeof createDetectionHandler>;
  readonly used: Set<string>;
}

type Fault = (command: string, input: Record<string, unknown>) => Error | undefined;

async function setUp(
  faults: { dynamodb?: Fault; sns?: Fault; sqs?: Fault } = {},
  env: Record<string, string> = {},
): Promise<Setup> {
  const resources = await createPipelineResources();
  const recorder = recordingTelemetry();
  const used = new Set<string>();
  const clients: AwsClientFactories = {
    dynamodb: () => {
      used.add('dynamodb');
      return Promise.resolve(
        injectFaults(new DynamoDBClient({ maxAttempts: 1 }), faults.dynamodb ?? (() => undefined)),
      );
    },
    sns: () => {
      used.add('sns');
      return Promise.resolve(injectFaults(new SNSClient({ maxAttempts: 1 }), faults.sns ?? (() => undefined)));
    },
    sqs: () => {
      used.add('sqs');
      return Promise.resolve(injectFaults(new SQSClient({ maxAttempts: 1 }), faults.sqs ?? (() => undefined)));
    },
  };
  const config = readDetectConfig({
    DEDUP_TABLE_NAME: resources.tableName,
    ALERT_TOPIC_ARN: resources.topicArn,
    DEAD_LETTER_QUEUE_URL: resources.dlqUrl,
    ...env,
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

/** The window item of a dedup key (the test events' window unless said). */
async function item(setup: Setup, key: string, windowStart = W) {
  const result = await new DynamoDBClient({}).send(
    new GetItemCommand({
      TableName: setup.resources.tableName,
      Key: { pk: { S: windowKey(key, windowStart) } },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

/**
 * Another invocation's claim, at T0, of the window of `key` that EVENT_TIME falls in (threshold 1):
 * it holds the window pending until `leaseUntil`, storing the alert of `event` when given.
 */
function holdWindow(
  tableName: string,
  key: string,
  options: {
    eventId: string;
    severity: Severity;
    leaseUntil: number;
    event?: Record<string, unknown>;
    store?: DedupStore;
  },
): Promise<WindowClaimResult> {
  const store = options.store ?? new DynamoDedupStore({ client: new DynamoDBClient({}), tableName, clock: () => T0 });
  const { event } = options;
  return claimOne(store, {
    dedupKey: key,
    ruleId: RULE,
    eventId: options.eventId,
    eventTime: EVENT_TIME,
    windowSeconds: HOUR,
    threshold: 1,
    severity: options.severity,
    leaseUntil: options.leaseUntil,
    render: (window) => {
      if (event === undefined) return '{}';
      const [match] = createRuleCatalog().evaluate('OpenAI.Audit', event).matches;
      if (!match) throw new Error('the test event must match');
      return JSON.stringify(buildAlert(match, window, 'OpenAI.Audit', T0));
    },
  });
}

describe('detection pipeline', () => {
  let setup: Setup;
  beforeEach(async () => {
    setup = await setUp();
  });

  it('takes an event from the queue to a dedup item and an alert at the subscriber, with attributes and email text', async () => {
    await sendBodies(setup.resources.queueUrl, [
      body(keyEvent('evt-1', 'user-mallory', { scopes: ['api.organization.projects.api_keys.write', 'admin'] })),
    ]);
    const { received, result } = await run(setup);
    expect(received).toBe(1);
    expect(result.batchItemFailures).toEqual([]);

    const dedupKey = `${RULE}:api_key.created:user:user-mallory`;
    const stored = await item(setup, dedupKey);
    expect(stored).toMatchObject({
      status: { S: 'sent' },
      eventCount: { N: '1' },
      firstEventId: { S: 'evt-1' },
      windowStart: { N: String(W) },
      windowEndsAt: { N: String(W + HOUR) },
    });

    const [alert, ...others] = await receivedAlerts(setup.resources.subscriberUrl);
    expect(others).toEqual([]);
    expect(alert?.attributes).toEqual({
      severity: 'HIGH',
      rule_id: RULE,
      log_type: 'OpenAI.Audit',
      alert_id: alertIdFor(dedupKey, W),
    });
    expect(alert?.subject).toBe(
      'HIGH: OpenAI API Key with Elevated Scopes: api_key.created by [user-mallory@example.com]',
    );
    expect(alert?.alert).toMatchObject({
      version: 1,
      alertId: alertIdFor(dedupKey, W),
      ruleId: RULE,
      ruleName: 'OpenAI Anomalous API Key Activity',
      severity: 'HIGH',
      title: 'OpenAI API Key with Elevated Scopes: api_key.created by [user-mallory@example.com]',
      dedupKey,
      createdAt: new Date(T0 * 1000).toISOString(),
      windowStart: new Date(W * 1000).toISOString(),
      windowEndsAt: new Date((W + HOUR) * 1000).toISOString(),
      escalatesAlertId: null,
      escalatedFromSeverity: null,
      reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
      mitre: ['TA0001:T1078', 'TA0003:T1098', 'TA0005:T1550', 'TA0011:T1071'],
      logType: 'OpenAI.Audit',
      eventCount: 1,
      eventId: 'evt-1',
      eventType: 'api_key.created',
      eventTime: new Date(1_720_000_000_000).toISOString(),
    });
    expect(alert?.alert.alertContext).toMatchObject({
      api_key_id: 'key_evt-1',
      source_ip: '198.51.100.7',
      elevated_scopes: ['api.organization.projects.api_keys.write', 'admin'],
    });
    expect(alert?.email).toContain('Severity:     HIGH');
    expect(alert?.email).toContain('Actor email:     user-mallory@example.com');
    expect(alert?.email).toContain('Scopes:          api.organization.projects.api_keys.write, admin');
    expect(alert?.email).toContain('Source IP:       198.51.100.7');
    expect(alert?.email).toContain(`Alert id:     ${alertIdFor(dedupKey, W)}`);
    expect(alert?.email).toContain('Runbook:\n1. Validate the identity');
    expect(setup.recorder.count('AlertsPublished')).toBe(1);
    expect(setup.recorder.logs.find((l) => l.message === 'alert published')).toEqual({
      level: 'INFO',
      message: 'alert published',
      fields: {
        messageId: expect.any(String) as string,
        ruleId: RULE,
        eventId: 'evt-1',
        alertId: alertIdFor(dedupKey, W),
        severity: 'HIGH',
        takeover: false,
      },
    });
  });

  it('sends one alert for the same actor and type twice in a window, counting both', async () => {
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('a', 'user-1')), body(keyEvent('b', 'user-1'))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toHaveLength(1);
    expect((await item(setup, `${RULE}:api_key.created:user:user-1`))?.eventCount).toEqual({ N: '2' });
    expect(setup.recorder.count('AlertsSuppressed')).toBe(1);
  });

  it('sends a new alert with a new alert id for an event of the next window', async () => {
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('w1', 'user-2'))]);
    await run(setup);
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('w2', 'user-2', { at: W + HOUR }))]);
    await run(setup);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.alert.eventId)).toEqual(['w1', 'w2']);
    expect(alerts.map((a) => a.alert.alertId)).toEqual([
      alertIdFor(`${RULE}:api_key.created:user:user-2`, W),
      alertIdFor(`${RULE}:api_key.created:user:user-2`, W + HOUR),
    ]);
  });

  it('places a backfill by event time: events hours apart processed together alert per window; events of one window processed hours apart alert once', async () => {
    const key = `${RULE}:api_key.created:user:user-backfill`;
    await sendBodies(setup.resources.queueUrl, [
      body([
        keyEvent('bf-1', 'user-backfill', { at: W + 10 }),
        keyEvent('bf-2', 'user-backfill', { at: W + 3 * HOUR }),
        keyEvent('bf-3', 'user-backfill', { at: W + 5 * HOUR }),
      ]),
    ]);
    await run(setup);
    setup.now = T0 + 6 * HOUR; // a late event of the first window, processed six hours later
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('bf-4', 'user-backfill', { at: W + HOUR - 1 }))]);
    await run(setup);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => [a.alert.eventId, a.alert.alertId, a.alert.windowStart]).sort()).toEqual([
      ['bf-1', alertIdFor(key, W), new Date(W * 1000).toISOString()],
      ['bf-2', alertIdFor(key, W + 3 * HOUR), new Date((W + 3 * HOUR) * 1000).toISOString()],
      ['bf-3', alertIdFor(key, W + 5 * HOUR), new Date((W + 5 * HOUR) * 1000).toISOString()],
    ]);
    expect((await item(setup, key))?.eventCount).toEqual({ N: '2' });
    expect(setup.recorder.count('AlertsSuppressed')).toBe(1);
  });

  it('publishes a more severe match at once as an escalation of its window, once per severity level, and logs suppressions at INFO', async () => {
    const key = `${RULE}:api_key.created:user:user-esc`;
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('m-1', 'user-esc', { scopes: ['models:write'] }))]);
    await run(setup);
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('h-1', 'user-esc', { scopes: ['all'] }))]);
    await run(setup);
    await sendBodies(setup.resources.queueUrl, [
      body([
        keyEvent('h-2', 'user-esc', { scopes: ['admin'] }),
        keyEvent('m-2', 'user-esc', { scopes: ['models:write'] }),
      ]),
    ]);
    await run(setup);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(
      alerts.map((a) => [
        a.alert.severity,
        a.alert.eventId,
        a.alert.alertId,
        a.alert.escalatesAlertId,
        a.alert.escalatedFromSeverity,
      ]),
    ).toEqual([
      ['MEDIUM', 'm-1', alertIdFor(key, W), null, null],
      ['HIGH', 'h-1', alertIdFor(key, W, 'HIGH'), alertIdFor(key, W), 'MEDIUM'],
    ]);
    expect(alerts[1]?.alert.dedupKey).toBe(key);
    expect(alerts[1]?.alert.eventCount).toBe(2);
    expect(alerts[1]?.attributes).toMatchObject({ severity: 'HIGH', alert_id: alertIdFor(key, W, 'HIGH') });
    expect(alerts[1]?.subject).toBe(
      'HIGH (escalated from MEDIUM): OpenAI API Key with Elevated Scopes: api_key.created by [user-esc@...',
    );
    expect(alerts[1]?.email).toContain(`Escalation:   from MEDIUM; the window's first alert is ${alertIdFor(key, W)}`);
    expect(setup.recorder.count('AlertsEscalated')).toBe(1);
    expect(setup.recorder.count('DuplicatesIgnored')).toBe(0); // an escalation accounts for its event: no second claim
    expect(setup.recorder.count('AlertsSuppressed')).toBe(2);
    const suppressed = setup.recorder.logs.filter((l) => l.message.startsWith('match suppressed'));
    expect(suppressed.map((l) => [l.level, l.fields.eventId, l.fields.alertId])).toEqual([
      ['INFO', 'h-2', alertIdFor(key, W, 'HIGH')],
      ['INFO', 'm-2', alertIdFor(key, W, 'HIGH')],
    ]);
    expect(setup.recorder.logs.find((l) => l.message === 'escalation published')).toMatchObject({
      level: 'INFO',
      fields: { escalatedFrom: 'MEDIUM', firstAlertId: alertIdFor(key, W), takeover: false, severity: 'HIGH' },
    });
  });

  it('never alerts again for an event redriven after its window, within the replay horizon', async () => {
    const message = body(keyEvent('redrive-1', 'user-redrive'));
    await sendBodies(setup.resources.queueUrl, [message]);
    await run(setup);
    setup.now = T0 + REPLAY_HORIZON_SECONDS - HOUR; // two weeks later, from the DLQ
    await sendBodies(setup.resources.queueUrl, [message]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toHaveLength(1);
    // The window remembers the event that made its alert: the redriven copy is recognised, though
    // counted again (past the alert, the count may include redeliveries).
    expect(setup.recorder.count('DuplicatesIgnored')).toBe(1);
    expect(setup.recorder.count('MatchesAlerted')).toBe(1);
    const duplicateLog = setup.recorder.logs.find((l) => l.message.startsWith('event already counted'));
    expect(duplicateLog?.level).toBe('INFO');
    // Past the alert, the log names the event, not a count below a threshold.
    expect(Object.keys(duplicateLog?.fields ?? {}).sort()).toEqual(['eventId', 'messageId', 'ruleId']);
    expect((await item(setup, `${RULE}:api_key.created:user:user-redrive`))?.eventCount).toEqual({ N: '2' });
  });

  it("holds the lease until the invocation's deadline plus a margin", async () => {
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('lease-1', 'user-lease'))]);
    const records = await drain(setup.resources.queueUrl);
    const leases: string[] = [];
    const dynamodb = new DynamoDBClient({});
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const update = args.input as { ExpressionAttributeValues?: { ':lease'?: { N?: string } } };
        const lease = update.ExpressionAttributeValues?.[':lease']?.N;
        if (context.commandName === 'UpdateItemCommand' && lease !== undefined) leases.push(lease);
        return next(args);
      },
      { step: 'initialize', name: 'recordLeases' },
    );
    const handler = createDetectionHandler({
      config: readDetectConfig({
        DEDUP_TABLE_NAME: setup.resources.tableName,
        ALERT_TOPIC_ARN: setup.resources.topicArn,
        DEAD_LETTER_QUEUE_URL: setup.resources.dlqUrl,
      }),
      telemetry: setup.recorder.telemetry,
      clock: () => setup.now,
      clients: {
        dynamodb: () => Promise.resolve(dynamodb),
        sns: () => Promise.resolve(new SNSClient({})),
        sqs: () => Promise.resolve(new SQSClient({})),
      },
    });
    const result = await handler(
      records.map((m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '' })),
      { remainingMillis: () => 41_200 },
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(leases).toEqual([String(T0 + 42 + LEASE_MARGIN_SECONDS)]);
  });

  it('without an invocation deadline, holds each lease from its own claim, however long the batch has run', async () => {
    // Two actors, one dedup key each; the first publish takes 100 s of the test's clock. Leases
    // counted from the batch's start would let another consumer take the second window over
    // while this one is still publishing it (a duplicate alert in a slow local run).
    await sendBodies(setup.resources.queueUrl, [
      body([keyEvent('slow-1', 'user-slow-a'), keyEvent('slow-2', 'user-slow-b')]),
    ]);
    const records = await drain(setup.resources.queueUrl);
    const leases: Array<{ lease: number; now: number }> = [];
    const dynamodb = new DynamoDBClient({});
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const update = args.input as { ExpressionAttributeValues?: { ':lease'?: { N?: string } } };
        const lease = update.ExpressionAttributeValues?.[':lease']?.N;
        if (context.commandName === 'UpdateItemCommand' && lease !== undefined)
          leases.push({ lease: Number(lease), now: setup.now });
        return next(args);
      },
      { step: 'initialize', name: 'recordLeases' },
    );
    const sns = new SNSClient({});
    sns.middlewareStack.add(
      (next) => async (args) => {
        const output = await next(args);
        setup.now += 100;
        return output;
      },
      { step: 'initialize', name: 'slowPublish' },
    );
    const handler = createDetectionHandler({
      config: readDetectConfig({
        DEDUP_TABLE_NAME: setup.resources.tableName,
        ALERT_TOPIC_ARN: setup.resources.topicArn,
        DEAD_LETTER_QUEUE_URL: setup.resources.dlqUrl,
        EVENT_CONCURRENCY: '1',
        DEDUP_LEASE_SECONDS: '30',
      }),
      telemetry: setup.recorder.telemetry,
      clock: () => setup.now,
      clients: {
        dynamodb: () => Promise.resolve(dynamodb),
        sns: () => Promise.resolve(sns),
        sqs: () => Promise.resolve(new SQSClient({})),
      },
    });
    const result = await handler(records.map((m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '' })));
    expect(result.batchItemFailures).toEqual([]);
    expect(leases).toEqual([
      { lease: T0 + 30, now: T0 },
      { lease: T0 + 100 + 30, now: T0 + 100 },
    ]);
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
    // Twice in one batch counts once; delivered again after the alert, it is recognised, and counted again.
    expect(setup.recorder.count('DuplicatesIgnored')).toBe(2);
    expect((await item(setup, `${RULE}:api_key.created:user:user-3`))?.eventCount).toEqual({ N: '2' });
  });

  it('costs no DynamoDB or SNS client when nothing matches and no baseline learns', async () => {
    const unplaced = keyEvent('n2', 'u', { scopes: ['api.model.read'] });
    // Without ip_address_details the event has no country or ASN for the first-seen baseline.
    const actor = unplaced.actor as { session: Record<string, unknown> };
    delete actor.session.ip_address_details;
    await sendBodies(setup.resources.queueUrl, [body([benign('n1'), unplaced])]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect([...setup.used]).toEqual([]);
    expect(setup.recorder.count('EventsReceived')).toBe(2);
    expect(setup.recorder.count('EventsMatched')).toBe(0);
  });

  it('archives every event it receives in the S3 bucket (the real S3 client), and detects as without it', async () => {
    const s3 = new S3Client({});
    const bucket = `archive-${randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const setup = await setUp({}, { ARCHIVE_BUCKET: bucket });
    await sendBodies(setup.resources.queueUrl, [body([keyEvent('ar1', 'u'), benign('ar2')])]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect(setup.recorder.count('AlertsPublished')).toBe(1);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '');
    expect(keys).toEqual([expect.stringMatching(/^events\/org=none\/dt=2024-07-03\/[0-9a-f]{32}\.jsonl\.gz$/)]);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }));
    expect(object.ContentType).toBe('application/x-ndjson');
    const text = gunzipSync(await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()))).toString(
      'utf8',
    );
    const archived = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: { id: string }; received_at: string });
    expect(archived.map((line) => line.event.id)).toEqual(['ar1', 'ar2']);
    expect(setup.recorder.count('EventsArchived')).toBe(2);
  });

  it('reads and writes the baseline of an event with a source, even when no rule matches it', async () => {
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('n3', 'u', { scopes: ['api.model.read'] }))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect([...setup.used]).toEqual(['dynamodb']);
    expect(setup.recorder.count('EventsMatched')).toBe(0);
    // One sighting per baseline rule of the catalog that observes it.
    expect(setup.recorder.count('BaselineSightings')).toBe(
      createRuleCatalog().evaluate('OpenAI.Audit', keyEvent('n3', 'u', { scopes: ['api.model.read'] })).observations
        .length,
    );
  });

  it('accepts OpenAI list pages, Panther-shaped events, SNS and EventBridge envelopes', async () => {
    const sns = { Type: 'Notification', MessageId: 'm', Message: body(keyEvent('e-sns', 'user-sns')) };
    const eventBridge = {
      version: '0',
      'detail-type': 'OpenAI Audit Event',
      source: 'custom.openai',
      detail: keyEvent('e-eb', 'user-eb'),
    };
    const page = { object: 'list', data: [keyEvent('e-page', 'user-page'), benign('x')], has_more: false };
    await sendBodies(setup.resources.queueUrl, [
      body(sns),
      body(eventBridge),
      body(page),
      body(keyEvent('e-panther', 'user-p', { shape: 'panther' })),
    ]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.alert.eventId).sort()).toEqual(['e-eb', 'e-page', 'e-panther', 'e-sns']);
  });
});

describe('detection pipeline under faults', () => {
  it('fails only the record whose publish failed, and sends exactly one alert on the retry', async () => {
    let failures = 1;
    const setup = await setUp({
      sns: (command) =>
        command === 'PublishCommand' && failures-- > 0 ? awsError('InternalErrorException', 500) : undefined,
    });
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
    expect(alerts[0]?.alert.alertId).toBe(alertIdFor(key, W));
    expect((await item(setup, key))?.status).toEqual({ S: 'sent' });
  });

  it('masks an API key an event puts in a member name of the alert context, in the stored and the published alert', async () => {
    let failures = 1;
    const setup = await setUp({
      sns: (command) =>
        command === 'PublishCommand' && failures-- > 0 ? awsError('InternalErrorException', 500) : undefined,
    });
    const secret = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789';
    // The allowlist rule copies the event's configs into the alert context: their member names too.
    await sendBodies(setup.resources.queueUrl, [
      body({
        id: 'ip-1',
        type: 'ip_allowlist.config.activated',
        effective_at: EVENT_TIME,
        actor: { type: 'session', session: { user: { id: 'user-ip', email: 'ip@example.com' } } },
        'ip_allowlist.config.activated': { configs: [{ id: 'cfg-1', [secret]: 'pasted' }] },
      }),
    ]);
    expect((await run(setup)).result.batchItemFailures).toHaveLength(1);
    const key = 'OpenAI.IP.Allowlist.Changes:ip_allowlist.config.activated:user:user-ip';
    const stored = await item(setup, key);
    expect(stored?.status).toEqual({ S: 'pending' });
    const storedAlert = gunzipSync(stored?.alert?.B ?? new Uint8Array()).toString();
    expect(storedAlert).not.toContain(secret.slice(0, 12));
    expect((JSON.parse(storedAlert) as AlertDocument).alertContext.activated_configs).toEqual([
      { id: 'cfg-1', 'sk-proj-…6789': 'pasted' },
    ]);

    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const [alert] = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alert?.alert.alertContext).toMatchObject({
      activated_configs: [{ id: 'cfg-1', 'sk-proj-…6789': 'pasted' }],
    });
    expect(JSON.stringify(alert)).not.toContain(secret.slice(0, 12));
  });

  it('sends the alert once the lease expires after a crash between the window write and the publish', async () => {
    const setup = await setUp();
    const key = `${RULE}:api_key.created:user:user-crash`;
    // The crashed invocation: it opened the window and died before publishing.
    const crashed = await holdWindow(setup.resources.tableName, key, {
      eventId: 'c1',
      severity: 'HIGH',
      leaseUntil: T0 + 60,
      event: keyEvent('c1', 'user-crash'),
    });
    expect(crashed.kind).toBe('publish');
    // Its record comes back after the visibility timeout, which outlasts the lease: it takes over.
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('c1', 'user-crash'))]);
    setup.now = T0 + 60;
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    // Published as the window stored it: every copy of an alert id carries the same content.
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => [a.alert.alertId, a.alert.createdAt])).toEqual([
      [alertIdFor(key, W), new Date(T0 * 1000).toISOString()],
    ]);
  });

  it("publishes an alert left pending by a long outage before (or together with) the next window's", async () => {
    let snsDown = true;
    const setup = await setUp(
      {
        sns: (command) => (command === 'PublishCommand' && snsDown ? awsError('KMSDisabledException', 400) : undefined),
      },
      { MAX_RECEIVE_COUNT: '2' },
    );
    const key = `${RULE}:api_key.created:user:user-outage`;
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('out-1', 'user-outage'))]);
    expect((await run(setup)).result.batchItemFailures).toHaveLength(1);
    const last = await run(setup); // the last receive: the event goes to the DLQ with its reason
    expect(last.result.batchItemFailures).toEqual([]);
    const letters = await drain(setup.resources.dlqUrl);
    expect(letters.map((m) => m.MessageAttributes?.failure_kind?.StringValue)).toEqual(['retries-exhausted']);
    expect(letters[0]?.MessageAttributes?.failure_reason?.StringValue).toContain('KMSDisabledException');
    expect(JSON.parse(letters[0]?.Body ?? '[]')).toEqual([keyEvent('out-1', 'user-outage')]);
    expect(await item(setup, key)).toMatchObject({ status: { S: 'pending' }, leaseUntil: { N: '0' } });

    snsDown = false;
    setup.now = T0 + 3 * HOUR;
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('out-2', 'user-outage', { at: W + 3 * HOUR }))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => [a.alert.eventId, a.alert.alertId])).toEqual([
      ['out-1', alertIdFor(key, W)],
      ['out-2', alertIdFor(key, W + 3 * HOUR)],
    ]);
    expect((await item(setup, key))?.status).toEqual({ S: 'sent' });
    expect(setup.recorder.count('PendingWindowsRecovered')).toBe(1);
    expect(
      setup.recorder.logs.find(
        (l) => l.message === 'publishing a pending window of the same dedup key whose publisher is gone',
      ),
    ).toMatchObject({
      level: 'WARN',
      fields: { eventId: 'out-2', alertId: alertIdFor(key, W), windowStart: W },
    });
    expect(
      setup.recorder.logs.find((l) => l.message.startsWith('match still failing on the last receive')),
    ).toMatchObject({ level: 'ERROR', fields: { eventId: 'out-1' } });
    expect(
      setup.recorder.logs
        .filter((l) => l.message === 'alert published')
        .map((l) => [l.fields.alertId, l.fields.takeover]),
    ).toEqual([
      [alertIdFor(key, W), true],
      [alertIdFor(key, W + 3 * HOUR), false],
    ]);
  });

  it('sends a permanent failure to the DLQ at once, with its kind and reason and only the event that failed', async () => {
    const setup = await setUp({
      dynamodb: (command, input) =>
        command === 'UpdateItemCommand' && JSON.stringify(input).includes('user-too-big')
          ? awsError('ValidationException')
          : undefined,
    });
    await sendBodies(setup.resources.queueUrl, [
      body([keyEvent('big-1', 'user-too-big'), keyEvent('fine-1', 'user-fine')]),
    ]);
    const { result } = await run(setup);
    expect(result.batchItemFailures).toEqual([]);
    expect((await receivedAlerts(setup.resources.subscriberUrl)).map((a) => a.alert.eventId)).toEqual(['fine-1']);
    const letters = await drain(setup.resources.dlqUrl);
    expect(letters.map((m) => m.MessageAttributes?.failure_kind?.StringValue)).toEqual(['permanent-error']);
    expect(letters[0]?.MessageAttributes?.failure_reason?.StringValue).toBe(
      `1 event(s) not delivered: rule ${RULE}, event big-1: ValidationException: injected ValidationException`,
    );
    expect(JSON.parse(letters[0]?.Body ?? '[]')).toEqual([keyEvent('big-1', 'user-too-big')]);
    expect(setup.recorder.logs.find((l) => l.message.startsWith('match not deliverable'))?.level).toBe('ERROR');
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
    expect((await receivedAlerts(setup.resources.subscriberUrl)).map((a) => a.alert.eventId).sort()).toEqual([
      'ok-1',
      'ok-2',
    ]);
    const letters = await drain(setup.resources.dlqUrl);
    const byKind = new Map(letters.map((m) => [m.MessageAttributes?.failure_kind?.StringValue, m]));
    expect(byKind.get('malformed-body')?.Body).toBe('{"id": "broken", ');
    expect(byKind.get('malformed-body')?.MessageAttributes?.failure_reason?.StringValue).toMatch(/^body is not JSON: /);
    expect(byKind.get('not-audit-events')?.MessageAttributes?.failure_reason?.StringValue).toBe(
      '1 item(s) are not audit events: [1]: missing required field "type"',
    );
    expect(byKind.get('not-audit-events')?.Body).toBe('[{"id":"no-type"}]'); // only what failed: the good event is not redriven with it
    expect(letters).toHaveLength(2);
    expect(setup.recorder.count('MalformedEvents')).toBe(2);
    expect(setup.recorder.count('DeadLettered')).toBe(2);
    const logged = (message: string) => setup.recorder.logs.find((l) => l.message === message);
    expect(logged('malformed message sent to the dead-letter queue')).toMatchObject({
      level: 'WARN',
      fields: { reason: expect.stringMatching(/^body is not JSON: /) as string },
    });
    expect(logged('items that are not audit events sent to the dead-letter queue')).toMatchObject({
      level: 'WARN',
      fields: { reason: '1 item(s) are not audit events: [1]: missing required field "type"' },
    });
    expect(
      setup.recorder.logs
        .filter((l) => l.message === 'dead letter sent')
        .map((l) => [l.level, l.fields.kind])
        .sort(),
    ).toEqual([
      ['INFO', 'malformed-body'],
      ['INFO', 'not-audit-events'],
    ]);
  });

  it('counts a body of one event no rule wants without parsing it, and still dead-letters one broken after its type', async () => {
    const setup = await setUp();
    const broken = '{"id": "late", "type": "project.updated", "actor": }';
    await sendBodies(setup.resources.queueUrl, [
      body({ id: 'quiet', type: 'project.updated', effective_at: 1 }),
      broken,
    ]);
    const { result } = await run(setup);
    expect(result.batchItemFailures).toEqual([]);
    expect(setup.recorder.count('EventsReceived')).toBe(1);
    const letters = await drain(setup.resources.dlqUrl);
    expect(
      letters.map((m) => [
        m.MessageAttributes?.failure_kind?.StringValue,
        m.Body,
        m.MessageAttributes?.failure_reason?.StringValue,
      ]),
    ).toEqual([['malformed-body', broken, 'body is not JSON: syntax error at line 1, column 52']]);
  });

  it('retries only the record that hit a DynamoDB throttle', async () => {
    const setup = await setUp({
      dynamodb: (_command, input) =>
        JSON.stringify(input).includes('user:user-throttled')
          ? awsError('ProvisionedThroughputExceededException')
          : undefined,
    });
    await sendBodies(setup.resources.queueUrl, [
      body(keyEvent('t1', 'user-fine')),
      body(keyEvent('t2', 'user-throttled')),
      body(keyEvent('t3', 'user-also-fine')),
    ]);
    const { result } = await run(setup);
    expect(result.batchItemFailures).toHaveLength(1);
    const remaining = await drain(setup.resources.queueUrl);
    expect(remaining.map((m) => (JSON.parse(m.Body ?? '{}') as { id: string }).id)).toEqual(['t2']);
    expect(remaining[0]?.MessageId).toBe(result.batchItemFailures[0]?.itemIdentifier);
    expect((await receivedAlerts(setup.resources.subscriberUrl)).map((a) => a.alert.eventId).sort()).toEqual([
      't1',
      't3',
    ]);
    expect(setup.recorder.count('RecordsFailed')).toBe(1);
  });

  it('falls back to a fixed subject when SNS rejects the subject', async () => {
    const setup = await setUp({
      sns: (command, input) =>
        command === 'PublishCommand' && input.Subject !== 'OpenAI audit alert'
          ? awsError('InvalidParameterException')
          : undefined,
    });
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('s1', 'user-subject'))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => a.subject)).toEqual(['OpenAI audit alert']);
  });

  it('lists at most five problems in a reason, then how many more', async () => {
    const setup = await setUp();
    const five = await setUp();
    await sendBodies(five.resources.queueUrl, [
      body([keyEvent('good-5', 'user-five-bad'), ...Array.from({ length: 5 }, (_, i) => ({ id: `b5-${i}` }))]),
    ]);
    await run(five);
    const [exactlyFive] = await drain(five.resources.dlqUrl);
    expect(exactlyFive?.MessageAttributes?.failure_reason?.StringValue).toBe(
      `5 item(s) are not audit events: ${Array.from({ length: 5 }, (_, i) => `[${i + 1}]: missing required field "type"`).join('; ')}`,
    );
    const bad = Array.from({ length: 7 }, (_, i) => ({ id: `bad-${i}` }));
    await sendBodies(setup.resources.queueUrl, [body([keyEvent('good', 'user-many-bad'), ...bad])]);
    await run(setup);
    const [letter] = await drain(setup.resources.dlqUrl);
    const reasons = Array.from({ length: 5 }, (_, i) => `[${i + 1}]: missing required field "type"`).join('; ');
    expect(letter?.MessageAttributes?.failure_reason?.StringValue).toBe(
      `7 item(s) are not audit events: ${reasons}; and 2 more`,
    );
    expect(JSON.parse(letter?.Body ?? '[]')).toEqual(bad);
  });

  it('sends the letters of a record that is retried only on the attempt that is not, once', async () => {
    let throttled = true;
    const setup = await setUp({ dynamodb: () => (throttled ? awsError('ThrottlingException') : undefined) });
    await sendBodies(setup.resources.queueUrl, [body([keyEvent('mixed-1', 'user-mixed'), { id: 'no-type' }])]);
    expect((await run(setup)).result.batchItemFailures).toHaveLength(1);
    expect(await drain(setup.resources.dlqUrl)).toEqual([]);
    throttled = false;
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const letters = await drain(setup.resources.dlqUrl);
    expect(letters.map((m) => [m.MessageAttributes?.failure_kind?.StringValue, m.Body])).toEqual([
      ['not-audit-events', '[{"id":"no-type"}]'],
    ]);
  });

  it('retries a record whose dead letter could not be sent', async () => {
    const setup = await setUp({
      sqs: (command) => (command === 'SendMessageCommand' ? awsError('InternalError', 500) : undefined),
    });
    await sendBodies(setup.resources.queueUrl, ['not json']);
    const { result } = await run(setup);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(
      setup.recorder.logs.find(
        (l) => l.message === 'could not send to the dead-letter queue; the record will be retried',
      ),
    ).toMatchObject({
      level: 'WARN',
      fields: {
        messageId: result.batchItemFailures[0]?.itemIdentifier,
        error: 'InternalError: injected InternalError',
      },
    });
    expect(setup.recorder.count('DeadLettered')).toBe(0);
    expect(setup.recorder.count('RecordsFailed')).toBe(1);
  });

  it('keeps every permanently failed event of a record in one letter, five reasons shown', async () => {
    const setup = await setUp({
      dynamodb: (command) => (command === 'UpdateItemCommand' ? awsError('ValidationException') : undefined),
    });
    const few = Array.from({ length: 5 }, (_, i) => keyEvent(`perm5-${i}`, `user-perm5-${i}`));
    await sendBodies(setup.resources.queueUrl, [body(few)]);
    await run(setup);
    const [fiveLetter] = await drain(setup.resources.dlqUrl);
    expect(fiveLetter?.MessageAttributes?.failure_reason?.StringValue).toBe(
      `5 event(s) not delivered: ${few.map((e) => `rule ${RULE}, event ${String(e.id)}: ValidationException: injected ValidationException`).join('; ')}`,
    );
    const events = Array.from({ length: 7 }, (_, i) => keyEvent(`perm-${i}`, `user-perm-${i}`));
    await sendBodies(setup.resources.queueUrl, [body(events)]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const [letter, ...others] = await drain(setup.resources.dlqUrl);
    expect(others).toEqual([]);
    const reasons = Array.from(
      { length: 5 },
      (_, i) => `rule ${RULE}, event perm-${i}: ValidationException: injected ValidationException`,
    ).join('; ');
    expect(letter?.MessageAttributes?.failure_reason?.StringValue).toBe(
      `7 event(s) not delivered: ${reasons}; and 2 more`,
    );
    expect(JSON.parse(letter?.Body ?? '[]')).toEqual(events);
    expect(setup.recorder.logs.filter((l) => l.level === 'ERROR').map((l) => l.fields.eventId)).toEqual(
      [...few, ...events].map((e) => e.id),
    );
    expect(setup.recorder.logs.find((l) => l.level === 'ERROR' && l.fields.eventId === 'perm-0')?.fields).toEqual({
      messageId: letter?.MessageAttributes?.source_message_id?.StringValue,
      ruleId: RULE,
      eventId: 'perm-0',
      error: 'ValidationException: injected ValidationException',
    });
  });

  it('says which window is busy, at INFO, and retries the record, when a match more severe than the alert being published must wait for it', async () => {
    const setup = await setUp();
    const key = `${RULE}:api_key.created:user:user-busy`;
    const held = await holdWindow(setup.resources.tableName, key, {
      eventId: 'held',
      severity: 'LOW',
      leaseUntil: T0 + 90,
    });
    expect(held.kind).toBe('publish');
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('b1', 'user-busy'))]);
    setup.now = T0 + 30;
    const { result } = await run(setup);
    expect(setup.recorder.logs.find((l) => l.message === 'match not delivered; the record will be retried')).toEqual({
      level: 'INFO',
      message: 'match not delivered; the record will be retried',
      fields: {
        messageId: result.batchItemFailures[0]?.itemIdentifier,
        ruleId: RULE,
        eventId: 'b1',
        error: `WindowBusyError: alert ${alertIdFor(key, W)} is being published by another invocation; retry in 60s`,
      },
    });
  });

  it('counts and suppresses at once a match no more severe than the alert another invocation is publishing', async () => {
    const setup = await setUp();
    const key = `${RULE}:api_key.created:user:user-held`;
    const held = await holdWindow(setup.resources.tableName, key, {
      eventId: 'held',
      severity: 'CRITICAL',
      leaseUntil: T0 + 90,
    });
    expect(held.kind).toBe('publish');
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('h1', 'user-held'))]);
    setup.now = T0 + 30;
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toEqual([]); // the holder publishes
    expect(setup.recorder.count('AlertsSuppressed')).toBe(1);
    expect((await item(setup, key))?.eventCount).toEqual({ N: '2' });
    expect((await item(setup, key))?.status).toEqual({ S: 'pending' });
  });

  it('tries three times to mark a published window sent, then logs it and does not retry the record', async () => {
    let attempts = 0;
    const setup = await setUp({
      dynamodb: (command, input) => {
        if (command !== 'UpdateItemCommand' || !String(input.UpdateExpression).startsWith('SET #status = :sent'))
          return undefined;
        attempts++;
        return awsError('InternalServerError', 500);
      },
    });
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('ms-1', 'user-mark'))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect(attempts).toBe(3);
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toHaveLength(1);
    expect(setup.recorder.logs.find((l) => l.message === 'alert published but not marked sent')).toMatchObject({
      level: 'ERROR',
      fields: {
        eventId: 'ms-1',
        alertId: alertIdFor(`${RULE}:api_key.created:user:user-mark`, W),
        error: 'InternalServerError: injected InternalServerError',
      },
    });
  });

  it('warns when a published window was taken over before it could be marked sent (the condition fails)', async () => {
    const setup = await setUp({
      dynamodb: (command, input) =>
        command === 'UpdateItemCommand' && String(input.UpdateExpression).startsWith('SET #status = :sent')
          ? awsError('ConditionalCheckFailedException')
          : undefined,
    });
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('to-1', 'user-taken'))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect(
      setup.recorder.logs.find(
        (l) => l.message === 'alert published, but its window was taken over before it was marked sent',
      ),
    ).toMatchObject({
      level: 'WARN',
      fields: { eventId: 'to-1', alertId: alertIdFor(`${RULE}:api_key.created:user:user-taken`, W) },
    });
  });

  it('warns when a window cannot be released after a failed publish, and retries the record', async () => {
    const setup = await setUp({
      sns: (command) => (command === 'PublishCommand' ? awsError('InternalErrorException', 500) : undefined),
      dynamodb: (command, input) =>
        command === 'UpdateItemCommand' && String(input.UpdateExpression) === 'SET #leaseUntil = :zero'
          ? awsError('InternalServerError', 500)
          : undefined,
    });
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('rel-1', 'user-release'))]);
    expect((await run(setup)).result.batchItemFailures).toHaveLength(1);
    expect(
      setup.recorder.logs.find(
        (l) => l.message === 'could not release dedup window; the retry will take over after the lease',
      ),
    ).toMatchObject({
      level: 'WARN',
      fields: {
        eventId: 'rel-1',
        alertId: alertIdFor(`${RULE}:api_key.created:user:user-release`, W),
        error: 'InternalServerError: injected InternalServerError',
      },
    });
    expect(
      setup.recorder.logs.find((l) => l.message === 'match not delivered; the record will be retried')?.level,
    ).toBe('WARN');
  });

  it("publishes a dead publisher's stored alert, then escalates the more severe match that found it", async () => {
    const setup = await setUp();
    const key = `${RULE}:api_key.created:user:user-again`;
    const medium = keyEvent('again-1', 'user-again', { scopes: ['models:write'] });
    const crashed = await holdWindow(setup.resources.tableName, key, {
      eventId: 'again-1',
      severity: 'MEDIUM',
      leaseUntil: T0 + 60,
      event: medium,
    });
    expect(crashed.kind).toBe('publish');
    setup.now = T0 + 61;
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('again-2', 'user-again', { scopes: ['all'] }))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    const alerts = await receivedAlerts(setup.resources.subscriberUrl);
    expect(alerts.map((a) => [a.alert.eventId, a.alert.severity, a.alert.alertId])).toEqual([
      ['again-1', 'MEDIUM', alertIdFor(key, W)],
      ['again-2', 'HIGH', alertIdFor(key, W, 'HIGH')],
    ]);
    expect(setup.recorder.logs.find((l) => l.message === 'alert published')?.fields).toMatchObject({
      takeover: true,
      severity: 'MEDIUM',
    });
  });

  it('releases its own window when an earlier pending one of the key cannot be published first', async () => {
    const key = `${RULE}:api_key.created:user:user-first-fails`;
    const setup = await setUp({
      sns: (command, input) =>
        command === 'PublishCommand' && JSON.stringify(input).includes(alertIdFor(key, W))
          ? awsError('InternalErrorException', 500)
          : undefined,
    });
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('ff-1', 'user-first-fails'))]);
    expect((await run(setup)).result.batchItemFailures).toHaveLength(1); // W pending, released
    await drain(setup.resources.queueUrl);
    setup.now = T0 + 3 * HOUR;
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('ff-2', 'user-first-fails', { at: W + 3 * HOUR }))]);
    expect((await run(setup)).result.batchItemFailures).toHaveLength(1);
    expect(await receivedAlerts(setup.resources.subscriberUrl)).toEqual([]);
    expect(await item(setup, key, W + 3 * HOUR)).toMatchObject({ status: { S: 'pending' }, leaseUntil: { N: '0' } });
  });

  it('leaves an earlier pending window whose publisher is still at work to it, and publishes its own', async () => {
    const setup = await setUp();
    const key = `${RULE}:api_key.created:user:user-still-working`;
    const store = new DynamoDedupStore({
      client: new DynamoDBClient({}),
      tableName: setup.resources.tableName,
      clock: () => T0,
    });
    const working = await holdWindow(setup.resources.tableName, key, {
      eventId: 'sw-1',
      severity: 'HIGH',
      leaseUntil: T0 + 600,
      store,
    });
    if (working.kind !== 'publish') throw new Error('expected to hold the window');
    await store.trackPending(working.lease);
    await sendBodies(setup.resources.queueUrl, [body(keyEvent('sw-2', 'user-still-working', { at: W + 3 * HOUR }))]);
    expect((await run(setup)).result.batchItemFailures).toEqual([]);
    expect((await receivedAlerts(setup.resources.subscriberUrl)).map((a) => a.alert.eventId)).toEqual(['sw-2']);
    expect(setup.recorder.count('PendingWindowsRecovered')).toBe(0);
    expect((await item(setup, key))?.leaseOwner).toEqual({ S: working.lease.owner });
  });
});
