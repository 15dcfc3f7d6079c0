// Alert delivery over real HTTP: the delivery core, the real destinations (secrets read through the
// real SSM client from a local SSM endpoint), local PagerDuty, Slack and webhook receivers on
// 127.0.0.1, and dead letters on the SQS emulator. The queues the alerts wait on run on a virtual
// clock (test/support/virtual-queue.ts), so retries over minutes take no time: no wall clock here.
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateQueueCommand, type Message } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverBatch, type DeliveryRecord } from '../../lib/delivery/deliver-batch.ts';
import type { Destination, DestinationName } from '../../lib/delivery/destination.ts';
import { pagerDutyDestination, slackDestination, webhookDestination } from '../../lib/delivery/destinations.ts';
import { DEFAULT_RETRY_POLICY } from '../../lib/delivery/retry-policy.ts';
import { SecureParameter } from '../../lib/ingestion/parameters/secure-parameter.ts';
import { SecureStringProvider } from '../../lib/ingestion/parameters/secure-string-provider.ts';
import { sendRequest } from '../../lib/delivery/send.ts';
import type { DeliveryMetric, DeliveryTelemetry } from '../../lib/delivery/telemetry.ts';
import type { AlertDocument } from '../../lib/pipeline/alerts/alert-document.ts';
import { SqsDeadLetterSink } from '../../lib/shared/sqs-dead-letter-sink.ts';
import {
  startPagerDutyReceiver,
  startSlackReceiver,
  startWebhookReceiver,
  type LocalReceiver,
  type ReceivedRequest,
} from '../../lib/tooling/local/receivers.ts';
import { alertsOf, sampleAlert } from '../support/alerts.ts';
import { drain, sqs } from '../support/aws-resources.ts';
import { startFakeSsm } from '../support/fake-ssm.ts';
import { VirtualClock, VirtualQueue, drainVirtualQueues } from '../support/virtual-queue.ts';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcd0';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const PARAMETERS = {
  pagerduty: '/test/pagerduty-routing-key',
  slack: '/test/slack-webhook-url',
  webhook: '/test/webhook-secret',
};

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((stop) => stop()));
});

interface Scenario {
  readonly clock: VirtualClock;
  readonly receivers: Record<DestinationName, LocalReceiver>;
  readonly queues: Record<DestinationName, VirtualQueue>;
  readonly logs: string[];
  readonly counts: Map<string, number>;
  readonly sleeps: number[];
  readonly deferrals: Array<{ destination: string; seconds: number }>;
  readonly dlqUrl: string;
  handler(records: readonly DeliveryRecord[], remainingMs: () => number): ReturnType<typeof deliverBatch>;
  /** Puts alerts on the queues of the destinations named (all three by default). */
  enqueue(alerts: readonly AlertDocument[], to?: readonly DestinationName[]): void;
  run(): Promise<number>;
}

