// The deployed delivery function as Lambda loads it: configuration from the environment at cold
// start, secrets through the real SSM client (a local SSM endpoint), alerts published by the real
// SNS publisher through the stack's filter policies into the delivery queues (SQS emulator), the
// local receivers on 127.0.0.1, Powertools logs and EMF metrics on stdout.
import { randomBytes, randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeliveryRecord } from '../../lib/delivery/deliver-batch.ts';
import { SnsAlertPublisher } from '../../lib/pipeline/publish/sns-alert-publisher.ts';
import { pollDeliveryQueue, receiveDeliveryRecords } from '../../lib/tooling/local/delivery-source.ts';
import { provisionDelivery, provisionPipeline, type LocalDelivery } from '../../lib/tooling/local/provision.ts';
import {
  startPagerDutyReceiver,
  startSlackReceiver,
  startWebhookReceiver,
  type LocalReceiver,
} from '../../lib/tooling/local/receivers.ts';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';
import { alertsOf } from '../support/alerts.ts';
import { dynamodb, drain, sns, sqs } from '../support/aws-resources.ts';
import { captureOutput } from '../support/capture-output.ts';
import { startFakeSsm } from '../support/fake-ssm.ts';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcd0';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const context = {
  functionName: 'deliver',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;
const saved = { ...process.env };
let delivery: LocalDelivery;
let topicArn: string;
let receivers: Record<'pagerduty' | 'slack' | 'webhook', LocalReceiver>;
let ssm: Awaited<ReturnType<typeof startFakeSsm>>;

function sqsEvent(records: readonly DeliveryRecord[]): SQSEvent {
  return {
    Records: records.map((r) => ({
      messageId: r.messageId,
      receiptHandle: r.receiptHandle,
      body: r.body,
      attributes: { ApproximateReceiveCount: String(r.receiveCount) } as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: r.eventSourceArn,
      awsRegion: 'us-east-1',
    })),
  };
}

async function loadHandler(env: Record<string, string | undefined>) {
  vi.resetModules();
  process.env = { ...saved, ...env };
  return (await import('../../functions/deliver.ts')).handler;
}

function deliveryEnv(): Record<string, string> {
  return {
    DEAD_LETTER_QUEUE_URL: delivery.dlqUrl,
    LOG_LEVEL: 'INFO',
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    PAGERDUTY_QUEUE_URL: delivery.queues.pagerduty.url,
    PAGERDUTY_ROUTING_KEY_PARAMETER: '/oaa/pagerduty-routing-key',
    PAGERDUTY_EVENTS_URL: receivers.pagerduty.url,
    SLACK_QUEUE_URL: delivery.queues.slack.url,
    SLACK_WEBHOOK_URL_PARAMETER: '/oaa/slack-webhook-url',
    ALERT_WEBHOOK_QUEUE_URL: delivery.queues.webhook.url,
    ALERT_WEBHOOK_URL: receivers.webhook.url,
    ALERT_WEBHOOK_SECRET_PARAMETER: '/oaa/webhook-secret',
  };
}

