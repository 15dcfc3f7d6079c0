// Hostile and broken input through the real detection function over the emulators: nothing
// throws, good data alerts, bad data is kept in the DLQ, and nothing unsafe or secret reaches a
// subject, an email, a log line or an alert.
import { beforeEach, describe, expect, it } from 'vitest';
import { readDetectConfig } from '../../lib/config/detect-config.ts';
import { createDetectionHandler } from '../../lib/pipeline/detect/create-handler.ts';
import { createPipelineResources, drain, receivedAlerts, type PipelineResources } from '../support/aws-resources.ts';
import { recordingTelemetry } from '../support/recording-telemetry.ts';

const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const HOSTILE = 'evil\r\nBcc: victim@example.com\u0000\u001b[31m\u202egnp.exe\u2066\u200b\ud800';
const EVENT_KEY = 'sk-proj-EVENTSECRETabcdefghijklmnop0123';
const ADMIN_KEY = 'sk-admin-CONFIGSECRETabcdefghijklmn4567';

const keyEvent = (id: string, overrides: Record<string, unknown> = {}, scopes: unknown = ['all']) => ({
  id,
  type: 'api_key.created',
  effective_at: 1_720_000_000,
  actor: {
    type: 'session',
    session: {
      user: { id: `user-${id}`, email: `${id}@example.com` },
      ip_address: '203.0.113.9',
      user_agent: 'curl/8',
    },
  },
  'api_key.created': { id: `key_${id}`, data: { scopes } },
  ...overrides,
});

let resources: PipelineResources;
let recorder: ReturnType<typeof recordingTelemetry>;
let handler: ReturnType<typeof createDetectionHandler>;

beforeEach(async () => {
  resources = await createPipelineResources();
  recorder = recordingTelemetry();
  const policy = JSON.stringify({
    includeDefaults: true,
    elevatedScopes: [{ exact: 'x.write', severity: 'LOW', note: `rotated ${ADMIN_KEY}` }],
  });
  const config = readDetectConfig({
    DEDUP_TABLE_NAME: resources.tableName,
    ALERT_TOPIC_ARN: resources.topicArn,
    DEAD_LETTER_QUEUE_URL: resources.dlqUrl,
    ELEVATED_SCOPE_POLICY: policy,
    OPENAI_ADMIN_KEY: ADMIN_KEY,
  });
  handler = createDetectionHandler({ config, telemetry: recorder.telemetry });
});

const run = (bodies: string[]) => handler(bodies.map((body, i) => ({ messageId: `m${i}`, body })));
const logText = () => JSON.stringify(recorder.logs);

