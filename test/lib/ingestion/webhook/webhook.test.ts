// The webhook over real HTTP on 127.0.0.1, with the real request handling, the detection queue
// (fauxqs) and the webhook-id table (dynalite): every status the endpoint promises.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticSecret, type SecretSource } from '../../../../lib/ingestion/parameters/secure-parameter.ts';
import { webhookDependencies } from '../../../../lib/ingestion/webhook/aws-dependencies.ts';
import { startWebhookServer, type WebhookServer } from '../../../../lib/tooling/local/webhook-server.ts';
import { createWebhookDeliveriesTable } from '../../../../lib/tooling/local/webhook-table.ts';
import {
  createPipelineResources,
  drain,
  eventsOfBody,
  organizationOfBody,
  type PipelineResources,
} from '../../../support/aws-resources.ts';
import { sendToWebhook } from '../../../support/webhook-client.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN = randomBytes(24).toString('hex');
/** Globex's own: secrets without an organization are the first organization's (Acme's). */
const GLOBEX_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const GLOBEX_TOKEN = randomBytes(24).toString('hex');
const ORGS = [
  { id: 'org-acme', name: 'Acme' },
  { id: 'org-globex', name: 'Globex' },
];
const event = (id: string) => ({
  id,
  type: 'login.succeeded',
  effective_at: 1_800_000_000,
  actor: { type: 'session', session: { user: { id: 'u1' } } },
});

let resources: PipelineResources;
let server: WebhookServer;
let secrets: SecretSource;

async function serve(
  options: { bearerEnabled?: boolean; queueUrl?: string; secrets?: SecretSource; table?: string; sqs?: SQSClient } = {},
): Promise<WebhookServer> {
  const dynamodb = new DynamoDBClient({});
  const table =
    options.table ?? (await createWebhookDeliveriesTable(dynamodb, `webhook-${randomBytes(4).toString('hex')}`));
  return startWebhookServer(
    webhookDependencies({
      sqs: options.sqs ?? new SQSClient({}),
      queueUrl: options.queueUrl ?? resources.queueUrl,
      dynamodb,
      deliveriesTable: table,
      secrets: options.secrets ?? secrets,
      bearerEnabled: options.bearerEnabled ?? false,
      organizations: ORGS,
    }),
  );
}

async function queuedIds(): Promise<Array<[string | undefined, string]>> {
  const messages = await drain(resources.queueUrl, { attributes: false });
  return messages.flatMap((m) =>
    eventsOfBody(m.Body).map((e): [string | undefined, string] => [organizationOfBody(m.Body), e.id]),
  );
}

beforeEach(async () => {
  resources = await createPipelineResources();
  secrets = staticSecret(
    `${SECRET} bearer:${TOKEN} org-globex=${GLOBEX_SECRET} org-globex=bearer:${GLOBEX_TOKEN}`,
    'test',
  );
  server = await serve();
});
afterEach(async () => {
  await server.stop();
});

