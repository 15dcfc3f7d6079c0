import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { pipelineSettings } from '../../lib/tooling/local/settings.ts';

const { ingestSettings, webhookSettings, QUEUE_SENDER_ROLES } = createRequire(import.meta.url)('../../infra/settings.cjs') as {
  ingestSettings: (params: Record<string, unknown>) => Record<string, unknown>;
  webhookSettings: (params: Record<string, unknown>) => Record<string, unknown>;
  QUEUE_SENDER_ROLES: readonly string[];
};

describe('infra/settings.cjs', () => {
  it('derives the visibility timeout from the function timeout and the batching window', () => {
    const settings = pipelineSettings();
    expect(settings.queue.visibilityTimeoutSeconds).toBe(6 * settings.detect.timeoutSeconds + settings.detect.batchingWindowSeconds);
    expect(pipelineSettings({ batchingWindowSeconds: 60 }).queue.visibilityTimeoutSeconds).toBe(6 * 30 + 60);
  });

  it('lists the pager severities at and above the minimum', () => {
    expect(pipelineSettings().pager.severities).toEqual(['HIGH', 'CRITICAL']);
    expect(pipelineSettings({ pagerMinSeverity: 'low' }).pager.severities).toEqual(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
  });

  it.each([
    [{ batchSize: 0 }, 'batchSize must be 1-10000'],
    [{ batchSize: 100, batchingWindowSeconds: 0 }, 'batchSize over 10 needs batchingWindowSeconds of at least 1'],
    [{ batchingWindowSeconds: 301 }, 'batchingWindowSeconds must be 0-300'],
    [{ pagerMinSeverity: 'URGENT' }, 'pagerMinSeverity must be one of INFO, LOW, MEDIUM, HIGH, CRITICAL'],
  ])('rejects %j', (params, message) => {
    expect(() => pipelineSettings(params)).toThrow(message);
  });
});

describe('infra/settings.cjs: the poller', () => {
  it('keeps one default organization, its key and cursor as before, when no list is given', () => {
    expect(ingestSettings({})).toMatchObject({
      organizations: [{ id: 'default', name: '', adminKeyParameter: '/openai-audit-alerts/admin-key', cursorKey: 'ingest-cursor' }],
      cursorKeys: ['ingest-cursor'],
      overlapSeconds: 600,
      backfillHours: 24,
    });
    expect(ingestSettings({ organizations: '', adminKeyParameter: '/x/key' })).toMatchObject({ cursorKeys: ['ingest-cursor'], organizationsJson: '[{"id":"default","name":"","adminKeyParameter":"/x/key"}]' });
  });

  it.each([
    [{ organizations: '[{"id":"a"},{"id":"a"}]' }, 'organizations[1].id a is listed twice'],
    [{ organizations: '[{"id":"bad id"}]' }, 'organizations[0].id must be 1-64 letters'],
    [{ organizations: '[]x' }, 'organizations must be JSON'],
    [{ organizations: '[{"id":"a","adminKeyParameter":"x"}]' }, 'organizations[0].adminKeyParameter must be a full SSM parameter name'],
    [{ adminKeyParameter: 'relative' }, 'adminKeyParameter must be a full SSM parameter name starting with /'],
    [{ pollOverlapSeconds: 7200 }, 'pollOverlapSeconds must be 0-3600'],
    [{ pollBackfillHours: -1 }, 'pollBackfillHours must be 0-2160'],
    [{ openaiBaseUrl: 'http://api.openai.com/v1' }, 'openaiBaseUrl must be an https:// URL'],
  ])('rejects %j at package time', (params, message) => {
    expect(() => ingestSettings(params)).toThrow(message);
  });
});

describe('infra/settings.cjs: the webhook', () => {
  it('is off by default, throttled at 50 requests a second (burst 100), and names its role for the queue policy', () => {
    expect(webhookSettings({})).toMatchObject({ enabled: 'false', bearerAuth: 'false', rateLimit: 50, burstLimit: 100, reservedConcurrency: 0, roleLogicalId: 'WebhookRole' });
    expect(webhookSettings({ webhookEnabled: 'true' }).reservedConcurrency).toBe(5);
    expect(QUEUE_SENDER_ROLES).toEqual(['PollRole', 'WebhookRole']);
  });

  it.each([
    [{ webhookEnabled: 'yes' }, 'webhookEnabled must be true or false'],
    [{ webhookRateLimit: 0 }, 'webhookRateLimit must be 1-10000'],
    [{ webhookBurstLimit: 1.5 }, 'webhookBurstLimit must be 1-5000'],
    [{ webhookEnabled: 'true', webhookReservedConcurrency: 0 }, 'webhookReservedConcurrency must be 1-1000'],
    [{ webhookSecretParameter: 'secret' }, 'webhookSecretParameter must be a full SSM parameter name'],
  ])('rejects %j at package time', (params, message) => {
    expect(() => webhookSettings(params)).toThrow(message);
  });
});