describe('hostile input', () => {
  it('alerts on bodies at and over 256 KB, trimming the context to fit SNS', async () => {
    const padding = 'A'.repeat(262_144);
    const atLimit = JSON.stringify(keyEvent('big-1', { pad: padding.slice(0, 262_144 - 400) }));
    const huge = keyEvent('big-2');
    (huge.actor as { session: { user_agent: string } }).session.user_agent = 'U'.repeat(1_000_000);
    const over = JSON.stringify(huge);
    expect(Buffer.byteLength(atLimit)).toBeGreaterThan(261_000);
    expect(Buffer.byteLength(over)).toBeGreaterThan(1_000_000);
    expect(await run([atLimit, over])).toEqual({ batchItemFailures: [] });
    const alerts = await receivedAlerts(resources.subscriberUrl);
    expect(alerts.map((a) => a.alert.eventId).sort()).toEqual(['big-1', 'big-2']);
    const trimmed = alerts.find((a) => a.alert.eventId === 'big-2')?.alert.alertContext;
    expect(trimmed?._error ?? trimmed?._trimmed).toBeDefined();
  });

  it('handles 10,000 scopes', async () => {
    const scopes = [...Array.from({ length: 10_000 }, (_, i) => `api.thing${i}.read`), 'admin'];
    expect(await run([JSON.stringify(keyEvent('scopes', {}, scopes))])).toEqual({ batchItemFailures: [] });
    const [alert] = await receivedAlerts(resources.subscriberUrl);
    expect(alert?.alert.severity).toBe('HIGH');
    expect(alert?.alert.alertContext.api_key_scopes_omitted).toBe(9_901);
  });

  it('keeps a body nested too deep for the parser in the DLQ, and processes the rest', async () => {
    const deep = `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
    expect(await run([deep, JSON.stringify(keyEvent('after-deep'))])).toEqual({ batchItemFailures: [] });
    expect((await receivedAlerts(resources.subscriberUrl)).map((a) => a.alert.eventId)).toEqual(['after-deep']);
    const [letter] = await drain(resources.dlqUrl);
    expect(letter?.MessageAttributes?.failure_kind?.StringValue).toBe('malformed-body');
  });

  it('treats __proto__ and constructor keys as data, everywhere, without polluting prototypes', async () => {
    const body =
      '{"id":"proto","type":"api_key.created","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},' +
      '"actor":{"__proto__":{"x":1},"session":{"user":{"id":"user-proto","__proto__":{"email":"spoof@x"}}}},' +
      '"api_key.created":{"__proto__":{"data":{"scopes":["all"]}},"data":{"scopes":["admin"],"constructor":"x"}}}';
    expect(await run([body])).toEqual({ batchItemFailures: [] });
    const [alert] = await receivedAlerts(resources.subscriberUrl);
    expect(alert?.alert.title).toBe('OpenAI API Key with Elevated Scopes: api_key.created by [user-proto]');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps lone surrogates, replacement characters, CR/LF, control and bidi characters out of subjects, emails and logs', async () => {
    const event = keyEvent('hostile', {}, ['all', HOSTILE]);
    (event.actor as { session: { user: { email: string }; user_agent: string } }).session.user.email =
      `${HOSTILE}@example.com\ufffd`;
    (event.actor as { session: { user_agent: string } }).session.user_agent = HOSTILE;
    (event['api_key.created'] as { id: string }).id = HOSTILE;
    const bad = { id: HOSTILE, type: 42 };
    expect(await run([JSON.stringify([event, bad])])).toEqual({ batchItemFailures: [] });
    const [alert] = await receivedAlerts(resources.subscriberUrl);
    expect(alert?.subject).toMatch(/^[A-Za-z0-9][\x20-\x7e]{0,98}$/);
    expect(alert?.email).toBeDefined();
    expect(alert?.email).not.toMatch(UNSAFE);
    expect(alert?.email).toContain('\\r\\nBcc: victim@example.com');
    expect(logText()).not.toMatch(UNSAFE);
    for (const log of recorder.logs)
      for (const value of Object.values(log.fields)) if (typeof value === 'string') expect(value).not.toMatch(UNSAFE);
    const [letter] = await drain(resources.dlqUrl);
    expect(letter?.MessageAttributes?.failure_reason?.StringValue).not.toMatch(UNSAFE);
  });

  it('reads numbers as strings and strings as numbers where they stand for the same thing', async () => {
    const event = {
      id: 'numeric',
      type: 'api_key.updated',
      effective_at: '1720000000',
      actor: { api_key: { id: 12345, service_account: { id: 678 } } },
      'api_key.updated': { id: 99, changes_requested: { scopes: [7, 'admin', null] } },
    };
    expect(await run([JSON.stringify(event)])).toEqual({ batchItemFailures: [] });
    const [alert] = await receivedAlerts(resources.subscriberUrl);
    expect(alert?.alert).toMatchObject({
      title: 'OpenAI API Key with Elevated Scopes: api_key.updated by [678]',
      eventTime: new Date(1_720_000_000_000).toISOString(),
    });
    expect(alert?.alert.alertContext).toMatchObject({
      api_key_id: '99',
      api_key_scopes: ['admin'],
      service_account_id: '678',
    });
  });

  it('never shows an API key from an event or the configuration unmasked, in alerts, emails, subjects or logs', async () => {
    const event = keyEvent(EVENT_KEY, {}, ['all', EVENT_KEY]);
    (event.actor as { session: { user: { email: string; id: string }; user_agent: string } }).session.user = {
      id: EVENT_KEY,
      email: `${EVENT_KEY}@example.com`,
    };
    (event.actor as { session: { user_agent: string } }).session.user_agent = `client ${EVENT_KEY}`;
    const broken = { id: EVENT_KEY, type: ['not', 'a', 'string'] };
    expect(await run([JSON.stringify([event, broken]), `not json ${EVENT_KEY}`])).toEqual({ batchItemFailures: [] });
    const alerts = await receivedAlerts(resources.subscriberUrl);
    expect(alerts).toHaveLength(1);
    const everything =
      JSON.stringify(alerts) +
      logText() +
      JSON.stringify((await drain(resources.dlqUrl)).map((m) => m.MessageAttributes));
    expect(everything).not.toContain(EVENT_KEY);
    expect(everything).not.toContain(ADMIN_KEY);
    expect(alerts[0]?.alert.title).toBe(
      'OpenAI API Key with Elevated Scopes: api_key.created by [sk-proj-…0123@example.com]',
    );
    expect(alerts[0]?.subject).toContain('sk-proj-...0123');
  });
});
