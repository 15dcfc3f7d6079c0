// The deployed webhook as Lambda loads it behind the HTTP API (payload format 2.0): configuration
// at cold start, the secret from SSM (fake SSM, over the wire), the queue (fauxqs), the webhook-id
// table (dynalite).
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readCredentials } from '../../lib/ingestion/webhook/credentials.ts';
import { signWebhook } from '../../lib/ingestion/webhook/signature.ts';
import { createWebhookDeliveriesTable } from '../../lib/tooling/local/webhook-table.ts';
import {
  createPipelineResources,
  drain,
  eventsOfBody,
  organizationOfBody,
  type PipelineResources,
} from '../support/aws-resources.ts';
import { startFakeSsm } from '../support/fake-ssm.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const saved = { ...process.env };
const context = { functionName: 'webhook', awsRequestId: 'r' } as unknown as Context;
let ssm: Awaited<ReturnType<typeof startFakeSsm>>;
let resources: PipelineResources;
let table: string;

beforeAll(async () => {
  ssm = await startFakeSsm({ '/oaa/webhook-secret': SECRET, '/oaa/plain-secret': { value: SECRET, type: 'String' } });
  resources = await createPipelineResources();
  table = await createWebhookDeliveriesTable(new DynamoDBClient({}), `webhook-fn-${randomBytes(4).toString('hex')}`);
});
afterAll(async () => {
  await ssm.stop();
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

async function load(parameter: string) {
  vi.resetModules();
  process.env = {
    ...saved,
    QUEUE_URL: resources.queueUrl,
    WEBHOOK_SECRET_PARAMETER: parameter,
    WEBHOOK_DELIVERIES_TABLE: table,
    ORGANIZATIONS: '[{"id":"org-acme","name":"Acme"}]',
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  return (await import('../../functions/webhook.ts')).handler;
}

function apiEvent(body: Buffer, headers: Record<string, string>): APIGatewayProxyEventV2 {
  // API Gateway base64-encodes bodies it does not take for text (gzip among them).
  return {
    version: '2.0',
    routeKey: 'POST /v1/audit-events',
    rawPath: '/v1/audit-events',
    rawQueryString: '',
    headers,
    requestContext: { http: { method: 'POST', path: '/v1/audit-events' } },
    body: body.toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

function signed(body: Buffer, id: string): Record<string, string> {
  const key = readCredentials(SECRET).signingKeys[0] ?? Buffer.alloc(0);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signWebhook(key, id, timestamp, body),
  };
}

describe('functions/webhook.ts', () => {
  it('fails at cold start naming a missing variable', async () => {
    vi.resetModules();
    process.env = { ...saved, QUEUE_URL: 'q', WEBHOOK_SECRET_PARAMETER: '/x', WEBHOOK_DELIVERIES_TABLE: undefined };
    await expect(import('../../functions/webhook.ts')).rejects.toThrow('WEBHOOK_DELIVERIES_TABLE is not set');
  });

  it('takes a signed, gzipped, base64-encoded body to the queue and answers 202', async () => {
    const handler = await load('/oaa/webhook-secret');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const body = gzipSync(JSON.stringify([{ id: 'fn-w1', type: 'login.succeeded' }]));
    const response = await handler(apiEvent(body, signed(body, 'msg_fn_1')), context);
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body ?? '{}')).toEqual({
      accepted: 1,
      rejected: [],
      rejectedCount: 0,
      organization: 'org-acme',
      webhookId: 'msg_fn_1',
      replayed: false,
    });
    const messages = await drain(resources.queueUrl, { attributes: false });
    expect(messages.map((m) => [organizationOfBody(m.Body), eventsOfBody(m.Body).map((e) => e.id)])).toEqual([
      ['org-acme', ['fn-w1']],
    ]);
  });

  it('answers 503 without reading the body when the secret is not a SecureString, and logs why (not the value)', async () => {
    const handler = await load('/oaa/plain-secret');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const body = gzipSync('{}');
    const response = await handler(apiEvent(body, signed(body, 'msg_fn_2')), context);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body ?? '{}')).toEqual({
      error: { code: 'not-configured', message: 'the webhook secret cannot be read; the operator has been told' },
    });
    expect(lines.join('')).toContain('the SSM parameter /oaa/plain-secret is a String, not a SecureString');
    expect(lines.join('')).not.toContain(SECRET.slice(6, 20));
  });
});