beforeAll(async () => {
  const [pagerduty, slack, webhook] = await Promise.all([
    startPagerDutyReceiver(),
    startSlackReceiver(),
    startWebhookReceiver(SECRET),
  ]);
  receivers = { pagerduty, slack, webhook };
  ssm = await startFakeSsm({
    '/oaa/pagerduty-routing-key': ROUTING_KEY,
    '/oaa/slack-webhook-url': slack.url,
    '/oaa/webhook-secret': SECRET,
  });
  const prefix = `deliver-${randomUUID().slice(0, 8)}`;
  const pipeline = await provisionPipeline(
    { dynamodb: dynamodb(), sqs: sqs(), sns: sns() },
    pipelineSettings(),
    prefix,
  );
  topicArn = pipeline.topicArn;
  delivery = await provisionDelivery({ sqs: sqs(), sns: sns() }, pipelineSettings(), prefix, topicArn);
});
afterAll(async () => {
  await Promise.all([...Object.values(receivers).map((r) => r.stop()), ssm.stop()]);
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

describe('functions/deliver.ts', () => {
  it('fails at cold start naming the missing variable', async () => {
    await expect(loadHandler({ ...deliveryEnv(), SLACK_WEBHOOK_URL_PARAMETER: undefined })).rejects.toThrow(
      'SLACK_WEBHOOK_URL_PARAMETER is not set',
    );
    await expect(
      loadHandler({ ...deliveryEnv(), ALERT_WEBHOOK_URL: 'http://siem.example.com/hook?token=abc' }),
    ).rejects.toThrow(/^ALERT_WEBHOOK_URL must be an https:\/\/ URL$/);
  });

  it('delivers what the routing filter policies let through, reading secrets from SSM, logging ids and no secret', async () => {
    const handler = await loadHandler(deliveryEnv());
    const alerts = alertsOf(4, ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
    const publisher = new SnsAlertPublisher(sns(), topicArn);
    for (const alert of alerts) await publisher.publish(alert);

    const lines = captureOutput();
    const responses: unknown[] = [];
    for (const queue of Object.values(delivery.queues)) {
      // As Lambda's event source does: receive, invoke, delete what did not fail.
      await pollDeliveryQueue(sqs(), queue, async (records) => {
        const response = await handler(sqsEvent(records), context);
        responses.push(response);
        return response;
      });
    }
    vi.restoreAllMocks();

    expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }, { batchItemFailures: [] }]);
    // PagerDuty from HIGH, Slack from MEDIUM, the webhook everything (the default routes).
    const ids = (
      receiver: LocalReceiver,
      key: (body: Record<string, unknown>, headers: Record<string, string>) => unknown,
    ) =>
      receiver.requests
        .filter((r) => r.accepted)
        .map((r) => key(JSON.parse(r.body) as Record<string, unknown>, r.headers as Record<string, string>));
    expect(ids(receivers.pagerduty, (b) => b.dedup_key)).toEqual(['alert0000', 'alert0001']);
    expect(ids(receivers.slack, (b) => /alert (alert\d+)/.exec(JSON.stringify(b))?.[1])).toEqual([
      'alert0000',
      'alert0001',
      'alert0002',
    ]);
    expect(ids(receivers.webhook, (_b, h) => h['webhook-id'])).toEqual([
      'alert0000',
      'alert0001',
      'alert0002',
      'alert0003',
    ]);
    expect(ssm.calls.filter((c) => c.startsWith('AmazonSSM.GetParameter')).sort()).toEqual([
      'AmazonSSM.GetParameter /oaa/pagerduty-routing-key true',
      'AmazonSSM.GetParameter /oaa/slack-webhook-url true',
      'AmazonSSM.GetParameter /oaa/webhook-secret true',
    ]);

    const output = lines.join('\n');
    expect(output).toContain('"message":"alert delivered"');
    expect(output).toContain('"destination":"pagerduty"');
    for (const secret of [
      ROUTING_KEY,
      SECRET,
      SECRET.slice(6),
      receivers.slack.url,
      new URL(receivers.slack.url).pathname,
    ])
      expect(output).not.toContain(secret);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const emf = records.filter((l) => '_aws' in l);
    expect(emf.some((m) => m.destination === 'slack' && m.AlertsDelivered === 3)).toBe(true);
    expect(emf.some((m) => m.destination === 'pagerduty' && m.AlertsDelivered === 2)).toBe(true);
    expect(records.filter((r) => r.level === 'WARN')).toEqual([]);
  });

  it('puts an alert back on its queue for as long as Retry-After asks (ChangeMessageVisibility on SQS)', async () => {
    const handler = await loadHandler(deliveryEnv());
    await new SnsAlertPublisher(sns(), topicArn).publish(alertsOf(1, ['HIGH'])[0]!);
    receivers.pagerduty.fail({ status: 429, retryAfter: '300' });
    const records = await receiveDeliveryRecords(sqs(), delivery.queues.pagerduty, 10);
    captureOutput();
    const response = await handler(sqsEvent(records), context);
    vi.restoreAllMocks();
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[0]?.messageId }] });
    // Lambda would make it visible again after the queue's 6-minute timeout; it stays hidden 300 s instead.
    expect(await receiveDeliveryRecords(sqs(), delivery.queues.pagerduty, 10)).toEqual([]);
    const { Attributes } = await sqs().send(
      new GetQueueAttributesCommand({
        QueueUrl: delivery.queues.pagerduty.url,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
  });

  it('moves a message without an alert to the delivery DLQ with the reason', async () => {
    const handler = await loadHandler(deliveryEnv());
    const record: DeliveryRecord = {
      messageId: 'bad-1',
      body: '{"hello":"world"}',
      receiptHandle: 'rh',
      receiveCount: 1,
      eventSourceArn: delivery.queues.webhook.arn,
    };
    captureOutput();
    expect(await handler(sqsEvent([record]), context)).toEqual({ batchItemFailures: [] });
    vi.restoreAllMocks();
    const [letter] = await drain(delivery.dlqUrl, { attributes: true });
    expect(letter?.Body).toBe('{"hello":"world"}');
    expect(letter?.MessageAttributes?.failure_kind?.StringValue).toBe('not-an-alert');
    expect(letter?.MessageAttributes?.source_message_id?.StringValue).toBe('bad-1');
  });
});
