// The deployed entry point as Lambda loads it: configuration from the environment at cold start,
// Powertools logs and EMF metrics on stdout, the SQS event in, the partial batch response out.
import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPipelineResources, receivedAlerts, type PipelineResources } from '../support/aws-resources.ts';
import { body, keyEvent } from '../integration/events.ts';
import { captureOutput } from '../support/capture-output.ts';

const context = {
  functionName: 'detect',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:detect',
  memoryLimitInMB: '256',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 30_000,
} as Context;
const saved = { ...process.env };
let resources: PipelineResources;

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((b, i) => ({
      messageId: `msg-${i}`,
      receiptHandle: `rh-${i}`,
      body: b,
      attributes: {} as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    })),
  };
}

async function loadHandler(env: Record<string, string | undefined>) {
  vi.resetModules();
  process.env = { ...saved, ...env };
  return (await import('../../functions/detect.ts')).handler;
}

beforeAll(async () => {
  resources = await createPipelineResources();
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

describe('functions/detect.ts', () => {
  it('fails at cold start naming the missing variable', async () => {
    await expect(loadHandler({ DEDUP_TABLE_NAME: 't', ALERT_TOPIC_ARN: undefined })).rejects.toThrow(
      'ALERT_TOPIC_ARN is not set',
    );
  });

  it('processes an SQS event, logging ids as JSON (stdout and stderr) and emitting EMF metrics, without event contents', async () => {
    const handler = await loadHandler({
      DEDUP_TABLE_NAME: resources.tableName,
      ALERT_TOPIC_ARN: resources.topicArn,
      DEAD_LETTER_QUEUE_URL: resources.dlqUrl,
      LOG_LEVEL: 'INFO',
      POWERTOOLS_DEV: undefined,
    });
    const lines = captureOutput();
    const secretish = 'sk-proj-THISMUSTNOTBELOGGED0123456789';
    const event = keyEvent('fn-1', 'user-fn');
    (event.actor as { session: { user_agent: string } }).session.user_agent = secretish;

    const response = await handler(sqsEvent([body(event), 'not json']), context);
    vi.restoreAllMocks();

    expect(response).toEqual({ batchItemFailures: [] });
    expect((await receivedAlerts(resources.subscriberUrl)).map((a) => a.alert.eventId)).toEqual(['fn-1']);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const published = records.find((r) => r.message === 'alert published');
    expect(published).toMatchObject({
      level: 'INFO',
      service: 'openai-audit-alerts',
      messageId: 'msg-0',
      eventId: 'fn-1',
      ruleId: 'OpenAI.API.Key.Anomalous.Activity',
      function_request_id: 'req-1',
    });
    expect(published?.alertId).toMatch(/^[0-9a-f]{32}$/);
    expect(records.find((r) => r.message === 'malformed message sent to the dead-letter queue')).toMatchObject({
      level: 'WARN',
      messageId: 'msg-1',
    });
    const emf = records.find((r) => typeof r._aws === 'object');
    expect(emf).toMatchObject({
      AlertsPublished: 1,
      EventsReceived: 1,
      EventsMatched: 1,
      MalformedEvents: 1,
      DeadLettered: 1,
      RecordsFailed: 0,
    });
    expect(JSON.stringify((emf?._aws as { CloudWatchMetrics: unknown }).CloudWatchMetrics)).toContain(
      '"Namespace":"OpenAIAuditAlerts"',
    );
    expect(lines.join('\n')).not.toContain(secretish);
  });
});