describe('the webhook: what it accepts', () => {
  it('answers 202 with counts and each rejected item, after every accepted event is on the queue', async () => {
    const body = JSON.stringify([event('w1'), { id: 'no-type' }, event('w2')]);
    const response = await sendToWebhook(server.url, body, { secret: SECRET, id: 'msg_first' });
    expect(response.status).toBe(202);
    expect(response.json).toEqual({
      accepted: 2,
      rejected: [{ item: '[1]', reason: 'missing required field "type"' }],
      rejectedCount: 1,
      organization: 'org-acme',
      webhookId: 'msg_first',
      replayed: false,
    });
    expect(await queuedIds()).toEqual([
      ['org-acme', 'w1'],
      ['org-acme', 'w2'],
    ]);
  });

  it('reads JSON Lines, gzip, a list page, and the organization named in the query', async () => {
    const lines = `${JSON.stringify(event('l1'))}\n{broken\n${JSON.stringify(event('l2'))}\n`;
    const gz = await sendToWebhook(server.url, lines, {
      secret: GLOBEX_SECRET,
      contentType: 'application/x-ndjson',
      gzip: true,
      query: '?organization=org-globex',
    });
    expect(gz.status).toBe(202);
    expect(gz.json).toMatchObject({
      accepted: 2,
      organization: 'org-globex',
      rejected: [{ item: 'line 2', reason: expect.stringMatching(/^not valid JSON: /) as string }],
    });
    const page = await sendToWebhook(
      server.url,
      JSON.stringify({ object: 'list', data: [event('p1')], has_more: false }),
      { secret: SECRET },
    );
    expect(page.json).toMatchObject({ accepted: 1, rejected: [] });
    expect(await queuedIds()).toEqual([
      ['org-globex', 'l1'],
      ['org-globex', 'l2'],
      ['org-acme', 'p1'],
    ]);
  });

  it('accepts a replay of the same webhook-id idempotently: the same answer, nothing enqueued twice', async () => {
    const body = JSON.stringify(event('r1'));
    const first = await sendToWebhook(server.url, body, { secret: SECRET, id: 'msg_replay' });
    const again = await sendToWebhook(server.url, body, { secret: SECRET, id: 'msg_replay' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ ...first.json, replayed: true });
    expect(await queuedIds()).toEqual([['org-acme', 'r1']]);
    const reused = await sendToWebhook(server.url, JSON.stringify(event('r2')), { secret: SECRET, id: 'msg_replay' });
    expect(reused.status).toBe(409);
    expect(reused.json).toEqual({
      error: { code: 'webhook-id-reused', message: 'this webhook-id was already used for a different body' },
    });
    expect(await queuedIds()).toEqual([]);
  });

  it('takes a bearer token only when switched on', async () => {
    const off = await sendToWebhook(server.url, JSON.stringify(event('b1')), {
      unsigned: true,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(off.status).toBe(401);
    const bearerServer = await serve({ bearerEnabled: true });
    try {
      const on = await sendToWebhook(bearerServer.url, JSON.stringify(event('b1')), {
        unsigned: true,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(on.status).toBe(202);
      expect(on.json).toMatchObject({ accepted: 1, webhookId: null });
      const wrong = await sendToWebhook(bearerServer.url, JSON.stringify(event('b2')), {
        unsigned: true,
        headers: { authorization: `Bearer ${'x'.repeat(48)}` },
      });
      expect(wrong.json).toEqual({
        error: { code: 'unauthorized', message: 'the bearer token is not valid for organization "org-acme"' },
      });
    } finally {
      await bearerServer.stop();
    }
    expect(await queuedIds()).toEqual([['org-acme', 'b1']]);
  });

  it('accepts a signature with a newly added secret: a mismatch reads the secret again', async () => {
    const rotated = `whsec_${randomBytes(32).toString('base64')}`;
    let value = SECRET;
    const rotating: SecretSource = {
      description: 'test',
      get: (options) => Promise.resolve(options?.refresh ? (value = `${SECRET} ${rotated}`) : value),
    };
    const rotatingServer = await serve({ secrets: rotating });
    try {
      const response = await sendToWebhook(rotatingServer.url, JSON.stringify(event('n1')), { secret: rotated });
      expect(response.json).toMatchObject({ accepted: 1 });
    } finally {
      await rotatingServer.stop();
    }
  });
});

describe('the webhook: the organization a request lands in is the one its secret authenticates', () => {
  it('refuses a captured signed request replayed with another organization', async () => {
    const captured = { secret: SECRET, id: 'msg_captured', timestamp: Math.floor(Date.now() / 1000) };
    const body = JSON.stringify(event('o1'));
    const first = await sendToWebhook(server.url, body, captured);
    expect(first.json).toMatchObject({ accepted: 1, organization: 'org-acme', replayed: false });
    const replayed = await sendToWebhook(server.url, body, { ...captured, query: '?organization=org-globex' });
    expect([replayed.status, replayed.json]).toEqual([
      401,
      { error: { code: 'unauthorized', message: 'no signature matches for organization "org-globex"' } },
    ]);
    expect(await queuedIds()).toEqual([['org-acme', 'o1']]);
  });

  it("takes an organization's events signed with its own secret, into that organization only", async () => {
    const signed = { secret: GLOBEX_SECRET, id: 'msg_globex', timestamp: Math.floor(Date.now() / 1000) };
    const body = JSON.stringify(event('g1'));
    const first = await sendToWebhook(server.url, body, { ...signed, query: '?organization=org-globex' });
    expect(first.json).toMatchObject({ accepted: 1, organization: 'org-globex', replayed: false });
    for (const query of ['', '?organization=org-acme']) {
      const elsewhere = await sendToWebhook(server.url, body, { ...signed, query });
      expect([elsewhere.status, elsewhere.json]).toEqual([
        401,
        { error: { code: 'unauthorized', message: 'no signature matches for organization "org-acme"' } },
      ]);
    }
    const again = await sendToWebhook(server.url, body, { ...signed, query: '?organization=org-globex' });
    expect(again.json).toMatchObject({ accepted: 1, organization: 'org-globex', replayed: true });
    expect(await queuedIds()).toEqual([['org-globex', 'g1']]);
  });

  it('takes a bearer token into its own organization only', async () => {
    const bearerServer = await serve({ bearerEnabled: true });
    const send = (token: string, query: string, id: string) =>
      sendToWebhook(bearerServer.url, JSON.stringify(event(id)), {
        unsigned: true,
        query,
        headers: { authorization: `Bearer ${token}` },
      });
    try {
      expect((await send(GLOBEX_TOKEN, '?organization=org-globex', 't1')).json).toMatchObject({
        accepted: 1,
        organization: 'org-globex',
      });
      expect((await send(TOKEN, '?organization=org-globex', 't2')).json).toEqual({
        error: { code: 'unauthorized', message: 'the bearer token is not valid for organization "org-globex"' },
      });
      expect((await send(GLOBEX_TOKEN, '', 't3')).status).toBe(401);
    } finally {
      await bearerServer.stop();
    }
    expect(await queuedIds()).toEqual([['org-globex', 't1']]);
  });

  it('refuses every request while one secret is listed for two organizations, and says why in the log', async () => {
    const logged: Array<[string, string, Record<string, unknown>]> = [];
    const dynamodb = new DynamoDBClient({});
    const shared = await startWebhookServer(
      webhookDependencies({
        sqs: new SQSClient({}),
        queueUrl: resources.queueUrl,
        dynamodb,
        deliveriesTable: await createWebhookDeliveriesTable(dynamodb, `webhook-${randomBytes(4).toString('hex')}`),
        secrets: staticSecret(`${SECRET} org-globex=${SECRET}`, 'test'),
        bearerEnabled: false,
        organizations: ORGS,
        log: (level, message, details) => logged.push([level, message, details]),
      }),
    );
    try {
      const response = await sendToWebhook(shared.url, JSON.stringify(event('s1')), {
        secret: SECRET,
        query: '?organization=org-globex',
      });
      expect([response.status, response.json]).toEqual([
        503,
        { error: { code: 'not-configured', message: 'the webhook secret cannot be read; the operator has been told' } },
      ]);
    } finally {
      await shared.stop();
    }
    expect(logged).toEqual([
      [
        'ERROR',
        'webhook secret unusable',
        {
          error:
            'webhook secret entry 2: entry 1 holds the same signing secret for organization "org-acme"; each organization needs its own',
        },
      ],
    ]);
    expect(await queuedIds()).toEqual([]);
  });
});

describe('the webhook: what it refuses, each with a clear JSON error', () => {
  it.each([
    ['no signature', { unsigned: true }, 401, 'sign the request: webhook-id, webhook-timestamp, webhook-signature'],
    [
      'a wrong secret',
      { secret: `whsec_${randomBytes(32).toString('base64')}` },
      401,
      'no signature matches for organization "org-acme"',
    ],
    [
      'an unknown organization, unsigned',
      { unsigned: true, query: '?organization=org-nope' },
      401,
      'sign the request: webhook-id, webhook-timestamp, webhook-signature',
    ],
    [
      'a timestamp 6 minutes old',
      { timestamp: Math.floor(Date.now() / 1000) - 360 },
      401,
      "webhook-timestamp is more than 5 minutes from the receiver's clock",
    ],
    [
      'an unknown organization',
      { query: '?organization=org-nope' },
      400,
      'the organization query parameter names no configured organization',
    ],
    [
      'XML',
      { contentType: 'application/xml' },
      415,
      expect.stringMatching(/^Content-Type must be one of application\/json, /) as string,
    ],
    ['brotli', { headers: { 'content-encoding': 'br' } }, 415, 'Content-Encoding must be gzip or absent'],
  ])('%s', async (_name, options, status, message) => {
    const response = await sendToWebhook(server.url, JSON.stringify(event('x')), { secret: SECRET, ...options });
    expect(response.status).toBe(status);
    expect((response.json.error as { message: string }).message).toEqual(message);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('400 for a body that is not JSON or holds no audit event, listing why', async () => {
    const notJson = await sendToWebhook(server.url, 'hello', { secret: SECRET });
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ error: { code: 'no-audit-events' }, rejected: [{ item: 'line 1' }] });
    const noEvents = await sendToWebhook(server.url, JSON.stringify([{ id: 1 }]), { secret: SECRET });
    expect(noEvents.json).toEqual({
      error: { code: 'no-audit-events', message: 'the body holds no audit event' },
      rejected: [{ item: '[0]', reason: 'missing required field "type"' }],
      rejectedCount: 1,
    });
    const many = await sendToWebhook(server.url, '1\n'.repeat(150), { secret: SECRET });
    expect(many.status).toBe(400);
    expect(many.json).toEqual({
      error: { code: 'no-audit-events', message: 'the body holds no audit event' },
      rejected: Array.from({ length: 100 }, (_, i) => ({
        item: `line ${i + 1}`,
        reason: 'expected an audit event object, got number',
      })),
      rejectedCount: 150,
    });
  });

  it('413 for a body over 5 MB, and for gzip that expands past it', async () => {
    const big = await sendToWebhook(server.url, JSON.stringify([{ ...event('big'), pad: 'x'.repeat(5_100_000) }]), {
      secret: SECRET,
    });
    expect(big.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(50_000_000, 0x20));
    const expands = await sendToWebhook(server.url, bomb, { secret: SECRET, headers: { 'content-encoding': 'gzip' } });
    expect(expands.status).toBe(413);
    expect(expands.json).toEqual({
      error: { code: 'payload-too-large', message: 'the body decompresses to more than 5000000 bytes' },
    });
  });

  it('400 for a body that is not valid gzip or not UTF-8', async () => {
    const notGzip = await sendToWebhook(server.url, JSON.stringify(event('g1')), {
      secret: SECRET,
      headers: { 'content-encoding': 'gzip' },
    });
    expect([notGzip.status, notGzip.json]).toEqual([
      400,
      { error: { code: 'bad-encoding', message: 'the body is not valid gzip' } },
    ]);
    const latin1 = Buffer.concat([
      Buffer.from('{"id":"u1","type":"login.succeeded","note":"'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('"}'),
    ]);
    const notUtf8 = await sendToWebhook(server.url, latin1, { secret: SECRET });
    expect([notUtf8.status, notUtf8.json]).toEqual([
      400,
      { error: { code: 'bad-encoding', message: 'the body is not valid UTF-8' } },
    ]);
    expect(await queuedIds()).toEqual([]);
  });

  it('413 for more events than a request may carry, none enqueued', async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => JSON.stringify(event(`many-${i}`))).join('\n');
    const response = await sendToWebhook(server.url, lines, { secret: SECRET, contentType: 'application/x-ndjson' });
    expect([response.status, response.json]).toEqual([
      413,
      { error: { code: 'too-many-events', message: 'at most 10000 events per request, got 10001' } },
    ]);
    expect(await queuedIds()).toEqual([]);
  });

  it('reports an event too deep to queue among the rejected items of its 202, and queues the rest', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100; i++) deep = { nested: deep };
    const deepId = `deep-1\u202e${'x'.repeat(200)}`;
    const response = await sendToWebhook(server.url, JSON.stringify([event('shallow'), { ...event(deepId), deep }]), {
      secret: SECRET,
    });
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({
      accepted: 1,
      // The sender's id, escaped and cut.
      rejected: [
        {
          item: `event deep-1\\u202e${'x'.repeat(93)}…`,
          reason: expect.stringMatching(/deeper than 64 levels/) as string,
        },
      ],
      rejectedCount: 1,
    });
    expect(await queuedIds()).toEqual([['org-acme', 'shallow']]);
  });

  it('429 with Retry-After while another request holds the same webhook-id, then the first answer', async () => {
    // The first request's enqueue waits on a gate: once it is there it holds the webhook-id, and
    // the second request arrives while it does.
    let open: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    const sqs = new SQSClient({});
    sqs.middlewareStack.add((next) => async (args) => (reached(), await gate, next(args)), {
      step: 'initialize',
      name: 'gate',
    });
    const gated = await serve({ sqs });
    try {
      const body = JSON.stringify(event('c1'));
      const first = sendToWebhook(gated.url, body, { secret: SECRET, id: 'msg_concurrent' });
      await atGate;
      let second = await sendToWebhook(gated.url, body, { secret: SECRET, id: 'msg_concurrent' });
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(second.json).toEqual({
        error: {
          code: 'delivery-in-progress',
          message: 'this webhook-id is being processed by another request; retry shortly',
        },
      });
      open();
      expect((await first).json).toMatchObject({ accepted: 1, replayed: false });
      second = await sendToWebhook(gated.url, body, { secret: SECRET, id: 'msg_concurrent' });
      expect(second.json).toMatchObject({ accepted: 1, replayed: true });
    } finally {
      open();
      await gated.stop();
    }
    expect(await queuedIds()).toEqual([['org-acme', 'c1']]);
  });

  it('405 for anything but POST, 404 elsewhere', async () => {
    const get = await sendToWebhook(server.url, '', { method: 'GET', unsigned: true });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    const elsewhere = await sendToWebhook(server.url.replace('/v1/audit-events', '/'), '{}', { secret: SECRET });
    expect(elsewhere.status).toBe(404);
  });

  it('503 when the queue refuses, and the webhook-id is given back so the retry enqueues', async () => {
    const table = await createWebhookDeliveriesTable(
      new DynamoDBClient({}),
      `webhook-${randomBytes(4).toString('hex')}`,
    );
    const broken = await serve({ queueUrl: `${resources.queueUrl}-missing`, table });
    const body = JSON.stringify(event('q1'));
    try {
      const refused = await sendToWebhook(broken.url, body, { secret: SECRET, id: 'msg_retry' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.json).toEqual({
        error: { code: 'queue-unavailable', message: 'the events could not be queued; retry later' },
      });
    } finally {
      await broken.stop();
    }
    const healed = await serve({ table });
    try {
      const retried = await sendToWebhook(healed.url, body, { secret: SECRET, id: 'msg_retry' });
      expect(retried.json).toMatchObject({ accepted: 1, replayed: false });
    } finally {
      await healed.stop();
    }
    expect(await queuedIds()).toEqual([['org-acme', 'q1']]);
  });
});