async function scenario(options: { secrets?: Partial<Record<DestinationName, string>> } = {}): Promise<Scenario> {
  const clock = new VirtualClock();
  const [pagerduty, slack, webhook] = await Promise.all([
    startPagerDutyReceiver({ nowMs: clock.now }),
    startSlackReceiver({ nowMs: clock.now }),
    startWebhookReceiver(SECRET, { nowMs: clock.now }),
  ]);
  const receivers = { pagerduty, slack, webhook };
  const values = { [PARAMETERS.pagerduty]: ROUTING_KEY, [PARAMETERS.slack]: slack.url, [PARAMETERS.webhook]: SECRET };
  for (const [name, value] of Object.entries(options.secrets ?? {})) {
    if (value === '') delete values[PARAMETERS[name as DestinationName]];
    else values[PARAMETERS[name as DestinationName]] = value;
  }
  const ssm = await startFakeSsm(values);
  cleanup.push(() => ssm.stop(), ...Object.values(receivers).map((r) => () => r.stop()));
  const ssmClient = new SSMClient({
    endpoint: ssm.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
  const provider = new SecureStringProvider({ awsSdkV3Client: ssmClient });
  const secret = (name: string, what: string) => new SecureParameter(provider, name, { maxAgeSeconds: 300, what });
  const destinations: Record<DestinationName, Destination> = {
    pagerduty: pagerDutyDestination(
      { eventsUrl: pagerduty.url },
      secret(PARAMETERS.pagerduty, 'the PagerDuty routing key'),
    ),
    slack: slackDestination(secret(PARAMETERS.slack, 'the Slack webhook URL')),
    webhook: webhookDestination({ url: webhook.url }, secret(PARAMETERS.webhook, 'the alert webhook signing secret')),
  };
  const settings = { visibilityTimeoutSeconds: 360, maxReceiveCount: 50 };
  const queues = {
    pagerduty: new VirtualQueue('arn:aws:sqs:us-east-1:000000000000:alerts-pagerduty', clock, settings),
    slack: new VirtualQueue('arn:aws:sqs:us-east-1:000000000000:alerts-slack', clock, settings),
    webhook: new VirtualQueue('arn:aws:sqs:us-east-1:000000000000:alerts-webhook', clock, settings),
  };
  const byArn = new Map(Object.entries(queues).map(([name, queue]) => [queue.arn, name as DestinationName]));
  const { QueueUrl: dlqUrl = '' } = await sqs().send(
    new CreateQueueCommand({ QueueName: `delivery-dlq-${randomUUID().slice(0, 8)}` }),
  );
  const sink = new SqsDeadLetterSink(sqs(), dlqUrl);
  const logs: string[] = [];
  const counts = new Map<string, number>();
  const sleeps: number[] = [];
  const deferrals: Array<{ destination: string; seconds: number }> = [];
  const telemetry: DeliveryTelemetry = {
    log: (level, message, fields = {}) => void logs.push(JSON.stringify({ level, message, ...fields })),
    count: (metric: DeliveryMetric, destination, value = 1) =>
      void counts.set(`${destination}:${metric}`, (counts.get(`${destination}:${metric}`) ?? 0) + value),
  };
  const handler = (records: readonly DeliveryRecord[], remainingMs: () => number) =>
    deliverBatch(records, {
      destinationFor: (arn) => {
        const name = byArn.get(arn);
        return name === undefined ? undefined : destinations[name];
      },
      send: (request) => sendRequest(request, { nowMs: clock.now }),
      deadLetters: () => Promise.resolve(sink),
      defer: (record, seconds) => {
        deferrals.push({ destination: byArn.get(record.eventSourceArn) ?? '?', seconds });
        return queues[byArn.get(record.eventSourceArn) ?? 'slack'].changeVisibility(record, seconds);
      },
      telemetry,
      sleep: (ms) => {
        sleeps.push(ms);
        return clock.sleep(ms);
      },
      clock: clock.seconds,
      remainingMs,
      random: () => 0.5,
      policy: DEFAULT_RETRY_POLICY,
      requestTimeoutMs: 15_000,
    });
  return {
    clock,
    receivers,
    queues,
    logs,
    counts,
    sleeps,
    deferrals,
    dlqUrl,
    handler,
    enqueue(alerts, to = ['pagerduty', 'slack', 'webhook']) {
      for (const alert of alerts) for (const name of to) queues[name].send(JSON.stringify(alert));
    },
    run: () => drainVirtualQueues(Object.values(queues), clock, handler),
  };
}

const accepted = (receiver: LocalReceiver) => receiver.requests.filter((r) => r.accepted);
const pagerDutyKeys = (requests: readonly ReceivedRequest[]) =>
  requests.map((r) => (JSON.parse(r.body) as { dedup_key: string }).dedup_key);
const deadLetters = async (url: string): Promise<Message[]> => drain(url, { attributes: true });

describe('alert delivery over HTTP', () => {
  it('delivers each alert once to PagerDuty, Slack and the webhook, in the formats they accept', async () => {
    const s = await scenario();
    const alerts = alertsOf(3, ['CRITICAL', 'HIGH', 'MEDIUM']);
    s.enqueue(alerts);
    await s.run();
    for (const receiver of Object.values(s.receivers)) {
      expect(receiver.requests.map((r) => [r.answer, r.accepted, r.duplicate, r.problem])).toEqual(
        alerts.map(() => [
          receiver.destination === 'slack' ? 200 : receiver.destination === 'pagerduty' ? 202 : 204,
          true,
          false,
          undefined,
        ]),
      );
    }
    expect(pagerDutyKeys(s.receivers.pagerduty.requests)).toEqual(alerts.map((a) => a.alertId));
    expect(s.receivers.webhook.requests.map((r) => r.headers['webhook-id'])).toEqual(alerts.map((a) => a.alertId));
    expect(s.counts.get('slack:AlertsDelivered')).toBe(3);
    expect(await deadLetters(s.dlqUrl)).toEqual([]);
  });

  it('honours 429 Retry-After within the invocation when it is short', async () => {
    const s = await scenario();
    s.receivers.pagerduty.fail({ status: 429, retryAfter: '7' });
    s.enqueue([sampleAlert()], ['pagerduty']);
    await s.run();
    const [first, second] = s.receivers.pagerduty.requests;
    expect([first?.answer, second?.answer]).toEqual([429, 202]);
    expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBe(7000);
    expect(s.sleeps).toEqual([7000]);
    expect(s.deferrals).toEqual([]);
  });

  it('puts the alert back for as long as a long Retry-After asks, then delivers it', async () => {
    const s = await scenario();
    s.receivers.slack.fail({ status: 429, retryAfter: '120', body: '{"ok":false,"error":"rate_limited"}' });
    s.enqueue([sampleAlert()], ['slack']);
    await s.run();
    const [first, second] = s.receivers.slack.requests;
    expect([first?.answer, second?.answer, s.receivers.slack.requests.length]).toEqual([429, 200, 2]);
    expect(s.deferrals).toEqual([{ destination: 'slack', seconds: 120 }]);
    expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBe(120_000);
  });

  it('retries 500s with backoff, in the invocation and then from the queue', async () => {
    const s = await scenario();
    s.receivers.webhook.fail({ status: 500 }, { status: 500 }, { status: 503 }, { status: 502 });
    s.enqueue([sampleAlert()], ['webhook']);
    await s.run();
    expect(s.receivers.webhook.requests.map((r) => r.answer)).toEqual([500, 500, 503, 502, 204]);
    // Waits of about 1 s and 2 s in the first invocation (random 0.5: 750 and 1500 ms), then put back
    // for the first backoff step (30 s bound, 22 s with that random), then 1 s in the second.
    expect(s.sleeps).toEqual([750, 1500, 750]);
    expect(s.deferrals).toEqual([{ destination: 'webhook', seconds: 23 }]);
    expect(s.counts.get('webhook:DeliveryRetries')).toBe(3);
    expect(s.counts.get('webhook:AlertsDelivered')).toBe(1);
  });

  it('puts each failed alert back for its own backoff: an old one is not hurried by a fresh one failing first', async () => {
    const s = await scenario();
    s.receivers.slack.failWhile(() => true, { status: 503 });
    const arn = s.queues.slack.arn;
    const record = (id: string, receiveCount: number) => ({
      messageId: id,
      body: JSON.stringify(sampleAlert({ alertId: id })),
      receiptHandle: `rh-${id}`,
      receiveCount,
      eventSourceArn: arn,
    });
    const result = await s.handler([record('fresh', 1), record('old', 20)], () => 60_000);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['fresh', 'old']);
    // random 0.5: 30 s bound for the first receive, the 15-minute cap for the twentieth.
    expect(s.deferrals).toEqual([
      { destination: 'slack', seconds: 23 },
      { destination: 'slack', seconds: 675 },
    ]);
    expect(s.receivers.slack.requests).toHaveLength(3);
  });

  it('loses nothing and opens no duplicate incident when every destination is down for ten minutes', async () => {
    const s = await scenario();
    const start = s.clock.nowMs;
    const down = () => s.clock.nowMs < start + 10 * 60 * 1000;
    for (const receiver of Object.values(s.receivers)) receiver.failWhile(down, 'reset');
    // When they come back, PagerDuty and the webhook take the first alert but the answer is lost:
    // the sender must try again, and the receivers must recognise it.
    s.receivers.pagerduty.fail('accept-then-reset');
    s.receivers.webhook.fail('accept-then-reset');
    const alerts = alertsOf(8, ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
    s.enqueue(alerts);
    await s.run();

    const ids = alerts.map((a) => a.alertId).sort();
    for (const receiver of Object.values(s.receivers)) {
      const during = receiver.requests.filter((r) => r.atMs < start + 600_000);
      expect(during.every((r) => r.answer === 'reset')).toBe(true);
      // Backoff, and one probe per batch: a handful of attempts in ten minutes, not a flood.
      expect(during.length).toBeGreaterThan(3);
      expect(during.length).toBeLessThan(25);
    }
    // PagerDuty: one alert per dedup_key, all eight there; the lost answer came back as a duplicate.
    const pd = accepted(s.receivers.pagerduty);
    expect([...new Set(pagerDutyKeys(pd))].sort()).toEqual(ids);
    expect(pd.filter((r) => r.duplicate)).toHaveLength(1);
    expect(pd.filter((r) => !r.duplicate)).toHaveLength(8);
    // The webhook receiver deduplicated on webhook-id the same way.
    const hooks = accepted(s.receivers.webhook);
    expect([...new Set(hooks.map((r) => r.headers['webhook-id']))].sort()).toEqual(ids);
    expect(hooks.filter((r) => !r.duplicate)).toHaveLength(8);
    // Slack has no idempotency key; with no lost answer, each alert is posted exactly once.
    expect(accepted(s.receivers.slack)).toHaveLength(8);
    expect(Object.values(s.queues).every((q) => q.depth === 0 && q.deadLetters.length === 0)).toBe(true);
    expect(await deadLetters(s.dlqUrl)).toEqual([]);
    expect(Math.min(...pd.map((r) => r.atMs))).toBeGreaterThanOrEqual(start + 600_000);
  });

  it('moves an alert a destination refuses for good to the DLQ, with the reason and no secret', async () => {
    const s = await scenario();
    s.receivers.pagerduty.fail({
      status: 400,
      body: `{"status":"invalid event","message":"Event object is invalid","errors":["routing key ${ROUTING_KEY} unknown"]}`,
    });
    s.enqueue([sampleAlert()], ['pagerduty']);
    await s.run();
    expect(s.receivers.pagerduty.requests).toHaveLength(1);
    const [letter] = await deadLetters(s.dlqUrl);
    expect(letter?.MessageAttributes?.failure_kind?.StringValue).toBe('delivery-rejected');
    const reason = letter?.MessageAttributes?.failure_reason?.StringValue ?? '';
    expect(reason).toContain(
      'pagerduty refused alert 328f2bde2e79e594cf21a3eada0c0756: HTTP 400: {"status":"invalid event"',
    );
    expect(reason).toContain('routing key [secret] unknown');
    expect(JSON.parse(letter?.Body ?? '{}')).toEqual(sampleAlert());
    expect(s.logs.join('\n')).not.toContain(ROUTING_KEY);
    expect(s.counts.get('pagerduty:DeliveriesRejected')).toBe(1);
  });

  it('moves a message that holds no alert to the DLQ, and delivers the rest of the batch', async () => {
    const s = await scenario();
    s.queues.slack.send('{"not":"an alert"}');
    s.enqueue([sampleAlert()], ['slack']);
    await s.run();
    const [letter] = await deadLetters(s.dlqUrl);
    expect(letter?.MessageAttributes?.failure_kind?.StringValue).toBe('not-an-alert');
    expect(letter?.MessageAttributes?.failure_reason?.StringValue).toBe(
      'the message body is not an alert document: alertId: missing or not a string',
    );
    expect(accepted(s.receivers.slack)).toHaveLength(1);
  });

  it('delivers an oversized alert within each destination limits', async () => {
    const s = await scenario();
    const context = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`k${i}`, `${'v'.repeat(3000)}<!channel>`]),
    );
    s.enqueue([
      sampleAlert({
        title: 'T'.repeat(5000),
        runbook: 'R'.repeat(10_000),
        alertContext: { ...context, actor_email: 'a'.repeat(5000) },
      }),
    ]);
    await s.run();
    for (const receiver of Object.values(s.receivers))
      expect(receiver.requests.map((r) => [r.accepted, r.problem])).toEqual([[true, undefined]]);
    expect(Buffer.byteLength(s.receivers.webhook.requests[0]?.body ?? '')).toBeLessThanOrEqual(256 * 1024);
  });

  it('keeps alerts queued while a secret cannot be read, and says which parameter', async () => {
    const s = await scenario({ secrets: { slack: '' } });
    s.enqueue([sampleAlert()], ['slack']);
    const records = s.queues.slack.receive(10);
    const result = await s.handler(records, () => 60_000);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.messageId }]);
    expect(s.deferrals).toEqual([{ destination: 'slack', seconds: 23 }]);
    expect(
      s.logs.some(
        (line) =>
          line.includes('"level":"ERROR"') &&
          line.includes(
            'cannot read the Slack webhook URL from the SSM parameter /test/slack-webhook-url (ParameterNotFound)',
          ),
      ),
    ).toBe(true);
    expect(s.receivers.slack.requests).toEqual([]);
  });

  it('refuses to send to a Slack URL that is not https, without echoing it', async () => {
    const s = await scenario({ secrets: { slack: 'http://hooks.example.com/services/T/B/SECRETPART' } });
    s.enqueue([sampleAlert()], ['slack']);
    const result = await s.handler(s.queues.slack.receive(10), () => 60_000);
    expect(result.batchItemFailures).toHaveLength(1);
    const joined = s.logs.join('\n');
    expect(joined).toContain('the SSM parameter /test/slack-webhook-url does not hold an https URL');
    expect(joined).not.toContain('SECRETPART');
  });

  it.each([
    ['a bearer token', `bearer:${'t'.repeat(40)}`, 'bearer tokens are not used to send alerts'],
    ['a short secret', 'whsec_c2hvcnQ=', 'expected whsec_ and base64 of at least 24 random bytes'],
  ])('keeps alerts queued when the signing secret is %s, without quoting it', async (_name, secret, reason) => {
    const s = await scenario({ secrets: { webhook: secret } });
    s.enqueue([sampleAlert()], ['webhook']);
    const result = await s.handler(s.queues.webhook.receive(10), () => 60_000);
    expect(result.batchItemFailures).toHaveLength(1);
    const joined = s.logs.join('\n');
    expect(joined).toContain(`the SSM parameter /test/webhook-secret does not hold usable signing secrets: `);
    expect(joined).toContain(reason);
    expect(joined).not.toContain(secret);
    expect(s.receivers.webhook.requests).toEqual([]);
  });

  it('stops trying once the invocation is nearly out of time, and puts the rest back', async () => {
    const s = await scenario();
    s.enqueue(alertsOf(3), ['webhook']);
    const records = s.queues.webhook.receive(10);
    let left = 20_000;
    const result = await s.handler(records, () => (left -= 2500));
    expect(accepted(s.receivers.webhook).length).toBeLessThan(3);
    expect(result.batchItemFailures.length).toBe(3 - accepted(s.receivers.webhook).length);
  });
});
