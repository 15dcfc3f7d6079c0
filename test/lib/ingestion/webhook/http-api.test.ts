// The webhook behind the HTTP API, with the queue and the webhook-id table replaced by in-memory
// stand-ins: the request decoded from payload format 2.0, the answer in its shape, and the metrics
// counted for each outcome (the deployed function's test runs with metrics off).
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Organization } from '../../../../lib/ingestion/packing/organization.ts';
import { staticSecret } from '../../../../lib/ingestion/parameters/secure-parameter.ts';
import { readCredentials } from '../../../../lib/ingestion/webhook/credentials.ts';
import type { WebhookDependencies } from '../../../../lib/ingestion/webhook/handle-webhook.ts';
import {
  countWebhookResponse,
  handleHttpApiRequest,
  type HttpApiRequest,
  type WebhookMetric,
} from '../../../../lib/ingestion/webhook/http-api.ts';
import type { ReplayGuard, WebhookIdClaim } from '../../../../lib/ingestion/webhook/replay-guard.ts';
import { jsonResponse } from '../../../../lib/ingestion/webhook/request.ts';
import { signWebhook } from '../../../../lib/ingestion/webhook/signature.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const NOW = 1_800_000_000;
const event = (id: string) => ({ id, type: 'login.succeeded', effective_at: NOW });

/** Remembers completed webhook-ids in memory, as the DynamoDB guard does in its table. */
function memoryReplayGuard(): ReplayGuard {
  const done = new Map<string, string>();
  return {
    claim: (key): Promise<WebhookIdClaim> => {
      const response = done.get(key);
      return Promise.resolve(response === undefined ? { kind: 'claimed', token: key } : { kind: 'replay', response });
    },
    complete: (key, _token, response) => Promise.resolve(void done.set(key, response)),
    release: () => Promise.resolve(),
  };
}

function setup(options: { enqueueFails?: boolean } = {}) {
  const enqueued: Array<[string, unknown[]]> = [];
  const metrics: Array<[WebhookMetric, number]> = [];
  const deps: WebhookDependencies = {
    secrets: staticSecret(SECRET, 'test'),
    bearerEnabled: false,
    organizations: [{ id: 'org-acme', name: 'Acme' }],
    replay: memoryReplayGuard(),
    enqueue: (events: readonly unknown[], organization: Organization) => {
      if (options.enqueueFails) return Promise.reject(new Error('queue down'));
      enqueued.push([organization.id, [...events]]);
      return Promise.resolve({ enqueued: events.length, rejected: [] });
    },
    clock: () => NOW,
  };
  const count = (metric: WebhookMetric, value: number) => metrics.push([metric, value]);
  return { deps, count, enqueued, metrics };
}

/** A signed POST as API Gateway passes it: gzip bodies arrive base64-encoded. */
function signedRequest(body: Buffer, id: string, base64: boolean, gzip: boolean): HttpApiRequest {
  const key = readCredentials(SECRET).signingKeys[0] ?? Buffer.alloc(0);
  return {
    headers: {
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      'webhook-id': id,
      'webhook-timestamp': String(NOW),
      'webhook-signature': signWebhook(key, id, String(NOW), body),
    },
    requestContext: { http: { method: 'POST' } },
    body: base64 ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: base64,
  };
}

describe('handleHttpApiRequest', () => {
  it('decodes a base64 gzip body, enqueues its events, answers 202 and counts them; a redelivery counts a replay', async () => {
    const { deps, count, enqueued, metrics } = setup();
    const body = gzipSync(JSON.stringify([event('e1'), event('e2')]));
    const first = await handleHttpApiRequest(signedRequest(body, 'msg_1', true, true), deps, count);
    expect(first.statusCode).toBe(202);
    expect(first.headers['content-type']).toBe('application/json');
    expect(JSON.parse(first.body)).toEqual({
      accepted: 2,
      rejected: [],
      rejectedCount: 0,
      organization: 'org-acme',
      webhookId: 'msg_1',
      replayed: false,
    });
    expect(enqueued.map(([org, events]) => [org, events.map((e) => (e as { id: string }).id)])).toEqual([
      ['org-acme', ['e1', 'e2']],
    ]);
    const again = await handleHttpApiRequest(signedRequest(body, 'msg_1', true, true), deps, count);
    expect(again.statusCode).toBe(202);
    expect(enqueued).toHaveLength(1);
    expect(metrics).toEqual([
      ['WebhookRequestsAccepted', 1],
      ['WebhookEventsAccepted', 2],
      ['WebhookRequestsAccepted', 1],
      ['WebhookReplays', 1],
    ]);
  });

  it('reads a body API Gateway passed as text', async () => {
    const { deps, count, enqueued } = setup();
    const body = Buffer.from(JSON.stringify(event('plain-1')));
    const response = await handleHttpApiRequest(signedRequest(body, 'msg_2', false, false), deps, count);
    expect(response.statusCode).toBe(202);
    expect(enqueued.map(([, events]) => events.map((e) => (e as { id: string }).id))).toEqual([['plain-1']]);
  });

  it('counts a refused request and answers it with its headers', async () => {
    const { deps, count, metrics } = setup();
    const request: HttpApiRequest = {
      headers: {},
      requestContext: { http: { method: 'GET' } },
      isBase64Encoded: false,
    };
    const response = await handleHttpApiRequest(request, deps, count);
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'method-not-allowed', message: 'send events with POST' },
    });
    expect(metrics).toEqual([['WebhookRequestsRefused', 1]]);
  });

  it('counts a request the queue could not take as failed', async () => {
    const { deps, count, metrics } = setup({ enqueueFails: true });
    const body = Buffer.from(JSON.stringify(event('lost-1')));
    const response = await handleHttpApiRequest(signedRequest(body, 'msg_3', false, false), deps, count);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(metrics).toEqual([['WebhookRequestsFailed', 1]]);
  });
});

describe('countWebhookResponse', () => {
  it('counts 4xx as refused and 5xx as failed, and events only on a 202', () => {
    const metrics: Array<[WebhookMetric, number]> = [];
    const count = (metric: WebhookMetric, value: number) => metrics.push([metric, value]);
    countWebhookResponse(jsonResponse(401, { error: {} }), count);
    countWebhookResponse(jsonResponse(503, { error: {} }), count);
    countWebhookResponse(jsonResponse(499, { error: {} }), count);
    countWebhookResponse(jsonResponse(202, { accepted: 0, rejected: [], rejectedCount: 0, replayed: false }), count);
    expect(metrics).toEqual([
      ['WebhookRequestsRefused', 1],
      ['WebhookRequestsFailed', 1],
      ['WebhookRequestsRefused', 1],
      ['WebhookRequestsAccepted', 1],
      ['WebhookEventsAccepted', 0],
    ]);
  });
});
